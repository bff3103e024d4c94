"""Importing images: the type is sniffed from the bytes (never trusted from a name or a client),
EXIF and other metadata are dropped by re-encoding, renditions are written at a few widths as WebP
under content-hashed names, and the row is deduplicated by the hash of the original bytes."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.db import Connection, Database
from shared.db.repositories import content
from shared.db.stamps import new_id, utc_now
from shared.media.errors import MediaError, MediaErrorCode
from shared.models import Media

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
WIDTHS = (320, 640, 960, 1280, 1920)
_MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def rendition_name(digest: str, width: int, fmt: str = "webp") -> str:
    """The file name of one resized rendition."""
    return f"{digest}-{width}.{fmt}"


def import_image(db: Database, media_dir: Path, *, data: bytes, filename: str, alt: str = "") -> Media:
    """Store an image and its renditions; the same bytes imported twice give the same Media row.

    Raises MediaError(TOO_LARGE / UNSUPPORTED)."""
    if len(data) > MAX_BYTES:
        raise MediaError(MediaErrorCode.TOO_LARGE, f"Images can be at most {MAX_BYTES // 2**20} MB")
    digest = hashlib.sha256(data).hexdigest()
    existing = db.read(lambda conn: content.get_media_by_hash(conn, digest))
    if existing is not None:
        return existing
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in _MIMES:
                raise MediaError(MediaErrorCode.UNSUPPORTED, "Only JPEG, PNG, WebP and GIF images can be imported")
            if probe.width * probe.height > MAX_PIXELS:
                raise MediaError(MediaErrorCode.TOO_LARGE, "The image has too many pixels (40 megapixels at most)")
            probe.load()
            image = ImageOps.exif_transpose(probe).convert("RGBA" if probe.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise MediaError(MediaErrorCode.UNSUPPORTED, "The file is not an image that can be read") from exc

    widths = [w for w in WIDTHS if w < image.width] + [min(image.width, WIDTHS[-1])]
    widths = sorted(set(widths))
    media_dir.mkdir(parents=True, exist_ok=True)
    for width in widths:
        target = media_dir / rendition_name(digest, width)
        if target.exists():
            continue
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        # A unique temporary name: two imports of the same bytes at once must not share one file.
        tmp = target.with_name(f"{target.name}.{new_id()}.tmp")
        resized.save(tmp, "WEBP", quality=82, method=2)  # re-encoding drops EXIF and other metadata
        tmp.replace(target)
    media = Media(new_id(), digest, Path(filename).name[:200] or "image", _MIMES[fmt], image.width, image.height,
                  len(data), "webp", tuple(widths), alt[:500], utc_now())

    def write(conn: Connection) -> Media:
        found = content.get_media_by_hash(conn, digest)
        if found is not None:
            return found
        content.insert_media(conn, media)
        return media

    return db.write(write)
