"""The last view of a cloud section (Orders, Customers), kept on disk so it stays readable offline.

Orders and customers live only in the cloud; the studio shows them online. What it last fetched is
written here as JSON in the studio's data folder (`studio-cache/SLUG-NAME.json`), with the time it was
fetched, so that offline the section shows it under "Offline, as of 14:05". It is a cache of what the
cloud said, never a source of truth: no action is ever taken from it. The file is replaced atomically
(a crash leaves the previous one)."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
MAX_DETAILS = 200          # opened details kept (the oldest opened are dropped first)


class ViewCache:
    """{"list": {"savedAt", "value"}, "details": {key: {"savedAt", "value"}}} in one JSON file."""

    def __init__(self, path: Path):
        self.path = path
        self._data: dict[str, Any] = self._load()

    @classmethod
    def for_store(cls, data_root: Path, slug: str, name: str) -> ViewCache:
        """The cache of section `name` for store `slug` of a data folder."""
        return cls(Path(data_root) / "studio-cache" / f"{slug}-{name}.json")

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"list": None, "details": {}}
        if not isinstance(data, dict) or not isinstance(data.get("details"), dict):
            return {"list": None, "details": {}}
        return data

    def _save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._data), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:      # a full disk loses the offline copy, never the online view
            log.warning("could not keep the offline copy %s: %s", self.path, exc)

    def put_list(self, value: Any) -> None:
        """Keep the list as fetched now."""
        self._data["list"] = {"savedAt": _now(), "value": value}
        self._save()

    def get_list(self) -> tuple[Any, str] | None:
        """(the last list, when it was fetched as ISO time) or None."""
        entry = self._data.get("list")
        return (entry["value"], entry["savedAt"]) if isinstance(entry, dict) else None

    def put_detail(self, key: str, value: Any) -> None:
        """Keep one opened detail as fetched now."""
        details = self._data["details"]
        details.pop(key, None)
        details[key] = {"savedAt": _now(), "value": value}
        while len(details) > MAX_DETAILS:
            details.pop(next(iter(details)))
        self._save()

    def get_detail(self, key: str) -> tuple[Any, str] | None:
        """(the detail last fetched for `key`, when) or None."""
        entry = self._data["details"].get(key)
        return (entry["value"], entry["savedAt"]) if isinstance(entry, dict) else None

    def forget_detail(self, key: str) -> None:
        """Drop a detail (an erased customer leaves no copy here)."""
        if self._data["details"].pop(key, None) is not None:
            self._save()


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def as_of_text(saved_at: str) -> str:
    """'Offline, as of 14:05' (today) or 'Offline, as of 3 Dec 14:05' for the banner."""
    try:
        when = datetime.fromisoformat(saved_at).astimezone()
    except ValueError:
        return "Offline"
    today = datetime.now().astimezone().date()
    stamp = when.strftime("%H:%M") if when.date() == today else f"{when.day} {when.strftime('%b %H:%M')}"
    return f"Offline, as of {stamp}"
