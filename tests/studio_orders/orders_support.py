"""Helpers of the studio Orders tests (a module name no other test folder uses): placing a real order
over HTTP (a pickup paid in store: no Stripe needed) and giving a linked studio's device token the
orders and customers scopes the contract promises device tokens."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from shared.storefront.service import DataDir

ADDRESS = {"country_code": "US", "name": "Ada Lovelace", "street_address": "1 Market St", "city": "San Francisco",
           "country_area": "CA", "postal_code": "94103"}
DEVICE_SCOPES = ["sync", "store:read", "store:write", "orders:read", "orders:write", "customers:read",
                 "customers:write"]


def place_pickup_order(base_url: str, host: str, *, email: str = "grace@example.com") -> str:
    """Buy one tee as a shopper over HTTP (pickup, pay in store); the order page's address."""
    same = {"Host": host, "Origin": f"http://{host}"}
    with httpx.Client(base_url=base_url, timeout=30) as shopper:
        product = shopper.get("/products/harbor-classic-tee", headers={"Host": host}).text
        variant = re.search(r'name="(?:variant_)?id" value="([^"]+)"', product)
        assert variant, "the product form names its variant"
        assert shopper.post("/cart/add.js", json={"id": variant[1], "quantity": 1}, headers=same).status_code == 200
        quote = shopper.post("/checkout/quote", json={"delivery": "pickup"}, headers=same)
        assert quote.status_code == 200 and "quote" in quote.json(), quote.text
        pickup = quote.json()["quote"]["shipping_option"]
        started = shopper.post("/checkout/start", json={"email": email, "delivery": "pickup",
                                                        "shippingOptionId": pickup["id"],
                                                        "paymentMethod": "pay_in_store"}, headers=same)
        assert started.status_code == 200, started.text
        paid = shopper.post("/checkout/pay", json={"attemptId": started.json()["attemptId"]}, headers=same)
        assert paid.status_code == 200, paid.text
        return paid.json()["orderUrl"]


def grant_device_scopes(cloud_data: Path) -> None:
    """The contract gives device tokens orders:* and customers:* (pairing is another helper's file):
    until that lands, the tests give the studio's token those scopes in the catalog directly."""
    catalog = DataDir(cloud_data).catalog()
    try:
        catalog.write(lambda conn: conn.execute("UPDATE api_tokens SET scopes = ? WHERE name LIKE 'Device: %'",
                                                (json.dumps(DEVICE_SCOPES),)))
    finally:
        catalog.close()


async def place_order_async(client, *, host: str = "demo.localhost", email: str = "grace@example.com") -> str:
    """place_pickup_order through an aiohttp test client (its cookie jar is the shopper's)."""
    same = {"Host": host, "Origin": f"http://{host}"}
    client.session.cookie_jar.clear()
    product = await (await client.get("/products/harbor-classic-tee", headers={"Host": host})).text()
    variant = re.search(r'name="(?:variant_)?id" value="([^"]+)"', product)
    assert variant, "the product form names its variant"
    assert (await client.post("/cart/add.js", json={"id": variant[1], "quantity": 1}, headers=same)).status == 200
    quote = await (await client.post("/checkout/quote", json={"delivery": "pickup"}, headers=same)).json()
    started = await client.post("/checkout/start", json={"email": email, "delivery": "pickup",
                                                         "shippingOptionId": quote["quote"]["shipping_option"]["id"],
                                                         "paymentMethod": "pay_in_store"}, headers=same)
    assert started.status == 200, await started.text()
    paid = await client.post("/checkout/pay", json={"attemptId": (await started.json())["attemptId"]}, headers=same)
    assert paid.status == 200, await paid.text()
    return (await paid.json())["orderUrl"]


DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_section_screenshot(widget, name: str, tmp_path: Path) -> Path:
    """Grab `widget` into tmp_path/name (checked to be a PNG); also into docs/screenshots/ with
    VIBESHOP_DOCS_SCREENSHOTS=1, as tests/studio/screenshots.py does for the other sections."""
    import os
    import shutil

    path = tmp_path / name
    assert widget.grab().save(str(path), "PNG"), f"could not write {path}"
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if os.environ.get("VIBESHOP_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / name)
    return path


def stock_up(data: Path, units: int = 50) -> None:
    """Receive `units` of every variant at every location of the demo store, so that many shoppers can
    pick up (the demo's pickup shop holds only a few of each)."""
    from datetime import UTC, datetime

    from shared.db.repositories import inventory as inventory_repo
    from shared.db.stamps import new_id
    from shared.inventory import record_movement
    from shared.storefront.service import open_store

    store = open_store(DataDir(data), "demo")
    now = datetime.now(UTC)

    def write(conn) -> None:
        for location in inventory_repo.list_locations(conn):
            for (variant,) in conn.all("SELECT id FROM variants"):
                record_movement(conn, change_id=new_id(), variant_id=variant, location_id=location.id, delta=units,
                                reason="received", occurred_at=now, now=now)

    try:
        store.db.write(write)
    finally:
        store.close()
