"""POST /pos/v1/inventory/changes with what a POS developer integrating in a day might send: every answer
is a 4xx JSON problem naming the field (or a correct 2xx), never a 500, and a refused batch writes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos_hostile_support import CHANGES, Hostile, problem_of
from shared.accounts.service import add_store_pos_device
from shared.db.repositories.inventory import insert_location
from shared.inventory.ledger import MAX_DELTA
from shared.models import Location
from shared.storefront.service import DataDir

INT64 = 2 ** 63


@pytest.mark.parametrize(("kind", "field", "value"), [
    ("adjust", "delta", INT64), ("adjust", "delta", -INT64), ("adjust", "delta", -INT64 - 1),
    ("adjust", "delta", 10 ** 40), ("count", "quantity", INT64), ("count", "quantity", -INT64),
    ("count", "quantity", -1), ("adjust", "delta", "1"), ("adjust", "delta", 1.5), ("adjust", "delta", None),
])
async def test_integers_out_of_range_or_of_another_type_name_the_field(hostile: Hostile, kind, field, value) -> None:
    before = hostile.ledger_rows()
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change(kind), hostile.change(kind, **{field: value})]})
    error = problem_of(status, body)
    assert status == 422 and error["index"] == 1 and error["field"] == field
    assert hostile.ledger_rows() == before


async def test_the_largest_changes_add_up_without_overflow(hostile: Hostile) -> None:
    """Each change is at most MAX_DELTA units: a batch of them, twice, is an exact sum, not a wrapped one."""
    at = datetime.now(UTC) - timedelta(minutes=30)
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change("count", at=at - timedelta(minutes=1),
                                                                           quantity=MAX_DELTA)]})
    assert status == 200
    for _ in range(2):
        status, body = await hostile.post(CHANGES, {"changes": [
            hostile.change(reason="received", delta=MAX_DELTA, at=at) for _ in range(100)]})
        assert status == 200 and body["applied"] == 100
    assert body["stock"][0]["on_hand"] == 201 * MAX_DELTA


@pytest.mark.parametrize(("sku", "status", "code"), [
    ("é€😀-ÜNÏ", 422, "unknown_variant"),     # unicode: a SKU no variant has
    ("a\x00b", 422, "invalid"),                 # a control character: refused as such
    ("line\nbreak", 422, "invalid"),
    ("x" * 10240, 422, "invalid"),
])
async def test_odd_skus_are_refused_naming_the_sku(hostile: Hostile, sku, status, code) -> None:
    before = hostile.ledger_rows()
    got, body = await hostile.post(CHANGES, {"changes": [hostile.change(sku=sku)]})
    error = problem_of(got, body)
    assert got == status and error["field"] == "sku" and error["code"] == code and error["index"] == 0
    assert hostile.ledger_rows() == before


async def test_a_control_character_in_a_reference_is_refused(hostile: Hostile) -> None:
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change(reference="R-1\x00")]})
    assert status == 422 and problem_of(status, body)["field"] == "reference"


@pytest.mark.parametrize("where", ["sku", "reference"])
async def test_bytes_that_are_not_utf8_are_a_400_not_a_500(hostile: Hostile, where) -> None:
    change = hostile.change(reference="REF")
    raw = json.dumps({"changes": [change]}).encode()
    raw = raw.replace(json.dumps(change[where]).encode(), b'"\xff\xfeZ"')
    before = hostile.ledger_rows()
    status, body = await hostile.post(CHANGES, data=raw)
    assert status == 400 and problem_of(status, body)["code"] == "malformed"
    assert hostile.ledger_rows() == before


async def test_one_change_id_twice_in_a_batch(hostile: Hostile) -> None:
    """The same change twice is one change (the second a duplicate); the same id for two different changes
    is refused, naming the second, and nothing of the batch is written."""
    change = hostile.change()
    before = hostile.ledger_rows()
    status, body = await hostile.post(CHANGES, {"changes": [change, dict(change)]})
    assert status == 200 and (body["applied"], body["duplicates"]) == (1, 1)
    assert hostile.ledger_rows() == before + 1
    other = hostile.change()
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change(), other, dict(other, delta=-2)]})
    error = problem_of(status, body)
    assert status == 422 and error["index"] == 2 and error["field"] == "change_id"
    assert hostile.ledger_rows() == before + 1


async def test_the_same_change_named_by_sku_then_by_variant_id_is_one_change(hostile: Hostile) -> None:
    change = hostile.change()
    by_id = {k: v for k, v in change.items() if k != "sku"} | {"variant_id": hostile.variant_id}
    status, body = await hostile.post(CHANGES, {"changes": [change, by_id]})
    assert status == 200 and (body["applied"], body["duplicates"]) == (1, 1)


@pytest.mark.parametrize("count_first", [True, False])
async def test_a_count_and_an_adjustment_at_the_same_instant(hostile: Hostile, count_first: bool) -> None:
    """A count taken at 13:30 already includes what happened at 13:30, in whichever order they arrive."""
    at = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    count, sale = hostile.change("count", at=at, quantity=7), hostile.change(at=at, delta=-2)
    status, body = await hostile.post(CHANGES, {"changes": [count, sale] if count_first else [sale, count]})
    assert status == 200 and body["applied"] == 2 and body["stock"][0]["on_hand"] == 7


@pytest.mark.parametrize("when", [
    "2026-05-01T13:20:00",                  # no offset
    "2026-05-01T13:20:00+25:00",            # no such offset
    "2026-06-30T23:59:60Z",                 # a leap second
    "0001-01-01T00:00:00+01:00",            # before year 1 in UTC
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-01:00",            # after year 9999 in UTC
    "9999-12-31T23:59:59Z",
    "2026-02-30T10:00:00Z",
    "yesterday", 1767225600, None,
])
async def test_odd_times_are_refused_naming_occurred_at(hostile: Hostile, when) -> None:
    before = hostile.ledger_rows()
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change() | {"occurred_at": when}]})
    error = problem_of(status, body)
    assert status == 422 and error["field"] == "occurred_at" and error["index"] == 0
    assert hostile.ledger_rows() == before


@pytest.mark.parametrize("location", ["warehouse", "no-such-location", "x\x00"])
async def test_another_location_is_refused(hostile: Hostile, location: str) -> None:
    location_id = hostile.warehouse if location == "warehouse" else location
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change(location_id=location_id)]})
    assert status == 422 and problem_of(status, body)["field"] == "location_id"


@pytest.mark.parametrize(("raw", "status"), [
    (b"{nope", 400), (b"", 400), (b"null", 422), (b'"changes"', 422), (b"[]", 422),
    (b"[" * 10_000 + b"]" * 10_000, 422),
    (b'{"changes": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", 422),
    (b'{"changes": []}', 422), (b'{"changes": [], "extra": 1}', 422),
])
async def test_bodies_that_are_not_a_batch(hostile: Hostile, raw: bytes, status: int) -> None:
    got, body = await hostile.post(CHANGES, data=raw)
    assert got == status and problem_of(got, body)["status"] == status


async def test_a_json_array_of_changes_at_the_top_is_refused(hostile: Hostile) -> None:
    status, body = await hostile.post(CHANGES, [hostile.change()])
    assert status == 422 and "object" in problem_of(status, body)["message"]


async def test_a_20_mb_body_is_413(hostile: Hostile) -> None:
    status, body = await hostile.post(CHANGES, data=b" " * (20 * 1024 * 1024))
    assert status == 413 and "KB" in problem_of(status, body)["message"]


async def test_a_body_over_the_calls_own_limit_is_413_before_the_key_is_kept(hostile: Hostile) -> None:
    """The body is read once, by the idempotency layer, up to the call's limit (256 KB here)."""
    status, body = await hostile.post(CHANGES, data=b" " * (300 * 1024), key="big-1")
    assert status == 413 and "256 KB" in problem_of(status, body)["message"]
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change()]}, key="big-1")
    assert status == 200        # the 413 did not take the key


