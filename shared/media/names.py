"""The names of media files: one rendition of one image is `<sha256 hex>-<width>.webp`. The one definition
of that form, for every place that builds a name or accepts one (routes, the sync API, the preview, `vibeshop
dev`), so a name that one of them takes is a name all of them take."""

from __future__ import annotations

import re

# Matched whole (fullmatch): no prefix, no suffix, no trailing newline (which `$` would let through).
RENDITION_NAME = re.compile(r"[0-9a-f]{64}-\d{2,4}\.webp")


def rendition_name(digest: str, width: int, fmt: str = "webp") -> str:
    """The file name of one resized rendition."""
    return f"{digest}-{width}.{fmt}"


def is_rendition_name(name: str) -> bool:
    """Whether `name` is a media file name as rendition_name makes them (safe to join to the media folder)."""
    return RENDITION_NAME.fullmatch(name) is not None
