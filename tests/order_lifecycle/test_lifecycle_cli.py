"""`vibeshop cloud orders fulfil|ready|picked-up|cancel|refund`, run as the operator would, on the demo
data folder: a pay-in-store pickup order made ready, picked up (paid at the counter) and refunded at
the counter; a card order (localstripe) fulfilled with tracking and refunded by line; one cancelled."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
from pathlib import Path

from shared.checkout.attempt import CheckoutContext, CheckoutRequest
from shared.checkout.shipping import Destination
from shared.checkout.workflow import place_order
from shared.payments import ENV_VAR, SecretBox, StripeKeys, StripeOptions, provider_for, set_stripe_keys
from shared.storefront.service import DataDir, open_store
from support import VIBESHOP
from support_stripe import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET, LocalStripe

KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


def cli(*args: str, data: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VIBESHOP, "cloud", "orders", *args, "--data", str(data), "--store", "demo"], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env={**os.environ, ENV_VAR: KEY})


def place(data: Path, api_base: str, *, method: str) -> int:
    store = open_store(DataDir(data), "demo")
    try:
        box = SecretBox(base64.urlsafe_b64decode(KEY))
        set_stripe_keys(store.db, store_id=store.record.id, box=box,
                        keys=StripeKeys(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET))
        ctx = CheckoutContext(db=store.db, store_id=store.record.id, site_url="http://demo.localhost",
                              providers=lambda m: provider_for(store.db, store_id=store.record.id, method=m, box=box,
                                                               options=StripeOptions(api_base=api_base)))
        location, variant = store.db.read(lambda conn: conn.one(
            "SELECT location_id, variant_id FROM stock_movements GROUP BY variant_id, location_id "
            "HAVING sum(delta) > 3 ORDER BY location_id LIMIT 1"))
        pickup = method == "pay_in_store"
        request = CheckoutRequest(
            lines=((variant, 2),), email="ada@example.com", payment_method=method,
            shipping_option_id=location if pickup else "standard", destination=Destination("US", "CA", "94103"),
            shipping_address=None if pickup else {"name": "Ada", "street_address": "1 Market St", "city": "SF",
                                                  "country_area": "CA", "postal_code": "94103", "country_code": "US"})
        outcome = asyncio.run(place_order(ctx, request, card=None if pickup else "pm_card_visa"))
        return outcome.order.number
    finally:
        store.close()


def test_pickup_paid_at_the_counter_then_refunded_there(demo_dir: Path, tmp_path: Path,
                                                        localstripe: LocalStripe) -> None:
    number = place(demo_dir, localstripe.url, method="pay_in_store")
    ready = cli("ready", f"#{number}", data=demo_dir, cwd=tmp_path)
    assert ready.returncode == 0, ready.stderr
    assert "pickup ready" in ready.stdout and "(admin:cli)" in ready.stdout
    again = cli("ready", str(number), data=demo_dir, cwd=tmp_path)
    assert again.returncode == 2 and "ready for pickup already" in again.stderr
    picked = cli("picked-up", str(number), data=demo_dir, cwd=tmp_path)
    assert picked.returncode == 0 and "payment paid, fulfilment fulfilled, pickup picked_up" in picked.stdout
    refund = cli("refund", str(number), "--line", "1:1", "--restock", "--reason", "wrong size", data=demo_dir,
                 cwd=tmp_path)
    assert refund.returncode == 0, refund.stderr
    assert "partially_refunded" in refund.stdout and "at the counter" in refund.stdout
    assert "1 refunded" in refund.stdout


def test_card_order_fulfilled_with_tracking_refunded_and_another_cancelled(demo_dir: Path, tmp_path: Path,
                                                                          localstripe: LocalStripe) -> None:
    number = place(demo_dir, localstripe.url, method="stripe")
    shipped = cli("fulfil", str(number), "--line", "1:1", "--carrier", "DHL", "--tracking-number", "JD0141",
                  data=demo_dir, cwd=tmp_path)
    assert shipped.returncode == 0, shipped.stderr
    assert "partially_fulfilled" in shipped.stdout and "DHL JD0141" in shipped.stdout
    shown = cli("show", str(number), data=demo_dir, cwd=tmp_path)
    assert "(1 sent)" in shown.stdout and "DHL JD0141" in shown.stdout and "E-mail shipping:" in shown.stdout
    bad = cli("fulfil", str(number), "--line", "1:5", data=demo_dir, cwd=tmp_path)
    assert bad.returncode == 2 and "1 units left" in bad.stderr
    refund = cli("refund", str(number), "--amount", "1.00", "--stripe-api", localstripe.url, data=demo_dir,
                 cwd=tmp_path)
    assert refund.returncode == 0, refund.stderr
    assert "partially_refunded" in refund.stdout
    assert localstripe.get("/v1/refunds")["data"][0]["amount"] == 100
    other = place(demo_dir, localstripe.url, method="stripe")
    cancelled = cli("cancel", str(other), "--reason", "fraud check", "--stripe-api", localstripe.url, data=demo_dir,
                    cwd=tmp_path)
    assert cancelled.returncode == 0, cancelled.stderr
    assert "payment refunded" in cancelled.stdout and "cancelled (fraud check)" in cancelled.stdout
