"""Themes: a starter preset, the merchant's settings on top, custom CSS; turned into one stylesheet.

Every value that reaches CSS is checked here again (colours, font keys, numbers in range), so a bad
stored value can never break out of a declaration; custom CSS is sanitised so it cannot close the
style element, inject markup or load anything from elsewhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from shared.models import Theme

DEFAULT_PRESET = "harbor"
MAX_CUSTOM_CSS = 64 * 1024
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
COLOR_KEYS = ("background", "surface", "text", "muted", "accent", "accent_text", "border")
NUMBER_SETTINGS = {  # setting path -> (min, max, CSS unit)
    ("typography", "base_size"): (12, 24, "px"),
    ("typography", "heading_weight"): (300, 900, ""),
    ("typography", "heading_scale"): (1.0, 1.6, ""),
    ("spacing", "section"): (16, 160, "px"),
    ("spacing", "radius"): (0, 32, "px"),
    ("layout", "max_width"): (720, 1800, "px"),
}
CHOICE_SETTINGS = {("layout", "header"): ("left", "center"), ("layout", "footer"): ("columns", "simple")}
# What a store without a stored theme renders with.
DEFAULT_THEME = Theme("default", "Default", DEFAULT_PRESET)


def _asset(name: str) -> str:
    return resources.files("shared.compose").joinpath("themes", name).read_text(encoding="utf-8")


@cache
def starters() -> dict[str, dict[str, Any]]:
    """The starter themes: key -> {name, description, settings, css}."""
    return json.loads(_asset("starters.json"))


@cache
def fonts() -> dict[str, dict[str, str]]:
    """The bundled typography list: key -> {label, stack} (system font stacks, nothing downloaded)."""
    return json.loads(_asset("fonts.json"))


@cache
def base_css() -> str:
    """The stylesheet every theme shares (mobile-first, styles every built-in block): the files in
    themes/css, one per component as in Dawn, joined in the order of their numbered names."""
    folder = resources.files("shared.compose").joinpath("themes", "css")
    files = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".css")), key=lambda e: e.name)
    return "\n".join(entry.read_text(encoding="utf-8") for entry in files)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) else value
    return out


def _group(settings: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A settings group, or {} when the stored value is not an object (a bad group falls back whole)."""
    group = settings.get(name)
    return group if isinstance(group, Mapping) else {}


def effective_settings(theme: Theme) -> dict[str, Any]:
    """The preset's settings with the merchant's on top, each value checked (bad ones fall back)."""
    preset = starters().get(theme.preset) or starters()[DEFAULT_PRESET]
    defaults = preset["settings"]
    merged = _merge(defaults, theme.settings if isinstance(theme.settings, Mapping) else {})
    out: dict[str, Any] = {"colors": {}, "typography": {}, "spacing": {}, "layout": {}}
    for key in COLOR_KEYS:
        value = _group(merged, "colors").get(key)
        out["colors"][key] = value if isinstance(value, str) and _COLOR.match(value) else defaults["colors"][key]
    for key in ("heading_font", "body_font"):
        value = _group(merged, "typography").get(key)
        out["typography"][key] = value if isinstance(value, str) and value in fonts() else defaults["typography"][key]
    for (group, key), (low, high, _unit) in NUMBER_SETTINGS.items():
        value = _group(merged, group).get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        out[group][key] = value if ok else defaults[group][key]
    for (group, key), allowed in CHOICE_SETTINGS.items():
        value = _group(merged, group).get(key)
        out[group][key] = value if value in allowed else defaults[group][key]
    return out


