"""finalize called at the same moment by two processes (the webhook's worker and the confirmation
request's) for one paid PaymentIntent: one order, one pair of e-mails, one stock movement."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from shared.checkout.finalize import OutcomeStatus
from shared.checkout.workflow import place_order
from shared.payments import ENV_VAR, SecretBox
from support_checkout import make_shop, request
from support_stripe import LocalStripe

WORKER = Path(__file__).with_name("finalize_worker.py")


async def test_two_processes_finalize_one_payment_into_one_order(tmp_path: Path, localstripe: LocalStripe) -> None:
    key = os.urandom(32)
    shop = make_shop(tmp_path / "store.db", box=SecretBox(key), api_base=localstripe.url)
    outcome = await place_order(shop.context(), request(shop, quantity=2), card=localstripe.card("4000002500003155"))
    assert outcome.status is OutcomeStatus.REQUIRES_ACTION
    localstripe.authenticate(outcome.payment_intent_id, outcome.client_secret, success=True)
    go = tmp_path / "go"
    env = {**os.environ, ENV_VAR: base64.urlsafe_b64encode(key).decode(),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, str(WORKER), str(tmp_path / "store.db"), localstripe.url,
                               outcome.payment_intent_id, str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for _ in range(2)]
    go.touch()
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [err for _, err in results]
    order_ids = {out.strip() for out, _ in results}
    assert len(order_ids) == 1
    assert shop.count("orders") == 1 and shop.count("outbox") == 2
    assert shop.count("stock_movements WHERE reason = 'sold'") == 1 and shop.stock(shop.variants[0]) == 3
    shop.db.close()
