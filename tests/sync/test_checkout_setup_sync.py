"""The checkout setup is authored content: an edit on a device reaches the cloud's working copy, the
other device and, by a publish, the live database; two devices editing two discounts keep both edits."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from shared.checkout.setup_store import load_checkout_setup, save_discount, save_shipping, save_tax
from shared.db import connect
from shared.releases import publish
from tests.sync.conftest import World, copy_db, cycle, pull, store_db


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
