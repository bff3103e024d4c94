"""Checkout figures (issue 11): 50 concurrent shoppers buying for 60 s from a real `vibeshop cloud
serve` on loopback, paying through localstripe (its own process) with `pm_card_visa`.

Each shopper (an httpx AsyncClient with its own cookie jar, so its own cart, and its own
X-Forwarded-For address, as shoppers behind our proxy have) loops: POST /cart/add.js, POST
/checkout/start (the body checkout.js sends), POST /checkout/pay. /checkout/pay is the completing
request: its latency is the figure. One variant has only LIMITED_UNITS on hand and sells out during
the run; the others have plenty. Afterwards the store's database is read: oversold units (units in
orders beyond what was on hand, and any location below zero) must be 0, and the orders there must be
exactly the ones the shoppers were given.

The peer, in the same run and before the shop is served: the stripe library's PaymentIntent create
(confirm=false) + confirm against the same localstripe, what /checkout/pay asks of Stripe, at the
same concurrency (the floor under the same load) and one at a time (the unloaded floor).

`python -m bench.checkout [SECONDS [WORKERS]]` runs only this table (WORKERS: `--workers` of the
server, default 1); VIBESHOP_BENCH_CHECKOUT_SECONDS shortens it inside `make bench`."""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import stripe

from bench.timing import table
from shared.db import Connection
from shared.db.repositories import catalog
from shared.db.repositories import inventory as inventory_repo
from shared.demo.seed import seed_demo
from shared.inventory import record_count, stock_positions
from shared.orders import get_order, list_orders, order_by_token
from shared.payments.secrets import DEMO_SECRETS_KEY, ENV_VAR
from shared.storefront.service import DataDir, Store
from vibeshop.demo_payments import SECRET_KEY, DemoStripe, connect_demo_store, start_localstripe

ROOT = Path(__file__).resolve().parents[1]
SECONDS_ENV = "VIBESHOP_BENCH_CHECKOUT_SECONDS"
SHOPPERS = 50
SECONDS = 60.0
PEER_SECONDS = 10.0                 # the concurrent peer's run (it only needs enough samples for a p99)
PEER_SEQUENTIAL = 100
LIMITED_UNITS, PLENTY_UNITS = 100, 100_000
LIMITED_SHARE = 0.25                # how often a shopper goes for the limited variant
HOST = "demo.localhost"
PRODUCT = "harbor-classic-tee"
CARD = "pm_card_visa"
ADDRESS = {"country_code": "US", "name": "Ada Lovelace", "street_address": "1 Market St", "city": "San Francisco",
           "country_area": "CA", "postal_code": "94103"}


@dataclass
class Stock:
    """The variants the shoppers buy and what was on hand when the run began."""

    limited: str
    plenty: tuple[str, ...]
    on_hand: dict[str, int]


@dataclass
class Tally:
    """What the shoppers saw. `orders` are (order page token, variant id) of every order given."""

    pay_ms: list[float] = field(default_factory=list)
    purchase_ms: list[float] = field(default_factory=list)
    orders: list[tuple[str, str]] = field(default_factory=list)
    sold_out: Counter = field(default_factory=Counter)          # step -> answers "sold out"
    statuses: Counter = field(default_factory=Counter)          # (step, status) -> answers
    unexpected: Counter = field(default_factory=Counter)        # "step status" -> answers neither 200 nor sold out
    errors: Counter = field(default_factory=Counter)            # exception name -> count


@dataclass
class Audit:
    """The store's database after the run."""

    orders_in_db: int
    given_found: int                        # distinct order pages given to shoppers that name an order
    oversold: int
    limited_on_hand: int
    limited_sold: int
    limited_left: int
    ledger_agrees: bool


