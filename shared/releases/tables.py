"""The synced tables (docs/sync-protocol.md section 1) as publishing sees them: key, unique columns,
and how to name a row in a release summary. Listed parents first: media before the pages and posts that
point at it, pages before their blocks."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.sync.tables import ORDER

RowMap = Mapping[str, Any]


@dataclass(frozen=True)
class SyncedTable:
    """One synced table: its key, its unique columns with a parking value, and a row's display title."""

    name: str
    key: str
    title: Callable[[RowMap], str]
    # Unique columns and the value a row holds while publishing moves values between rows (two pages
    # swapping slugs would otherwise clash half-way). Callables get the row's key.
    park: Mapping[str, Callable[[str], Any]] = field(default_factory=dict)
    # Columns the cloud owns (shared/sync/tables.py, CLOUD_ONLY): the live database keeps its values.
    cloud_only: frozenset[str] = frozenset()


def _parked(key: str) -> str:
    return f"~release~{key}"


def _text(row: RowMap, name: str) -> str:
    value = row.get(name)
    return value if isinstance(value, str) else ""


def _block_title(row: RowMap) -> str:
    try:
        settings = json.loads(row.get("settings") or "{}")
    except (TypeError, ValueError):
        settings = {}
    heading = next((settings[k] for k in ("heading", "title", "text") if isinstance(settings.get(k), str)), "")
    kind = _text(row, "kind")
    return f"{kind}: {heading[:60]}" if heading else kind


_TITLES: dict[str, Callable[[RowMap], str]] = {
    "storefront": lambda r: _text(r, "name"), "media": lambda r: _text(r, "alt") or _text(r, "filename"),
    "themes": lambda r: _text(r, "name"), "menus": lambda r: _text(r, "handle"),
    "pages": lambda r: _text(r, "title"), "blocks": _block_title, "posts": lambda r: _text(r, "title"),
}
_PARK: dict[str, Mapping[str, Callable[[str], Any]]] = {
    "storefront": {"slug": _parked}, "media": {"hash": _parked}, "themes": {"is_active": lambda _key: 0},
    "pages": {"slug": _parked, "template": lambda _key: None}, "posts": {"slug": _parked},
}
# The tables, keys and order are sync's (shared/sync/tables.py): one list of what is authored content.
SYNCED: tuple[SyncedTable, ...] = tuple(SyncedTable(spec.name, spec.key, _TITLES[spec.name], _PARK.get(spec.name, {}),
                                                     spec.cloud_only)
                                         for spec in ORDER)
BY_NAME: dict[str, SyncedTable] = {t.name: t for t in SYNCED}
