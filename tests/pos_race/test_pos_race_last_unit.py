"""The last unit, issue 13 section 4: 50 online checkouts race a POS sale of the last unit over real
HTTP, 100 rounds. Each round ends in exactly one of two states:

- "pos":   the POS sold it and every checkout was refused (sold out); stock 0, no order;
- "order": one order won, and the POS sale drove stock to -1 with that order flagged oversold.

Never two orders, never a 5xx, and the POS sale is always accepted (the goods left the counter).

It is the checkout race's harness (tests/checkout_race: `vibeshop cloud serve --workers 2` on the demo,
paying through localstripe, the same shopper steps), with a POS till beside it: between rounds the
parent puts exactly 1 unit at the till's location; once every cart holds the unit the shoppers race,
and the parent sends the till's sale, POST /pos/v1/inventory/changes with the device's token, after a
random pause (0 to a few hundred ms), so that it lands anywhere in the race: before every checkout,
between a shopper's checkout and payment, while a payment runs, or after the order. The shoppers are
50 threads (each its own HTTP client, cookie jar and client address) rather than 50 processes: they
wait on the network, and spawning 50 interpreters on a loaded 2-core machine would cost more than the
race itself."""

from __future__ import annotations

import collections
import queue
import random
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from checkout_race import shopper as shopper_module
from checkout_race.shopper import TIMEOUT
from checkout_race.test_last_unit_over_http import Cloud, _outcome, _set_one_unit, _tee_variant, _told_sold_out
from shared.accounts.service import create_pos_device_token
from shared.db import Connection
from shared.db.repositories import inventory as inventory_repo
from shared.inventory import stock_positions
from shared.orders import get_order, list_orders
from shared.storefront.service import DataDir, Store, open_store

SHOPPERS = 50
ROUNDS = 100
MAX_PAUSE = 0.4            # seconds: the POS sale lands anywhere from the race's start to after the order
CHANGES = "/pos/v1/inventory/changes"