@dataclass
class Result:
    """Every figure of one run (the smoke test reads it)."""

    seconds: float
    shoppers: int
    tally: Tally
    audit: Audit
    workers: int
    client_cpu: float                       # CPU seconds per wall second of the shoppers' process,
    server_cpu: float                       # of the server (with its workers)
    stripe_cpu: float                       # and of localstripe, over the shoppers' run
    server_statuses: Counter                # (path, status) -> answers, from the server's access log
    peer_ms: list[float]
    peer_sequential_ms: list[float]


def p(samples: list[float], percent: int) -> float:
    """The `percent`th percentile (inclusive method); nan without samples."""
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


# --- the shop ----------------------------------------------------------------------------------------

def stock_the_tee(store: Store, *, limited_units: int) -> Stock:
    """Counts for the tee's variants: the first gets `limited_units` at the default location and none
    elsewhere, the rest PLENTY_UNITS."""
    now = datetime.now(UTC)

    def write(conn: Connection) -> Stock:
        product_id = catalog.get_product_id_by_handle(conn, PRODUCT)
        variants = [v.id for v in catalog.get_products(conn, [product_id])[product_id].variants]
        locations = sorted(inventory_repo.list_locations(conn), key=lambda loc: not loc.is_default)
        for n, variant_id in enumerate(variants):
            for i, location in enumerate(locations):
                units = (limited_units if i == 0 else 0) if n == 0 else PLENTY_UNITS
                record_count(conn, change_id=str(uuid.uuid4()), variant_id=variant_id,
                             location_id=location.id, quantity=units, occurred_at=now, now=now)
        return Stock(variants[0], tuple(variants[1:]), {
            v: sum(pos.on_hand for pos in at.values())
            for v, at in stock_positions(conn, variants, now=now).items()})

    return store.db.write(write)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(data: Path, stripe_url: str, log: Path, *, workers: int = 1) -> Iterator[tuple[str, int]]:
    """`vibeshop cloud serve` on a free loopback port, its log in `log`; gives the base URL and the
    process id. The secrets key is the one the demo sealed the Stripe keys with."""
    port = _free_port()
    env = {**os.environ, ENV_VAR: os.environ.get(ENV_VAR) or DEMO_SECRETS_KEY}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "vibeshop", "cloud", "serve", "--data", str(data),  # noqa: S603
                                 "--host", "127.0.0.1", "--port", str(port), "--stripe-api", stripe_url,
                                 "--workers", str(workers)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/_health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"vibeshop cloud serve did not start (see {log})")
            time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its running children (the server's
    workers and sandboxes), from /proc (Linux); nan elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = " ".join(path.read_text() for path in Path(f"/proc/{pid}/task").glob("*/children")).split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(int(c)) for c in children)


def server_statuses(log: Path) -> Counter:
    """(path, status) -> answers, read from the access log's JSON lines."""
    counts: Counter = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            counts[(entry.get("path", "?"), entry.get("status", 0))] += 1
    return counts


def _await_webhooks(log: Path, orders: int, *, timeout: float = 15.0) -> None:
    """Until the server has answered a payment_intent.succeeded webhook per order, or gives up after
    `timeout` (some may have been refused): localstripe sends each a second after the event."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answered = sum(n for (path, _), n in server_statuses(log).items() if path == "/webhooks/stripe")
        if answered >= orders:
            return
        time.sleep(0.2)


# --- the shoppers ------------------------------------------------------------------------------------

async def _post(client: httpx.AsyncClient, tally: Tally, step: str, path: str, body: dict) -> httpx.Response:
    """POST and count the answer: 200, sold out (tally.sold_out), or unexpected."""
    response = await client.post(path, json=body)
    tally.statuses[(step, response.status_code)] += 1
    if _sold_out(step, response):
        tally.sold_out[step] += 1
    elif response.status_code != 200:
        tally.unexpected[f"{step} {response.status_code}"] += 1
    return response


def _sold_out(step: str, response: httpx.Response) -> bool:
    """add.js: 422 (not enough stock: the only 422 for these valid bodies); start and pay: 409 naming
    the cart's lines or the out_of_stock code."""
    if step == "add":
        return response.status_code == 422
    if response.status_code != 409:
        return False
    error = response.json().get("error") or {}
    return error.get("code") == "out_of_stock" or error.get("field") == "lines"


