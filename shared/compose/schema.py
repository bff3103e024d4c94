"""Block settings checked against a block's declared schema (like a Shopify section schema)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

import nh3

from shared.errors import VibeshopError

MAX_TEXT = 5_000
MAX_RICHTEXT = 50_000
MAX_LIST_ITEMS = 50
MAX_FREEFORM_JSON = 64 * 1024
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
_HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]{0,254}\Z")
_URL = re.compile(r"^(?:https?://[^\s<>\"']+|mailto:[^\s<>\"']+|tel:[+0-9 ()-]+|/(?!/)[^\s<>\"']*|#[^\s<>\"']*)\Z", re.I)


class SettingsError(VibeshopError):
    """A setting value that does not fit its declared type (code "invalid_settings"); `setting` names it."""

    def __init__(self, setting: str, message: str):
        super().__init__("invalid_settings", f"{setting}: {message}")
        self.setting = setting
        self.detail = message


def sanitize_richtext(html: str) -> str:
    """Merchant rich text made safe to embed: nh3 (ammonia) with its default allow-list."""
    return nh3.clean(html, link_rel="noopener noreferrer")


def _text(limit: int):
    def check(value: Any, _spec: Mapping[str, Any]) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value
    return check


def _number(value: Any, spec: Mapping[str, Any]) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("must be a number")
    if "min" in spec and value < spec["min"]:
        raise ValueError(f"must be at least {spec['min']}")
    if "max" in spec and value > spec["max"]:
        raise ValueError(f"must be at most {spec['max']}")
    return value


def _checkbox(value: Any, _spec: Mapping[str, Any]) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _color(value: Any, _spec: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or not _COLOR.match(value):
        raise ValueError("must be a colour like #1f5fbf")
    return value


def _select(value: Any, spec: Mapping[str, Any]) -> Any:
    allowed = [o.get("value") if isinstance(o, Mapping) else o for o in spec.get("options", [])]
    if value not in allowed:
        raise ValueError(f"must be one of {', '.join(map(str, allowed))}")
    return value


def link_problem(value: Any) -> str | None:
    """Why a link (a url setting, a menu item's url) is not acceptable, or None: relative to the
    store, a fragment, http(s), mailto: or tel:, never javascript: or data:."""
    if not isinstance(value, str) or (value and not _URL.match(value)) or len(value) > 2048:
        return "must be a link starting with /, #, http://, https://, mailto: or tel:"
    return None


def _url(value: Any, _spec: Mapping[str, Any]) -> str:
    problem = link_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _richtext(value: Any, spec: Mapping[str, Any]) -> str:
    # Stored sanitised, so that what every writer stores is what the row rules accept
    # (shared/sync/rules.py refuses rich text that nh3 would still change).
    return sanitize_richtext(_text(MAX_RICHTEXT)(value, spec))


def _ref(value: Any, _spec: Mapping[str, Any]) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _HANDLE.match(value) and not re.fullmatch(r"[0-9a-f-]{36}", value):
        raise ValueError("must be a handle or id")
    return value


def _refs(value: Any, spec: Mapping[str, Any]) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        raise ValueError(f"must be a list of at most {MAX_LIST_ITEMS} handles")
    return [v for v in (_ref(item, spec) for item in value) if v]


def _list(value: Any, spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        raise ValueError(f"must be a list of at most {MAX_LIST_ITEMS} items")
    fields = {f["id"]: f for f in spec.get("fields", []) if isinstance(f, Mapping) and "id" in f}
    return [_clean(fields, item, prefix=f"[{i}].") for i, item in enumerate(value)]


_CHECKS = {
    "text": _text(MAX_TEXT), "textarea": _text(MAX_TEXT), "richtext": _richtext,
    "number": _number, "range": _number, "checkbox": _checkbox, "color": _color, "select": _select,
    "url": _url, "image": _ref, "product": _ref, "collection": _ref, "products": _refs, "collections": _refs,
    "list": _list,
}


def _clean(fields: Mapping[str, Mapping[str, Any]], settings: Any, *, prefix: str = "") -> dict[str, Any]:
    if not isinstance(settings, Mapping):
        raise SettingsError(prefix.rstrip(".") or "settings", "must be an object")
    out: dict[str, Any] = {}
    for key, value in settings.items():
        spec = fields.get(key)
        if spec is None:
            raise SettingsError(prefix + str(key), "is not a setting of this block")
        check = _CHECKS.get(spec.get("type", "text"), _text(MAX_TEXT))
        try:
            out[key] = check(value, spec)
        except SettingsError as exc:  # from a list's item: name the list too, "items[0].question"
            raise SettingsError(prefix + key + exc.setting, exc.detail) from None
        except ValueError as exc:
            raise SettingsError(prefix + key, str(exc)) from None
    return out


def richtext_problems(schema: Mapping[str, Any], settings: Mapping[str, Any], *, prefix: str = "") -> list[str]:
    """Names of the rich-text settings (also inside lists) whose value nh3 would still change."""
    found: list[str] = []
    specs = setting_specs(schema)
    for key, value in settings.items():
        spec = specs.get(key) or {}
        if spec.get("type") == "richtext" and isinstance(value, str) and sanitize_richtext(value) != value:
            found.append(prefix + key)
        elif spec.get("type") == "list" and isinstance(value, list):
            sub = {"settings": spec.get("fields", [])}
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    found += richtext_problems(sub, item, prefix=f"{prefix}{key}[{i}].")
    return found


def setting_specs(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The declared settings by id (remembered per schema object: a block's schema is parsed once
    and kept, and a sync checks thousands of blocks' settings against a few schemas)."""
    known = _SPECS_SEEN.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    found = {s["id"]: s for s in schema.get("settings", []) if isinstance(s, Mapping) and isinstance(s.get("id"), str)}
    if len(_SPECS_SEEN) >= 4096:
        _SPECS_SEEN.clear()
    _SPECS_SEEN[id(schema)] = (schema, found)      # the schema is held, so its id is not reused
    return found


_SPECS_SEEN: dict[int, tuple[Mapping[str, Any], dict[str, Mapping[str, Any]]]] = {}


def clean_settings(schema: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings checked against the schema (unknown ids refused). A block that declares no settings
    takes any JSON object up to 64 KB."""
    specs = setting_specs(schema)
    if not specs:
        if not isinstance(settings, Mapping):
            raise SettingsError("settings", "must be an object")
        if len(json.dumps(settings, default=str)) > MAX_FREEFORM_JSON:
            raise SettingsError("settings", "are too large")
        return dict(settings)
    return _clean(specs, settings)


def with_defaults(schema: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """What the block sees: declared defaults, then the saved values; rich text sanitised."""
    specs = setting_specs(schema)
    out = {key: spec.get("default") for key, spec in specs.items() if "default" in spec}
    out.update(settings)
    for key, spec in specs.items():
        if spec.get("type") == "richtext" and isinstance(out.get(key), str):
            out[key] = sanitize_richtext(out[key])
        if spec.get("type") == "list" and isinstance(out.get(key), list):
            sub = {"settings": spec.get("fields", [])}
            out[key] = [with_defaults(sub, item) if isinstance(item, Mapping) else item for item in out[key]]
    return out
