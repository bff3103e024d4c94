"""The theme's stylesheet as a content-addressed file, `/assets/theme-HASH.css`.

Every page links it instead of carrying 57 KB of CSS inline, so a shopper downloads it once per theme
version and each further page is only its own HTML. The name is a hash of the exact bytes, so a file
at a name never changes: the storefront serves it as immutable, and a theme change makes a new name
(the pages rendered after it link the new one). The studio preview, `vibeshop dev` and the cloud all
serve these same bytes at the same path.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from shared.compose.theme import DEFAULT_THEME, theme_css
from shared.db import Database
from shared.db.repositories.content import get_active_theme
from shared.models import Theme

ASSETS_PATH = "/assets/"
# 20 hex digits (80 bits) of BLAKE2b: a name collision between two themes of one store is not a concern.
STYLESHEET_NAME = re.compile(r"^theme-[0-9a-f]{20}\.css\Z")
CONTENT_TYPE = "text/css; charset=utf-8"


@dataclass(frozen=True)
class Stylesheet:
    """A theme's complete stylesheet: its file name and its exact bytes (UTF-8)."""

    name: str
    body: bytes

    @property
    def path(self) -> str:
        """Where pages link it: /assets/theme-HASH.css"""
        return ASSETS_PATH + self.name


def theme_stylesheet(theme: Theme) -> Stylesheet:
    """The stylesheet of a theme, named by the hash of its bytes."""
    body = theme_css(theme).encode("utf-8")
    return Stylesheet(f"theme-{hashlib.blake2b(body, digest_size=10).hexdigest()}.css", body)


def current_stylesheet(db: Database) -> Stylesheet:
    """The stylesheet of the store's active theme as it is in `db` now (the same theme the pages
    rendered from `db` link)."""
    return theme_stylesheet(db.read(get_active_theme) or DEFAULT_THEME)


def stylesheet_name(path: str) -> str | None:
    """The stylesheet name in an /assets/ path, or None when the path names no stylesheet."""
    name = path[len(ASSETS_PATH):] if path.startswith(ASSETS_PATH) else ""
    return name if STYLESHEET_NAME.match(name) else None