async def _buy_once(client: httpx.AsyncClient, variant: str, tally: Tally, email: str) -> None:
    """One purchase: add, start, pay (timed). A sold-out answer at any step is counted, the cart
    emptied, and the holds released."""
    began = time.perf_counter()
    added = await _post(client, tally, "add", "/cart/add.js", {"id": variant, "quantity": 1})
    if added.status_code != 200:
        return
    started = await _post(client, tally, "start", "/checkout/start",
                          {"email": email, "delivery": "ship", "address": ADDRESS, "paymentMethod": "stripe"})
    if started.status_code != 200:
        await client.post("/cart/clear.js", json={})
        return
    attempt = started.json()["attemptId"]
    t0 = time.perf_counter()
    paid = await _post(client, tally, "pay", "/checkout/pay", {"attemptId": attempt, "paymentMethodId": CARD})
    t1 = time.perf_counter()
    if paid.status_code == 200 and "orderUrl" in (answer := paid.json()):
        tally.pay_ms.append((t1 - t0) * 1000)
        tally.purchase_ms.append((t1 - began) * 1000)
        tally.orders.append((answer["orderUrl"].rsplit("/", 1)[-1], variant))
        return
    if paid.status_code == 200:                 # pm_card_visa never asks for 3DS
        tally.unexpected["pay requires action"] += 1
    await client.post("/checkout/cancel", json={"attemptId": attempt})
    await client.post("/cart/clear.js", json={})


async def _shopper(n: int, url: str, stock: Stock, deadline: float, tally: Tally) -> None:
    rng = random.Random(n)
    headers = {"Host": HOST, "Origin": f"http://{HOST}", "X-Forwarded-For": f"10.0.{n // 250}.{n % 250 + 1}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        while time.perf_counter() < deadline:
            variant = stock.limited if rng.random() < LIMITED_SHARE else rng.choice(stock.plenty)
            try:
                await _buy_once(client, variant, tally, f"shopper{n}@example.com")
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                tally.errors[type(exc).__name__] += 1


async def run_shoppers(url: str, stock: Stock, *, seconds: float, shoppers: int) -> tuple[Tally, float, float]:
    """Every shopper buying until `seconds` have passed (a purchase under way finishes); the tally, the
    wall time and this process's CPU seconds per wall second."""
    tally = Tally()
    cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    await asyncio.gather(*(_shopper(n, url, stock, t0 + seconds, tally) for n in range(shoppers)))
    wall, cpu1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return tally, wall, cpu / wall


# --- the peer: localstripe's own create + confirm -------------------------------------------------------

async def _intent_ms(client: stripe.StripeClient, key: str) -> float:
    """A PaymentIntent created unconfirmed and confirmed, as the shop's provider does it."""
    t0 = time.perf_counter()
    intent = await client.v1.payment_intents.create_async(
        {"amount": 2900, "currency": "usd", "payment_method": CARD, "payment_method_types": ["card"],
         "confirm": False}, {"idempotency_key": f"{key}:create"})
    confirmed = await client.v1.payment_intents.confirm_async(intent.id, None, {"idempotency_key": f"{key}:confirm"})
    if confirmed.status != "succeeded":
        raise RuntimeError(f"the peer's payment ended {confirmed.status}")
    return (time.perf_counter() - t0) * 1000


async def peer(stripe_url: str, *, seconds: float, concurrency: int,
               sequential: int) -> tuple[list[float], list[float]]:
    """Create + confirm latencies: `concurrency` loops for `seconds`, then `sequential` one at a time.
    One client (connections kept), the stripe library as the shop uses it."""
    http = stripe.HTTPXClient(timeout=120)
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_url}, http_client=http,
                                 max_network_retries=0)
    run = f"peer-{os.getpid()}-{time.time_ns()}"
    try:
        for i in range(5):                                       # warm-up
            await _intent_ms(client, f"{run}-w{i}")
        loaded: list[float] = []
        deadline = time.perf_counter() + seconds

        async def loop(n: int) -> None:
            i = 0
            while time.perf_counter() < deadline:
                loaded.append(await _intent_ms(client, f"{run}-{n}-{i}"))
                i += 1

        await asyncio.gather(*(loop(n) for n in range(concurrency)))
        alone = [await _intent_ms(client, f"{run}-s{i}") for i in range(sequential)]
    finally:
        await http.close_async()
    return loaded, alone


