"""The checkout setup is authored content: an edit on a device reaches the cloud's working copy, the
other device and, by a publish, the live database; two devices editing two discounts keep both edits."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from shared.checkout.setup_store import (
    list_pickup_options, load_checkout_setup, save_discount, save_hold_minutes, save_ship_from, save_shipping,
    save_tax)
from shared.db import connect
from shared.releases import publish
from shared.sync import merge
from shared.sync.errors import RowRefused
from tests.sync.conftest import World, copy_db, cycle, pull, state, store_db


def _setup(db):
    return db.read(load_checkout_setup)


def test_setup_edits_on_two_devices_merge_in_the_cloud_and_publish(world: World, demo_source: Path,
                                                                   tmp_path: Path) -> None:
    a, b = world.devices
    before = _setup(a.db)
    welcome, auto = before.discounts
    save_discount(a.db, dataclasses.replace(welcome, percent="15"))
    save_discount(b.db, dataclasses.replace(auto, min_subtotal=12000))     # another discount: no conflict
    save_tax(b.db, dataclasses.replace(before.tax, tax_shipping=True))
    us, intl = before.shipping.zones
    cheaper = dataclasses.replace(us, rates=(dataclasses.replace(us.rates[0], price=400), *us.rates[1:]))
    save_shipping(a.db, zones=(cheaper, intl), local_delivery=before.shipping.local_delivery)
    cycle(a, world.cloud)
    cycle(b, world.cloud)
    pull(a, world.cloud)

    merged = _setup(world.cloud)
    assert [d.percent for d in merged.discounts] == ["15", ""]
    assert merged.discounts[1].min_subtotal == 12000
    assert merged.tax.tax_shipping is True                             # b's tax edit
    assert merged.shipping.zones[0].rates[0].price == 400              # a's shipping edit, same row, other field
    assert _setup(a.db) == merged == _setup(b.db)

    live = connect(copy_db(store_db(demo_source), tmp_path / "live.db"))
    try:
        assert _setup(live) == before
        release = publish(world.cloud, live, device_id=a.device_id, note="Checkout setup")
        assert _setup(live) == merged
        assert set(release.summary["tables"]) == {"discounts", "checkout_settings"}
    finally:
        live.close()


def test_the_hold_time_and_shipping_location_sync_field_by_field(world: World) -> None:
    a, b = world.devices
    warehouse = next(o for o in a.db.read(list_pickup_options) if o.name == "Harbor warehouse")
    save_hold_minutes(a.db, 20)
    save_ship_from(b.db, warehouse.location_id)            # the same row, another field: both are kept
    cycle(a, world.cloud)
    cycle(b, world.cloud)
    pull(a, world.cloud)
    for db in (world.cloud, a.db, b.db):
        setup = _setup(db)
        assert (setup.hold_minutes, setup.shipping.ship_from) == (20, warehouse.location_id)
    save_hold_minutes(b.db, 30)                             # the later edit of one field wins
    cycle(b, world.cloud)
    pull(a, world.cloud)
    assert _setup(a.db).hold_minutes == 30


@pytest.mark.parametrize(("fields", "field"), [
    ({"hold_minutes": 0}, "hold_minutes"), ({"hold_minutes": 100_000}, "hold_minutes"),
    ({"hold_minutes": "10"}, "hold_minutes"), ({"ship_from": "../../x"}, "ship_from"),
])
def test_a_push_of_a_bad_hold_time_or_location_is_refused(world: World, fields: dict, field: str) -> None:
    a = world.devices[0]
    before = state(world.cloud)
    op = {"op_id": f"{a.device_id}:1", "hlc": f"{1_900_000_000_001:013d}-00000-{a.device_id}",
          "table": "checkout_settings", "key": "checkout", "fields": fields, "base": dict.fromkeys(fields),
          "delete": False}
    with pytest.raises(RowRefused) as caught:
        merge.apply_push(world.cloud, a.device_id, [op])
    assert caught.value.details["field"] == field
    assert state(world.cloud) == before
