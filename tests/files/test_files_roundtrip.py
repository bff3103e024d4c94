"""Export, import and what an import changes, through shared.files with the demo store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from files_support import fingerprint, read_json, write_json
from shared.compose import PREVIEW, render_page
from shared.compose.registry import builtin_block
from shared.db.repositories import content
from shared.db.repositories import pages as page_repo
from shared.files import FilesError, export_store, import_folder, store_files
from shared.storefront.addresses import render_address, resolve
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor
from support import block_ids


def _page(store: Store, slug: str):
    return store.db.read(lambda conn: page_repo.get_page_by_slug(conn, slug))


def _blocks(store: Store, slug: str):
    page = _page(store, slug)
    return store.db.read(lambda conn: page_repo.list_blocks(conn, page.id))


def test_export_writes_the_documented_layout(demo: Store, folder: Path):
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names[:3] == ["README.md", "checkout/checkout.json", "pages/about/01-rich-text.js"]
    assert {"theme/theme.json", "theme/custom.css", "pages/home/page.json", "pages/contact/02-shop-hours.js",
            "templates/product/page.json", "templates/product/01-main-product.js",
            "templates/not_found/page.json"} <= set(names)
    home = read_json(folder / "pages/home/page.json")
    assert list(home) == ["id", "title", "status", "seo", "blocks"]
    stored = _blocks(demo, "home")
    assert [b["id"] for b in home["blocks"]] == [b.id for b in stored]
    assert [b["file"] for b in home["blocks"]][:2] == ["01-announcement-bar.js", "02-hero.js"]
    assert home["blocks"][1]["settings"] == stored[1].settings
    # A built-in block's file is its shipped source; a custom block's file is its own code.
    assert (folder / "pages/home/02-hero.js").read_text(encoding="utf-8") == builtin_block("hero").source
    shop_hours = next(b for b in _blocks(demo, "contact") if b.kind == "custom")
    assert (folder / "pages/contact/02-shop-hours.js").read_text(encoding="utf-8") == shop_hours.code
    assert read_json(folder / "theme/theme.json")["preset"] == "harbor"
    for name in names:
        if name.endswith(".json"):
            assert (folder / name).read_text(encoding="utf-8").endswith("}\n")


def test_export_then_import_changes_nothing(demo: Store, folder: Path):
    before = fingerprint(demo.db)
    summary = import_folder(demo.db, folder)
    assert (summary.changed, summary.line()) == (False, "No changes")
    assert fingerprint(demo.db) == before
    # Exporting again writes nothing: the files already say exactly this.
    assert export_store(demo.db, folder).written == ()


def test_a_settings_edit_changes_that_block_only(demo: Store, folder: Path):
    before = {b.id: b for b in _blocks(demo, "about")}
    doc = read_json(folder / "pages/about/page.json")
    doc["blocks"][0]["settings"]["heading"] = "Made by hand, sold with care"
    write_json(folder / "pages/about/page.json", doc)
    summary = import_folder(demo.db, folder)
    assert summary.line() == "Imported: 1 block changed"
    after = {b.id: b for b in _blocks(demo, "about")}
    changed = [bid for bid in after if after[bid] != before[bid]]
    assert changed == [doc["blocks"][0]["id"]]
    assert after[changed[0]].settings["heading"] == "Made by hand, sold with care"
    assert _page(demo, "about").updated_at != ""


def test_editing_a_built_in_block_file_forks_it_and_keeps_revisions(demo: Store, folder: Path):
    hero_file = folder / "pages/home/02-hero.js"
    source = hero_file.read_text(encoding="utf-8")
    hero_file.write_text(source.replace("vs-hero", "vs-hero vs-hero--mine", 1), encoding="utf-8")
    assert import_folder(demo.db, folder).line() == "Imported: 1 code revision saved"
    hero = _blocks(demo, "home")[1]
    assert hero.kind == "hero" and hero.code == hero_file.read_text(encoding="utf-8")
    revisions = demo.db.read(lambda conn: page_repo.list_revisions(conn, hero.id))
    assert [r.code for r in revisions] == [hero.code, source]          # newest first; the built-in kept
    assert import_folder(demo.db, folder).line() == "No changes"
    # The rendered page runs the file's code.
    executor = StoreExecutor(demo.record.id)
    try:
        html = render_page(demo.db, executor=executor, slug="home", mode=PREVIEW).html
    finally:
        executor.close()
    assert "vs-hero--mine" in html


def test_unchanged_built_in_files_stay_unforked(demo: Store, folder: Path):
    import_folder(demo.db, folder)
    assert all(b.code is None for b in _blocks(demo, "home"))


def test_removing_reordering_and_hiding_blocks(demo: Store, folder: Path):
    doc = read_json(folder / "pages/home/page.json")
    first, second, *rest = doc["blocks"]
    rest[0]["hidden"] = True
    doc["blocks"] = [second, *rest]                   # the announcement bar is gone, the hero comes first
    write_json(folder / "pages/home/page.json", doc)
    summary = import_folder(demo.db, folder)
    assert summary.line() == "Imported: 1 block removed, 1 block changed, 1 page reordered"
    blocks = _blocks(demo, "home")
    assert [b.id for b in blocks] == [second["id"], *[b["id"] for b in rest]]
    assert [b.position for b in blocks] == list(range(len(blocks)))
    assert blocks[1].hidden and first["id"] not in {b.id for b in blocks}


def test_a_new_page_without_ids_is_created_once(demo: Store, folder: Path):
    new = folder / "pages/stockists"
    new.mkdir()
    (new / "01-rich-text.js").write_text(builtin_block("rich-text").source, encoding="utf-8")
    write_json(new / "page.json", {"title": "Stockists", "blocks": [
        {"file": "01-rich-text.js", "kind": "rich-text", "settings": {"heading": "Where to find us"}}]})
    summary = import_folder(demo.db, folder)
    assert summary.line() == "Imported: 1 page created, 1 block added"
    page = _page(demo, "stockists")
    assert (page.title, page.status) == ("Stockists", "draft")
    assert [b.settings for b in _blocks(demo, "stockists")] == [{"heading": "Where to find us"}]
    before = fingerprint(demo.db)
    assert import_folder(demo.db, folder).line() == "No changes"      # the same page, not a second one
    assert fingerprint(demo.db) == before
    # A draft renders in the preview only.
    executor = StoreExecutor(demo.record.id)
    try:
        html = render_page(demo.db, executor=executor, slug="stockists", mode=PREVIEW, drafts=True).html
    finally:
        executor.close()
    assert "Where to find us" in html


def test_renaming_a_page_folder_changes_its_address_and_keeps_its_blocks(demo: Store, folder: Path):
    about = _page(demo, "about")
    blocks = [b.id for b in _blocks(demo, "about")]
    (folder / "pages/about").rename(folder / "pages/our-story")
    assert import_folder(demo.db, folder).line() == "Imported: 1 page changed"
    assert _page(demo, "about") is None
    moved = _page(demo, "our-story")
    assert moved.id == about.id and [b.id for b in _blocks(demo, "our-story")] == blocks


def test_pages_missing_from_the_folder_are_kept_unless_pruned(demo: Store, folder: Path):
    shutil.rmtree(folder / "pages/faq")
    shutil.rmtree(folder / "pages/home")
    summary = import_folder(demo.db, folder)
    assert summary.line() == "No changes; kept 2 pages not in the folder (home, faq; --prune deletes them)"
    assert _page(demo, "faq") is not None
    summary = import_folder(demo.db, folder, prune=True)
    assert summary.line() == ("Imported: 1 page deleted; kept 1 page not in the folder (home; --prune deletes "
                              "them)")
    assert _page(demo, "faq") is None and _page(demo, "home") is not None     # home cannot be deleted


def test_two_pages_can_swap_addresses(demo: Store, folder: Path):
    about, faq = _page(demo, "about"), _page(demo, "faq")
    (folder / "pages/about").rename(folder / "pages/tmp")
    (folder / "pages/faq").rename(folder / "pages/about")
    (folder / "pages/tmp").rename(folder / "pages/faq")
    assert import_folder(demo.db, folder).line() == "Imported: 2 pages changed"
    assert (_page(demo, "faq").id, _page(demo, "about").id) == (about.id, faq.id)


def test_seo_and_status_come_from_page_json(demo: Store, folder: Path):
    doc = read_json(folder / "pages/faq/page.json")
    doc["status"] = "draft"
    doc["seo"]["title"] = "Questions and answers"
    doc["seo"]["noindex"] = True
    write_json(folder / "pages/faq/page.json", doc)
    assert import_folder(demo.db, folder).line() == "Imported: 1 page changed"
    page = _page(demo, "faq")
    assert (page.status, page.seo_title, page.noindex) == ("draft", "Questions and answers", True)


def test_a_template_can_be_customised_from_its_folder(demo: Store, folder: Path):
    doc = read_json(folder / "templates/product/page.json")
    doc["blocks"][1]["hidden"] = True                     # no related products under the product
    write_json(folder / "templates/product/page.json", doc)
    assert import_folder(demo.db, folder).line() == "Imported: 1 template customised, 2 blocks added"
    assert import_folder(demo.db, folder).line() == "No changes"
    stored = demo.db.read(lambda conn: page_repo.get_template_page(conn, "product"))
    assert stored is not None and stored.template == "product"
    executor = StoreExecutor(demo.record.id)
    try:
        address = resolve("/products/waxed-canvas-tote", [], currency="USD", now="2030-01-01T00:00:00+00:00")
        status, page = render_address(demo.db, executor, address, path="/products/waxed-canvas-tote", query={},
                                      mode=PREVIEW)
    finally:
        executor.close()
    assert status == 200
    assert block_ids(page.html) == ["header", doc["blocks"][0]["id"], "footer"]
    # The export now shows the stored template, with the same ids.
    assert store_files_json(demo, "templates/product/page.json")["blocks"] == doc["blocks"]


def store_files_json(store: Store, rel: str):
    """One file of a fresh export, parsed."""
    import json

    return json.loads(store.db.read(store_files)[rel])


def test_theme_json_and_custom_css(demo: Store, folder: Path):
    doc = read_json(folder / "theme/theme.json")
    doc["settings"]["colors"] = {"accent": "#aa3300"}
    write_json(folder / "theme/theme.json", doc)
    (folder / "theme/custom.css").write_text(".vs-hero { letter-spacing: .02em; }\n", encoding="utf-8")
    summary = import_folder(demo.db, folder)
    assert summary.line() == "Imported: theme updated"
    theme = demo.db.read(content.get_active_theme)
    assert theme.settings["colors"] == {"accent": "#aa3300"}
    assert theme.custom_css == ".vs-hero { letter-spacing: .02em; }\n"
    assert "sections" in theme.settings                               # kept: the file had them
    doc["preset"] = "noir"
    write_json(folder / "theme/theme.json", doc)
    import_folder(demo.db, folder)
    assert demo.db.read(content.get_active_theme).preset == "noir"


def test_export_refuses_a_folder_holding_other_things(demo: Store, tmp_path: Path):
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("buy milk\n", encoding="utf-8")
    with pytest.raises(FilesError) as caught:
        export_store(demo.db, other)
    assert caught.value.code == "not_empty"
    assert sorted(p.name for p in other.iterdir()) == ["todo.txt"]


def test_export_removes_files_of_deleted_blocks_and_pages(demo: Store, folder: Path):
    doc = read_json(folder / "pages/about/page.json")
    doc["blocks"] = doc["blocks"][:1]
    write_json(folder / "pages/about/page.json", doc)
    shutil.rmtree(folder / "pages/faq")
    import_folder(demo.db, folder, prune=True)
    (folder / "notes.md").write_text("mine\n", encoding="utf-8")
    result = export_store(demo.db, folder)
    assert result.written == ()
    assert not (folder / "pages/about/02-image-with-text.js").exists()
    assert (folder / "notes.md").read_text(encoding="utf-8") == "mine\n"       # not ours: left alone
