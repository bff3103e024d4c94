"""The Orders section's live updates against a small SSE server on loopback that speaks the contract
(`event: order-updated`, `id: <seq>`, data {id, number, version, type}): the open list and the opened
order refresh by themselves when the POS changes an order; "order.oversold" raises "Order #N oversold"
and an Oversold badge in the list and the detail (from the order's `oversold_at`, or from the stream
when the cloud does not send the key); after a dropped stream the studio reconnects with Last-Event-ID
and gets the changes (and new orders) it missed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.storefront.service import DataDir, open_store
from shared.sync import device
from sse_fake_cloud import TOKEN, SseFakeCloud, order_json
from studio.orders.detail import is_oversold, order_html
from studio.orders.live import parse_events


@pytest.fixture
def fake() -> Iterator[SseFakeCloud]:
    cloud = SseFakeCloud().start()
    yield cloud
    cloud.close()


@pytest.fixture
def section_on(demo_dir: Path, qtbot, studio_look) -> Iterator:
    """section_on(cloud) -> the Orders section of the demo store linked to `cloud` (no sync cycles)."""
    from studio.orders.section import OrdersSection
    from studio.publish.controller import SyncController
    from studio.session import StudioSession

    made = []

    def make(cloud: SseFakeCloud) -> OrdersSection:
        store = open_store(DataDir(demo_dir), "demo")
        device.link_device(store.db, device_id="device-1", remote=cloud.url, token=TOKEN)
        session = StudioSession(DataDir(demo_dir), store)
        sync = SyncController(session)
        section = OrdersSection(sync, demo_dir, "demo")
        qtbot.addWidget(section)
        section.resize(1300, 800)
        section.show()
        made.append((section, sync, session))
        qtbot.waitUntil(lambda: section.listener is not None and section.listener.connected and cloud.listeners == 1,
                        timeout=30_000)
        return section

    yield make
    for section, sync, session in made:
        section.shutdown()
        sync.stop()
        session.close()


def _status(section, row: int = 0) -> str:  # noqa: ANN001
    return section.table.item(row, 3).text()


def test_a_pos_change_refreshes_the_open_list_and_detail(fake: SseFakeCloud, section_on, qtbot) -> None:
    fake.orders["order-1001"] = order_json(1001)
    fake.orders["order-1002"] = order_json(1002)
    section = section_on(fake)
    qtbot.waitUntil(lambda: section.table.rowCount() == 2, timeout=30_000)
    section.open_order("order-1001")
    qtbot.waitUntil(lambda: (section.model.detail or {}).get("id") == "order-1001", timeout=30_000)

    fake.push_update("order-1001", "order.ready_for_pickup", pickupStatus="ready")
    qtbot.waitUntil(lambda: section.model.detail.get("pickupStatus") == "ready", timeout=30_000)
    qtbot.waitUntil(lambda: "Ready for pickup" in _status(section, 1), timeout=30_000)
    assert "Ready for pickup" in section.detail.toPlainText()
    assert section.picked_button.isEnabled() and not section.ready_button.isEnabled()

    # Another order's change refreshes the list only; the opened order stays the opened one.
    fake.push_update("order-1002", "order.cancelled", cancelledAt="2026-12-05T12:00:00+00:00")
    qtbot.waitUntil(lambda: _status(section, 0).startswith("Cancelled"), timeout=30_000)
    assert section.model.detail["id"] == "order-1001" and section.notices == []
    assert "Oversold" not in section.detail.toPlainText() and not _status(section, 1).startswith("Oversold")


def test_oversold_raises_a_notification_and_a_badge(fake: SseFakeCloud, section_on, qtbot, tmp_path: Path) -> None:
    fake.orders["order-1001"] = order_json(1001)
    section = section_on(fake)
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=30_000)
    section.open_order("order-1001")
    qtbot.waitUntil(lambda: section.model.detail is not None, timeout=30_000)

    fake.push_update("order-1001", "order.oversold", oversold_at="2026-12-05T10:05:00+00:00")
    qtbot.waitUntil(lambda: bool(section.notices), timeout=30_000)
    title, text = section.notices[0]
    assert title == "Order #1001 oversold" and "counter" in text
    qtbot.waitUntil(lambda: _status(section).startswith("Oversold · "), timeout=30_000)
    qtbot.waitUntil(lambda: bool(section.model.detail.get("oversold_at")), timeout=30_000)
    assert "Oversold (" in section.detail.toPlainText()
    assert section.table.item(0, 3).font().bold()
    path = tmp_path / "studio-orders-oversold.png"
    assert section.grab().save(str(path), "PNG")
    if os.environ.get("VIBESHOP_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, Path(__file__).resolve().parents[2] / "docs" / "screenshots" / path.name)


def test_a_cloud_without_the_key_still_shows_what_the_stream_said(fake: SseFakeCloud, section_on, qtbot) -> None:
    fake.orders["order-1001"] = order_json(1001)
    fake.orders["order-1002"] = order_json(1002)
    section = section_on(fake)
    qtbot.waitUntil(lambda: section.table.rowCount() == 2, timeout=30_000)
    assert not any(_status(section, row).startswith("Oversold") for row in range(2))
    fake.push_update("order-1002", "order.oversold")          # no oversold_at in this cloud's JSON
    qtbot.waitUntil(lambda: _status(section, 0).startswith("Oversold · "), timeout=30_000)
    assert not _status(section, 1).startswith("Oversold")
    section.open_order("order-1002")
    qtbot.waitUntil(lambda: "Oversold" in section.detail.toPlainText(), timeout=30_000)


def test_a_dropped_stream_reconnects_with_last_event_id_and_gets_what_it_missed(fake: SseFakeCloud, section_on,
                                                                                  qtbot) -> None:
    fake.orders["order-1001"] = order_json(1001)
    section = section_on(fake)
    section.open_order("order-1001")
    qtbot.waitUntil(lambda: section.model.detail is not None, timeout=30_000)
    seq = fake.push_update("order-1001", "order.accepted")
    qtbot.waitUntil(lambda: section.listener.last_event_id == str(seq), timeout=30_000)

    fake.hold_streams()                 # the studio's reconnect waits until both changes below are made
    fake.drop_streams()
    qtbot.waitUntil(lambda: fake.listeners == 0, timeout=30_000)
    fake.push_update("order-1001", "order.ready_for_pickup", send=False, pickupStatus="ready")
    fake.push_order(order_json(1002), send=False)
    fake.admit_streams()
    qtbot.waitUntil(lambda: fake.listeners == 1, timeout=60_000)
    assert fake.last_event_ids == [None, str(seq)]
    qtbot.waitUntil(lambda: section.model.detail.get("pickupStatus") == "ready", timeout=30_000)
    qtbot.waitUntil(lambda: section.table.rowCount() == 2, timeout=30_000)
    # The reconnect's own reload can show both before the two missed events are read: wait for them.
    qtbot.waitUntil(lambda: section.listener.last_event_id == str(seq + 2), timeout=30_000)
    assert [title for title, _text in section.notices] == ["New order #1002"]


def test_parse_events_keeps_ids_and_the_detail_helpers() -> None:
    lines = ["event: order-updated", "id: 7", 'data: {"id": "a"}', "", ": ping", "", "event: order",
             'data: {"id": "b"}', ""]
    assert list(parse_events(iter(lines))) == [("order-updated", '{"id": "a"}', "7"), ("order", '{"id": "b"}', None)]
    assert not is_oversold({"id": "a"}) and not is_oversold({"oversold_at": None})
    assert is_oversold({"oversold_at": "2026-12-05T10:05:00+00:00"})
    assert "Oversold" not in order_html(order_json(1001)) and "Oversold" in order_html(order_json(1001), oversold=True)
