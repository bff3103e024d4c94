"""The admin API's webhook subscriptions (/api/admin/webhooks): made, listed, changed, deleted, their
delivery log and a test event, with the webhooks:read / webhooks:write scopes; the secret is shown
once; unsafe URLs are a 422 with the field."""

from __future__ import annotations

from pathlib import Path

import pytest

import cloud.server.app as app_module
from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from cloud.server.webhooks_api import WEBHOOK_SENDER, add_webhook_routes, webhook_sender_ctx
from shared.accounts.service import create_token
from shared.storefront.service import DataDir, open_store
from shared.mail import OutboxWorker
from shared.webhooks import WEBHOOK, WebhookPolicy, WebhookSender, emit_event, verify_signature
from webhook_receiver import Receiver

DEMO = {"Host": "demo.localhost"}


def token(data: Path, scopes: list[str]) -> dict[str, str]:
    """Headers with a new token of the demo store."""
    store = open_store(DataDir(data), "demo")
    store.close()
    catalog = DataDir(data).catalog()
    try:
        value = create_token(catalog, store_id=store.record.id, name="test", scopes=scopes)
    finally:
        catalog.close()
    return {**DEMO, "Authorization": f"Bearer {value}"}


def make_client(aiohttp_client, monkeypatch: pytest.MonkeyPatch, config: ServeConfig):  # noqa: ANN001, ANN201
    """The cloud app with the webhook routes (registered before the storefront's catch-all, as the
    integrator wires them, unless app.py does already)."""
    original = app_module.add_routes

    def add_routes(app) -> None:  # noqa: ANN001
        if not any(r.canonical == "/api/admin/webhooks" for r in app.router.resources()):
            add_webhook_routes(app)
        original(app)

    monkeypatch.setattr(app_module, "add_routes", add_routes)
    return aiohttp_client(create_app(config))


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path, monkeypatch: pytest.MonkeyPatch):
    return await make_client(aiohttp_client, monkeypatch, ServeConfig(data_dir=demo_dir, dev_hints=True))


async def test_the_merchant_subscribes_sees_the_log_and_a_test_event_arrives(client, demo_dir: Path,
                                                                            receiver: Receiver):
    writer = token(demo_dir, ["webhooks:read", "webhooks:write"])
    made = await client.post("/api/admin/webhooks", headers=writer, json={
        "url": receiver.url, "events": ["order.paid", "order.created"], "description": "ERP"})
    assert made.status == 201
    created = await made.json()
    secret, webhook_id = created["secret"], created["id"]
    assert secret.startswith("whsec_") and created["events"] == ["order.created", "order.paid"]
    assert created["active"] is True and created["disabled"] is False and created["secretHint"] == "…" + secret[-4:]
    listed = await (await client.get("/api/admin/webhooks", headers=writer)).json()
    assert [w["id"] for w in listed["webhooks"]] == [webhook_id]
    assert secret not in str(listed) and secret not in await (await client.get(
        f"/api/admin/webhooks/{webhook_id}", headers=writer)).text()

    test = await client.post(f"/api/admin/webhooks/{webhook_id}/test", headers=writer)
    assert test.status == 202 and (await test.json())["delivery"]["status"] == "pending"
    store = open_store(DataDir(demo_dir), "demo")
    receiver.fail_first = 0
    sender = WebhookSender(allow_loopback=True, policy=WebhookPolicy(base=0.01, jitter=0))
    try:
        await sender.deliver(store.db)
    finally:
        await sender.aclose()
        store.close()
    [got] = await receiver.wait_for(1)
    verify_signature(secret, got.body, got.headers["Vibeshop-Signature"])
    log = await (await client.get(f"/api/admin/webhooks/{webhook_id}/deliveries", headers=writer)).json()
    [delivery] = log["deliveries"]
    assert delivery["eventType"] == "webhook.test" and delivery["status"] == "succeeded"
    assert delivery["log"][0]["statusCode"] == 200 and delivery["log"][0]["durationMs"] >= 0

    paused = await client.patch(f"/api/admin/webhooks/{webhook_id}", headers=writer,
                                json={"active": False, "events": ["refund.created"]})
    assert paused.status == 200 and (await paused.json())["active"] is False
    gone = await client.delete(f"/api/admin/webhooks/{webhook_id}", headers=writer)
    assert (await gone.json()) == {"deleted": True}
    assert (await client.get(f"/api/admin/webhooks/{webhook_id}", headers=writer)).status == 404
    assert (await client.get(f"/api/admin/webhooks/{webhook_id}/deliveries", headers=writer)).status == 404


