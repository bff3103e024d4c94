"""A device's copy of the live store database carries no payment keys or records, not even as deleted
bytes (the live database keeps them)."""

from __future__ import annotations

from pathlib import Path

from cloud.sync.working_copy import device_copy
from shared.db import connect
from shared.db.repositories import payments as repo
from shared.payments import SecretBox, StripeKeys, set_stripe_keys, stripe_settings
from shared.storefront.service import DataDir, create_store

TABLES = ("stripe_credentials", "payment_attempts", "payment_webhook_events")


def test_the_device_copy_has_no_payment_keys_or_records(tmp_path: Path, box: SecretBox) -> None:
    store = create_store(DataDir(tmp_path / "data"), slug="corner-store", name="Corner Store")
    try:
        set_stripe_keys(store.db, store_id=store.record.id, box=box,
                        keys=StripeKeys("sk_test_DeviceNever1234", "pk_test_DeviceNever1234", "whsec_DeviceNever1234"))
        sealed = store.db.read(repo.get_stripe_credentials)
        store.db.write(lambda conn: (
            repo.insert_attempt(conn, repo.PaymentAttemptRow("attempt-secret-1", "stripe", "pi_SecretIntent1", 2500,
                                                              "USD", "pm_card_visa", "2026-12-05")),
            repo.record_webhook_event(conn, event_id="evt_SecretEvent1", type="payment_intent.succeeded",
                                      intent_id="pi_SecretIntent1", received_at="2026-12-05")))
        target = tmp_path / "device.db"
        device_copy(store, target)
        assert stripe_settings(store.db).configured                  # the live store keeps them
    finally:
        store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("device.db"))
    assert sealed is not None
    for secret in (sealed.secret_key_sealed, sealed.webhook_secret_sealed, "DeviceNever", "pi_SecretIntent1",
                   "evt_SecretEvent1", "attempt-secret-1"):
        assert secret.encode() not in raw
    copy = connect(target)
    try:
        assert [copy.read(lambda conn, t=t: conn.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES] == [0, 0, 0]
    finally:
        copy.close()
