"""The webhooks' tables (signing secrets, and deliveries carrying whole orders) stay in the cloud: a
device's copy of the store's live database has none of their rows."""

from __future__ import annotations

from pathlib import Path

from cloud.sync.working_copy import device_copy
from shared.db import connect
from shared.webhooks import create_subscription, emit_event

TABLES = ("webhook_subscriptions", "webhook_deliveries", "webhook_attempts", "outbox")


def test_a_device_copy_has_no_subscription_secret_or_delivery(store, tmp_path: Path):
    made, secret = store.db.write(lambda conn: create_subscription(
        conn, {"url": "https://hooks.example.com/in", "events": ["order.paid"]}))
    store.db.write(lambda conn: emit_event(conn, event_type="order.paid", data={"email": "ada@example.org"},
                                           dedupe_key="order:1:paid"))
    store.db.write(lambda conn: conn.execute(
        "INSERT INTO webhook_attempts (id, delivery_id, attempt, status_code, duration_ms, error, created_at) "
        "SELECT 'a1', id, 1, 500, 3, 'down', created_at FROM webhook_deliveries"))
    target = tmp_path / "device.db"
    device_copy(store, target)
    copy = connect(target)
    try:
        for table in TABLES:
            assert copy.read(lambda conn, t=table: conn.scalar(f"SELECT count(*) FROM {t}")) == 0, table
    finally:
        copy.close()
    raw = target.read_bytes()
    assert secret.encode() not in raw and b"ada@example.org" not in raw and made.id.encode() not in raw