# --- the audit ---------------------------------------------------------------------------------------

def audit(store: Store, stock: Stock, tally: Tally) -> Audit:
    """Orders and the ledger after the run: units in orders per variant against what was on hand."""
    in_orders: Counter = Counter()
    orders, before = 0, None
    while True:
        page = list_orders(store.db, before=before, limit=100)
        for summary in page.orders:
            orders += 1
            for line in get_order(store.db, order_id=summary.id).lines:
                in_orders[line.variant_id] += line.quantity
        if page.next_before is None:
            break
        before = page.next_before
    variants = [stock.limited, *stock.plenty]
    positions = store.db.read(lambda conn: stock_positions(conn, variants, now=datetime.now(UTC)))
    left = {v: sum(pos.on_hand for pos in at.values()) for v, at in positions.items()}
    below_zero = sum(max(0, -pos.on_hand) for at in positions.values() for pos in at.values())
    oversold = sum(max(0, in_orders[v] - stock.on_hand[v]) for v in variants) + below_zero
    agrees = all(stock.on_hand[v] - in_orders[v] == left[v] for v in variants)
    found = sum(order_by_token(store.db, token) is not None for token in {token for token, _ in tally.orders})
    return Audit(orders, found, oversold, stock.on_hand[stock.limited], in_orders[stock.limited],
                 left[stock.limited], agrees)


# --- one run -----------------------------------------------------------------------------------------

def measure(*, seconds: float = SECONDS, shoppers: int = SHOPPERS, limited_units: int = LIMITED_UNITS,
            peer_seconds: float = PEER_SECONDS, peer_sequential: int = PEER_SEQUENTIAL, workers: int = 1,
            template: Path | None = None) -> Result:
    """Seed a demo store in a temporary folder (or copy `template`, a seeded demo data folder),
    measure the peer, then the shoppers; audit."""
    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-checkout-")) / "data"
    if template is not None:
        shutil.copytree(template, folder)
    localstripe: DemoStripe | None = start_localstripe()
    if localstripe is None:
        raise RuntimeError("localstripe did not start (pip install localstripe)")
    try:
        peer_ms, alone_ms = asyncio.run(peer(localstripe.url, seconds=peer_seconds, concurrency=shoppers,
                                             sequential=peer_sequential))
        httpx.delete(f"{localstripe.url}/_config/data", timeout=30).raise_for_status()   # a fresh Stripe
        store = seed_demo(DataDir(folder)).store
        stock = stock_the_tee(store, limited_units=limited_units)
        log = folder / "serve.log"
        with serve(folder, localstripe.url, log, workers=workers) as (url, pid):
            connect_demo_store(store, localstripe, shop_url=f"http://{HOST}:{url.rsplit(':', 1)[1]}/")
            server0, stripe0 = cpu_seconds(pid), cpu_seconds(localstripe.proc.pid)
            tally, wall, cpu = asyncio.run(run_shoppers(url, stock, seconds=seconds, shoppers=shoppers))
            server_cpu = (cpu_seconds(pid) - server0) / wall
            stripe_cpu = (cpu_seconds(localstripe.proc.pid) - stripe0) / wall
            _await_webhooks(log, len(tally.orders))
        try:
            checked = audit(store, stock, tally)
        finally:
            store.close()
        return Result(wall, shoppers, tally, checked, workers, cpu, server_cpu, stripe_cpu, server_statuses(log),
                      peer_ms, alone_ms)
    finally:
        localstripe.stop()
        shutil.rmtree(folder.parent, ignore_errors=True)


