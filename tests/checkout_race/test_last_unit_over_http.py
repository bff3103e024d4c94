"""The race of issue 11, section 7, over real HTTP: 50 shoppers in separate processes go for the last
unit of a variant, 20 rounds. Exactly one order each round, every other shopper told it sold out (a
409 at start or at pay), never a 5xx, and the stock never below zero.

The server is the real cloud: `vibeshop cloud serve --workers 2` (two processes racing on one libSQL
file, connections spread by the kernel) on the seeded demo, paying through localstripe. The shoppers
(shopper.py) are spawned once and kept; barriers pace the rounds. Between rounds the parent sets the
variant to exactly 1 unit through the inventory service on the same file (safe across processes:
BEGIN IMMEDIATE). While a round runs it samples the stock, so a negative level between two checks
would be seen too; after it, it recounts the ledger itself. At the end: one charge at localstripe and
one e-mail to the shopper and one to the merchant per order."""

from __future__ import annotations

import base64
import collections
import email
import multiprocessing
import os
import queue
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from checkout_race import shopper as shopper_module
from checkout_race.shopper import TIMEOUT, Report
from shared.db import Connection
from shared.db.repositories import catalog
from shared.db.repositories import inventory as inventory_repo
from shared.inventory import record_movement, stock_positions
from shared.models import StockMovement
from shared.orders import get_order, list_orders
from shared.payments import ENV_VAR, SecretBox, StripeKeys, set_stripe_keys
from shared.storefront.service import DataDir, Store, open_store
from support import VIBESHOP, free_port, wait_for
from support_stripe import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET, LocalStripe

SHOPPERS = 50
ROUNDS = 20
RACE = "last-unit-race-"          # the reference of the parent's stock movements


@dataclass
class Cloud:
    """The `vibeshop cloud serve` subprocess and where its output goes."""

    proc: subprocess.Popen
    url: str
    log: Path

    def tail(self) -> str:
        """The end of the server's output (tracebacks of a 500 land there)."""
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def cloud(demo_dir: Path, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Cloud]:
    """The demo on two workers, its Stripe keys set (encrypted with a fresh deployment key), Stripe
    being localstripe, order e-mails into a folder."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    store = open_store(DataDir(demo_dir), "demo")
    try:
        set_stripe_keys(store.db, store_id=store.record.id, box=SecretBox(base64.urlsafe_b64decode(key)),
                        keys=StripeKeys(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET))
    finally:
        store.close()
    port, log = free_port(), tmp_path / "cloud.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([VIBESHOP, "cloud", "serve", "--data", str(demo_dir), "--host", "127.0.0.1",
                                 "--port", str(port), "--workers", "2", "--stripe-api", localstripe.url,
                                 "--mail-dir", str(tmp_path / "mail")],
                                env={**os.environ, ENV_VAR: key}, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Cloud(proc, f"http://127.0.0.1:{port}", log)
    try:
        _wait_healthy(server, port)
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)         # its own session: both workers go with it
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


def _wait_healthy(server: Cloud, port: int) -> None:
    """Until both workers listen on the port (SO_REUSEPORT: a socket each, in /proc/net/tcp) and
    /_health answers."""
    deadline = time.monotonic() + 120            # catches a hang only
    while True:
        if _listening(port) == 2:
            try:
                if httpx.get(f"{server.url}/_health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        if server.proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the cloud did not start:\n{server.tail()}")
        time.sleep(0.05)


def _listening(port: int) -> int:
    """How many IPv4 sockets listen on 127.0.0.1:port (state 0A in Linux's /proc/net/tcp)."""
    local = f"0100007F:{port:04X}"
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1] == local and row.split()[3] == "0A")


def test_fifty_shoppers_over_http_for_the_last_unit_make_one_order_each_round(cloud: Cloud, demo_dir: Path,
                                                                            localstripe: LocalStripe) -> None:
    store = open_store(DataDir(demo_dir), "demo")
    try:
        variant_id = _tee_variant(store)
        location_id = store.db.read(inventory_repo.list_locations)[0].id
        context = multiprocessing.get_context("spawn")
        barrier, results = context.Barrier(SHOPPERS + 1), context.Queue()
        shoppers = [context.Process(target=shopper_module.shop, name=f"shopper-{n}",
                                    args=(cloud.url, variant_id, n, ROUNDS, barrier, results))
                    for n in range(SHOPPERS)]
        workers = _worker_pids(cloud)
        assert len(workers) == 2, workers
        busy_before, told = _cpu_ticks(workers), collections.Counter()
        try:
            for process in shoppers:
                process.start()
            winners = [_round(store, cloud, variant_id, location_id, round_no, barrier, results, told)
                       for round_no in range(ROUNDS)]
        finally:
            barrier.abort()                    # a failed round: release every waiting shopper
            for process in shoppers:
                process.join(timeout=30)
                if process.is_alive():
                    process.kill()
                    process.join()

        busy_after = _cpu_ticks(workers)
        assert all(busy_after[pid] > busy_before[pid] for pid in workers), (busy_before, busy_after)  # both served
        print(f"\nlosers were told: {dict(told)}; worker CPU ticks: "
              f"{[busy_after[pid] - busy_before[pid] for pid in workers]}")
        _check_the_orders(store, cloud, localstripe, variant_id, winners)
    finally:
        store.close()


