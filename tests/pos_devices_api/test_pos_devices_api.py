"""The admin API's POS devices (GET/POST/DELETE /api/admin/pos/devices) over a real aiohttp server on
loopback, with a studio's token from real pairing: the token made is shown once and works on the POS
API at its location; the list names the location and shows revoked devices; a revoked token is refused;
bad input gets a clear 4xx; another store's device and a token without the scope are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.pairing import create_pairing_code, redeem_pairing_code
from shared.accounts.service import create_pos_device_token, create_token
from shared.db.repositories.inventory import list_locations
from shared.storefront.service import DataDir, open_store
from support import wait_for_async

DEMO = {"Host": "demo.localhost"}
MIGRATION = Path(__file__).parents[2] / "shared/db/migrations/catalog/0008_pos_devices_scope.sql"


def _store_and_locations(data: Path) -> tuple[str, dict[str, str]]:
    store = open_store(DataDir(data), "demo")
    try:
        return store.record.id, {loc.name: loc.id for loc in store.db.read(list_locations)}
    finally:
        store.close()


@pytest.fixture
def studio_token(demo_dir: Path) -> str:
    """A paired studio's token (the scopes pairing grants today)."""
    store_id, _ = _store_and_locations(demo_dir)
    catalog = DataDir(demo_dir).catalog()
    try:
        return redeem_pairing_code(catalog, code=create_pairing_code(catalog, store_id=store_id),
                                   device_name="Laptop").token
    finally:
        catalog.close()


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


def _auth(token: str) -> dict[str, str]:
    return {**DEMO, "Authorization": f"Bearer {token}"}


async def test_add_list_use_and_revoke_a_device(client, studio_token: str, demo_dir: Path) -> None:
    _, locations = _store_and_locations(demo_dir)
    made = await client.post("/api/admin/pos/devices", json={"name": "Front till", "location": "Pine Street shop"},
                             headers=_auth(studio_token))
    assert made.status == 201, await made.text()
    body = await made.json()
    token, device = body["token"], body["device"]
    assert token.startswith(f"vs_{device['id']}_")
    assert device["name"] == "Front till" and device["revoked"] is False and device["lastUsedAt"] is None
    assert device["location"] == {"id": locations["Pine Street shop"], "name": "Pine Street shop"}

    counts = await client.get("/pos/v1/inventory/counts", headers=_auth(token))
    assert counts.status == 200, await counts.text()

    listed = await (await client.get("/api/admin/pos/devices", headers=_auth(studio_token))).json()
    assert [d["id"] for d in listed["devices"]] == [device["id"]]
    assert "token" not in json.dumps(listed) and "secret" not in json.dumps(listed)

    revoked = await client.delete(f"/api/admin/pos/devices/{device['id']}", headers=_auth(studio_token))
    assert revoked.status == 200
    assert (await revoked.json())["device"]["revoked"] is True
    assert (await client.get("/pos/v1/inventory/counts", headers=_auth(token))).status == 401
    again = await client.delete(f"/api/admin/pos/devices/{device['id']}", headers=_auth(studio_token))
    assert again.status == 409 and (await again.json())["error"]["code"] == "already_revoked"
    listed = await (await client.get("/api/admin/pos/devices", headers=_auth(studio_token))).json()
    assert listed["devices"][0]["revoked"] is True and listed["devices"][0]["revokedAt"]


