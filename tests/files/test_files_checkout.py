"""checkout/checkout.json in the authoring folder: exported with the store, imported back (nothing
changes), an edit is stored, and a broken setup is refused at its line and column, storing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from files_support import read_json, write_json
from shared.checkout.setup_store import load_checkout_setup
from shared.files import FilesError, export_store, import_folder
from shared.storefront.service import Store

CHECKOUT = "checkout/checkout.json"


def test_the_setup_round_trips_and_an_edit_is_imported(demo: Store, folder: Path) -> None:
    data = read_json(folder / CHECKOUT)
    assert list(data) == ["tax", "shipping", "pickup", "discounts", "hold_minutes"]
    assert (data["shipping"]["ship_from"], data["hold_minutes"]) == (None, 10)
    assert [d["code"] for d in data["discounts"]] == ["WELCOME10", ""]
    assert any(p["name"] == "Pine Street shop" and p["enabled"] for p in data["pickup"])
    before = demo.db.read(load_checkout_setup)
    assert import_folder(demo.db, folder).checkout_changed is False
    data["shipping"]["zones"][0]["rates"][0]["price"] = 600
    data["discounts"].append({"kind": "fixed_amount", "method": "code", "code": "TAKE5", "amount": 500})
    data["discounts"] = [d for d in data["discounts"] if d["code"] != "WELCOME10"]
    write_json(folder / CHECKOUT, data)
    summary = import_folder(demo.db, folder)
    assert summary.checkout_changed and "checkout setup updated" in summary.line()
    after = demo.db.read(load_checkout_setup)
    assert after.shipping.zones[0].rates[0].price == 600
    assert [d.code for d in after.discounts] == ["", "TAKE5"]
    assert after.tax == before.tax
    assert import_folder(demo.db, folder).checkout_changed is False      # the derived id finds it again


@pytest.mark.parametrize(("edit", "needle"), [
    (lambda d: d["tax"]["rates"][0].update(region="ZZ"), "tax.rates[0].region"),
    (lambda d: d["discounts"][0].update(percent="150"), "discounts[0].percent"),
    (lambda d: d["pickup"][0].update(country="XX"), "pickup[0].country"),
    (lambda d: d.update(extra=1), 'unknown key "extra"'),
    (lambda d: d.update(hold_minutes=0), "hold_minutes: must be a whole number of minutes from 1 to 1440"),
    (lambda d: d.update(hold_minutes="10"), "hold_minutes: must be a whole number"),
    (lambda d: d["shipping"].update(ship_from="not an id"), "shipping.ship_from: must be a location id"),
])
def test_a_broken_setup_is_refused_where_it_is_and_stores_nothing(demo: Store, folder: Path, edit, needle) -> None:
    data = read_json(folder / CHECKOUT)
    edit(data)
    write_json(folder / CHECKOUT, data)
    before = demo.db.read(load_checkout_setup)
    with pytest.raises(FilesError) as caught:
        import_folder(demo.db, folder)
    problems = [p for p in caught.value.problems if p.path == CHECKOUT]
    assert problems and needle in problems[0].message and problems[0].line > 1
    assert demo.db.read(load_checkout_setup) == before


def test_pickup_for_a_location_the_store_lacks_is_left_out_with_a_warning(demo: Store, folder: Path) -> None:
    data = read_json(folder / CHECKOUT)
    data["pickup"][0]["location_id"] = "somewhere-else"
    write_json(folder / CHECKOUT, data)
    summary = import_folder(demo.db, folder)
    assert any("left out: this store has no such location" in w and w.startswith(CHECKOUT) for w in summary.warnings)


def test_the_shipping_location_and_hold_time_are_exported_and_imported(demo: Store, folder: Path) -> None:
    from shared.checkout.setup_store import list_pickup_options

    warehouse = next(o for o in demo.db.read(list_pickup_options) if o.name == "Harbor warehouse")
    data = read_json(folder / CHECKOUT)
    data["shipping"]["ship_from"] = warehouse.location_id
    data["hold_minutes"] = 25
    write_json(folder / CHECKOUT, data)
    assert import_folder(demo.db, folder).checkout_changed
    setup = demo.db.read(load_checkout_setup)
    assert (setup.shipping.ship_from, setup.hold_minutes) == (warehouse.location_id, 25)
    assert import_folder(demo.db, folder).checkout_changed is False

    again = folder.parent / "again"
    export_store(demo.db, again)
    exported = read_json(again / CHECKOUT)
    assert (exported["shipping"]["ship_from"], exported["hold_minutes"]) == (warehouse.location_id, 25)

    # A folder of another store names a location this one lacks: left out, the store's own setting kept.
    data["shipping"]["ship_from"] = "somewhere-else"
    del data["hold_minutes"]                 # a file from before the setting: the default
    write_json(folder / CHECKOUT, data)
    summary = import_folder(demo.db, folder)
    assert any("ship_from 'somewhere-else' left out" in w for w in summary.warnings)
    setup = demo.db.read(load_checkout_setup)
    assert (setup.shipping.ship_from, setup.hold_minutes) == (warehouse.location_id, 10)