def rows(result: Result) -> list[tuple[str, float, str]]:
    """The table's rows."""
    t, a = result.tally, result.audit
    ours50, ours99 = p(t.pay_ms, 50), p(t.pay_ms, 99)
    peer50, peer99 = p(result.peer_ms, 50), p(result.peer_ms, 99)
    alone50 = p(result.peer_sequential_ms, 50)
    server_5xx = sum(n for (_path, status), n in result.server_statuses.items() if status >= 500)
    hooks = Counter({status: n for (path, status), n in result.server_statuses.items() if path == "/webhooks/stripe"})
    odd = t.unexpected
    return [
        ("orders/s", len(t.orders) / result.seconds,
         f"{len(t.orders):,} orders in {result.seconds:.1f} s, {result.shoppers} shoppers, "
         f"{result.workers} server worker{'s' if result.workers > 1 else ''}"),
        ("/checkout/pay p50, ms", ours50, f"{ours50 / peer50:.1f}x the peer's p50"),
        ("/checkout/pay p99, ms", ours99, f"{ours99 / peer99:.1f}x the peer's p99"),
        ("whole purchase p50, ms", p(t.purchase_ms, 50), "add.js + start + pay, as one shopper waits"),
        ("oversold units", a.oversold,
         f"must be 0; limited variant: {a.limited_sold} sold of {a.limited_on_hand} on hand, {a.limited_left} left"),
        ("sold-out answers", sum(t.sold_out.values()),
         ", ".join(f"{step} {n}" for step, n in sorted(t.sold_out.items())) or "none"),
        ("orders in the database", a.orders_in_db,
         f"shoppers were given {len(t.orders)}, {a.given_found} distinct found there; "
         f"ledger = on hand - orders: {'yes' if a.ledger_agrees else 'NO'}"),
        ("errors, 5xx and unexpected answers", sum(t.errors.values()) + server_5xx + sum(odd.values()),
         f"client {dict(t.errors) or 0}, 5xx {server_5xx}, unexpected {dict(odd) or 0}"),
        ("webhooks answered 429", hooks[429],
         f"of {sum(hooks.values())} localstripe sent (all from 127.0.0.1): {dict(sorted(hooks.items()))}"),
        ("peer: create+confirm p50, ms", peer50,
         f"stripe library -> localstripe, {result.shoppers} at once, {len(result.peer_ms):,} payments"),
        ("peer: create+confirm p99, ms", peer99, "the floor under the same concurrency"),
        ("peer: create+confirm alone p50, ms", alone50,
         f"one at a time ({len(result.peer_sequential_ms)}); ours p50 is {ours50 / alone50:.0f}x it"),
        ("CPU: server %", result.server_cpu * 100, "of one core, over the shoppers' run (the machine has "
         f"{os.cpu_count()})"),
        ("CPU: localstripe %", result.stripe_cpu * 100, "one process"),
        ("CPU: shoppers' client %", result.client_cpu * 100, "one asyncio process"),
    ]


def main(seconds: float | None = None, workers: int = 1) -> Result:
    """Print the checkout table; `seconds` (default VIBESHOP_BENCH_CHECKOUT_SECONDS, else 60)."""
    if seconds is None:
        seconds = float(os.environ.get(SECONDS_ENV) or SECONDS)
    result = measure(seconds=seconds, peer_seconds=min(PEER_SECONDS, seconds), workers=workers)
    print(table(f"Checkout: {result.shoppers} shoppers for {seconds:.0f} s, paying through localstripe", rows(result)))
    print()
    return result


if __name__ == "__main__":
    # python -m bench.checkout [SECONDS [WORKERS]]
    main(float(sys.argv[1]) if len(sys.argv) > 1 else None, int(sys.argv[2]) if len(sys.argv) > 2 else 1)
