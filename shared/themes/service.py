"""Theme changes: every value is checked before it is stored (and again when CSS is written)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from shared.compose.registry import builtin_block
from shared.compose.schema import SettingsError, clean_settings
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
    problems = theme_settings_problems(changes)
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


def theme_settings_problems(changes: Any) -> list[tuple[str, str]]:
    """(field, message) for every bad group or value in theme settings ({"colors": {...}, ...})."""
    if not isinstance(changes, Mapping):
        return [("settings", "must be an object")]
    problems = [(str(key), "is not a theme setting group") for key in changes if key not in _GROUPS]
    problems += theme_problems({k: v for k, v in changes.items() if k != "sections" and isinstance(v, Mapping)})
    for key, value in changes.items():
        if key in _GROUPS and not isinstance(value, Mapping):
            problems.append((key, "must be an object"))
    sections = changes.get("sections")
    if isinstance(sections, Mapping):
        problems += _section_problems(sections)
    return problems


SECTIONS = ("header", "footer")


def _section_problems(sections: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The header and footer are blocks whose settings live in the theme: check them against the
    blocks' schemas like any block's settings."""
    problems: list[tuple[str, str]] = []
    for name, settings in sections.items():
        if name not in SECTIONS:
            problems.append((f"sections.{name}", "is not a theme section (header or footer)"))
            continue
        try:
            clean_settings(builtin_block(name).schema, settings if isinstance(settings, Mapping) else {})
            if not isinstance(settings, Mapping):
                problems.append((f"sections.{name}", "must be an object"))
        except SettingsError as exc:
            problems.append((f"sections.{name}.{exc.setting}", exc.detail))
    return problems


def update_section_settings(db: Database, *, section: str, settings: Mapping[str, Any]) -> Theme:
    """Replace the settings of the theme's header or footer (checked against its schema)."""
    return update_theme_settings(db, changes={"sections": {section: dict(settings)}})


def check_preset(preset: Any) -> str:
    """A starter theme's key; raises ThemeError(INVALID) for anything else."""
    if not isinstance(preset, str) or preset not in starters():
        raise ThemeError(ThemeErrorCode.INVALID, f"Unknown theme '{preset}'; choose one of {', '.join(starters())}",
                         (("preset", "is not a starter theme"),))
    return preset


def replace_theme_in(conn: Connection, *, preset: str, settings: Mapping[str, Any], custom_css: str) -> bool:
    """Make the active theme exactly this preset, settings and custom CSS, inside the caller's
    transaction (a folder import). Writes, and moves updated_at, only when something differs.

    Raises ThemeError(INVALID) for an unknown preset, bad settings or over-long CSS."""
    check_preset(preset)
    problems = theme_settings_problems(settings)
    if problems:
        raise ThemeError(ThemeErrorCode.INVALID, "; ".join(f"{f} {m}" for f, m in problems), tuple(problems))
    if not isinstance(custom_css, str) or len(custom_css) > MAX_CUSTOM_CSS:
        raise ThemeError(ThemeErrorCode.INVALID, f"custom CSS can be at most {MAX_CUSTOM_CSS // 1024} KB",
                         (("custom_css", "is too long"),))
    theme = _active(conn)
    wanted = {k: dict(v) for k, v in settings.items()}
    if (theme.preset, theme.settings, theme.custom_css) == (preset, wanted, custom_css):
        return False
    name = starters()[preset]["name"] if preset != theme.preset else theme.name
    content.update_theme(conn, replace(theme, preset=preset, name=name, settings=wanted, custom_css=custom_css,
                                       updated_at=utc_now()))
    return True
