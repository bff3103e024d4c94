"""Importing images: renditions on disk, deduplication, and imports of the same bytes at once."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from shared.db import Database
from shared.media.errors import MediaError, MediaErrorCode
from shared.media.service import import_image, rendition_name


def _png(colour: str, size: tuple[int, int] = (1000, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_an_import_writes_webp_renditions_and_one_row(db: Database, tmp_path: Path):
    media_dir = tmp_path / "media"
    media = import_image(db, media_dir, data=_png("#3f5e4a"), filename="../../secret/pine.png", alt="Pine")
    assert (media.width, media.height, media.mime, media.filename) == (1000, 600, "image/png", "pine.png")
    assert media.widths == (320, 640, 960, 1000)
    for width in media.widths:
        with Image.open(media_dir / rendition_name(media.hash, width)) as rendition:
            assert (rendition.format, rendition.width) == ("WEBP", width)
    again = import_image(db, media_dir, data=_png("#3f5e4a"), filename="other.png")
    assert again.id == media.id
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM media")) == 1


def test_the_same_bytes_imported_at_once_give_one_row_and_no_stray_files(db: Database, tmp_path: Path):
    # The demo seeds its pictures on several threads, and two products can share one picture.
    media_dir = tmp_path / "media"
    data = _png("#b4553c", (2000, 1200))
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda i: import_image(db, media_dir, data=data, filename=f"{i}.png"), range(6)))
    assert len({m.id for m in results}) == 1
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM media")) == 1
    names = sorted(p.name for p in media_dir.iterdir())
    assert names == sorted(rendition_name(results[0].hash, w) for w in results[0].widths)


def test_bytes_that_are_not_an_image_are_refused(db: Database, tmp_path: Path):
    with pytest.raises(MediaError) as caught:
        import_image(db, tmp_path / "media", data=b"<svg onload=alert(1)>", filename="logo.png")
    assert caught.value.code == MediaErrorCode.UNSUPPORTED
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM media")) == 0
