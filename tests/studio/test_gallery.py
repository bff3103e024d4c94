"""The block gallery: every entry ships a real thumbnail (made by scripts/gallery_thumbnails.py from the
demo store) that the gallery shows instead of a drawn tile, and the search box filters the entries."""

from __future__ import annotations

from importlib import resources

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage

from studio.editor.block_gallery import THUMB, BlockGallery, gallery_entries, thumbnail

SHIPPED = resources.files("studio").joinpath("gallery")


def _keys_shown(gallery: BlockGallery) -> set[str]:
    return {gallery.list.item(i).data(Qt.ItemDataRole.UserRole).key
            for i in range(gallery.list.count()) if not gallery.list.item(i).isHidden()}


def _mean_difference(a: QImage, b: QImage, step: int = 5) -> float:
    """The mean difference of the red, green and blue values of two same-sized images, on a grid."""
    total = count = 0
    for y in range(0, a.height(), step):
        for x in range(0, a.width(), step):
            pa, pb = a.pixelColor(x, y), b.pixelColor(x, y)
            total += abs(pa.red() - pb.red()) + abs(pa.green() - pb.green()) + abs(pa.blue() - pb.blue())
            count += 3
    return total / count


def test_every_entry_ships_a_thumbnail_at_twice_the_tile_size():
    for entry in gallery_entries():
        shipped = SHIPPED.joinpath(f"{entry.key}.png")
        assert shipped.is_file(), f"no thumbnail for {entry.key}: run scripts/gallery_thumbnails.py"
        data = shipped.read_bytes()
        assert len(data) < 125_000, f"{entry.key}.png is {len(data)} bytes"
        image = QImage.fromData(data)
        assert image.size() == QSize(THUMB.width() * 2, THUMB.height() * 2), entry.key


@pytest.mark.parametrize("entry", gallery_entries(), ids=lambda e: e.key)
def test_thumbnail_is_the_shipped_picture_not_a_drawn_tile(qapp, entry):
    pixmap = thumbnail(entry)
    assert not pixmap.isNull()
    assert pixmap.size() == THUMB
    shipped = QImage.fromData(SHIPPED.joinpath(f"{entry.key}.png").read_bytes())
    expected = shipped.scaled(THUMB, Qt.AspectRatioMode.IgnoreAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
    # A drawn tile is one dark colour with a white letter: far from any screenshot of a block.
    assert _mean_difference(pixmap.toImage(), expected) < 4, entry.key


def test_search_filters_by_name_and_description(qtbot):
    gallery = BlockGallery()
    qtbot.addWidget(gallery)
    everything = {e.key for e in gallery_entries()}
    assert _keys_shown(gallery) == everything

    gallery.search.setText("QUOTE")                    # "Big quote", and testimonials' "Customer quotes"
    assert _keys_shown(gallery) == {"starter-quote", "testimonials"}
    gallery.search.setText("sign-up")                  # only in the newsletter's description
    assert _keys_shown(gallery) == {"newsletter"}
    gallery.list.setCurrentRow(0)                      # the announcement bar, hidden by the search
    assert gallery.selected_entry() is None
    gallery.search.setText("no block is called this")
    assert _keys_shown(gallery) == set()
    gallery.search.setText("  ")
    assert _keys_shown(gallery) == everything
