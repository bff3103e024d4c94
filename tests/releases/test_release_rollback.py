"""Rolling back: an earlier release's rows made live again, as a new release; refusals change nothing."""

from __future__ import annotations

import pytest

from shared.db import DatabaseError
from shared.pages import service as pages
from shared.releases import (ReleaseError, ReleaseErrorCode, list_releases, live_release, publish, release_snapshot,
                             rollback, snapshot)
from shared.sync.tables import ORDER as SYNCED
from shared.themes import service as themes

from releases.helpers import (LIVE_ONLY, edit_working_copy, home_blocks, rows, version,
                              write_without_foreign_keys)


def live_state(copies) -> tuple:
    """Everything a refused publish or rollback must leave as it was."""
    return (snapshot(copies.live), version(copies.live), list_releases(copies.live), live_release(copies.live),
            {t: rows(copies.live, t) for t in ("block_revisions", *LIVE_ONLY)})


def test_rollback_restores_release_1_exactly(copies) -> None:
    first = publish(copies.work, copies.live, device_id="device-a", note="launch")
    rows_1 = {t.name: rows(copies.live, t.name) for t in SYNCED}
    edit_working_copy(copies.work)
    publish(copies.work, copies.live, device_id="device-a", note="spring")
    assert snapshot(copies.live) != release_snapshot(copies.live, number=1)
    before = version(copies.live)

    restored = rollback(copies.live, number=1, device_id="device-b")

    assert snapshot(copies.live) == release_snapshot(copies.live, number=1)
    assert {t.name: rows(copies.live, t.name) for t in SYNCED} == rows_1
    assert version(copies.live) > before
    assert (restored.number, restored.restored_from, restored.device_id) == (3, 1, "device-b")
    assert restored.note == "Rollback to release 1"
    assert restored.summary["counts"] == {"added": 1, "changed": 3, "removed": 2}   # the spring edits undone
    assert release_snapshot(copies.live, number=3) == release_snapshot(copies.live, number=1)
    assert [r.number for r in list_releases(copies.live)] == [3, 2, 1]
    assert live_release(copies.live) == restored
    assert list_releases(copies.live)[-1] == first
    # Rolling forward again is a rollback too.
    again = rollback(copies.live, number=2, device_id="device-b", note="spring again")
    assert snapshot(copies.live) == snapshot(copies.work) and again.restored_from == 2


def test_rollback_to_an_unknown_release_changes_nothing(copies) -> None:
    publish(copies.work, copies.live, device_id="device-a")
    before = live_state(copies)
    for number in (0, 2, -1, 10**12):
        with pytest.raises(ReleaseError) as caught:
            rollback(copies.live, number=number, device_id="device-a")
        assert caught.value.code == ReleaseErrorCode.NOT_FOUND
    with pytest.raises(ReleaseError) as caught:
        rollback(copies.live, number="1", device_id="device-a")  # type: ignore[arg-type]
    assert caught.value.code == ReleaseErrorCode.INVALID
    assert live_state(copies) == before


def test_a_working_copy_with_a_broken_row_is_refused(copies) -> None:
    """A block whose page is missing (what a bad merge could leave) never reaches shoppers."""
    publish(copies.work, copies.live, device_id="device-a")
    hero = next(b for b in home_blocks(copies.work) if b.kind == "hero")
    pages.update_block_settings(copies.work, block_id=hero.id, settings={**hero.settings, "heading": "Half-done"})
    write_without_foreign_keys(copies.work, "INSERT INTO blocks (id, page_id, kind, settings, position, "
                               "created_at, updated_at) VALUES ('orphan', 'no-such-page', 'rich-text', '{}', 0, "
                               "'2030-01-01', '2030-01-01')")
    before = live_state(copies)

    with pytest.raises(ReleaseError) as caught:
        publish(copies.work, copies.live, device_id="device-a")

    assert caught.value.code == ReleaseErrorCode.BROKEN_SNAPSHOT
    assert caught.value.problems == ("blocks orphan: page_id points at pages no-such-page, which is not there",)
    assert live_state(copies) == before


