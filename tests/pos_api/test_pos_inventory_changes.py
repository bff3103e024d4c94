"""POST /pos/v1/inventory/changes and GET /pos/v1/inventory/counts over real HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

CHANGES = "/pos/v1/inventory/changes"
PLUS_TWO = timezone(timedelta(hours=2))


def _change(setup, kind: str, at: datetime, *, delta: int = 0, quantity: int = 0, reason: str = "sale",
            change_id: str | None = None, **extra) -> dict:
    change = {"change_id": change_id or str(uuid.uuid4()), "type": kind, "sku": setup.sku, "reason": reason,
              "occurred_at": at.isoformat().replace("+00:00", "Z"), "reference": "t"}
    change.update({"delta": delta} if kind == "adjust" else {"quantity": quantity})
    change.update(extra)
    return change


async def _post(client, setup, changes: list[dict], token: str | None = None):
    return await client.post(CHANGES, json={"changes": changes},
                             headers=setup.headers(str(uuid.uuid4()), token))


async def _on_hand(client, setup, answer) -> dict:
    body = await answer.json()
    assert answer.status == 200, body
    return next(line for line in body["stock"] if line["sku"] == setup.sku)


async def test_squares_worked_example_count_95_then_93(pos_client, pos_setup) -> None:
    """100 on hand; a sale of 3 at 13:10; a count of 95 at 13:30; an offline sale of 2 made at 13:20 and
    uploaded at 13:35 leaves 95; waste of 2 at 13:40 gives 93. Times in +02:00 and in Z interleave."""
    base = (datetime.now(UTC) - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    at = lambda minutes, tz=UTC: (base + timedelta(minutes=minutes)).astimezone(tz)  # noqa: E731
    line = await _on_hand(pos_client, pos_setup, await _post(pos_client, pos_setup, [
        _change(pos_setup, "count", at(0, PLUS_TWO), quantity=100, reason="correction")]))
    assert line["on_hand"] == 100
    line = await _on_hand(pos_client, pos_setup, await _post(pos_client, pos_setup, [
        _change(pos_setup, "adjust", at(10), delta=-3)]))
    assert line["on_hand"] == 97
    line = await _on_hand(pos_client, pos_setup, await _post(pos_client, pos_setup, [
        _change(pos_setup, "count", at(30, PLUS_TWO), quantity=95, reason="correction")]))
    assert line["on_hand"] == 95
    line = await _on_hand(pos_client, pos_setup, await _post(pos_client, pos_setup, [
        _change(pos_setup, "adjust", at(20, PLUS_TWO), delta=-2)]))
    assert line["on_hand"] == 95                # made before the count: the count already saw it
    line = await _on_hand(pos_client, pos_setup, await _post(pos_client, pos_setup, [
        _change(pos_setup, "adjust", at(40), delta=-2, reason="damaged")]))
    assert line["on_hand"] == 93 and line["available"] == 93 - line["held"]
    assert line["location_id"] == pos_setup.location_id


async def test_a_late_pos_sale_goes_below_zero(pos_client, pos_setup) -> None:
    now = datetime.now(UTC)
    await _post(pos_client, pos_setup, [_change(pos_setup, "count", now - timedelta(hours=2), quantity=1,
                                                reason="correction")])
    line = await _on_hand(pos_client, pos_setup, await _post(pos_client, pos_setup, [
        _change(pos_setup, "adjust", now - timedelta(hours=1), delta=-2)]))
    assert line["on_hand"] == -1


async def test_a_rebatched_offline_backlog_gives_exactly_the_original_movements(pos_client, pos_setup) -> None:
    now = datetime.now(UTC) - timedelta(hours=5)
    await _post(pos_client, pos_setup, [_change(pos_setup, "count", now, quantity=50, reason="correction")])
    backlog = [_change(pos_setup, "adjust", now + timedelta(minutes=i + 1), delta=-1) for i in range(10)]
    first = await (await _post(pos_client, pos_setup, backlog[:6])).json()
    assert first["applied"] == 6
    again = await _post(pos_client, pos_setup, backlog[3:])     # a new key, half already sent
    body = await again.json()
    assert body["applied"] == 4 and body["duplicates"] == 3 and body["stock"][0]["on_hand"] == 40


async def test_one_bad_change_refuses_the_whole_batch_naming_index_and_field(pos_client, pos_setup) -> None:
    now = datetime.now(UTC)
    good = _change(pos_setup, "adjust", now, delta=5, reason="received")
    cases = [
        (_change(pos_setup, "adjust", now - timedelta(days=8), delta=-1), "occurred_at"),
        (_change(pos_setup, "adjust", now + timedelta(minutes=10), delta=-1), "occurred_at"),
        ({**_change(pos_setup, "adjust", now, delta=-1), "occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
        (_change(pos_setup, "adjust", now, delta=3), "delta"),                  # a sale takes units away
        (_change(pos_setup, "adjust", now, delta=-1, reason="stolen"), "reason"),
        (_change(pos_setup, "adjust", now, delta=-1, change_id="not-a-uuid"), "change_id"),
        (_change(pos_setup, "adjust", now, delta=-1, sku="NO-SUCH-SKU"), "sku"),
        (_change(pos_setup, "adjust", now, delta=-1, location_id=pos_setup.other_location_id), "location_id"),
        (_change(pos_setup, "count", now, quantity=-4, reason="correction"), "quantity"),
    ]
    for bad, field in cases:
        answer = await _post(pos_client, pos_setup, [good, bad])
        error = (await answer.json())["error"]
        assert answer.status == 422 and (error["index"], error["field"]) == (1, field), error
        assert f"changes[1].{field}" in error["message"]
    too_many = await _post(pos_client, pos_setup, [good] * 101)
    assert too_many.status == 422 and (await too_many.json())["error"]["field"] == "changes"
    counts = await pos_client.get("/pos/v1/inventory/counts", headers=pos_setup.headers())
    assert pos_setup.variant_id not in [c["variant_id"] for c in (await counts.json())["counts"]
                                        if c["updated_at"] > (now - timedelta(seconds=5)).isoformat()]


async def test_only_pos_device_tokens_of_this_store_get_in(pos_client, pos_setup, admin_token) -> None:
    change = [_change(pos_setup, "adjust", datetime.now(UTC), delta=-1)]
    assert (await _post(pos_client, pos_setup, change, token="vs_nope")).status == 401
    not_a_device = await _post(pos_client, pos_setup, change, token=admin_token)
    assert not_a_device.status == 403 and "POS device" in (await not_a_device.json())["error"]["message"]


async def test_counts_page_through_what_changed_after_a_time(pos_client, pos_setup) -> None:
    start = datetime.now(UTC)
    stamp = start.isoformat()
    await _post(pos_client, pos_setup, [
        _change(pos_setup, "count", start - timedelta(minutes=1), quantity=7, reason="correction"),
        {**_change(pos_setup, "count", start - timedelta(minutes=1), quantity=3, reason="correction"),
         "sku": "", "variant_id": pos_setup.other_variant_id}])
    seen, cursor = {}, None
    while True:
        query = {"updated_after": stamp, **({"cursor": cursor} if cursor else {})}
        page = await (await pos_client.get("/pos/v1/inventory/counts", params=query,
                                           headers=pos_setup.headers())).json()
        seen.update({c["variant_id"]: c["on_hand"] for c in page["counts"]})
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == {pos_setup.variant_id: 7, pos_setup.other_variant_id: 3}
    everything = await (await pos_client.get("/pos/v1/inventory/counts", headers=pos_setup.headers())).json()
    assert len(everything["counts"]) == 100 and everything["next_cursor"]
    assert (await pos_client.get("/pos/v1/inventory/counts", params={"cursor": "@@"},
                                 headers=pos_setup.headers())).status == 400


async def test_walking_every_page_sees_each_stocked_variant_once(pos_client, pos_setup) -> None:
    from shared.storefront.service import DataDir, open_store

    seen, cursor = [], None
    while True:
        page = await (await pos_client.get("/pos/v1/inventory/counts", params={"cursor": cursor} if cursor else {},
                                           headers=pos_setup.headers())).json()
        seen += [c["variant_id"] for c in page["counts"]]
        if cursor is None:      # a change after the first page moves its variant to the end: seen again there
            await _post(pos_client, pos_setup, [_change(pos_setup, "adjust", datetime.now(UTC), delta=-1)])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    store = open_store(DataDir(pos_setup.data), "demo")
    try:
        stocked = store.db.read(lambda conn: conn.scalar(
            "SELECT count(*) FROM location_stock WHERE location_id = ?", (pos_setup.location_id,)))
    finally:
        store.close()
    assert stocked > 100 and len(set(seen)) == stocked and seen[-1] == pos_setup.variant_id