def _check_the_orders(store: Store, cloud: Cloud, localstripe: LocalStripe, variant_id: str,
                      winners: list[str]) -> None:
    """After the rounds: the winners' orders and no others, paid, one unit each, one succeeded
    PaymentIntent each (no double charge), one confirmation and one merchant e-mail each, and no
    traceback in the server's output."""
    orders = [get_order(store.db, order_id=o.id) for o in list_orders(store.db, limit=100).orders]
    assert len(orders) == ROUNDS
    assert sorted(f"/orders/{o.status_token}" for o in orders) == sorted(winners)
    assert all(o.payment_status == "paid" and not o.needs_attention for o in orders)
    assert all([(line.variant_id, line.quantity) for line in o.lines] == [(variant_id, 1)] for o in orders)
    intents = localstripe.get("/v1/payment_intents?limit=100")["data"]
    assert sorted(i["id"] for i in intents if i["status"] == "succeeded") == sorted(o.payment_intent_id for o in orders)
    mail = wait_for(lambda: _mail(cloud, expected=2 * ROUNDS), "an e-mail to the shopper and the merchant per order",
                    timeout=60)
    front = store.storefront()
    merchant = [(f"[{front.name}] Order {o.name} placed by Ada Lovelace", front.settings["email"]) for o in orders]
    assert sorted(mail) == sorted([(f"Order {o.name} confirmed", o.email) for o in orders] + merchant)
    assert "Traceback" not in cloud.log.read_text(errors="replace"), cloud.tail()


def _mail(cloud: Cloud, *, expected: int) -> list[tuple[str, str]] | None:
    """(Subject, To) of every e-mail the outbox wrote, once there are `expected` of them."""
    files = sorted((cloud.log.parent / "mail").glob("*.eml"))
    if len(files) < expected:
        return None
    return [(m["Subject"], m["To"]) for m in (email.message_from_bytes(f.read_bytes()) for f in files)]


def _round(store: Store, cloud: Cloud, variant_id: str, location_id: str, round_no: int, barrier,  # noqa: ANN001
           results, told: collections.Counter) -> str:  # noqa: ANN001
    """One round: 1 unit on hand, 50 carts with it, the race; checks it and returns the winner's order URL.
    `told` counts where the losers heard it sold out."""
    orders_before = len(list_orders(store.db, limit=100).orders)
    store.db.write(lambda conn: _set_one_unit(conn, variant_id, location_id, round_no))
    barrier.wait(TIMEOUT)                              # shoppers: a new cart, add the unit
    barrier.wait(TIMEOUT)                              # every cart has it: the race is on
    sampler = _StockSampler(store, variant_id)
    sampler.start()
    try:
        reports = [results.get(timeout=TIMEOUT) for _ in range(SHOPPERS)]
    except queue.Empty:
        raise AssertionError(f"round {round_no}: shoppers stopped answering\n{cloud.tail()}") from None
    finally:
        sampler.stop()
    where = f"round {round_no}"
    assert not [r for r in reports if r.problem], (where, [r.problem for r in reports if r.problem])
    assert sorted(r.round_no for r in reports) == [round_no] * SHOPPERS, where
    steps = [s for r in reports for s in r.steps]
    assert not [s for s in steps if s.status >= 500], (where, [s for s in steps if s.status >= 500], cloud.tail())
    assert all(r.steps[0].status == 200 for r in reports), (where, [r.steps[0] for r in reports])  # every cart has it
    winners = [r for r in reports if r.order_url]
    assert len(winners) == 1, (where, [_outcome(r) for r in reports])
    losers = [r for r in reports if not r.order_url]
    assert all(_told_sold_out(r) for r in losers), (where, [_outcome(r) for r in losers if not _told_sold_out(r)])
    told.update(_where_told(r) for r in losers)

    assert len(list_orders(store.db, limit=100).orders) == orders_before + 1, where
    positions = store.db.read(lambda conn: stock_positions(conn, [variant_id], now=datetime.now(UTC)))[variant_id]
    assert all(p.on_hand >= 0 and p.held == 0 for p in positions.values()), (where, positions)   # no holds left
    assert sum(p.on_hand for p in positions.values()) == 0, (where, positions)
    ledger = _ledger_on_hand(store.db.read(lambda conn: inventory_repo.list_movements(conn, variant_id)))
    kept = {loc: p.on_hand for loc, p in positions.items()}
    assert all(ledger.get(loc, 0) == kept.get(loc, 0) for loc in {*ledger, *kept}), (where, ledger, kept)
    assert sampler.lowest >= 0, (where, sampler.lowest)
    return str(winners[0].order_url)


