"""One process calling finalize for a PaymentIntent (the race test runs two at once):
python finalize_worker.py DB_PATH API_BASE INTENT_ID GO_FILE; the secrets key in $VIBESHOP_SECRETS_KEY.
Prints the order id it got."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from shared.checkout.attempt import CheckoutContext
from shared.checkout.finalize import finalize
from shared.db import connect
from shared.payments import StripeOptions, provider_for, secrets_box_from_env

STORE_ID = "store-under-test"


async def main(db_path: str, api_base: str, intent_id: str, go: str) -> None:
    db = connect(db_path)
    box = secrets_box_from_env()
    ctx = CheckoutContext(db=db, store_id=STORE_ID, site_url="http://shop.test",
                          providers=lambda method: provider_for(db, store_id=STORE_ID, method=method, box=box,
                                                                options=StripeOptions(api_base=api_base)))
    while not Path(go).exists():          # both processes start finalize together
        time.sleep(0.005)
    outcome = await finalize(ctx, payment_intent_id=intent_id)
    print(outcome.order.id if outcome.order else outcome.status, flush=True)
    db.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
