"""Stock holds on a real libSQL file: all-or-nothing holds, expiry without a purge, re-holding,
location policies, the check before charging, an idempotent commit, release and purge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inventory.helpers import T0, make_locations, make_product, receive, summary
from shared.db import Database
from shared.db.repositories import inventory as repo
from shared.db.stamps import new_id
from shared.inventory import (
    InventoryError, InventoryErrorCode, LocationPolicy, Shortage, available, check_holds, commit_holds, extend_holds,
    hold_stock, purge_expired_holds, read_holds, record_movement, release_holds, stock_positions,
)

MIN = timedelta(minutes=1)


def hold(db: Database, group: str, lines, policy: LocationPolicy, *, now=T0, ttl=timedelta(minutes=10)):
    return db.write(lambda conn: hold_stock(conn, group_id=group, lines=lines, location_policy=policy, now=now,
                                            ttl=ttl))


def avail(db: Database, ids, *, now=T0, location_id=None) -> dict[str, int]:
    return db.read(lambda conn: available(conn, ids, now=now, location_id=location_id))


@pytest.fixture
def shop(db: Database):
    """(db, [red, blue], shop id, warehouse id) with red: 3 at the shop, 5 at the warehouse; blue: 1 at the shop."""
    red, blue = make_product(db)
    shop_id, warehouse_id = make_locations(db)
    receive(db, red, shop_id, 3)
    receive(db, red, warehouse_id, 5)
    receive(db, blue, shop_id, 1)
    return db, red, blue, shop_id, warehouse_id


def test_a_hold_takes_units_out_of_available_until_it_expires(shop):
    db, red, blue, shop_id, _ = shop
    group = hold(db, "checkout-1", [(red, 2), (blue, 1)], LocationPolicy.at(shop_id))
    assert {(line.variant_id, line.location_id, line.quantity) for line in group.lines} == {
        (red, shop_id, 2), (blue, shop_id, 1)}
    assert group.expires_at == T0 + timedelta(minutes=10)
    assert avail(db, [red, blue], location_id=shop_id) == {red: 1, blue: 0}
    assert avail(db, [red, blue]) == {red: 6, blue: 0}
    # On hand (and the storefront's summary) is untouched: a hold is not a movement.
    assert summary(db, red) == 8
    # Expired: the units are free again with no purge and no cron, only by comparing times.
    later = T0 + timedelta(minutes=10)
    assert avail(db, [red, blue], now=later, location_id=shop_id) == {red: 3, blue: 1}
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM stock_holds")) == 2


def test_a_hold_is_all_or_nothing_and_names_every_short_line(shop):
    db, red, blue, shop_id, _ = shop
    hold(db, "other", [(blue, 1)], LocationPolicy.at(shop_id))
    with pytest.raises(InventoryError) as caught:
        hold(db, "checkout-1", [(red, 4), (blue, 1)], LocationPolicy.at(shop_id))
    assert caught.value.code == InventoryErrorCode.OUT_OF_STOCK
    assert set(caught.value.shortages) == {Shortage(red, 4, 3), Shortage(blue, 1, 0)}
    assert db.read(lambda conn: read_holds(conn, group_id="checkout-1", now=T0)).lines == ()
    assert avail(db, [red], location_id=shop_id) == {red: 3}


def test_holding_again_replaces_the_group_and_renews_its_expiry(shop):
    db, red, blue, shop_id, _ = shop
    hold(db, "c", [(red, 3)], LocationPolicy.at(shop_id))
    # The cart changed 5 minutes later: its own 3 units do not count against it.
    group = hold(db, "c", [(red, 2), (red, 1), (blue, 1)], LocationPolicy.at(shop_id), now=T0 + 5 * MIN)
    assert sorted((line.variant_id, line.quantity) for line in group.lines) == sorted([(red, 3), (blue, 1)])
    assert group.expires_at == T0 + 15 * MIN
    assert avail(db, [red, blue], now=T0 + 5 * MIN, location_id=shop_id) == {red: 0, blue: 0}
    # A refused re-hold leaves the earlier holds as they were.
    with pytest.raises(InventoryError):
        hold(db, "c", [(red, 4)], LocationPolicy.at(shop_id), now=T0 + 6 * MIN)
    assert db.read(lambda conn: read_holds(conn, group_id="c", now=T0 + 6 * MIN)) == group


def test_first_location_with_stock_prefers_one_location_then_each_line_whole(shop):
    db, red, blue, shop_id, warehouse_id = shop
    # The whole cart fits at the shop (the default location, first).
    group = hold(db, "a", [(red, 1), (blue, 1)], LocationPolicy.first_with_stock())
    assert {line.location_id for line in group.lines} == {shop_id}
    db.write(lambda conn: release_holds(conn, group_id="a"))
    # Four reds fit only at the warehouse, the blue only at the shop: each line whole from one place.
    group = hold(db, "b", [(red, 4), (blue, 1)], LocationPolicy.first_with_stock())
    assert {(line.variant_id, line.location_id) for line in group.lines} == {(red, warehouse_id), (blue, shop_id)}
    # A line is never split: with 4 reds held, 3 are free at the shop and 1 at the warehouse; 6 fit nowhere.
    with pytest.raises(InventoryError) as caught:
        hold(db, "c", [(red, 6)], LocationPolicy.first_with_stock())
    assert caught.value.shortages == (Shortage(red, 6, 3),)
    # A store's order of preference comes first.
    group = hold(db, "d", [(red, 1)], LocationPolicy.first_with_stock(order=(warehouse_id,)))
    assert group.lines[0].location_id == warehouse_id


def test_unknown_variants_locations_and_bad_input_are_refused_cleanly(shop):
    db, red, _, shop_id, _ = shop
    cases = [
        ({"lines": [("no-such-variant", 1)], "location_policy": LocationPolicy.at(shop_id)},
         InventoryErrorCode.UNKNOWN_VARIANT),
        ({"lines": [(red, 1)], "location_policy": LocationPolicy.at("nowhere")}, InventoryErrorCode.UNKNOWN_LOCATION),
        ({"lines": [(red, 0)], "location_policy": LocationPolicy.at(shop_id)}, InventoryErrorCode.INVALID),
        ({"lines": [(red, -1)], "location_policy": LocationPolicy.at(shop_id)}, InventoryErrorCode.INVALID),
        ({"lines": [(red, 1.5)], "location_policy": LocationPolicy.at(shop_id)}, InventoryErrorCode.INVALID),
        ({"lines": [(red, True)], "location_policy": LocationPolicy.at(shop_id)}, InventoryErrorCode.INVALID),
        ({"lines": [], "location_policy": LocationPolicy.at(shop_id)}, InventoryErrorCode.INVALID),
        ({"lines": [(red, 1)], "location_policy": LocationPolicy.at(shop_id), "ttl": timedelta(0)},
         InventoryErrorCode.INVALID),
        ({"lines": [(red, 1)], "location_policy": LocationPolicy.at(shop_id), "now": T0.replace(tzinfo=None)},
         InventoryErrorCode.INVALID),
        ({"lines": [(f"v{i}", 1) for i in range(10_000)], "location_policy": LocationPolicy.at(shop_id)},
         InventoryErrorCode.INVALID),
    ]
    for kwargs, code in cases:
        with pytest.raises(InventoryError) as caught:
            db.write(lambda conn, kw=kwargs: hold_stock(conn, group_id="g", **{"now": T0, **kw}))
        assert caught.value.code == code, kwargs
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM stock_holds")) == 0


def test_release_frees_the_units_at_once(shop):
    db, red, _, shop_id, _ = shop
    hold(db, "c", [(red, 3)], LocationPolicy.at(shop_id))
    assert avail(db, [red], location_id=shop_id) == {red: 0}
    assert db.write(lambda conn: release_holds(conn, group_id="c")) == 1
    assert avail(db, [red], location_id=shop_id) == {red: 3}
    assert db.write(lambda conn: release_holds(conn, group_id="c")) == 0


def test_extend_keeps_active_holds_and_leaves_lapsed_ones(shop):
    db, red, blue, shop_id, _ = shop
    hold(db, "c", [(red, 1)], LocationPolicy.at(shop_id))
    group = db.write(lambda conn: extend_holds(conn, group_id="c", now=T0 + 9 * MIN, ttl=10 * MIN))
    assert group.expires_at == T0 + 19 * MIN
    assert avail(db, [red], now=T0 + 15 * MIN, location_id=shop_id) == {red: 2}
    lapsed = db.write(lambda conn: extend_holds(conn, group_id="c", now=T0 + 20 * MIN, ttl=10 * MIN))
    assert lapsed.expires_at is None and not lapsed.lines[0].active
    with pytest.raises(InventoryError) as caught:
        db.write(lambda conn: extend_holds(conn, group_id="nobody", now=T0))
    assert caught.value.code == InventoryErrorCode.NO_HOLDS


def test_check_before_charging_takes_lapsed_units_back_only_when_still_free(shop):
    db, red, blue, shop_id, _ = shop
    hold(db, "c", [(red, 2), (blue, 1)], LocationPolicy.at(shop_id))
    check = db.write(lambda conn: check_holds(conn, group_id="c", now=T0 + MIN))
    assert check.ok and check.shortages == () and check.expires_at == T0 + 11 * MIN
    # The holds lapse; someone else takes the blue one; the red units are still free.
    hold(db, "other", [(blue, 1)], LocationPolicy.at(shop_id), now=T0 + 12 * MIN)
    check = db.write(lambda conn: check_holds(conn, group_id="c", now=T0 + 13 * MIN))
    assert not check.ok and check.shortages == (Shortage(blue, 1, 0),)
    assert check.expires_at is None              # a failed check changes nothing
    db.write(lambda conn: release_holds(conn, group_id="other"))
    check = db.write(lambda conn: check_holds(conn, group_id="c", now=T0 + 14 * MIN))
    assert check.ok and check.expires_at == T0 + 24 * MIN
    assert avail(db, [red, blue], now=T0 + 14 * MIN, location_id=shop_id) == {red: 1, blue: 0}
    with pytest.raises(InventoryError) as caught:
        db.write(lambda conn: check_holds(conn, group_id="nobody", now=T0))
    assert caught.value.code == InventoryErrorCode.NO_HOLDS


def test_check_fails_an_active_hold_whose_units_a_pos_sale_took(shop):
    db, red, blue, shop_id, _ = shop
    hold(db, "online", [(blue, 1)], LocationPolicy.at(shop_id))
    # The shop sold its last blue over the counter (a POS movement, no hold) while the shopper typed.
    db.write(lambda conn: record_movement(conn, change_id=new_id(), variant_id=blue, location_id=shop_id, delta=-1,
                                          reason="sold", occurred_at=T0 + MIN, now=T0 + MIN))
    check = db.write(lambda conn: check_holds(conn, group_id="online", now=T0 + 2 * MIN))
    assert not check.ok and check.shortages == (Shortage(blue, 1, 0),)


def test_commit_turns_holds_into_one_sale_and_is_idempotent(shop):
    db, red, blue, shop_id, _ = shop
    hold(db, "c", [(red, 2), (blue, 1)], LocationPolicy.at(shop_id))
    first = db.write(lambda conn: commit_holds(conn, group_id="c", reference="order-1", now=T0 + MIN))
    assert sorted((m.variant_id, m.delta, m.reason, m.reference) for m in first.movements) == sorted(
        [(red, -2, "sold", "order-1"), (blue, -1, "sold", "order-1")])
    assert not first.already_committed
    assert db.read(lambda conn: read_holds(conn, group_id="c", now=T0)).lines == ()
    assert summary(db, red) == 6 and summary(db, blue) == 0
    assert avail(db, [red, blue], location_id=shop_id) == {red: 1, blue: 0}
    again = db.write(lambda conn: commit_holds(conn, group_id="c", reference="order-1", now=T0 + 2 * MIN))
    assert again.already_committed and again.movements == ()
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM stock_movements WHERE reason = 'sold'")) == 2
    # Even holds made again for the same group (a retried finalize that held the cart again) record
    # nothing more under the same reference: the change ids are the same ones.
    hold(db, "c", [(red, 1)], LocationPolicy.at(shop_id), now=T0 + 3 * MIN)
    third = db.write(lambda conn: commit_holds(conn, group_id="c", reference="order-1", now=T0 + 4 * MIN))
    assert third.already_committed
    assert summary(db, red) == 6 and db.read(lambda conn: repo.group_holds(conn, "c")) == []
    with pytest.raises(InventoryError) as caught:
        db.write(lambda conn: commit_holds(conn, group_id="never-held", reference="order-2", now=T0))
    assert caught.value.code == InventoryErrorCode.NO_HOLDS


def test_commit_records_a_lapsed_hold_since_the_payment_was_taken(shop):
    db, red, _, shop_id, _ = shop
    hold(db, "c", [(red, 1)], LocationPolicy.at(shop_id))
    result = db.write(lambda conn: commit_holds(conn, group_id="c", reference="order-9", now=T0 + 30 * MIN))
    assert [m.delta for m in result.movements] == [-1]
    assert summary(db, red) == 7


def test_a_failed_hold_inside_a_larger_write_leaves_nothing_behind(shop):
    db, red, _, shop_id, _ = shop
    hold(db, "c", [(red, 1)], LocationPolicy.at(shop_id))

    def checkout_step(conn):
        try:
            hold_stock(conn, group_id="c", lines=[(red, 99)], location_policy=LocationPolicy.at(shop_id), now=T0)
        except InventoryError as exc:
            return exc.code
        return None

    assert db.write(checkout_step) == InventoryErrorCode.OUT_OF_STOCK
    assert [line.quantity for line in db.read(lambda conn: read_holds(conn, group_id="c", now=T0)).lines] == [1]


def test_purge_deletes_only_holds_long_expired(shop):
    db, red, blue, shop_id, _ = shop
    hold(db, "old", [(red, 1)], LocationPolicy.at(shop_id), now=T0)
    hold(db, "new", [(blue, 1)], LocationPolicy.at(shop_id), now=T0 + 50 * MIN)
    assert db.write(lambda conn: purge_expired_holds(conn, T0 + 30 * MIN, grace=timedelta(minutes=15))) == 1
    assert db.read(lambda conn: conn.all("SELECT group_id FROM stock_holds")) == [("new",)]
    assert db.write(lambda conn: purge_expired_holds(conn, T0 + 30 * MIN)) == 0


def test_stock_positions_show_on_hand_and_held_per_location(shop):
    db, red, blue, shop_id, warehouse_id = shop
    hold(db, "c", [(red, 2)], LocationPolicy.at(warehouse_id))
    positions = db.read(lambda conn: stock_positions(conn, [red, blue], now=T0))
    assert {loc: (p.on_hand, p.held, p.available) for loc, p in positions[red].items()} == {
        shop_id: (3, 0, 3), warehouse_id: (5, 2, 3)}
    assert {loc: p.available for loc, p in positions[blue].items()} == {shop_id: 1}
    assert avail(db, ["unknown"]) == {"unknown": 0}