@pytest.mark.parametrize(("key", "code"), [("", "invalid"), ("k" * 10_240, "invalid"), (None, "missing")])
async def test_bad_idempotency_keys_are_json_400s(hostile: Hostile, key, code) -> None:
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change()]}, key=key)
    error = problem_of(status, body)
    assert status == 400 and error["field"] == "Idempotency-Key" and error["code"] == code


async def test_a_non_ascii_idempotency_key_is_a_json_400(hostile: Hostile) -> None:
    response = await hostile.client.post(CHANGES, json={"changes": [hostile.change()]},
                                         headers={**hostile.headers(), "Idempotency-Key": "ключ".encode().decode("latin-1")})
    body = await response.json()
    assert response.status == 400 and body["error"]["field"] == "Idempotency-Key"


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "application/x-www-form-urlencoded"])
async def test_json_under_another_content_type_is_read_as_json(hostile: Hostile, content_type: str) -> None:
    """The body is JSON whatever the label (a till's HTTP library may not set one): documented."""
    status, body = await hostile.post(CHANGES, data=json.dumps({"changes": [hostile.change()]}),
                                      **{"Content-Type": content_type})
    assert status == 200 and body["applied"] == 1


async def test_many_bad_changes_name_the_first(hostile: Hostile) -> None:
    changes = [hostile.change() for _ in range(100)]
    changes[37]["change_id"] = "not-a-uuid"
    changes[80]["delta"] = 0
    status, body = await hostile.post(CHANGES, {"changes": changes})
    error = problem_of(status, body)
    assert status == 422 and (error["index"], error["field"]) == (37, "change_id")
    changes[37]["change_id"] = str(uuid.uuid4())
    status, body = await hostile.post(CHANGES, {"changes": changes})
    assert status == 422 and (problem_of(status, body)["index"], problem_of(status, body)["field"]) == (80, "delta")


async def test_a_device_whose_location_was_deleted_is_told_so(hostile: Hostile, demo_dir: Path) -> None:
    hostile.store.db.write(lambda conn: insert_location(conn, Location("loc-popup", "Pop-up stand", "", False,
                                                                       "2026-01-01T00:00:00.000000+00:00")))
    device = add_store_pos_device(DataDir(demo_dir), "demo", location="Pop-up stand", name="pop-up till")
    hostile.store.db.write(lambda conn: conn.execute("DELETE FROM locations WHERE id = 'loc-popup'"))
    status, body = await hostile.post(CHANGES, {"changes": [hostile.change()]}, token=device.token)
    error = problem_of(status, body)
    assert status == 422 and error["field"] == "location_id" and error["code"] == "unknown_location"