def theme_problems(settings: Any) -> list[tuple[str, str]]:
    """(field, message) for every theme setting a merchant gave that would be ignored."""
    problems: list[tuple[str, str]] = []
    if not isinstance(settings, Mapping):
        return [("settings", "must be an object")]
    for key, value in (settings.get("colors") or {}).items():
        if key not in COLOR_KEYS:
            problems.append((f"colors.{key}", "is not a theme colour"))
        elif not (isinstance(value, str) and _COLOR.match(value)):
            problems.append((f"colors.{key}", "must be a colour like #1f5fbf"))
    for key in ("heading_font", "body_font"):
        value = (settings.get("typography") or {}).get(key)
        if value is not None and not (isinstance(value, str) and value in fonts()):
            problems.append((f"typography.{key}", f"must be one of {', '.join(fonts())}"))
    for (group, key), (low, high, _unit) in NUMBER_SETTINGS.items():
        value = (settings.get(group) or {}).get(key)
        if value is not None and not (isinstance(value, int | float) and not isinstance(value, bool)
                                      and low <= value <= high):
            problems.append((f"{group}.{key}", f"must be a number from {low} to {high}"))
    for (group, key), allowed in CHOICE_SETTINGS.items():
        value = (settings.get(group) or {}).get(key)
        if value is not None and value not in allowed:
            problems.append((f"{group}.{key}", f"must be one of {', '.join(allowed)}"))
    return problems


_CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.I)
_CSS_DANGEROUS_URL = re.compile(r"url\(\s*(['\"]?)\s*(?!data:image/|#|/(?!/))[^)]*\)", re.I)
_CSS_LEGACY = re.compile(r"(?:expression\s*\(|-moz-binding|behavior\s*:|javascript:|image-set\s*\()", re.I)
# CSS reads `@\69mport` as `@import` and `u\72l(` as `url(`: letters written as escapes are decoded
# before the checks (an escaped backslash is kept as it is).
_CSS_LETTER_ESCAPE = re.compile(r"\\\\|\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\([g-zG-Z])")


def _decode_letter(match: re.Match[str]) -> str:
    if match[2]:
        return match[2]
    if match[1]:
        char = chr(int(match[1], 16)) if int(match[1], 16) < 0x110000 else ""
        if char.isascii() and char.isalpha():
            return char
    return match[0]


def sanitize_css(css: str) -> str:
    """Custom CSS made safe inside <style>: no '<' (so no </style> or markup), no @import, no remote or
    script URLs, no legacy script hooks. '<' is written as the CSS escape \\3c, which CSS reads back."""
    css = css[:MAX_CUSTOM_CSS].replace("\x00", "")
    css = _CSS_LETTER_ESCAPE.sub(_decode_letter, css)
    css = css.replace("<", "\\3c ")
    css = _CSS_IMPORT.sub("/* @import removed */", css)
    css = _CSS_DANGEROUS_URL.sub("none", css)
    return _CSS_LEGACY.sub("/* removed */", css)


def _vars(settings: Mapping[str, Any]) -> str:
    c, t, s, lay = settings["colors"], settings["typography"], settings["spacing"], settings["layout"]
    decls = [f"--vs-color-{key.replace('_', '-')}: {c[key]};" for key in COLOR_KEYS]
    decls += [
        f"--vs-font-heading: {fonts()[t['heading_font']]['stack']};",
        f"--vs-font-body: {fonts()[t['body_font']]['stack']};",
        f"--vs-font-size-base: {t['base_size']}px;",
        f"--vs-heading-weight: {t['heading_weight']};",
        f"--vs-heading-scale: {t['heading_scale']};",
        f"--vs-space-section: {s['section']}px;",
        f"--vs-radius: {s['radius']}px;",
        f"--vs-max-width: {lay['max_width']}px;",
    ]
    return ":root {\n  " + "\n  ".join(decls) + "\n}\n"


def theme_css(theme: Theme) -> str:
    """The complete stylesheet of a theme: variables, base CSS, the preset's CSS, custom CSS."""
    settings = effective_settings(theme)
    preset = starters().get(theme.preset) or starters()[DEFAULT_PRESET]
    parts = [_vars(settings), base_css(), sanitize_css(preset.get("css", ""))]
    if theme.custom_css.strip():
        parts.append("/* custom CSS */\n" + sanitize_css(theme.custom_css))
    return "\n".join(parts)


def layout_options(theme: Theme) -> dict[str, Any]:
    """What blocks see as ctx.theme."""
    return dict(effective_settings(theme)["layout"])
