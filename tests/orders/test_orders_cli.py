"""`vibeshop cloud stripe set` and `vibeshop cloud orders list|show`, run as a merchant would."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
from pathlib import Path

from shared.checkout.attempt import CheckoutContext, CheckoutRequest
from shared.checkout.workflow import place_order
from shared.payments import ENV_VAR, PayInStoreProvider, stripe_settings
from shared.storefront.service import DataDir, open_store
from support import VIBESHOP

KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VIBESHOP, "cloud", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, ENV_VAR: KEY, **(env or {})})


def _pay_in_store_order(data: Path) -> int:
    store = open_store(DataDir(data), "demo")
    try:
        ctx = CheckoutContext(db=store.db, store_id=store.record.id, site_url="http://demo.localhost",
                              providers=lambda method: PayInStoreProvider())
        location, variant = store.db.read(lambda conn: conn.one(
            "SELECT location_id, variant_id FROM stock_movements GROUP BY variant_id, location_id "
            "HAVING sum(delta) > 3 ORDER BY location_id LIMIT 1"))
        outcome = asyncio.run(place_order(ctx, CheckoutRequest(lines=((variant, 2),), email="ada@example.com",
                                                               payment_method="pay_in_store",
                                                               shipping_option_id=location)))
        return outcome.order.number
    finally:
        store.close()


def test_merchant_sets_stripe_keys_and_reads_orders(demo_dir: Path, tmp_path: Path) -> None:
    data = str(demo_dir)
    assert _cli("orders", "list", "--data", data, "--store", "demo", cwd=tmp_path).stdout.strip() == "No orders yet."
    keys = ("--secret-key", "sk_test_abcdefgh1234", "--publishable-key", "pk_test_abcdefgh1234",
            "--webhook-secret", "whsec_abcdefgh1234")
    done = _cli("stripe", "set", "--data", data, "--store", "demo", *keys, cwd=tmp_path)
    assert done.returncode == 0 and "test mode" in done.stdout and "sk_test_abcdefgh1234" not in done.stdout
    bad = _cli("stripe", "set", "--data", data, "--store", "demo", "--secret-key", "nope", "--publishable-key", "pk_x",
               cwd=tmp_path)
    assert bad.returncode == 2 and "secret key" in bad.stderr
    no_key = _cli("stripe", "set", "--data", data, "--store", "demo", *keys, cwd=tmp_path, env={ENV_VAR: ""})
    assert no_key.returncode == 2 and ENV_VAR in no_key.stderr
    store = open_store(DataDir(demo_dir), "demo")
    assert stripe_settings(store.db).mode == "test"
    store.close()

    number = _pay_in_store_order(demo_dir)
    listed = _cli("orders", "list", "--data", data, "--store", "demo", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith(f"#{number}\t") and "ada@example.com" in listed.stdout
    assert "unpaid" in listed.stdout
    shown = _cli("orders", "show", f"#{number}", "--data", data, "--store", "demo", cwd=tmp_path)
    assert shown.returncode == 0 and f"Order #{number}" in shown.stdout and "2 x " in shown.stdout
    assert "Pickup:" in shown.stdout and "placed" in shown.stdout and "stock_committed" in shown.stdout
    missing = _cli("orders", "show", "99999", "--data", data, "--store", "demo", cwd=tmp_path)
    assert missing.returncode == 2 and "no such order" in missing.stderr
