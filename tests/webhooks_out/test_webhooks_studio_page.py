"""Settings ▸ Webhooks in the studio (Qt offscreen) against a real cloud app on loopback: the merchant
adds a subscription (a refused URL is shown next to its field, the secret once), sends a test event
that a real receiver gets, sees the delivery in the log, turns the subscription off and deletes it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

import cloud.server.app as app_module
from cloud.server.config import ServeConfig
from cloud.server.webhooks_api import add_webhook_routes
from shared.accounts.service import create_token
from shared.storefront.service import DataDir, open_store
from shared.sync.client import Syncer
from shared.webhooks import WebhookPolicy, WebhookSender, verify_signature
from studio.webhooks_page import NOT_LINKED_TEXT, WebhooksPage
from webhook_receiver import Receiver


class LoopThread:
    """An event loop on its own thread: the cloud app and the receiver run there while Qt runs here."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro) -> Any:  # noqa: ANN001
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


class Controller:
    """The SyncController's part the page uses: `linked` and `run(work, done)` (here synchronous)."""

    def __init__(self, syncer: Syncer | None):
        self.syncer, self.linked = syncer, syncer is not None

    def run(self, work, done) -> bool:  # noqa: ANN001
        try:
            value, error = work(self.syncer), None
        except Exception as exc:  # noqa: BLE001 - handed to the page like the real controller does
            value, error = None, exc
        done(value, error)
        return True


@pytest.fixture
def cloud(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Syncer, LoopThread]]:
    original = app_module.add_routes

    def add_routes(app) -> None:  # noqa: ANN001
        if not any(r.canonical == "/api/admin/webhooks" for r in app.router.resources()):
            add_webhook_routes(app)
        original(app)

    monkeypatch.setattr(app_module, "add_routes", add_routes)
    loops = LoopThread()
    runner = web.AppRunner(app_module.create_app(ServeConfig(data_dir=demo_dir, dev_hints=True)))
    loops.run(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loops.run(site.start())
    port = site._server.sockets[0].getsockname()[1]
    store = open_store(DataDir(demo_dir), "demo")
    store.close()
    catalog = DataDir(demo_dir).catalog()
    try:
        token = create_token(catalog, store_id=store.record.id, name="Device: Laptop",
                             scopes=["webhooks:read", "webhooks:write"])
    finally:
        catalog.close()
    syncer = Syncer.__new__(Syncer)          # the admin calls need only the client, the remote and the token
    syncer.client = httpx.Client(headers={"Host": "demo.localhost"})
    syncer.remote, syncer.token = f"http://127.0.0.1:{port}", token
    try:
        yield syncer, loops
    finally:
        syncer.client.close()
        loops.run(runner.cleanup())
        loops.close()


def test_the_merchant_manages_webhooks_from_the_studio(qtbot, cloud, demo_dir: Path):
    syncer, loops = cloud
    receiver = Receiver()
    loops.run(receiver.start())
    page = WebhooksPage(Controller(syncer))
    qtbot.addWidget(page)
    assert page.list.count() == 0 and not page.test_button.isEnabled()

    page.url.setText("https://10.0.0.1/hook")
    page.event_boxes["order.paid"].setChecked(True)
    page.add()
    assert "private" in page.router.labels["url"].text() and not page.secret_holder.isVisibleTo(page)

    page.url.setText(receiver.url)
    page.add()
    secret = page.secret.text()
    assert secret.startswith("whsec_") and page.secret_holder.isVisibleTo(page)
    assert page.list.count() == 1 and receiver.url in page.list.item(0).text()

    page.send_test()
    store = open_store(DataDir(demo_dir), "demo")
    sender = WebhookSender(allow_loopback=True, policy=WebhookPolicy(base=0.01))
    try:
        loops.run(sender.deliver(store.db))
        loops.run(sender.aclose())
    finally:
        store.close()
    [got] = loops.run(receiver.wait_for(1))
    verify_signature(secret, got.body, got.headers["Vibeshop-Signature"])
    page.refresh()
    assert "webhook.test · succeeded · 1 attempt(s) · HTTP 200" in page.deliveries.item(0).text()

    page.toggle()
    assert "Off" in page.list.item(0).text() and page.toggle_button.text() == "Turn on"
    page.delete()
    assert page.list.count() == 0
    loops.run(receiver.stop())


def test_an_unlinked_store_is_told_where_webhooks_live(qtbot):
    page = WebhooksPage(Controller(None))
    qtbot.addWidget(page)
    assert page.notice.text() == NOT_LINKED_TEXT and not page.add_button.isEnabled()
