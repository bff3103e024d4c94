"""Importing images: the type is sniffed from the bytes (never trusted from a name or a client),
EXIF and other metadata are dropped by re-encoding, renditions are written at a few widths as WebP
under content-hashed names, and the row is deduplicated by the hash of the original bytes.

The media library: alt text, where an image is used (shared/media/usage.py), delete and replace, each
with the call that undoes it (the studio's undo stack)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.db import Connection, Database
from shared.db.repositories import content
from shared.db.stamps import new_id, utc_now
from shared.media.errors import MediaError, MediaErrorCode
from shared.media.names import rendition_name, rendition_path  # noqa: F401 - rendition_name re-exported
from shared.db.repositories import media as media_repo
from shared.media.usage import PRODUCT, MediaRef, find_refs, repoint
from shared.models import Media

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
WIDTHS = (320, 640, 960, 1280, 1920)
MAX_ALT = 500
_MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def import_image(db: Database, media_dir: Path, *, data: bytes, filename: str, alt: str = "") -> Media:
    """Store an image and its renditions; the same bytes imported twice give the same Media row.

    Safe to call from several threads at once (the database serialises the writes).
    Raises MediaError(TOO_LARGE / UNSUPPORTED)."""
    _check_size(data)
    existing = db.read(lambda conn: content.get_media_by_hash(conn, hashlib.sha256(data).hexdigest()))
    if existing is not None:
        return existing
    media = _render(media_dir, data=data, filename=filename, alt=alt)
    return db.write(lambda conn: _insert_once(conn, media))


def prepare_image(media_dir: Path, *, data: bytes, filename: str, alt: str = "") -> Media:
    """Check the bytes and write their renditions: the Media to record with `record_image` (for a caller
    that records the row inside a transaction of its own). Raises MediaError(TOO_LARGE / UNSUPPORTED)."""
    return _render(media_dir, data=data, filename=filename, alt=alt)


def record_image(conn: Connection, media: Media) -> Media:
    """Inside a write: the row of a prepared image, or the row that already holds the same image."""
    return _insert_once(conn, media)


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise MediaError(MediaErrorCode.TOO_LARGE, f"Images can be at most {MAX_BYTES // 2**20} MB")


def _insert_once(conn: Connection, media: Media) -> Media:
    found = content.get_media_by_hash(conn, media.hash)
    if found is not None:
        return found
    content.insert_media(conn, media)
    return media


def _render(media_dir: Path, *, data: bytes, filename: str, alt: str) -> Media:
    """Check the bytes, write the renditions and describe them (no row is written)."""
    _check_size(data)
    digest = hashlib.sha256(data).hexdigest()
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
        target = rendition_path(media_dir, digest, width)
        if target.exists():
            continue
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        # A unique temporary name: two imports of the same bytes at once must not share one file.
        tmp = target.with_name(f"{target.name}.{new_id()}.tmp")
        resized.save(tmp, "WEBP", quality=82, method=2)  # re-encoding drops EXIF and other metadata
        tmp.replace(target)
    return Media(new_id(), digest, Path(filename).name[:200] or "image", _MIMES[fmt], image.width, image.height,
                 len(data), "webp", tuple(widths), alt[:MAX_ALT], utc_now())


# The media library: alt text, where an image is used, delete and replace.
#
# Rendition files are never deleted here. They are content-addressed and shared by every store of the
# data folder (two stores importing the same photo share its files), and undoing a delete or a replace
# in the studio needs them back. Files no store references any more are only wasted disk space,
# never shown; a sweep over the whole data folder can collect them.


@dataclass(frozen=True)
class RemovedMedia:
    """What delete_media took away: the row and every place that showed it (for restore_media)."""

    media: Media
    refs: tuple[MediaRef, ...]


@dataclass(frozen=True)
class Replacement:
    """What replace_media did, for undo_replace: `created` when the new row did not exist before."""

    old: Media
    new: Media
    refs: tuple[MediaRef, ...]
    created: bool
    new_alt_before: str
    merged: tuple[MediaRef, ...] = ()     # products that already showed the new image: the old one left


def _media(conn: Connection, media_id: str) -> Media:
    media = content.get_media(conn, media_id)
    if media is None:
        raise MediaError(MediaErrorCode.NOT_FOUND, "That image is no longer in the library")
    return media


def list_media(db: Database) -> list[Media]:
    """Every image of the store, newest first."""
    return db.read(content.list_media)


def get_media(db: Database, media_id: str) -> Media:
    """An image by id. Raises MediaError(NOT_FOUND)."""
    return db.read(lambda conn: _media(conn, media_id))


def update_alt(db: Database, media_id: str, alt: str) -> Media:
    """Set an image's alt text (what screen readers say and search engines read).

    Raises MediaError(INVALID) for text over 500 characters, MediaError(NOT_FOUND)."""
    if not isinstance(alt, str) or len(alt) > MAX_ALT:
        raise MediaError(MediaErrorCode.INVALID, f"Alt text can be at most {MAX_ALT} characters")

    def write(conn: Connection) -> Media:
        _media(conn, media_id)
        content.set_media_alt(conn, media_id, alt)
        return _media(conn, media_id)

    return db.write(write)


def media_refs(db: Database, media_id: str) -> list[MediaRef]:
    """Every place that shows the image."""
    return db.read(lambda conn: find_refs(conn, media_id))


def media_usage(db: Database, media_id: str) -> list[str]:
    """Where the image is used, in words: "Page 'Home' – block Hero (Background image)",
    "Post 'Spring' (cover)", "Product 'Tee'", "Store logo"... Empty when it is used nowhere."""
    return [ref.label for ref in media_refs(db, media_id)]


def delete_media(db: Database, media_dir: Path, media_id: str) -> RemovedMedia:
    """Remove an image from the library and from every place that showed it, in one transaction.

    Its files in `media_dir` stay (see above). Raises MediaError(NOT_FOUND)."""
    del media_dir  # kept in the signature: a later sweep may need it; files are shared, see above

    def write(conn: Connection) -> RemovedMedia:
        media = _media(conn, media_id)
        refs = tuple(find_refs(conn, media_id))
        for ref in refs:
            repoint(conn, ref, old=media_id, new=None)
        content.delete_media_row(conn, media_id)
        return RemovedMedia(media, refs)

    return db.write(write)


def restore_media(db: Database, removed: RemovedMedia) -> Media:
    """Undo delete_media: the row comes back with its id, and every place shows it again."""
    def write(conn: Connection) -> Media:
        if content.get_media(conn, removed.media.id) is None:
            content.insert_media(conn, removed.media)
        for ref in removed.refs:
            repoint(conn, ref, old=None, new=removed.media.id)
        return removed.media

    return db.write(write)


def replace_media(db: Database, media_dir: Path, media_id: str, *, data: bytes, filename: str) -> Replacement:
    """Swap an image for new bytes everywhere it is used, in one transaction: the new image takes
    the old one's place in every page, block, post, product and collection, keeps its alt text (unless
    the new bytes were already in the library with their own), and the old row leaves the library.

    Raises MediaError(TOO_LARGE / UNSUPPORTED / NOT_FOUND); then nothing changed."""
    old = get_media(db, media_id)
    fresh = _render(media_dir, data=data, filename=filename, alt=old.alt)
    fresh = replace(fresh, created_at=old.created_at)      # it keeps the old one's place in the library

    def write(conn: Connection) -> Replacement:
        current = _media(conn, media_id)
        existing = content.get_media_by_hash(conn, fresh.hash)
        if existing is not None and existing.id == media_id:
            return Replacement(current, current, (), False, current.alt)
        if existing is None:
            content.insert_media(conn, fresh)
        new = existing or fresh
        showing = {pid for pid, _title, _pos in media_repo.products_with_image(conn, new.id)}
        refs = find_refs(conn, media_id)
        for ref in refs:
            repoint(conn, ref, old=media_id, new=None if ref.owner_id in showing else new.id)
        merged = tuple(r for r in refs if r.kind == PRODUCT and r.owner_id in showing)
        refs = [r for r in refs if r not in merged]
        if not new.alt and current.alt:
            content.set_media_alt(conn, new.id, current.alt)
        content.delete_media_row(conn, media_id)
        return Replacement(current, _media(conn, new.id), tuple(refs), existing is None, new.alt, merged)

    return db.write(write)


def undo_replace(db: Database, replacement: Replacement) -> Media:
    """Undo replace_media: the old image is back in every place, and a row the replace created leaves."""
    old, new = replacement.old, replacement.new
    if old.id == new.id:
        return old

    def write(conn: Connection) -> Media:
        if content.get_media(conn, old.id) is None:
            content.insert_media(conn, old)
        for ref in replacement.refs:
            repoint(conn, ref, old=new.id, new=old.id)
        for ref in replacement.merged:
            repoint(conn, ref, old=None, new=old.id)
        if replacement.created:
            if not find_refs(conn, new.id):
                content.delete_media_row(conn, new.id)
        else:
            content.set_media_alt(conn, new.id, replacement.new_alt_before)
        return old

    return db.write(write)
