"""Merge rules (docs/sync-protocol.md section 6) through the real services on real device files."""

from __future__ import annotations

import json

import pytest

from shared.db.repositories import sync as repo
from shared.pages import service as pages
from shared.posts import service as posts
from shared.sync import device, merge
from shared.sync.errors import SyncError
from shared.themes import service as themes
from tests.sync.conftest import World, cycle, pull, push, state

CODE = 'function render(ctx, h) {{ return "<section>{}</section>"; }}'


def _page_blocks(db, page_id: str) -> list[tuple[str, int]]:
    return db.read(lambda conn: [(b.id, b.position) for b in pages.repo.list_blocks(conn, page_id)])


def _custom_block(world: World) -> tuple[str, str]:
    """A page with a custom block, made on device A and synced everywhere: (page id, block id)."""
    a = world.devices[0]
    page = pages.create_page(a.db, title="Sync test")
    block = pages.add_block(a.db, page_id=page.id, kind="custom", code=CODE.format("v0"))
    for dev in world.devices:
        cycle(dev, world.cloud)
    return page.id, block.id


def _settle(world: World) -> None:
    for _ in range(2):
        for dev in world.devices:
            cycle(dev, world.cloud)


def test_first_pull_matches_cloud_and_edits_reach_every_device(world: World) -> None:
    a, b = world.devices
    assert state(a.db) == state(world.cloud) == state(b.db)
    page = pages.create_page(a.db, title="Lookbook")
    pages.add_block(a.db, page_id=page.id, kind="rich-text")
    _settle(world)
    assert state(a.db) == state(world.cloud) == state(b.db)
    assert any(p["id"] == page.id for p in state(b.db)["pages"])
    assert device.has_unsynced(a.db) == []


def test_small_fields_last_writer_wins_per_field(world: World) -> None:
    a, b = world.devices
    page_id, _block = _custom_block(world)
    pages.rename_page(a.db, page_id=page_id, title="From A")
    pages.update_seo(b.db, page_id=page_id, seo_title="SEO from B")
    pages.rename_page(b.db, page_id=page_id, title="From B, later")
    _settle(world)
    row = next(p for p in state(world.cloud)["pages"] if p["id"] == page_id)
    assert row["title"] == "From B, later" and row["seo_title"] == "SEO from B"
    assert state(a.db) == state(world.cloud) == state(b.db)
    assert merge.unresolved_conflicts(world.cloud) == []


def test_concurrent_block_code_one_winner_and_the_loser_kept(world: World) -> None:
    a, b = world.devices
    _page, block_id = _custom_block(world)
    pages.save_block_code(a.db, block_id=block_id, code=CODE.format("from A"))
    pages.save_block_code(b.db, block_id=block_id, code=CODE.format("from B"))   # later HLC: wins
    _settle(world)
    final = {dev.db.read(lambda c: repo.get_row(c, repo.SPECS["blocks"], block_id))["code"] for dev in world.devices}
    assert final == {CODE.format("from B")}
    assert state(a.db) == state(world.cloud) == state(b.db)
    conflicts = merge.unresolved_conflicts(world.cloud)
    assert [(c["field"], c["value"], c["device_id"]) for c in conflicts] == [("code", CODE.format("from A"), a.device_id)]
    for db in (world.cloud, a.db, b.db):
        revisions = pages.list_revisions(db, block_id=block_id)
        assert any(r.code == CODE.format("from A") and r.message == "Conflict: version from Device A" for r in revisions)
    assert [c.source for c in device.open_conflicts(b.db)] == ["Device A"]
    merge.resolve_conflict(world.cloud, conflicts[0]["id"], "theirs")
    _settle(world)
    assert merge.unresolved_conflicts(world.cloud) == []
    assert {dev.db.read(lambda c: repo.get_row(c, repo.SPECS["blocks"], block_id))["code"]
            for dev in world.devices} == {CODE.format("from A")}


def test_sequential_code_edits_are_no_conflict(world: World) -> None:
    a, b = world.devices
    _page, block_id = _custom_block(world)
    pages.save_block_code(a.db, block_id=block_id, code=CODE.format("one"))
    cycle(a, world.cloud)
    cycle(b, world.cloud)
    pages.save_block_code(b.db, block_id=block_id, code=CODE.format("two"))
    _settle(world)
    assert merge.unresolved_conflicts(world.cloud) == []
    assert state(a.db) == state(world.cloud) == state(b.db)


