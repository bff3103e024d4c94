"""The names of media files: one rendition of one image is `<sha256 hex>-<width>.webp`. The one definition
of that form, for every place that builds a name or accepts one (routes, the sync API, the preview, `vibeshop
dev`), so a name that one of them takes is a name all of them take.

A name is built from a media row's hash, width and format. Those come from a database, and a database
can hold anything (a device's file edited by hand, a row pulled from an old cloud): every part is
checked before it becomes a name, and every path is checked to stay inside the media folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from shared.media.errors import MediaError, MediaErrorCode

# Matched whole (fullmatch): no prefix, no suffix, no trailing newline (which `$` would let through).
RENDITION_NAME = re.compile(r"[0-9a-f]{64}-\d{2,4}\.webp")
DIGEST_RE = re.compile(r"[0-9a-f]{64}")
FORMATS = ("webp",)
MAX_WIDTH = 9_999
MIMES = ("image/jpeg", "image/png", "image/webp", "image/gif")


def digest_problem(value: Any) -> str | None:
    """Why a media hash is not a SHA-256 in lowercase hex, or None."""
    ok = isinstance(value, str) and DIGEST_RE.fullmatch(value) is not None
    return None if ok else "must be a SHA-256 in lowercase hex"


def width_problem(value: Any) -> str | None:
    """Why a rendition width is not a whole number of pixels from 1 to 9,999, or None."""
    ok = type(value) is int and 1 <= value <= MAX_WIDTH
    return None if ok else f"must be a whole number from 1 to {MAX_WIDTH}"


def format_problem(value: Any) -> str | None:
    """Why a rendition format is not one the store writes, or None."""
    return None if value in FORMATS else f"must be one of {', '.join(FORMATS)}"


def rendition_name(digest: str, width: int, fmt: str = "webp") -> str:
    """The file name of one resized rendition. Raises MediaError(INVALID) for a hash, width or
    format that is not one (it would make a name that is no rendition, or a path elsewhere)."""
    problem = digest_problem(digest) or width_problem(width) or format_problem(fmt)
    if problem:
        raise MediaError(MediaErrorCode.INVALID, f"not a rendition name: {problem}")
    return f"{digest}-{width}.{fmt}"


def is_rendition_name(name: str) -> bool:
    """Whether `name` is a media file name as rendition_name makes them (safe to join to the media folder)."""
    return RENDITION_NAME.fullmatch(name) is not None


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, checked to be a plain file name that stays inside folder.

    Raises MediaError(INVALID) otherwise (a separator, '..', an absolute path)."""
    if not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\\" in name \
            or "\x00" in name:
        raise MediaError(MediaErrorCode.INVALID, f"not a file name: {name!r}")
    path = folder / name
    if path.resolve().parent != folder.resolve():
        raise MediaError(MediaErrorCode.INVALID, f"{name!r} is not inside {folder}")
    return path


def rendition_path(media_dir: Path, digest: str, width: int, fmt: str = "webp") -> Path:
    """Where one rendition lives, from checked parts only (see rendition_name and inside)."""
    return inside(media_dir, rendition_name(digest, width, fmt))