def _told_sold_out(report: Report) -> bool:
    """A 409 at start or at pay whose message says the item sold out."""
    last = report.steps[-1]
    if last.path not in ("/checkout/start", "/checkout/pay") or last.status != 409 or not isinstance(last.body, dict):
        return False
    return "sold out" in str(last.body.get("error", {}).get("message", "")).lower()


def _where_told(report: Report) -> str:
    """Which check said so: the cart's own (its units already held by another) or the hold's (the
    race inside the write transaction), or the re-check before charging."""
    last = report.steps[-1]
    message = str(last.body.get("error", {}).get("message", ""))
    kind = "cart check" if "review your cart" in message else "hold"
    page = "page sent back to /cart, " if report.steps[1].status == 303 else "page held nothing?, "
    return f"{page}{last.path.rsplit('/', 1)[1]}: {kind}"


def _worker_pids(cloud: Cloud) -> list[int]:
    """The serve process's worker processes (Linux /proc: its spawned children, not its resource tracker)."""
    children = Path(f"/proc/{cloud.proc.pid}/task/{cloud.proc.pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _cpu_ticks(pids: list[int]) -> dict[int, int]:
    """CPU time (user + system clock ticks) each process has used so far."""
    out = {}
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out[pid] = int(fields[11]) + int(fields[12])
    return out


def _outcome(report: Report) -> list[tuple[str, int, object]]:
    return [(s.path, s.status, s.body if s.status != 200 else "ok") for s in report.steps]


def _tee_variant(store: Store) -> str:
    """A variant of the demo's Harbor Classic Tee (its first size)."""
    def read(conn: Connection) -> str:
        product_id = catalog.get_product_id_by_handle(conn, "harbor-classic-tee")
        assert product_id is not None, "the demo sells the Harbor Classic Tee"
        return catalog.get_products(conn, [product_id])[product_id].variants[0].id

    return store.db.read(read)


def _set_one_unit(conn: Connection, variant_id: str, location_id: str, round_no: int) -> None:
    """Exactly 1 unit on hand, at `location_id`, none anywhere else: movements for the difference."""
    now = datetime.now(UTC)
    levels = inventory_repo.stock_levels(conn, [variant_id]).get(variant_id, {})
    for location in inventory_repo.list_locations(conn):
        delta = (1 if location.id == location_id else 0) - levels.get(location.id, 0)
        if delta:
            record_movement(conn, change_id=str(uuid.uuid4()), variant_id=variant_id, location_id=location.id,
                            delta=delta, reason="received" if delta > 0 else "adjusted", occurred_at=now, now=now,
                            reference=f"{RACE}{round_no}")


def _ledger_on_hand(movements: list[StockMovement]) -> dict[str, int]:
    """On hand per location recounted from the ledger itself (docs/data.md: the latest count, plus the
    movements after it), not from the trigger-kept totals; each running level checked never below zero
    once the race has begun (before it the demo's own history is what it is)."""
    levels: dict[str, int] = {}
    for movement in movements:           # in the order things happened
        if movement.counted is not None:
            levels[movement.location_id] = movement.counted
        else:
            levels[movement.location_id] = levels.get(movement.location_id, 0) + movement.delta
        if movement.reference.startswith(RACE) or movement.reason == "sold":
            assert levels[movement.location_id] >= 0, (movement, levels)
    return levels


class _StockSampler(threading.Thread):
    """Reads the variant's stock positions again and again while a round runs: the lowest on hand and
    the lowest available (on hand minus active holds) seen at any location."""

    def __init__(self, store: Store, variant_id: str):
        super().__init__(daemon=True)
        self.store, self.variant_id = store, variant_id
        self.lowest = 1
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            positions = self.store.db.read(lambda conn: stock_positions(conn, [self.variant_id], now=datetime.now(UTC)))
            for p in positions[self.variant_id].values():
                self.lowest = min(self.lowest, p.on_hand, p.available)
            self._done.wait(0.02)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=30)
