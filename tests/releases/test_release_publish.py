"""Publishing the working copy to the live database: exactly its synced rows, nothing else, one release."""

from __future__ import annotations

from shared.compose.stylesheet import current_stylesheet
from shared.db.repositories import pages as page_repo
from shared.pages import service as pages
from shared.releases import list_releases, live_release, publish, release_snapshot, snapshot
from shared.sync.tables import ORDER as SYNCED

from releases.helpers import LIVE_ONLY, edit_working_copy, home_blocks, render, rows, version


def test_publish_makes_exactly_the_working_copy_live(copies) -> None:
    live_before = {t: rows(copies.live, t) for t in LIVE_ONLY}
    version_before = version(copies.live)
    touched = edit_working_copy(copies.work)
    assert snapshot(copies.live) != snapshot(copies.work)

    release = publish(copies.work, copies.live, device_id="device-a", note="Spring refresh")

    assert snapshot(copies.live) == snapshot(copies.work)
    assert release_snapshot(copies.live, number=1) == snapshot(copies.work)
    for table in SYNCED:
        assert rows(copies.live, table.name) == rows(copies.work, table.name), table.name
    assert {t: rows(copies.live, t) for t in LIVE_ONLY} == live_before, "the catalogue and orders are not touched"
    assert version(copies.live) > version_before
    assert release.number == 1 and release.device_id == "device-a" and release.note == "Spring refresh"
    assert live_release(copies.live) == release
    assert list_releases(copies.live) == [release]

    summary = release.summary
    assert summary["no_changes"] is False
    assert summary["counts"] == {"added": 2, "changed": 3, "removed": 1}
    assert summary["tables"]["pages"]["added"] == [{"key": touched["page"], "title": "Stockists"}]
    assert summary["tables"]["pages"]["changed"] == [{"key": touched["about"], "title": "Our story",
                                                      "fields": ["title", "updated_at"]}]
    blocks = summary["tables"]["blocks"]
    assert blocks["added"] == [{"key": touched["added"], "title": "rich-text: Where to find us"}]
    assert [c["key"] for c in blocks["changed"]] == [touched["hero"]]
    assert blocks["changed"][0]["title"] == "hero: Spring, made to last"
    assert [r["key"] for r in blocks["removed"]] == [touched["removed"]]
    assert summary["tables"]["themes"]["changed"][0]["fields"] == ["custom_css", "settings", "updated_at"]
    assert set(summary["tables"]) == {"pages", "blocks", "themes"}


def test_a_published_page_renders_like_the_working_copy(copies, executors) -> None:
    live_ex, work_ex = executors
    edit_working_copy(copies.work)
    hero = next(b for b in home_blocks(copies.work) if b.kind == "hero")
    pages.update_block_settings(copies.work, block_id=hero.id,
                                settings={**hero.settings, "heading": "Salt air and sawdust"})
    before = render(copies.live, live_ex, "/")
    assert "Salt air and sawdust" not in before[1]

    publish(copies.work, copies.live, device_id="device-a", note="")

    for path in ("/", "/products/canvas-apron", "/pages/stockists", "/pages/about"):
        live, work = render(copies.live, live_ex, path), render(copies.work, work_ex, path)
        assert live == work, path
        assert live[0] == 200, path
    assert "Salt air and sawdust" in render(copies.live, live_ex, "/")[1]
    # The edited theme reaches shoppers through the stylesheet the live pages link.
    sheet = current_stylesheet(copies.live)
    assert "#aa3300" in sheet.body.decode() and sheet == current_stylesheet(copies.work)
    assert sheet.name in render(copies.live, live_ex, "/products/canvas-apron")[1]


def test_unchanged_rows_are_not_rewritten(copies) -> None:
    """One changed block is one UPDATE in the live database; the revisions of kept blocks stay."""
    publish(copies.work, copies.live, device_id="device-a")
    revised = copies.live.read(lambda conn: conn.all("SELECT DISTINCT block_id FROM block_revisions"))
    assert revised, "the demo has a block with revisions"
    revisions_before = rows(copies.live, "block_revisions")
    hero = next(b for b in home_blocks(copies.work) if b.kind == "hero")
    pages.update_block_settings(copies.work, block_id=hero.id, settings={**hero.settings, "heading": "Hello"})
    before = version(copies.live)

    release = publish(copies.work, copies.live, device_id="device-a")

    assert version(copies.live) == before + 1
    assert rows(copies.live, "block_revisions") == revisions_before
    assert release.summary["counts"] == {"added": 0, "changed": 1, "removed": 0}


def test_a_publish_with_nothing_to_change_is_recorded_as_no_changes(copies) -> None:
    first = publish(copies.work, copies.live, device_id="device-a", note="first")
    assert first.summary["no_changes"] is True, "the working copy was made from the live database"
    before = version(copies.live)

    again = publish(copies.work, copies.live, device_id="device-b", note="again")

    assert again.number == 2 and again.summary == {"no_changes": True, "text": "no changes", "tables": {},
                                                   "counts": {"added": 0, "changed": 0, "removed": 0}}
    assert version(copies.live) == before, "nothing changed, so no page cache is thrown away"
    assert [r.number for r in list_releases(copies.live)] == [2, 1]
    assert live_release(copies.live).number == 2


def test_pages_can_swap_slugs_and_blocks_can_move_off_a_removed_page(copies) -> None:
    work = copies.work
    faq = work.read(lambda conn: page_repo.get_page_by_slug(conn, "faq"))
    contact = work.read(lambda conn: page_repo.get_page_by_slug(conn, "contact"))
    pages.change_slug(work, page_id=faq.id, slug="swap")
    pages.change_slug(work, page_id=contact.id, slug="faq")
    pages.change_slug(work, page_id=faq.id, slug="contact")
    moved = work.read(lambda conn: page_repo.list_blocks(conn, faq.id))[0]
    about = work.read(lambda conn: page_repo.get_page_by_slug(conn, "about"))
    # A block moving from a page that goes (the sync merge can produce this): updated, not re-created.
    work.write(lambda conn: conn.execute("UPDATE blocks SET page_id = ?, position = 99 WHERE id = ?",
                                         (about.id, moved.id)))
    pages.delete_page(work, page_id=faq.id)

    release = publish(work, copies.live, device_id="device-a")

    assert snapshot(copies.live) == snapshot(work)
    assert release.summary["tables"]["pages"]["removed"] == [{"key": faq.id, "title": "FAQ"}]
    assert [c["key"] for c in release.summary["tables"]["blocks"]["changed"]] == [moved.id]