async def test_scopes_and_bad_input(client, demo_dir: Path):
    reader = token(demo_dir, ["webhooks:read"])
    writer = token(demo_dir, ["webhooks:write"])
    assert (await client.get("/api/admin/webhooks", headers=DEMO)).status == 401
    assert (await client.get("/api/admin/webhooks", headers=token(demo_dir, ["store:read"]))).status == 403
    assert (await client.get("/api/admin/webhooks", headers=reader)).status == 200
    body = {"url": "https://hooks.example.com/in", "events": ["order.paid"]}
    assert (await client.post("/api/admin/webhooks", headers=reader, json=body)).status == 403
    for bad, field in (({"url": "https://10.0.0.1/x", "events": ["order.paid"]}, "url"),
                       ({"url": "https://169.254.169.254/", "events": ["order.paid"]}, "url"),
                       ({"url": "http://hooks.example.com/in", "events": ["order.paid"]}, "url"),
                       ({"url": "https://hooks.example.com/in", "events": ["order.shipped"]}, "events"),
                       ({"url": "https://hooks.example.com/in", "events": []}, "events"),
                       ({"url": "https://hooks.example.com/in", "events": ["order.paid"], "active": "yes"}, "active"),
                       ({**body, "secret": "mine"}, "secret")):
        answer = await client.post("/api/admin/webhooks", headers=writer, json=bad)
        assert answer.status == 422, bad
        error = (await answer.json())["error"]
        assert error["field"] == field and error["message"], bad
    assert (await client.post("/api/admin/webhooks", headers=writer, data=b"[1]")).status == 400
    assert (await client.post("/api/admin/webhooks", headers=writer, data=b"{nope")).status == 400
    assert (await client.patch("/api/admin/webhooks/nope", headers=writer, json={})).status == 404
    assert (await client.post("/api/admin/webhooks/nope/test", headers=writer)).status == 404
    made = await (await client.post("/api/admin/webhooks", headers=writer, json=body)).json()
    bad_limit = await client.get(f"/api/admin/webhooks/{made['id']}/deliveries?limit=0", headers=reader)
    assert bad_limit.status == 422


async def test_loopback_receivers_need_test_mode(aiohttp_client, demo_dir: Path, monkeypatch: pytest.MonkeyPatch):
    client = await make_client(aiohttp_client, monkeypatch, ServeConfig(data_dir=demo_dir))
    writer = token(demo_dir, ["webhooks:write"])
    for url in ("http://127.0.0.1:9999/hook", "https://localhost/hook"):
        answer = await client.post("/api/admin/webhooks", headers=writer, json={"url": url, "events": ["order.paid"]})
        assert answer.status == 422 and (await answer.json())["error"]["field"] == "url"


async def test_the_wiring_recipe_delivers_an_event_committed_in_the_store(aiohttp_client, demo_dir: Path,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          receiver: Receiver):
    """What the integrator wires (docs/webhooks.md, "Sending"): webhook_sender_ctx, then the outbox worker
    with kinds={WEBHOOK: sender.deliver}: an event committed in a store's write reaches the receiver."""
    async def worker_ctx(app):  # noqa: ANN001, ANN202
        worker = OutboxWorker(None, lambda: [s.db for s in app[STORES].open_stores()],
                              kinds={WEBHOOK: app[WEBHOOK_SENDER].deliver}, poll_interval=0.05)
        await worker.start()
        yield
        await worker.stop()

    original = app_module.add_routes

    def add_routes(app) -> None:  # noqa: ANN001
        add_webhook_routes(app)
        app.cleanup_ctx.extend([webhook_sender_ctx, worker_ctx])
        original(app)

    monkeypatch.setattr(app_module, "add_routes", add_routes)
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, dev_hints=True)))
    receiver.fail_first = 0
    writer = token(demo_dir, ["webhooks:read", "webhooks:write"])
    made = await (await client.post("/api/admin/webhooks", headers=writer,
                                    json={"url": receiver.url, "events": ["order.paid"]})).json()
    store = await client.server.app[STORES].store_for("demo.localhost")
    await store.db.run_write(lambda conn: emit_event(conn, event_type="order.paid", data={"id": "o1"},
                                                     dedupe_key="order:o1:paid"))
    [got] = await receiver.wait_for(1)
    verify_signature(made["secret"], got.body, got.headers["Vibeshop-Signature"])
