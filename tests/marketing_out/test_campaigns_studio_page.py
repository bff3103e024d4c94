"""Marketing ▸ Campaigns in the studio (Qt offscreen) against a real cloud app on loopback: the merchant
writes a campaign (a missing subject is refused), previews it, sends a test to themself, sends it, and
the page follows its counts while the cloud's own loop queues the subscribers' copies."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import create_token
from shared.customers import record_consent
from shared.mail import outbox_entries
from shared.storefront.service import DataDir, open_store
from shared.sync.client import Syncer
from studio.marketing import CampaignsPage
from studio.marketing.page import NOT_LINKED_TEXT


class LoopThread:
    """An event loop on its own thread: the cloud app runs there while Qt runs here."""

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
def cloud(demo_dir: Path) -> Iterator[Syncer]:
    store = open_store(DataDir(demo_dir), "demo")
    store.db.write(lambda conn: [record_consent(conn, email=f"s{i}@example.com", consented=True, source="checkout")
                                 for i in range(3)])
    store.close()
    loops = LoopThread()
    runner = web.AppRunner(create_app(ServeConfig(data_dir=demo_dir, dev_hints=True)))
    loops.run(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loops.run(site.start())
    port = site._server.sockets[0].getsockname()[1]
    catalog = DataDir(demo_dir).catalog()
    try:
        token = create_token(catalog, store_id=store.record.id, name="Device: Laptop",
                             scopes=["marketing:read", "marketing:write"])
    finally:
        catalog.close()
    syncer = Syncer.__new__(Syncer)          # the admin calls need only the client, the remote and the token
    syncer.client = httpx.Client(headers={"Host": "demo.localhost"})
    syncer.remote, syncer.token = f"http://127.0.0.1:{port}", token
    try:
        yield syncer
    finally:
        syncer.client.close()
        loops.run(runner.cleanup())
        loops.close()


def test_the_merchant_writes_tests_and_sends_a_campaign(qtbot, cloud, demo_dir: Path):  # noqa: ANN001
    page = CampaignsPage(Controller(cloud))
    qtbot.addWidget(page)
    assert page.list.count() == 0 and not page.send_button.isEnabled()

    page.body.edit.setPlainText("Everything is 20 % off.")
    page.save()
    assert "subject" in page.notice.text() and page.list.count() == 0

    page.subject.setText("Winter sale")
    page.body.set_html("<h1>Winter sale</h1><p>Everything is 20 % off.</p>")
    qtbot.waitUntil(lambda: "Winter sale" in page.preview.toPlainText(), timeout=20_000)
    page.save()
    assert page.list.count() == 1 and "draft" in page.list.item(0).text() and page.send_button.isEnabled()

    page.test_to.setText("owner@example.com")
    page.send_test()
    assert "owner@example.com" in page.notice.text()
    store = open_store(DataDir(demo_dir), "demo")
    try:
        [test] = [json.loads(r.payload) for r in store.db.read(lambda conn: outbox_entries(conn, kind="email"))
                  if ":test:" in r.dedupe_key]
        assert test["to"] == "owner@example.com" and test["subject"] == "[Test] Winter sale"
    finally:
        store.close()

    page.send()
    assert "Sending to 3 subscribers" in page.notice.text() and not page.send_button.isEnabled()

    def all_queued() -> bool:
        page.refresh()
        return "3 queued" in page.counts.text() or "3 sent" in page.counts.text()

    qtbot.waitUntil(all_queued, timeout=20_000)
    assert page.subject.isReadOnly()


def test_an_unlinked_store_is_told_where_campaigns_live(qtbot):  # noqa: ANN001
    page = CampaignsPage(Controller(None))
    qtbot.addWidget(page)
    assert page.notice.text() == NOT_LINKED_TEXT and not page.new_button.isEnabled()
