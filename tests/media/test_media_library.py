"""The media library on real store databases: alt text, where an image is used, delete (and its
undo) and replace (and its undo) across pages, blocks, posts, products, collections and the logo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from shared.db.repositories import catalog, content
from shared.db.repositories import pages as page_repo
from shared.db.stamps import new_id, utc_now
from shared.media.errors import MediaError, MediaErrorCode
from shared.media.service import (delete_media, get_media, import_image, list_media, media_usage, rendition_name,
                                  replace_media, restore_media, undo_replace, update_alt)
from shared.models import Product
from shared.pages.service import add_block
from shared.storefront.service import Store, update_storefront_settings

GALLERY = """const schema = {
  name: "Gallery",
  settings: [
    { id: "title", type: "text", label: "Title" },
    { id: "slides", type: "list", label: "Slides", fields: [
      { id: "picture", type: "image", label: "Picture" },
      { id: "caption", type: "text", label: "Caption" },
    ] },
  ],
};
function render(ctx, h) {
  return h.html`<p>${ctx.settings.title}</p>`;
}
"""


def _png(colour: str, size: tuple[int, int] = (800, 500)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def _home(store: Store):
    return store.db.read(lambda conn: page_repo.get_page_by_slug(conn, "home"))


def _hero_id(store: Store) -> str:
    return _home(store).social_image_id


def _hero_block(store: Store):
    home = _home(store)
    blocks = store.db.read(lambda conn: page_repo.list_blocks(conn, home.id))
    return next(b for b in blocks if b.kind == "hero")


def test_alt_text_is_saved_and_checked(store: Store):
    media = import_image(store.db, store.data_dir.media_dir, data=_png("#224466"), filename="sea.png")
    assert update_alt(store.db, media.id, "A calm sea").alt == "A calm sea"
    assert get_media(store.db, media.id).alt == "A calm sea"
    with pytest.raises(MediaError) as caught:
        update_alt(store.db, media.id, "x" * 501)
    assert caught.value.code == MediaErrorCode.INVALID
    with pytest.raises(MediaError) as caught:
        update_alt(store.db, "no-such-id", "x")
    assert caught.value.code == MediaErrorCode.NOT_FOUND


def test_usage_names_pages_blocks_and_social_images(demo_store: Store):
    places = media_usage(demo_store.db, _hero_id(demo_store))
    assert "Page 'Home' – block Hero (Background image)" in places
    assert "Page 'Home' (social image)" in places


def test_usage_names_posts_products_collections_and_the_logo(demo_store: Store):
    db = demo_store.db
    post = db.read(content.list_posts)[0]
    assert f"Post '{post.title}' (cover)" in media_usage(db, post.image_id)
    product_id = db.read(lambda conn: catalog.list_product_ids(conn, limit=1))[0]
    product = db.read(lambda conn: catalog.get_products(conn, [product_id]))[product_id]
    assert f"Product '{product.title}'" in media_usage(db, product.media_ids[0])
    collection = next(c for c in db.read(catalog.list_collections) if c.image_id)
    assert f"Collection '{collection.title}'" in media_usage(db, collection.image_id)

    logo = import_image(db, demo_store.data_dir.media_dir, data=_png("#000000", (200, 80)), filename="logo.png")
    assert media_usage(db, logo.id) == []
    update_storefront_settings(demo_store, changes={"settings": {**demo_store.storefront().settings,
                                                                  "logo_id": logo.id}})
    assert media_usage(db, logo.id) == ["Store logo"]


def test_usage_finds_images_inside_list_settings_of_custom_blocks(store: Store):
    media = import_image(store.db, store.data_dir.media_dir, data=_png("#aa3311"), filename="red.png")
    home = _home(store)
    block = add_block(store.db, page_id=home.id, kind="custom", code=GALLERY, settings={
        "title": "Look", "slides": [{"caption": "one"}, {"picture": media.id, "caption": "two"}]})
    assert media_usage(store.db, media.id) == ["Page 'Home' – block Gallery (Slides 2: Picture)"]

    removed = delete_media(store.db, store.data_dir.media_dir, media.id)
    settings = store.db.read(lambda conn: page_repo.get_block(conn, block.id)).settings
    assert settings["slides"][1] == {"picture": None, "caption": "two"}
    restore_media(store.db, removed)
    settings = store.db.read(lambda conn: page_repo.get_block(conn, block.id)).settings
    assert settings["slides"][1]["picture"] == media.id


def test_delete_clears_every_place_keeps_the_files_and_undoes_exactly(demo_store: Store):
    db, media_dir = demo_store.db, demo_store.data_dir.media_dir
    hero = _hero_id(demo_store)
    before = media_usage(db, hero)
    files = sorted(p.name for p in media_dir.glob(f"{get_media(db, hero).hash}-*"))

    removed = delete_media(db, media_dir, hero)
    assert all(m.id != hero for m in list_media(db))
    assert _home(demo_store).social_image_id is None
    assert _hero_block(demo_store).settings["image"] is None
    assert media_usage(db, hero) == []
    # Content-addressed files stay: other stores of the folder may share them, and undo needs them.
    assert sorted(p.name for p in media_dir.glob(f"{removed.media.hash}-*")) == files

    restore_media(db, removed)
    assert get_media(db, hero) == removed.media
    assert media_usage(db, hero) == before
    assert _hero_block(demo_store).settings["image"] == hero


def _product_with_images(store: Store, *images: bytes) -> tuple[str, tuple[str, ...]]:
    ids = tuple(import_image(store.db, store.data_dir.media_dir, data=data, filename=f"{i}.png").id
                for i, data in enumerate(images))
    product = Product(new_id(), "linen-tee", "Linen Tee", media_ids=ids, created_at=utc_now(), updated_at=utc_now())
    store.db.write(lambda conn: catalog.insert_product(conn, product))
    return product.id, ids


def _product_images(store: Store, product_id: str) -> tuple[str, ...]:
    return store.db.read(lambda conn: catalog.get_products(conn, [product_id]))[product_id].media_ids


def test_a_product_image_deleted_and_restored_keeps_its_position(store: Store):
    product_id, ids = _product_with_images(store, _png("#111111"), _png("#222222"), _png("#333333"))
    assert media_usage(store.db, ids[1]) == ["Product 'Linen Tee'"]
    removed = delete_media(store.db, store.data_dir.media_dir, ids[1])
    assert _product_images(store, product_id) == (ids[0], ids[2])
    restore_media(store.db, removed)
    assert _product_images(store, product_id) == ids


def test_replace_repoints_every_place_keeps_alt_text_and_undoes(demo_store: Store):
    db, media_dir = demo_store.db, demo_store.data_dir.media_dir
    hero = _hero_id(demo_store)
    update_alt(db, hero, "The harbour at dawn")
    places = media_usage(db, hero)

    done = replace_media(db, media_dir, hero, data=_png("#c0ffee", (1400, 700)), filename="new-hero.png")
    new = done.new
    assert new.id != hero and new.filename == "new-hero.png" and new.alt == "The harbour at dawn"
    assert (media_dir / rendition_name(new.hash, 1280)).exists()
    assert media_usage(db, new.id) == places
    assert _home(demo_store).social_image_id == new.id
    assert _hero_block(demo_store).settings["image"] == new.id
    with pytest.raises(MediaError):
        get_media(db, hero)

    undo_replace(db, done)
    assert media_usage(db, hero) == places
    assert get_media(db, hero).alt == "The harbour at dawn"
    with pytest.raises(MediaError):
        get_media(db, new.id)


def test_replace_with_an_image_already_in_the_library_merges_into_it(store: Store):
    product_id, (first, second) = _product_with_images(store, _png("#aa0000"), _png("#00aa00"))
    update_alt(store.db, first, "Red")
    done = replace_media(store.db, store.data_dir.media_dir, first, data=_png("#00aa00"), filename="green.png")
    assert done.new.id == second and done.new.alt == "Red"   # the existing row had no alt text of its own
    assert _product_images(store, product_id) == (second,)
    undo_replace(store.db, done)
    assert _product_images(store, product_id) == (first, second)
    assert get_media(store.db, first).alt == "Red" and get_media(store.db, second).alt == ""


def test_replacing_an_image_with_its_own_bytes_changes_nothing(store: Store):
    _product_id, (only,) = _product_with_images(store, _png("#0000aa"))
    done = replace_media(store.db, store.data_dir.media_dir, only, data=_png("#0000aa"), filename="same.png")
    assert done.new.id == only and done.refs == ()
    assert media_usage(store.db, only) == ["Product 'Linen Tee'"]


def test_a_bad_replacement_changes_nothing(demo_store: Store):
    db = demo_store.db
    hero = _hero_id(demo_store)
    places = media_usage(db, hero)
    with pytest.raises(MediaError) as caught:
        replace_media(db, demo_store.data_dir.media_dir, hero, data=b"not an image", filename="x.png")
    assert caught.value.code == MediaErrorCode.UNSUPPORTED
    assert media_usage(db, hero) == places