def test_custom_css_and_post_body_conflicts_are_recorded(world: World) -> None:
    a, b = world.devices
    post_id = state(world.cloud)["posts"][0]["id"]
    themes.set_custom_css(a.db, css=".a { color: red }")
    themes.set_custom_css(b.db, css=".b { color: blue }")
    posts.update_post(a.db, post_id, body_html="<p>A</p>")
    posts.update_post(b.db, post_id, body_html="<p>B</p>")
    _settle(world)
    fields = sorted((c["table"], c["field"], c["value"]) for c in merge.unresolved_conflicts(world.cloud))
    assert fields == [("posts", "body_html", "<p>A</p>"), ("themes", "custom_css", ".a { color: red }")]
    assert state(a.db) == state(world.cloud) == state(b.db)


def test_delete_vs_edit_newer_edit_wins(world: World) -> None:
    a, b = world.devices
    page_id, block_id = _custom_block(world)
    pages.remove_block(a.db, block_id=block_id)
    device.form_ops(a.db)                       # an op's HLC is issued when it is formed
    pages.update_block_settings(b.db, block_id=block_id, settings={})         # newer than the delete
    pages.save_block_code(b.db, block_id=block_id, code=CODE.format("kept"))
    cycle(b, world.cloud)
    cycle(a, world.cloud)       # the older delete does not apply
    _settle(world)
    assert any(x["id"] == block_id for x in state(world.cloud)["blocks"])
    assert state(a.db) == state(world.cloud) == state(b.db)


def test_edit_after_delete_resurrects(world: World) -> None:
    a, b = world.devices
    _page, block_id = _custom_block(world)
    pages.remove_block(a.db, block_id=block_id)
    cycle(a, world.cloud)                       # deleted on the cloud: a tombstone
    assert world.cloud.read(lambda c: repo.get_tombstone(c, "blocks", block_id))["reason"] == "deleted"
    pages.save_block_code(b.db, block_id=block_id, code=CODE.format("back"))   # b has not pulled
    _settle(world)
    row = next(x for x in state(world.cloud)["blocks"] if x["id"] == block_id)
    assert row["code"] == CODE.format("back")
    assert world.cloud.read(lambda c: repo.get_tombstone(c, "blocks", block_id)) is None
    assert state(a.db) == state(world.cloud) == state(b.db)


def test_edit_of_a_block_whose_page_is_gone_stays_recoverable(world: World) -> None:
    a, b = world.devices
    page_id, block_id = _custom_block(world)
    pages.delete_page(a.db, page_id=page_id)
    cycle(a, world.cloud)
    pages.save_block_code(b.db, block_id=block_id, code=CODE.format("orphan"))
    _settle(world)
    assert not any(x["id"] == block_id for x in state(world.cloud)["blocks"])
    tomb = world.cloud.read(lambda c: repo.get_tombstone(c, "blocks", block_id))
    assert tomb["row"]["code"] == CODE.format("orphan")
    assert [c["value"] for c in merge.unresolved_conflicts(world.cloud)] == [CODE.format("orphan")]
    assert state(a.db) == state(world.cloud) == state(b.db)
    # Restoring the page (an edit from a device that still has it) restores its blocks.
    c_page = world.cloud.read(lambda c: repo.get_tombstone(c, "pages", page_id))
    assert c_page is not None


def test_restoring_a_page_restores_its_blocks(world: World) -> None:
    a, b = world.devices
    page_id, block_id = _custom_block(world)
    pages.delete_page(a.db, page_id=page_id)
    cycle(a, world.cloud)
    pages.rename_page(b.db, page_id=page_id, title="Still wanted")        # b never saw the delete
    _settle(world)
    cloud = state(world.cloud)
    assert any(p["id"] == page_id and p["title"] == "Still wanted" for p in cloud["pages"])
    assert any(x["id"] == block_id for x in cloud["blocks"])
    assert state(a.db) == cloud == state(b.db)


def test_slug_clash_gets_a_suffix(world: World) -> None:
    a, b = world.devices
    first = pages.create_page(a.db, title="Spring sale")
    second = pages.create_page(b.db, title="Spring sale")                # newer
    _settle(world)
    slugs = {p["id"]: p["slug"] for p in state(world.cloud)["pages"]}
    assert slugs[first.id] == "spring-sale" and slugs[second.id] == "spring-sale-2"
    assert state(a.db) == state(world.cloud) == state(b.db)


