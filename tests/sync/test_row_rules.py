"""The table rules (shared/sync/rules.py) on every sync path: a push the cloud applies, ops a device
forms, a pull a device applies. Hostile values are written with plain SQL (stdlib sqlite3 on the
device's file, as a hand edit would), never through the services that would refuse them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from shared.db.repositories import sync as repo
from shared.pages import service as pages
from shared.posts import service as posts
from shared.sync import device, merge, refusals
from shared.sync.errors import RowRefused
from shared.sync.rules import validate_row
from shared.sync.tables import SPECS
from tests.sync.conftest import World, cycle, pull, state

TRAVERSAL = "../../../../tmp/x"


def hand_edit(db: Any, sql: str, params: tuple = ()) -> None:
    """Change a database file with the sqlite3 module, outside the application (triggers still fire)."""
    with sqlite3.connect(db.url) as conn:
        conn.execute(sql, params)


def _op(dev, n: int, table: str, key: str, fields: dict[str, Any], base: dict[str, Any] | None = None) -> dict:
    hlc = f"{1_900_000_000_000 + n:013d}-00000-{dev.device_id}"
    return {"op_id": f"{dev.device_id}:{n}", "hlc": hlc, "table": table, "key": key, "fields": fields,
            "base": base or {}, "delete": False}


def _home(db) -> dict[str, Any]:
    return next(p for p in state(db)["pages"] if p["slug"] == "home")


@pytest.mark.parametrize(("table", "fields", "field"), [
    ("pages", {"slug": TRAVERSAL}, "slug"),
    ("pages", {"slug": "template-product"}, "slug"),
    ("storefront", {"locale": "en_US"}, "locale"),
    ("storefront", {"timezone": "Mars/Olympus"}, "timezone"),
    ("storefront", {"currency": "XXX"}, "currency"),
    ("storefront", {"settings": json.dumps({"colors": {"accent": "red;}</style>"}})}, "settings"),
    ("storefront", {"settings": json.dumps({"website": "javascript:alert(1)"})}, "settings"),
    ("posts", {"body_html": "<p>hi</p><script>alert(1)</script>"}, "body_html"),
    ("posts", {"slug": "a/b"}, "slug"),
    ("media", {"hash": "../../etc/passwd"}, "hash"),
    ("media", {"widths": "[320, \"../x\"]"}, "widths"),
    ("media", {"format": "webp/../../x"}, "format"),
    ("menus", {"items": json.dumps([{"title": "x", "url": "javascript:alert(1)"}])}, "items"),
    ("themes", {"settings": json.dumps({"colors": {"accent": "url(x)"}})}, "settings"),
    ("themes", {"custom_css": "a\x00b"}, "custom_css"),
    ("blocks", {"kind": "../../x"}, "kind"),
    ("blocks", {"code": "function render(ctx, h) { return eval('1'); }"}, "code"),
])
def test_each_table_refuses_hostile_values(table: str, fields: dict[str, Any], field: str) -> None:
    errors = validate_row(table, fields)
    assert errors and errors[0].field.split(".")[0] == field, errors


def test_block_settings_against_the_schema_and_rich_text_through_nh3() -> None:
    row = {"kind": "rich-text", "code": None, "settings": json.dumps({"heading": "Hi"})}
    assert validate_row("blocks", row) == []
    bad_type = validate_row("blocks", {**row, "settings": json.dumps({"heading": 5})})
    assert bad_type and bad_type[0].field == "settings.heading"
    unknown = validate_row("blocks", {**row, "settings": json.dumps({"onload": "x"})})
    assert unknown and unknown[0].field == "settings.onload"
    raw_html = validate_row("blocks", {**row, "settings": json.dumps({"text": "<p onclick=x>hi</p>"})})
    assert raw_html and raw_html[0].field == "settings.text" and "sanitised" in raw_html[0].message
    # Only the settings change: the kind and code come from the row they are written onto.
    assert validate_row("blocks", {"settings": json.dumps({"heading": 5})}, current=row)


def test_cloud_refuses_a_hostile_push_naming_the_op_and_stores_nothing(world: World) -> None:
    a = world.devices[0]
    home = _home(world.cloud)
    before = state(world.cloud)
    log_before = world.cloud.read(repo.newest_seq)
    good = _op(a, 1, "pages", home["id"], {"title": "Fine"}, {"title": None})
    bad = _op(a, 2, "pages", home["id"], {"slug": TRAVERSAL}, {"slug": None})
    with pytest.raises(RowRefused) as refused:
        merge.apply_push(world.cloud, a.device_id, [good, bad])
    details = refused.value.to_json()
    assert details["error"] == "refused" and details["op_id"] == bad["op_id"]
    assert (details["table"], details["key"], details["field"]) == ("pages", home["id"], "slug")
    assert details["reason"]
    assert state(world.cloud) == before                        # not even the good op before it
    assert world.cloud.read(repo.newest_seq) == log_before
    assert world.cloud.read(lambda conn: repo.get_device(conn, a.device_id))[1] == 0


def test_cloud_refuses_an_insert_with_a_bad_locale_and_unsanitised_post(world: World) -> None:
    a = world.devices[0]
    store = state(world.cloud)["storefront"][0]
    with pytest.raises(RowRefused) as refused:
        merge.apply_push(world.cloud, a.device_id, [_op(a, 1, "storefront", store["id"], {"locale": "en_US"},
                                                        {"locale": None})])
    assert refused.value.details["field"] == "locale"
    post = {c: v for c, v in state(world.cloud)["posts"][0].items() if c != "id"}
    hostile = {**post, "slug": "fresh", "body_html": '<img src=x onerror="alert(1)">'}
    with pytest.raises(RowRefused) as refused:
        merge.apply_push(world.cloud, a.device_id, [_op(a, 1, "posts", "new-post", hostile,
                                                        dict.fromkeys(hostile))])
    assert refused.value.details["field"] == "body_html"
    assert all(p["id"] != "new-post" for p in state(world.cloud)["posts"])


def test_hand_edited_device_keeps_its_edit_and_sends_the_rest(world: World) -> None:
    a, b = world.devices
    home = _home(a.db)
    page = pages.create_page(a.db, title="Kept")
    hand_edit(a.db, "UPDATE pages SET slug = ? WHERE id = ?", (TRAVERSAL, page.id))
    hand_edit(a.db, "UPDATE storefront SET locale = 'en_US'")
    pages.rename_page(a.db, page_id=home["id"], title="Home, renamed")
    cycle(a, world.cloud)
    cloud = state(world.cloud)
    assert all(p["slug"] != TRAVERSAL for p in cloud["pages"]) and all(p["id"] != page.id for p in cloud["pages"])
    assert cloud["storefront"][0]["locale"] == "en-US"
    assert _home(world.cloud)["title"] == "Home, renamed"        # the good edit went
    found = refusals.refusals(a.db)
    assert {(r.table, r.field) for r in found} == {("pages", "slug"), ("storefront", "locale")}
    assert all(r.op_id is None and "kept on this device" in r.line() for r in found)
    assert state(a.db)["storefront"][0]["locale"] == "en_US"    # the device keeps its edit
    assert any("refused" in line for line in device.has_unsynced(a.db))
    # Fixed by the merchant: the next cycle sends it, and the refusals are gone.
    pages.change_slug(a.db, page_id=page.id, slug="kept")
    hand_edit(a.db, "UPDATE storefront SET locale = 'en-GB'")
    cycle(a, world.cloud)
    assert refusals.refusals(a.db) == []
    assert any(p["slug"] == "kept" for p in state(world.cloud)["pages"])
    assert state(world.cloud)["storefront"][0]["locale"] == "en-GB"
    cycle(b, world.cloud)
    assert state(b.db) == state(world.cloud)


def test_a_new_block_under_a_refused_new_page_waits_for_it(world: World) -> None:
    a = world.devices[0]
    page = pages.create_page(a.db, title="Held")
    block = pages.add_block(a.db, page_id=page.id, kind="rich-text")
    hand_edit(a.db, "UPDATE pages SET slug = ? WHERE id = ?", (TRAVERSAL, page.id))
    cycle(a, world.cloud)
    assert all(b["id"] != block.id for b in state(world.cloud)["blocks"])
    assert world.cloud.read(lambda conn: repo.get_tombstone(conn, "blocks", block.id)) is None
    assert {r.table for r in refusals.refusals(a.db)} == {"pages", "blocks"}


def test_an_op_the_cloud_refuses_is_parked_and_later_ops_renumbered(world: World) -> None:
    """An outbox written by hand (or by a device of another version): the cloud's 422 takes that op
    out, the row is dirty again with its old shadow, and the ops after it still go."""
    a = world.devices[0]
    home = _home(a.db)
    pages.rename_page(a.db, page_id=home["id"], title="First")
    other = pages.create_page(a.db, title="Second")
    ops = device.form_ops(a.db)
    assert len(ops) == 2
    first = next(op for op in ops if op.key == home["id"])
    hostile = {**first.to_json(), "fields": {"title": "First", "slug": TRAVERSAL},
               "base": {**first.base, "slug": None}}
    a.db.write(lambda conn: conn.execute("UPDATE sync_outbox SET op = ? WHERE n = ?",
                                         (json.dumps(hostile), first.n)))
    with pytest.raises(RowRefused) as refused:
        merge.apply_push(world.cloud, a.device_id, [op.to_json() for op in device.pending_ops(a.db)])
    parked = refusals.park(a.db, refused.value.details, device.describe)
    assert parked is not None and parked.op_id == first.op_id and parked.field == "slug"
    rest = device.pending_ops(a.db)
    assert [op.n for op in rest] == [first.n] and rest[0].key == other.id
    assert ("pages", home["id"]) in {(t, k) for t, k, _h in a.db.read(repo.list_dirty)}
    assert refusals.refusals(a.db) == [parked]
    # The next cycle forms the row again from what the device holds (its title; the slug the
    # hand-made op carried was never in the row), and both edits reach the cloud.
    cycle(a, world.cloud)
    assert any(p["id"] == other.id for p in state(world.cloud)["pages"])
    assert (_home(world.cloud)["title"], _home(world.cloud)["slug"]) == ("First", "home")
    assert refusals.refusals(a.db) == [] and device.has_unsynced(a.db) == []


def test_a_pulled_row_that_breaks_the_rules_is_not_stored(world: World) -> None:
    a, b = world.devices
    page = pages.create_page(a.db, title="Pulled")
    pages.add_block(a.db, page_id=page.id, kind="rich-text")
    cycle(a, world.cloud)
    # A cloud holding a value from before the rules: written there with plain SQL, then logged.
    post_id = state(world.cloud)["posts"][0]["id"]

    def corrupt(conn) -> None:
        conn.execute("UPDATE pages SET slug = ? WHERE id = ?", (TRAVERSAL, page.id))
        conn.execute("UPDATE posts SET body_html = '<script>alert(1)</script>' WHERE id = ?", (post_id,))
        merge.log_state(conn, SPECS["pages"], page.id, None)
        merge.log_state(conn, SPECS["posts"], post_id, None)

    world.cloud.write(corrupt)
    pull(b, world.cloud)
    mine = state(b.db)
    assert all(p["slug"] != TRAVERSAL for p in mine["pages"])
    assert "<script>" not in next(p for p in mine["posts"] if p["id"] == post_id)["body_html"]


def test_resolving_a_conflict_with_text_runs_the_rules(world: World) -> None:
    post = state(world.cloud)["posts"][0]

    def conflict(conn) -> None:
        repo.insert_conflict(conn, {"id": "c1", "table": "posts", "key": post["id"], "field": "body_html",
                                    "value": "<script>x</script>", "hlc": "", "device_id": "", "winner_hlc": "",
                                    "created_seq": 1, "resolved": False})

    world.cloud.write(conflict)
    with pytest.raises(RowRefused):
        merge.resolve_conflict(world.cloud, "c1", "theirs")
    assert next(p for p in state(world.cloud)["posts"] if p["id"] == post["id"])["body_html"] == post["body_html"]


def test_posts_written_by_the_service_pass_the_rules(world: World) -> None:
    a = world.devices[0]
    made = posts.create_post(a.db, "Rules")
    posts.update_post(a.db, made.id, body_html='<p style="color:red">Hi <a href="https://x.test">x</a></p>')
    cycle(a, world.cloud)
    assert refusals.refusals(a.db) == []
    assert any(p["id"] == made.id for p in state(world.cloud)["posts"])


def test_a_refusal_shows_hostile_text_without_obeying_it() -> None:
    line = refusals.Refusal("pages", "k", "title", "bad", "page '\x1b]0;owned\x07'", "d:3").line()
    assert "\x1b" not in line and "\x07" not in line and "op d:3 refused by the cloud" in line


def test_a_long_address_clash_stays_an_address_the_rules_take(world: World) -> None:
    from tests.sync.conftest import cycle as sync_cycle

    a, b = world.devices
    slug = "a" * 79 + "z"                                           # 80 characters, the most there is
    first = pages.create_page(a.db, title="First", slug=slug)
    second = pages.create_page(b.db, title="Second", slug=slug)     # newer: it gets the suffix
    for _ in range(2):
        for dev in (a, b):
            sync_cycle(dev, world.cloud)
    slugs = {p["id"]: p["slug"] for p in state(world.cloud)["pages"]}
    assert slugs[first.id] == slug and slugs[second.id] == "a" * 78 + "-2"
    assert validate_row("pages", {"slug": slugs[second.id]}) == []
    assert refusals.refusals(a.db) == [] and refusals.refusals(b.db) == []
    assert state(a.db) == state(world.cloud) == state(b.db)


def test_cloud_made_rows_and_edits_run_the_rules(world: World) -> None:
    media = dict(state(world.cloud)["media"][0])
    hostile = {**media, "id": "cloud-made", "hash": "../../" + "0" * 58, "filename": "x.png"}
    with pytest.raises(RowRefused) as refused:
        world.cloud.write(lambda conn: merge.record_cloud_row(conn, "media", hostile))
    assert refused.value.details["field"] == "hash"
    assert all(m["id"] != "cloud-made" for m in state(world.cloud)["media"])
    store = state(world.cloud)["storefront"][0]
    with pytest.raises(RowRefused) as refused:
        world.cloud.write(lambda conn: merge.record_cloud_edit(conn, "storefront", store["id"], {"locale": "en_US"}))
    assert refused.value.details["field"] == "locale"
    assert state(world.cloud)["storefront"][0]["locale"] == store["locale"]
