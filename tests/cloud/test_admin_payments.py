"""The admin API's Stripe connection (PUT/GET/DELETE /api/admin/payments/stripe): the keys are sealed
into the store's live database, shown masked, never echoed; writing needs `store:write`."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.payments.secrets import ENV_VAR
from test_admin_api import DEMO, _auth, _token

SECRET = "sk_test_" + "a1B2" * 6 + "wxyz"
PUBLISHABLE = "pk_test_" + "c3D4" * 6 + "pqrs"
WEBHOOK = "whsec_" + "e5F6" * 6 + "klmn"


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ENV_VAR, base64.urlsafe_b64encode(os.urandom(32)).decode())
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


async def test_keys_are_stored_and_shown_masked_only(client, demo_dir: Path) -> None:
    writer = _token(demo_dir, "demo", ["store:read", "store:write"])
    before = await client.get("/api/admin/payments/stripe", headers=_auth(writer))
    assert before.status == 200 and (await before.json())["configured"] is False
    put = await client.put("/api/admin/payments/stripe", headers=_auth(writer),
                           json={"secretKey": SECRET, "publishableKey": PUBLISHABLE, "webhookSecret": WEBHOOK})
    assert put.status == 200
    text = await put.text()
    assert SECRET not in text and PUBLISHABLE not in text and WEBHOOK not in text
    shown = await (await client.get("/api/admin/payments/stripe", headers=_auth(writer))).json()
    assert shown["configured"] is True and shown["mode"] == "test"
    assert shown["secretKey"] == "sk_test_…wxyz" and shown["publishableKey"] == "pk_test_…pqrs"
    assert shown["webhookSecret"] == "whsec_…klmn"
    live_file = next((demo_dir / "stores").glob("*.db")).read_bytes()
    assert SECRET.encode() not in live_file, "sealed at rest"
    removed = await client.delete("/api/admin/payments/stripe", headers=_auth(writer))
    assert (await removed.json())["removed"] is True
    assert (await (await client.get("/api/admin/payments/stripe", headers=_auth(writer))).json())["configured"] is False


async def test_writing_keys_needs_store_write_and_well_formed_keys(client, demo_dir: Path) -> None:
    reader = _token(demo_dir, "demo", ["store:read"])
    body = {"secretKey": SECRET, "publishableKey": PUBLISHABLE}
    assert (await client.put("/api/admin/payments/stripe", json=body, headers=_auth(reader))).status == 403
    assert (await client.get("/api/admin/payments/stripe", headers=DEMO)).status == 401
    writer = _token(demo_dir, "demo", ["store:read", "store:write"])
    for bad, field in (({"secretKey": "sk_nope", "publishableKey": PUBLISHABLE}, "secretKey"),
                       ({"secretKey": SECRET, "publishableKey": "pk_live_" + "x" * 24}, "publishableKey"),
                       ({"secretKey": SECRET, "publishableKey": PUBLISHABLE, "webhookSecret": "nope"}, "webhookSecret"),
                       ({"secretKey": 5, "publishableKey": PUBLISHABLE}, "secretKey"),
                       ({"secret": SECRET}, "secret")):
        answer = await client.put("/api/admin/payments/stripe", json=bad, headers=_auth(writer))
        assert answer.status == 422, bad
        error = (await answer.json())["error"]
        assert field in [f["field"] for f in error["fields"]], (bad, error)
        assert "sk_nope" not in error["message"]
    shown = await (await client.get("/api/admin/payments/stripe", headers=_auth(writer))).json()
    assert shown["configured"] is False


async def test_without_a_secrets_key_the_deployment_says_so(client, demo_dir: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR)
    writer = _token(demo_dir, "demo", ["store:read", "store:write"])
    answer = await client.put("/api/admin/payments/stripe", headers=_auth(writer),
                              json={"secretKey": SECRET, "publishableKey": PUBLISHABLE})
    assert answer.status == 503 and ENV_VAR in (await answer.json())["error"]["message"]


async def test_on_the_clouds_own_address_the_token_names_the_store(client, demo_dir: Path) -> None:
    """A linked studio talks to the cloud's address, not the store's: its token says which store."""
    writer = _token(demo_dir, "demo", ["store:read", "store:write"])
    bare = {"Host": "127.0.0.1", "Authorization": f"Bearer {writer}"}
    put = await client.put("/api/admin/payments/stripe", headers=bare,
                           json={"secretKey": SECRET, "publishableKey": PUBLISHABLE})
    assert put.status == 200
    shown = await (await client.get("/api/admin/payments/stripe", headers=_auth(writer))).json()
    assert shown["configured"] is True
    for headers in ({"Host": "127.0.0.1"}, {"Host": "127.0.0.1", "Authorization": "Bearer nope"}):
        assert (await client.get("/api/admin/payments/stripe", headers=headers)).status == 404