# A file only: sqld does not honour ignore_check_constraints, so no such row can be written to a
# working copy on a server in the first place.
@pytest.mark.parametrize("engine", ["file"])
def test_a_row_the_table_rules_refuse_changes_nothing(copies) -> None:
    """A working-copy value the table rules refuse (written behind the services' back, as a copy from
    before the rules could hold it) refuses the whole release, naming the row and the field."""
    edit_working_copy(copies.work)
    copies.work._raw.execute("PRAGMA ignore_check_constraints = ON")
    copies.work.write(lambda conn: conn.execute("UPDATE pages SET status = 'bogus' WHERE slug = 'about'"))
    copies.work.write(lambda conn: conn.execute("UPDATE storefront SET locale = 'en_US'"))
    before = live_state(copies)

    with pytest.raises(ReleaseError) as caught:
        publish(copies.work, copies.live, device_id="device-a")

    assert caught.value.code == ReleaseErrorCode.BROKEN_SNAPSHOT
    assert any("status" in p for p in caught.value.problems) and any("locale" in p for p in caught.value.problems)
    assert live_state(copies) == before


def test_a_row_the_live_database_refuses_changes_nothing(copies) -> None:
    """A constraint of the live database the rules do not know of refuses the whole release."""
    edit_working_copy(copies.work)
    copies.live.write(lambda conn: conn.execute(
        "CREATE TRIGGER refuse_about BEFORE UPDATE ON pages WHEN NEW.slug = 'about' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the live database'); END"))
    copies.work.write(lambda conn: conn.execute("UPDATE pages SET title = 'About, again' WHERE slug = 'about'"))
    before = live_state(copies)

    with pytest.raises(ReleaseError) as caught:
        publish(copies.work, copies.live, device_id="device-a")

    assert caught.value.code == ReleaseErrorCode.REFUSED
    assert live_state(copies) == before


def test_bad_input_is_refused(copies) -> None:
    before = live_state(copies)
    for device_id, note in (("", ""), ("  ", ""), ("x" * 101, ""), ("device-a", "n" * 1001), (None, "")):
        with pytest.raises(ReleaseError) as caught:
            publish(copies.work, copies.live, device_id=device_id, note=note)  # type: ignore[arg-type]
        assert caught.value.code == ReleaseErrorCode.INVALID
    assert live_state(copies) == before


def test_media_the_catalogue_uses_stays_live(copies) -> None:
    """Product images are media too; the catalogue lives only in the live database, so a release never
    takes an image away from a product (it is listed as kept)."""
    used = copies.live.read(lambda conn: conn.scalar("SELECT media_id FROM product_media LIMIT 1"))
    copies.work.write(lambda conn: conn.execute("DELETE FROM media WHERE id = ?", (used,)))
    product_media = rows(copies.live, "product_media")

    release = publish(copies.work, copies.live, device_id="device-a")

    assert rows(copies.live, "product_media") == product_media
    assert [m["key"] for m in release.summary["tables"]["media"]["kept"]] == [used]
    assert release.summary["no_changes"] is True
    live_media = snapshot(copies.live)["tables"]["media"]["rows"]
    assert len(live_media) == len(snapshot(copies.work)["tables"]["media"]["rows"]) + 1


def test_a_theme_switch_and_back_round_trips(copies) -> None:
    """The one-active-theme index and a preset switch survive publish and rollback."""
    publish(copies.work, copies.live, device_id="device-a")
    themes.switch_preset(copies.work, preset="noir")
    publish(copies.work, copies.live, device_id="device-a")
    assert snapshot(copies.live) == snapshot(copies.work)
    rollback(copies.live, number=1, device_id="device-a")
    assert snapshot(copies.live) == release_snapshot(copies.live, number=1)


def test_releases_are_immutable(copies) -> None:
    publish(copies.work, copies.live, device_id="device-a")
    for sql in ("UPDATE releases SET note = 'rewritten'", "DELETE FROM releases"):
        with pytest.raises(DatabaseError, match="immutable"):
            copies.live.write(lambda conn, sql=sql: conn.execute(sql))
