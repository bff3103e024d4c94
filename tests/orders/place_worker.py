"""One process placing N pay-in-store orders in a shop database (the numbering race runs several):
python place_worker.py DB_PATH VARIANT_ID LOCATION_ID N GO_FILE. Prints the order numbers it got."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from shared.checkout.attempt import CheckoutContext, CheckoutRequest
from shared.checkout.workflow import place_order
from shared.db import connect
from shared.payments import PayInStoreProvider


async def main(db_path: str, variant: str, location: str, count: str, go: str) -> None:
    db = connect(db_path)
    ctx = CheckoutContext(db=db, store_id="store-under-test", site_url="http://shop.test",
                          providers=lambda method: PayInStoreProvider())
    while not Path(go).exists():
        time.sleep(0.005)
    numbers = []
    for _ in range(int(count)):
        outcome = await place_order(ctx, CheckoutRequest(lines=((variant, 1),), email="ada@example.com",
                                                         payment_method="pay_in_store", shipping_option_id=location))
        numbers.append(outcome.order.number)
    print(" ".join(map(str, numbers)), flush=True)
    db.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
