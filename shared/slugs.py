"""Slugs: the lowercase-ASCII, hyphenated form of a title used in addresses (a page's slug, a post's, a
product's handle). One rule for all of them: letters lose their accents ('Café Crème' -> 'cafe-creme'),
anything else between words becomes one hyphen, and a title with nothing left gets the fallback."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, *, fallback: str, max_length: int = 80) -> str:
    """'Autumn, at last!' -> 'autumn-at-last'; at most `max_length` characters, never starting or ending
    with a hyphen; `fallback` when no letter or digit is left ('😀' -> fallback)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or fallback