def test_concurrent_reorders_keep_every_block_and_converge(world: World) -> None:
    a, b = world.devices
    page = pages.create_page(a.db, title="Order")
    ids = [pages.add_block(a.db, page_id=page.id, kind="rich-text").id for _ in range(5)]
    _settle(world)
    pages.move_block(a.db, block_id=ids[0], position=4)
    pages.move_block(b.db, block_id=ids[4], position=0)
    pages.move_block(b.db, block_id=ids[2], position=1)
    _settle(world)
    orders = [[bid for bid, _pos in _page_blocks(dev.db, page.id)] for dev in world.devices]
    cloud_order = [bid for bid, _pos in _page_blocks(world.cloud, page.id)]
    assert sorted(cloud_order) == sorted(ids)
    assert orders == [cloud_order, cloud_order]


def test_retried_push_is_applied_once(world: World) -> None:
    a, _b = world.devices
    pages.create_page(a.db, title="Once")
    ops = [op.to_json() for op in device.form_ops(a.db)]
    first = merge.apply_push(world.cloud, a.device_id, ops)
    log_size = world.cloud.read(repo.newest_seq)
    again = merge.apply_push(world.cloud, a.device_id, ops)            # the answer was lost
    assert (first.applied, again.applied, again.last_op) == (len(ops), 0, first.last_op)
    assert world.cloud.read(repo.newest_seq) == log_size


def test_gap_is_refused_with_nothing_applied(world: World) -> None:
    a, _b = world.devices
    pages.create_page(a.db, title="Gap one")
    pages.create_page(a.db, title="Gap two")
    device.form_ops(a.db)
    pages.create_page(a.db, title="Gap three")
    device.form_ops(a.db)
    ops = [op.to_json() for op in device.pending_ops(a.db)]
    before = state(world.cloud)
    with pytest.raises(SyncError) as caught:
        merge.apply_push(world.cloud, a.device_id, ops[1:])
    assert caught.value.code == "gap" and caught.value.details == {"expected": 1}
    assert state(world.cloud) == before
    assert merge.apply_push(world.cloud, a.device_id, ops).applied == len(ops)


@pytest.mark.parametrize("change", [{"table": "orders"}, {"fields": {"secret": 1}}, {"base": {"nope": None}},
                                    {"fields": {"title": ["x"]}}, {"delete": True}, {"hlc": "bad"}])
def test_unknown_table_or_field_is_refused(world: World, change: dict) -> None:
    a, _b = world.devices
    pages.create_page(a.db, title="Refused")
    ops = [op.to_json() for op in device.form_ops(a.db)]
    bad = {**ops[0], **change}
    if change.get("delete"):
        bad["fields"] = {"title": "x"}
    before = state(world.cloud)
    with pytest.raises(SyncError) as caught:
        merge.apply_push(world.cloud, a.device_id, [*ops[:-1], bad] if len(ops) > 1 else [bad])
    assert caught.value.code == "op" and caught.value.details["op_id"] == bad["op_id"]
    assert state(world.cloud) == before


def test_unknown_device_is_refused(world: World) -> None:
    with pytest.raises(SyncError) as caught:
        merge.apply_push(world.cloud, "no-such-device", [])
    assert caught.value.code == "device"


def test_pull_apply_is_atomic(world: World) -> None:
    a, b = world.devices
    page_id, _block = _custom_block(world)
    pages.rename_page(a.db, page_id=page_id, title="Pulled")
    cycle(a, world.cloud)
    start = device.cursor(b.db)
    changes, cursor, _more = merge.changes_since(world.cloud, start)
    before = state(b.db)
    broken = [*changes, {"seq": cursor + 1, "table": "pages", "key": page_id, "row": {"id": page_id, "bogus": 1},
                         "clocks": {}}]
    with pytest.raises(SyncError):
        device.apply_pull(b.db, broken, cursor + 1)
    assert state(b.db) == before and device.cursor(b.db) == start
    assert b.db.read(lambda c: repo.get_state(c, "capture")) == "1"
    device.apply_pull(b.db, changes, cursor)
    assert next(p for p in state(b.db)["pages"] if p["id"] == page_id)["title"] == "Pulled"


