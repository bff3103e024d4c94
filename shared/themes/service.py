"""Theme changes: every value is checked before it is stored (and again when CSS is written)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from shared.compose.theme import MAX_CUSTOM_CSS, starters, theme_problems
from shared.db import Connection, Database
from shared.db.repositories import content
from shared.db.stamps import utc_now
from shared.models import Theme
from shared.themes.errors import ThemeError, ThemeErrorCode

_GROUPS = ("colors", "typography", "spacing", "layout", "sections")


def _active(conn: Connection) -> Theme:
    theme = content.get_active_theme(conn)
    if theme is None:
        raise ThemeError(ThemeErrorCode.NOT_FOUND, "The store has no active theme")
    return theme


def active_theme(db: Database) -> Theme:
    """The theme the storefront uses."""
    return db.read(_active)


def switch_preset(db: Database, *, preset: str) -> Theme:
    """Switch the active theme to another starter. The merchant's colours, fonts and spacing are reset
    to the new starter's (they were chosen for the old one); sections and custom CSS are kept."""
    if preset not in starters():
        raise ThemeError(ThemeErrorCode.INVALID, f"Unknown theme '{preset}'; choose one of {', '.join(starters())}",
                         (("preset", "is not a starter theme"),))

    def write(conn: Connection) -> Theme:
        theme = _active(conn)
        kept = {"sections": theme.settings["sections"]} if "sections" in theme.settings else {}
        updated = replace(theme, preset=preset, name=starters()[preset]["name"], settings=kept, updated_at=utc_now())
        content.update_theme(conn, updated)
        return updated

    return db.write(write)


def update_theme_settings(db: Database, *, changes: Mapping[str, Any]) -> Theme:
    """Merge setting changes ({"colors": {"accent": "#aa3300"}, ...}) into the active theme.

    Raises ThemeError(INVALID) listing every bad field; nothing is stored then."""
    if not isinstance(changes, Mapping):
        raise ThemeError(ThemeErrorCode.INVALID, "settings must be an object", (("settings", "must be an object"),))
    unknown = [key for key in changes if key not in _GROUPS]
    problems = [(key, "is not a theme setting group") for key in unknown]
    problems += [(f, m) for f, m in theme_problems({k: v for k, v in changes.items() if k != "sections"})]
    for key, value in changes.items():
        if key in _GROUPS and not isinstance(value, Mapping):
            problems.append((key, "must be an object"))
    if problems:
        raise ThemeError(ThemeErrorCode.INVALID, "; ".join(f"{f} {m}" for f, m in problems), tuple(problems))

    def write(conn: Connection) -> Theme:
        theme = _active(conn)
        settings = {k: dict(v) for k, v in theme.settings.items() if isinstance(v, Mapping)}
        for group, values in changes.items():
            settings.setdefault(group, {}).update(values)
        updated = replace(theme, settings=settings, updated_at=utc_now())
        content.update_theme(conn, updated)
        return updated

    return db.write(write)


def set_custom_css(db: Database, *, css: str) -> Theme:
    """Store the merchant's custom CSS (sanitised when the stylesheet is written, see compose/theme.py)."""
    if not isinstance(css, str):
        raise ThemeError(ThemeErrorCode.INVALID, "custom CSS must be text", (("custom_css", "must be text"),))
    if len(css) > MAX_CUSTOM_CSS:
        raise ThemeError(ThemeErrorCode.INVALID, f"custom CSS can be at most {MAX_CUSTOM_CSS // 1024} KB",
                         (("custom_css", "is too long"),))

    def write(conn: Connection) -> Theme:
        updated = replace(_active(conn), custom_css=css, updated_at=utc_now())
        content.update_theme(conn, updated)
        return updated

    return db.write(write)
