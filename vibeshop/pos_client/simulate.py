"""`vibeshop pos simulate`: a till that sells, loses its network, and uploads its backlog late.

It learns what is on the shelf from GET /pos/v1/inventory/counts (this device's location), then rings
up sales (an `adjust` of -1, reason `sale`) of stocked SKUs at the given rate, never selling what its
own view says is gone. Every sale goes into the queue file first (queue.py); an uploader sends it
every TICK seconds.

While the network is down (--offline-for, simulated: every request fails as a dropped link does),
the uploader keeps trying the sales made since its last try, each try a batch of its own that gets
no answer. When the network is back, the whole backlog goes out oldest first in chunks of 100: other
batch boundaries, new Idempotency-Keys, the same change_ids. A till killed at any point is started
again on the same queue file: what was not acknowledged is sent again and the cloud's change_ids
keep each sale once.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from vibeshop.pos_client.answers import CountsPage, read_answer
from vibeshop.pos_client.client import BadAnswer, PosApiError, PosClient, RetryPolicy
from vibeshop.pos_client.queue import Queue, QueueUnusable, now_text
from vibeshop.pos_client.upload import MAX_BATCH, Report, describe, drain, send_batch

COUNTS = "/inventory/counts"
TICK = 0.25                     # seconds between uploads while selling: batches what a busy till rings up
LIVE_POLICY = RetryPolicy(attempts=3, first_wait=0.25, max_wait=1.0)    # then re-batch later


class SimulationError(Exception):
    """The simulator cannot run as asked: `status` 2 for a usage error (an unknown SKU), 1 otherwise."""

    def __init__(self, message: str, *, status: int = 2):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SimulateOptions:
    """How the till behaves. Times in seconds; `duration` None sells until interrupted or sold out."""

    sales_per_second: float
    offline_for: float = 0.0
    offline_after: float = 0.0
    duration: float | None = None
    skus: tuple[str, ...] = ()
    seed: int | None = None
    verbose: bool = False


async def learn_stock(client: PosClient, queue: Queue, skus: tuple[str, ...]) -> dict[str, int]:
    """sku -> units on this location's shelf: the cloud's on hand (every counts page) plus this till's
    changes the cloud has not acknowledged yet. Only SKUs of one variant (the API refuses the others)."""
    seen: dict[str, list[int]] = {}
    cursor = None
    while True:
        page = read_answer((await client.get(COUNTS, params={"cursor": cursor} if cursor else None)).body,
                           CountsPage, call=f"GET /pos/v1{COUNTS}")
        for line in page.counts:
            if line.sku:
                seen.setdefault(line.sku, []).append(line.on_hand)
        cursor = page.next_cursor
        if not cursor:
            break
    stock = {sku: units[0] for sku, units in seen.items() if len(units) == 1}
    if skus:
        unknown = [sku for sku in skus if sku not in stock]
        if unknown:
            raise SimulationError(f"not stocked at this device's location: {', '.join(unknown)}")
        stock = {sku: stock[sku] for sku in skus}
    for sku, delta in queue.unsent_deltas().items():
        if sku in stock:
            stock[sku] += delta
    return stock


def sale(sku: str, reference: str) -> dict:
    """A sale of one unit now, as the POS API takes it."""
    return {"change_id": str(uuid.uuid4()), "type": "adjust", "sku": sku, "delta": -1, "reason": "sale",
            "occurred_at": now_text(), "reference": reference}


class Simulator:
    """One run of the till: seller, network schedule and uploader on one event loop."""

    def __init__(self, client: PosClient, queue: Queue, options: SimulateOptions, report: Report):
        self.client, self.queue, self.options, self.report = client, queue, options, report
        self.stop = asyncio.Event()             # Ctrl-C / SIGTERM: stop selling, send what is queued
        self.online = asyncio.Event()
        self.online.set()
        self.wake = asyncio.Event()
        self.sold = 0
        self.stock: dict[str, int] = {}
        self._uploading = True
        self._fatal: Exception | None = None
        self._rng = random.Random(options.seed)  # noqa: S311 - picking what a shopper buys

    async def run(self) -> int:
        """Sell, upload, and finally send the whole queue: 0 when nothing is left unsent. SimulationError
        (status 1) when changes stay queued or there was nothing to sell."""
        backlog = self.queue.unsent_count()
        if backlog:
            self.report(f"{backlog} changes from an earlier run are queued: sending them again")
        self.stock = await learn_stock(self.client, self.queue, self.options.skus)
        selling = self.options.sales_per_second > 0 and self.options.duration != 0
        shelf_empty = selling and not any(units > 0 for units in self.stock.values())
        if shelf_empty:
            selling = False
        if selling:
            self.report(f"selling {self.options.sales_per_second:g}/s from {sum(n > 0 for n in self.stock.values())} "
                        f"stocked SKUs (queue: {self.queue.path})")
        uploader = asyncio.create_task(self._upload_loop())
        network = asyncio.create_task(self._network())
        try:
            if selling:
                await self._sell()
            await self.online.wait()
        finally:
            network.cancel()
            self._uploading = False
            self.wake.set()
            await uploader
        if self._fatal is not None:
            raise self._fatal
        await drain(self.client, self.queue, report=self.report)
        left = self.queue.unsent_count()
        if left:
            raise SimulationError(f"{left} changes are still queued in {self.queue.path}: run `vibeshop pos upload` "
                                  "to send them", status=1)
        if shelf_empty:
            raise SimulationError("nothing to sell: no SKU it sells has stock at this device's location "
                                  "(`vibeshop pos count SKU N` records some)", status=1)
        self.report(f"done: sold {self.sold} units; every change is acknowledged")
        return 0

    async def _network(self) -> None:
        if self.options.offline_for <= 0:
            return
        await asyncio.sleep(self.options.offline_after)
        self.client.offline = True
        self.online.clear()
        self.report(f"offline for {self.options.offline_for:g}s (simulated): sales are queued")
        await asyncio.sleep(self.options.offline_for)
        self.client.offline = False
        self.online.set()
        self.report(f"online again: {self.queue.unsent_count()} changes queued")
        self.wake.set()

    async def _sell(self) -> None:
        loop = asyncio.get_running_loop()
        interval = 1 / self.options.sales_per_second
        start = next_sale = loop.time()
        reference = f"pos-sim {uuid.uuid4().hex[:8]}"
        while not self.stop.is_set():
            if self.options.duration is not None and loop.time() - start >= self.options.duration:
                return
            shelf = sorted(sku for sku, units in self.stock.items() if units > 0)
            if not shelf:
                self.report("sold out of every SKU it sells")
                return
            sku = self._rng.choice(shelf)
            self.queue.record(sale(sku, reference))
            self.stock[sku] -= 1
            self.sold += 1
            if self.options.verbose:
                self.report(f"sold 1 x {sku} ({self.stock[sku]} left)")
            if self.stock[sku] == 0:
                self.report(f"sold the last unit of {sku}")
            next_sale += interval
            try:
                await asyncio.wait_for(self.stop.wait(), max(0.0, next_sale - loop.time()))
            except TimeoutError:
                pass

    async def _upload_loop(self) -> None:
        """Send what is queued every TICK. A refusal (401, 403, ...), an answer that is not the POS API's or
        a queue file gone bad stops the selling at once (a till that cannot send must not sell on)."""
        try:
            await self._upload_ticks()
        except (PosApiError, BadAnswer, QueueUnusable, sqlite3.Error) as exc:
            self._fatal = exc
            self.stop.set()

    async def _upload_ticks(self) -> None:
        """After a batch without an answer, each try carries only the sales since the previous try;
        once one gets through, the backlog goes oldest first."""
        failing, last_tried = False, 0
        while self._uploading:
            try:
                await asyncio.wait_for(self.wake.wait(), TICK)
            except TimeoutError:
                pass
            self.wake.clear()
            if not self._uploading:
                return
            batch = (self.queue.unsent(limit=MAX_BATCH, after_seq=last_tried) if failing else []) \
                or self.queue.unsent(limit=MAX_BATCH)
            if not batch:
                continue
            last_tried = max(last_tried, batch[-1].seq)
            outcome = await send_batch(self.client, self.queue, batch, report=self.report, policy=LIVE_POLICY)
            if outcome.failed:
                if not failing:
                    self.report(f"no answer for a batch of {outcome.size}: keeping sales queued")
                failing = True
                continue
            if failing:
                self.report(f"the cloud answers again: {self.queue.unsent_count()} more queued changes to send")
            failing = False
            if not outcome.rejected:
                self.report(describe(outcome))
            if self.queue.unsent_count():
                self.wake.set()             # a backlog: the next chunk at once


def run_simulation(client: PosClient, queue: Queue, options: SimulateOptions, report: Report) -> int:
    """Run the simulator until done; Ctrl-C or SIGTERM stop the selling and send what is queued."""
    async def main() -> int:
        simulator = Simulator(client, queue, options, report)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, _stopper(simulator, report))
        try:
            return await simulator.run()
        finally:
            await client.close()

    return asyncio.run(main())


def _stopper(simulator: Simulator, report: Report) -> Callable[[], None]:
    def stop() -> None:
        if simulator.stop.is_set():         # a second Ctrl-C: leave now (the queue keeps everything)
            left = simulator.queue.unsent_count()
            report(f"left at once: {left} changes stay queued in {simulator.queue.path}; the next run sends them"
                   if left else "left at once: nothing was left to send")
            raise SystemExit(130)
        report("stopping: sending what is queued (Ctrl-C again to leave it for the next run)")
        simulator.stop.set()
        simulator.client.offline = False
        simulator.online.set()
    return stop