def test_pull_with_pending_ops_rebases_them(world: World) -> None:
    a, b = world.devices
    page_id, block_id = _custom_block(world)
    pages.rename_page(a.db, page_id=page_id, title="A title")
    cycle(a, world.cloud)
    pages.save_block_code(b.db, block_id=block_id, code=CODE.format("B pending"))
    device.form_ops(b.db)                            # formed, push lost
    pages.update_seo(b.db, page_id=page_id, seo_title="B dirty")   # dirty, not formed
    pull(b, world.cloud)
    block = b.db.read(lambda c: repo.get_row(c, repo.SPECS["blocks"], block_id))
    page = b.db.read(lambda c: repo.get_row(c, repo.SPECS["pages"], page_id))
    assert block["code"] == CODE.format("B pending")
    assert (page["title"], page["seo_title"]) == ("A title", "B dirty")
    _settle(world)
    assert state(a.db) == state(world.cloud) == state(b.db)
    assert merge.unresolved_conflicts(world.cloud) == []


def test_answer_lost_then_pull_then_retry(world: World) -> None:
    a, b = world.devices
    page_id, _block = _custom_block(world)
    pages.rename_page(a.db, page_id=page_id, title="Applied, answer lost")
    ops = [op.to_json() for op in device.form_ops(a.db)]
    merge.apply_push(world.cloud, a.device_id, ops)        # no acknowledge
    pages.rename_page(b.db, page_id=page_id, title="B later")
    cycle(b, world.cloud)
    pull(a, world.cloud)                                    # sees its own op id: acknowledged
    assert device.pending_ops(a.db) == []
    _settle(world)
    assert state(a.db) == state(world.cloud) == state(b.db)
    assert next(p for p in state(a.db)["pages"] if p["id"] == page_id)["title"] == "B later"


def test_unsynced_is_described_and_capture_is_off_unlinked(world: World, db) -> None:
    a, _b = world.devices
    page = pages.create_page(a.db, title="Not yet sent")
    assert any("Not yet sent" in line for line in device.has_unsynced(a.db))
    device.form_ops(a.db)
    assert any("not yet accepted" in line for line in device.has_unsynced(a.db))
    push(a, world.cloud)
    assert device.has_unsynced(a.db) == []
    pages.create_page(db, title="Unlinked store")
    assert db.read(lambda c: c.scalar("SELECT count(*) FROM sync_dirty")) == 0
    assert page.id


def test_same_image_imported_on_two_devices_merges_into_one_row(world: World, tmp_path) -> None:
    import io

    from PIL import Image

    from shared.media.service import import_image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    a, b = world.devices
    page_a = pages.create_page(a.db, title="Image A")
    cycle(a, world.cloud)
    cycle(b, world.cloud)
    first = import_image(a.db, tmp_path / "media-a", data=buffer.getvalue(), filename="red.png")
    second = import_image(b.db, tmp_path / "media-b", data=buffer.getvalue(), filename="red.png")
    assert first.id != second.id
    pages.update_seo(b.db, page_id=page_a.id, seo_title="With image")
    b.db.write(lambda conn: repo.update_fields(conn, repo.SPECS["pages"], page_a.id, {"social_image_id": second.id}))
    _settle(world)
    cloud = state(world.cloud)
    assert [m["id"] for m in cloud["media"] if m["hash"] == first.hash] == [first.id]
    assert next(p for p in cloud["pages"] if p["id"] == page_a.id)["social_image_id"] == first.id
    assert state(a.db) == cloud == state(b.db)