@dataclass
class Till:
    """The POS device at the location the unit is at."""

    client: httpx.Client
    sku: str

    def sell_one(self, round_no: int) -> dict:
        """One sale of the last unit; a late POS sale is always accepted, so anything but 200 fails."""
        change = {"change_id": str(uuid.uuid4()), "type": "adjust", "sku": self.sku, "delta": -1, "reason": "sale",
                  "occurred_at": datetime.now(UTC).isoformat(), "reference": f"till-round-{round_no}"}
        answer = self.client.post(CHANGES, json={"changes": [change]}, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code == 200, (round_no, answer.status_code, answer.text)
        body = answer.json()
        assert body["applied"] == 1, (round_no, body)
        return body


def test_fifty_checkouts_race_a_pos_sale_of_the_last_unit(cloud: Cloud, demo_dir: Path) -> None:
    store = open_store(DataDir(demo_dir), "demo")
    try:
        variant_id = _tee_variant(store)
        location_id = store.db.read(inventory_repo.list_locations)[0].id
        sku = store.db.read(lambda conn: conn.scalar("SELECT sku FROM variants WHERE id = ?", (variant_id,)))
        token = _device_token(demo_dir, store, location_id)
        till = Till(httpx.Client(base_url=cloud.url, timeout=TIMEOUT, headers={
            "Host": shopper_module.HOST, "Authorization": f"Bearer {token}"}), sku)
        barrier, results = threading.Barrier(SHOPPERS + 1), queue.Queue()
        shoppers = [threading.Thread(target=shopper_module.shop, name=f"shopper-{n}", daemon=True,
                                     args=(cloud.url, variant_id, n, ROUNDS, barrier, results))
                    for n in range(SHOPPERS)]
        ends: collections.Counter[str] = collections.Counter()
        try:
            for thread in shoppers:
                thread.start()
            for round_no in range(ROUNDS):
                ends[_round(store, cloud, till, variant_id, location_id, round_no, barrier, results)] += 1
        finally:
            barrier.abort()                    # a failed round: release every waiting shopper
            for thread in shoppers:
                thread.join(timeout=30)
            till.client.close()
        won = {end: n for end, n in ends.items() if end != "pos"}
        print(f"\n{ROUNDS} rounds: the POS sold it and every checkout was refused in {ends['pos']}; one order won, "
              f"stock -1, the order flagged oversold in {sum(won.values())} {won}")
        till_sales = store.db.read(lambda conn: conn.scalar(
            "SELECT count(*) FROM stock_movements WHERE reference LIKE 'till-round-%' AND delta = -1"))
        oversold = store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM orders WHERE oversold_at IS NOT NULL"))
        assert (till_sales, oversold) == (ROUNDS, sum(won.values()))     # every till sale taken, each winner flagged
        assert "Traceback" not in cloud.log.read_text(errors="replace"), cloud.tail()
    finally:
        store.close()


def _device_token(demo_dir: Path, store: Store, location_id: str) -> str:
    catalog = DataDir(demo_dir).catalog()
    try:
        return create_pos_device_token(catalog, store_id=store.record.id, location_id=location_id, name="till")[1]
    finally:
        catalog.close()


def _round(store: Store, cloud: Cloud, till: Till, variant_id: str, location_id: str, round_no: int,
           barrier: threading.Barrier, results: queue.Queue) -> str:
    """One round: 1 unit, 50 carts with it, the race and the till's sale; checks how it ended and
    returns "pos" or how the order's round ended."""
    orders_before = _order_count(store)
    store.db.write(lambda conn: _one_unit_no_holds(conn, variant_id, location_id, round_no))
    barrier.wait(TIMEOUT)                              # shoppers: a new cart, add the unit
    barrier.wait(TIMEOUT)                              # every cart has it: the race is on
    threading.Event().wait(random.uniform(0, MAX_PAUSE))
    sold = till.sell_one(round_no)
    try:
        reports = [results.get(timeout=TIMEOUT) for _ in range(SHOPPERS)]
    except queue.Empty:
        raise AssertionError(f"round {round_no}: shoppers stopped answering\n{cloud.tail()}") from None
    where = f"round {round_no}"
    assert not [r for r in reports if r.problem], (where, [r.problem for r in reports if r.problem])
    steps = [s for r in reports for s in r.steps]
    assert not [s for s in steps if s.status >= 500], (where, [s for s in steps if s.status >= 500], cloud.tail())
    assert all(r.steps[0].status == 200 for r in reports), (where, [r.steps[0] for r in reports])  # every cart has it
    winners = [r for r in reports if r.order_url]
    assert len(winners) <= 1, (where, [_outcome(r) for r in winners])                          # never two orders
    losers = [r for r in reports if not r.order_url]
    assert all(_told_sold_out(r) for r in losers), (where, [_outcome(r) for r in losers if not _told_sold_out(r)])
    orders = _order_count(store)
    on_hand = store.db.read(lambda conn: stock_positions(conn, [variant_id], now=datetime.now(UTC),
                                                         location_id=location_id))[variant_id][location_id].on_hand
    if not winners:                                    # the POS sold it; every checkout was refused
        assert orders == orders_before and on_hand == 0, (where, orders, on_hand)
        return "pos"
    assert orders == orders_before + 1 and on_hand == -1, (where, orders, on_hand, sold)
    order = get_order(store.db, order_id=list_orders(store.db, limit=1).orders[0].id)
    assert winners[0].order_url == f"/orders/{order.status_token}", where
    [flag] = [e for e in order.events if e.kind == "oversold"]
    assert order.oversold_at == flag.at and "a POS sale of 1 (reference till-round-" in flag.message, (where, flag)
    # flagged in the order's own write (the till sold first, while the payment ran) or in the till's
    return "order, flagged as it was made" if flag.at == order.created_at else "order, flagged by the POS sale"


def _order_count(store: Store) -> int:
    return store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM orders"))


def _one_unit_no_holds(conn: Connection, variant_id: str, location_id: str, round_no: int) -> None:
    """Exactly 1 unit at the till's location and no holds left from the last round (a refused shopper's
    cart hold lasts its TTL: it would keep the next round's unit from everybody)."""
    conn.execute("DELETE FROM stock_holds")
    _set_one_unit(conn, variant_id, location_id, round_no)
