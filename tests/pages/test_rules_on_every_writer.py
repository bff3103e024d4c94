"""The table rules (shared/sync/rules.py) hold for the studio's services, a files import and the
repositories under them: a value the rules refuse is never written, whoever writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.db.repositories import content
from shared.db.repositories import pages as page_repo
from shared.db.repositories.storefront import get_storefront, update_storefront
from shared.models import Media, Menu
from shared.pages import service as pages
from shared.storefront.service import Store
from shared.sync.errors import RowRefused


def _row(store: Store, sql: str, params: tuple = ()) -> tuple:
    return store.db.read(lambda conn: conn.one(sql, params))


def test_a_template_address_is_refused_for_an_ordinary_page(store: Store) -> None:
    with pytest.raises(RowRefused) as refused:
        pages.create_page(store.db, title="Sneaky", slug="template-product")
    assert refused.value.details["field"] == "slug" and "reserved" in refused.value.details["reason"]
    assert _row(store, "SELECT count(*) FROM pages WHERE slug = 'template-product'") == (0,)


def test_repositories_refuse_what_no_service_would_write(store: Store) -> None:
    from dataclasses import replace

    def bad_locale(conn) -> None:
        update_storefront(conn, replace(get_storefront(conn), locale="en_US"))

    with pytest.raises(RowRefused):
        store.db.write(bad_locale)
    with pytest.raises(RowRefused):
        store.db.write(lambda conn: content.save_menu(conn, Menu("main", ({"title": "x", "url": "javascript:x"},),
                                                                 "2026-01-01T00:00:00+00:00")))
    with pytest.raises(RowRefused):
        store.db.write(lambda conn: content.insert_media(conn, Media(
            "m1", "../../x", "a.png", "image/png", 10, 10, 10, "webp", (10,), "", "2026-01-01T00:00:00+00:00")))
    home = store.db.read(lambda conn: page_repo.get_page_by_slug(conn, "home"))
    with pytest.raises(RowRefused):
        store.db.write(lambda conn: page_repo.update_page(conn, home.id, slug="../../x"))
    assert store.storefront().locale == "en-US"
    assert _row(store, "SELECT slug FROM pages WHERE id = ?", (home.id,)) == ("home",)
    assert _row(store, "SELECT count(*) FROM media") == (0,)


def test_rich_text_settings_are_stored_sanitised(store: Store) -> None:
    home = store.db.read(lambda conn: page_repo.get_page_by_slug(conn, "home"))
    block = pages.add_block(store.db, page_id=home.id, kind="rich-text",
                            settings={"text": '<p onclick="steal()">Hi<script>x()</script></p>'})
    stored = json.loads(_row(store, "SELECT settings FROM blocks WHERE id = ?", (block.id,))[0])
    assert stored["text"] == "<p>Hi</p>"


def test_a_files_import_cannot_store_what_the_rules_refuse(store: Store, tmp_path: Path) -> None:
    from shared.files import export_store, import_folder
    from shared.files.errors import FilesError

    folder = tmp_path / "files"
    export_store(store.db, folder)
    page_json = folder / "pages" / "home" / "page.json"
    doc = json.loads(page_json.read_text())
    doc["seo"]["canonical_url"] = "javascript:alert(1)"
    page_json.write_text(json.dumps(doc))
    with pytest.raises(FilesError):
        import_folder(store.db, folder)
    assert _row(store, "SELECT canonical_url FROM pages WHERE slug = 'home'") == ("",)