def test_a_refused_insert_among_batched_inserts_is_kept_and_the_rest_applied(world: World) -> None:
    """Block inserts are written many rows per statement: one row the table refuses (not a whole
    row) must not take its batch down, and the change log keeps the ops' order."""
    a, _b = world.devices
    page = pages.create_page(a.db, title="Batch")
    good = [pages.add_block(a.db, page_id=page.id, kind="custom", code=CODE.format(n), position=n) for n in range(5)]
    ops = [op.to_json() for op in device.form_ops(a.db)]
    partial_id, broken_id = "0b9c2c36-5c8e-4d2a-9a57-6f0fd2d3e0aa", "7e1f4b52-0c1d-4e83-b7a4-2f6a9c1d5e10"
    partial = {**ops[3], "key": partial_id, "fields": {"code": CODE.format("partial"), "page_id": page.id},
               "base": {"code": None, "page_id": None}}     # an edit of a block the cloud never had
    broken = {**ops[3], "key": broken_id, "fields": {**ops[3]["fields"], "code": CODE.format("broken")}}
    # Same columns, values the table rules take (shared/sync/rules.py refuses bad ones before any
    # write), and a row the database itself refuses: a constraint the rules do not know of.
    world.cloud.write(lambda conn: conn.execute(
        f"CREATE TRIGGER refuse_one BEFORE INSERT ON blocks WHEN NEW.id = '{broken_id}' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"))
    pushed = [*ops[:3], partial, ops[3], broken, *ops[4:]]
    for n, op in enumerate(pushed, start=int(ops[0]["op_id"].rpartition(":")[2])):
        op["op_id"] = f"{a.device_id}:{n}"
    refused = {partial_id: CODE.format("partial"), broken_id: CODE.format("broken")}
    start = world.cloud.read(repo.newest_seq)
    assert merge.apply_push(world.cloud, a.device_id, pushed).applied == len(pushed)

    blocks = {row["id"] for row in state(world.cloud)["blocks"]}
    assert {block.id for block in good} <= blocks and not blocks & set(refused)
    for key, code in refused.items():
        tomb = world.cloud.read(lambda c, key=key: repo.get_tombstone(c, "blocks", key))
        assert tomb["reason"] == "orphan" and tomb["row"]["code"] == code
    assert sorted(c["value"] for c in merge.unresolved_conflicts(world.cloud)) == sorted(refused.values())
    logged = [(entry["op_id"], entry["key"], entry["row"] is None)
              for entry in merge.changes_since(world.cloud, start, 100)[0]]
    assert logged == [(op["op_id"], op["key"], op["key"] in refused) for op in pushed]


def test_the_push_bodies_are_the_outbox_as_the_protocol_shapes_it_in_bounded_messages(world: World) -> None:
    a, _b = world.devices
    assert device.push_bodies(a.db) == []
    page = pages.create_page(a.db, title="Body « ünïcode » \"quoted\"")
    pages.add_block(a.db, page_id=page.id, kind="custom", code=CODE.format("</script>\u2028"))
    for n in range(6):
        pages.add_block(a.db, page_id=page.id, kind="custom", code=CODE.format("x" * 1500 + str(n)), position=n + 1)
    device.form_ops(a.db)
    pending = [op.to_json() for op in device.pending_ops(a.db)]
    [whole] = device.push_bodies(a.db)
    assert json.loads(whole) == {"device_id": a.device_id, "ops": pending}

    parts = device.push_bodies(a.db, max_bytes=4000)
    assert len(parts) > 2 and all(len(part) <= 4000 for part in parts)
    bodies = [json.loads(part) for part in parts]
    assert [op for body in bodies for op in body["ops"]] == pending
    for body in bodies:                       # in order: each push starts where the last one ended
        assert body["device_id"] == a.device_id
        assert merge.apply_push(world.cloud, a.device_id, body["ops"]).applied == len(body["ops"])
    assert len(device.push_bodies(a.db, max_bytes=10)) == len(pending)      # an op over the bound: alone


def test_pulling_back_ones_own_push_writes_nothing_but_a_changed_clock_is_written(world: World) -> None:
    from shared.db.repositories.versions import content_version

    a, b = world.devices
    page = pages.create_page(a.db, title="Echo")
    for n in range(3):
        pages.add_block(a.db, page_id=page.id, kind="custom", code=CODE.format(n), position=n)
    push(a, world.cloud)
    version = a.db.read(content_version)
    pull(a, world.cloud)                                   # the echo of A's own ops: nothing to write
    assert a.db.read(content_version) == version
    assert state(a.db) == state(world.cloud)

    pull(b, world.cloud)
    pages.rename_page(a.db, page_id=page.id, title="Same words")
    pages.rename_page(b.db, page_id=page.id, title="Same words")
    push(a, world.cloud)
    push(b, world.cloud)                                   # the same value, a newer clock
    pull(a, world.cloud)
    clocks = world.cloud.read(lambda c: repo.get_clocks(c, "pages", page.id))
    assert a.db.read(lambda c: repo.get_clocks(c, "pages", page.id)) == clocks
    assert clocks["title"].endswith(b.device_id)