async def test_last_use_shows_once_the_device_has_called(client, studio_token: str, demo_dir: Path) -> None:
    made = await (await client.post("/api/admin/pos/devices", json={"name": "Till", "location": "Harbor warehouse"},
                                    headers=_auth(studio_token))).json()
    assert (await client.get("/pos/v1/inventory/counts", headers=_auth(made["token"]))).status == 200
    async def last_used() -> str | None:    # the last use is written in the background, after the answer
        listed = await (await client.get("/api/admin/pos/devices", headers=_auth(studio_token))).json()
        return listed["devices"][0]["lastUsedAt"]
    assert await wait_for_async(last_used, "the device's last use listed", timeout=10)


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"name": "Till", "location": "Moon"}, 422, "location"),
    ({"name": "", "location": "Pine Street shop"}, 422, "name"),
    ({"name": "x" * 101, "location": "Pine Street shop"}, 422, "name"),
    ({"name": 5, "location": "Pine Street shop"}, 422, "name"),
    ({"name": "Till\n2", "location": "Pine Street shop"}, 422, "name"),
    ({"name": "Till\x00", "location": "Pine Street shop"}, 422, "name"),
    ({"name": "Till\u20282", "location": "Pine Street shop"}, 422, "name"),
    ({"name": "Till", "location": ["Pine Street shop"]}, 422, "location"),
    ({"name": "Till"}, 422, "location"),
])
async def test_a_refused_field_is_named(client, studio_token: str, body: dict, status: int, field: str) -> None:
    answer = await client.post("/api/admin/pos/devices", json=body, headers=_auth(studio_token))
    assert answer.status == status
    error = (await answer.json())["error"]
    assert error["field"] == field and error["fields"][0]["field"] == field
    listed = await (await client.get("/api/admin/pos/devices", headers=_auth(studio_token))).json()
    assert listed["devices"] == []


async def test_malformed_bodies_unknown_devices_and_missing_scopes(client, studio_token: str, demo_dir: Path) -> None:
    for raw in (b"{", b"[]", b"null", b"\xff"):
        answer = await client.post("/api/admin/pos/devices", data=raw, headers=_auth(studio_token))
        assert answer.status == 400, raw
    assert (await client.delete("/api/admin/pos/devices/nosuch", headers=_auth(studio_token))).status == 404
    store_id, locations = _store_and_locations(demo_dir)
    catalog = DataDir(demo_dir).catalog()
    try:
        orders_only = create_token(catalog, store_id=store_id, name="script", scopes=["orders:read"])
        plain = create_token(catalog, store_id=store_id, name="script", scopes=["pos_devices"])
        other_id = plain.split("_")[1]     # an ordinary token is not a POS device: DELETE cannot revoke it
        till = create_pos_device_token(catalog, store_id=store_id, location_id=locations["Pine Street shop"],
                                       name="till")[1]
    finally:
        catalog.close()
    assert (await client.get("/api/admin/pos/devices", headers=_auth(orders_only))).status == 403
    assert (await client.get("/api/admin/pos/devices", headers=_auth(till))).status == 403
    assert (await client.get("/api/admin/pos/devices", headers=DEMO)).status == 401
    assert (await client.delete(f"/api/admin/pos/devices/{other_id}", headers=_auth(studio_token))).status == 404
    assert (await client.get("/api/admin/pos/devices", headers=_auth(plain))).status == 200


def test_studios_paired_before_get_the_scope_from_migration_0008(demo_dir: Path) -> None:
    store_id, _ = _store_and_locations(demo_dir)
    catalog = DataDir(demo_dir).catalog()
    try:
        device = redeem_pairing_code(catalog, code=create_pairing_code(catalog, store_id=store_id),
                                     device_name="Laptop")
        scopes = lambda token_id: json.loads(catalog.read(lambda conn: conn.scalar(  # noqa: E731
            "SELECT scopes FROM api_tokens WHERE id = ?", (token_id,))))
        assert "pos_devices" in scopes(device.device_id)
        catalog.write(lambda conn: conn.execute("UPDATE api_tokens SET scopes = '[\"sync\", \"orders:read\"]' "
                                                "WHERE id = ?", (device.device_id,)))
        manual_id = create_token(catalog, store_id=store_id, name="script", scopes=["orders:read"]).split("_")[1]
        catalog.write(lambda conn: conn.execute(MIGRATION.read_text()))
        assert set(scopes(device.device_id)) == {"sync", "orders:read", "pos_devices"}
        assert scopes(manual_id) == ["orders:read"]
    finally:
        catalog.close()
