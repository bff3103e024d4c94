"""The live catalogue of a linked studio (docs/sync-protocol.md section 5.3.1, docs/products.md "Low
stock"). The POS and the cloud own products, prices and stock; the studio shows them read-only. When the
poke socket says the catalogue moved (`{"catalog": N}` past this device's cursor), when the socket
(re)connects, and every periodic sync, `CatalogLive` pulls the changed rows on a worker thread and
writes them into the local database (shared/sync/catalog_refresh.py), then tells the views
(`refreshed`) and announces stock that fell to a variant's threshold (`low_stock`, once per crossing).
Setting a threshold goes to the cloud through the same worker, so it never overlaps a pull.

Nothing here touches the database on the UI thread. A poke is compared with the cursor the last pull
ended at, kept in memory; only the worker reads the stored cursor. Pokes that arrive quickly are
coalesced: one pull at a time, and at most one more after it, made only when a trigger asked for it
and (for pokes alone) one of them is past the cursor the pull ended at. So no poke is lost (a poke
during a pull that ended before its change gets its own pull) and none is doubled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
from PySide6.QtCore import QObject, Signal

from shared.sync import catalog_refresh
from shared.sync.catalog_refresh import LowStock, RefreshResult
from shared.sync.device import LinkState
from studio.publish.tasks import BackgroundTasks, problem_text
from studio.session import StudioSession

log = logging.getLogger(__name__)


class CatalogLive(QObject):
    """Keeps the local catalogue of one linked store up to date with the cloud's."""

    poked = Signal(int)                # from the poke thread: the cloud's newest catalogue position
    refreshed = Signal(object)         # a RefreshResult with rows written (on the UI thread)
    low_stock = Signal(list)           # [LowStock]: crossings to announce
    failed = Signal(str)               # a pull that failed, said for the merchant (tried again at the next trigger)
    pulled = Signal()                  # a pull that worked (rows or none)

    def __init__(self, session: StudioSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.link: LinkState | None = None
        self._tasks = BackgroundTasks(self)
        self._client: httpx.Client | None = None
        self._pulling = self._stopped = False
        self._forced = False           # a trigger that pulls whatever the cursor (start, reconnection, period)
        self._poked = 0                # the newest position a poke announced that no pull has settled
        self._poked_in_flight = False  # a poke came while a pull was running (it may have missed it)
        self._cursor: int | None = None   # where the last pull ended (None: no pull yet); never read from the DB here
        self.poked.connect(self._on_poke)

    def start(self, link: LinkState) -> None:
        """Follow the catalogue of the linked store: pull what changed since the last time."""
        self.link = link
        self.refresh_now()

    def stop(self) -> None:
        """Wait for the request in flight and close the HTTP client."""
        self._stopped = True
        self._tasks.stop()
        if self._client is not None:
            self._client.close()

    def refresh_now(self) -> None:
        """Pull the catalogue changes now (after the pull in flight, if any)."""
        self._forced = True
        self._next()

    def _on_poke(self, seq: int) -> None:
        if self._cursor is not None and seq <= self._cursor:
            return                     # that pull already brought it (our own threshold pokes us too)
        self._poked = max(self._poked, seq)
        self._poked_in_flight = self._poked_in_flight or self._pulling
        self._next()

    def _due(self) -> bool:
        return self._forced or self._poked > (self._cursor or 0)      # positions start at 1

    def _next(self) -> None:
        """Start a pull if one is due and none is running; a running pull's end calls this again."""
        if self.link is None or self._stopped or self._pulling or not self._due():
            return
        forced, poked = self._forced, self._poked
        self._pulling, self._forced, self._poked_in_flight = True, False, False
        self._tasks.submit(lambda: self._pull(forced, poked), self._pulled)

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client()
        return self._client

    def _pull(self, forced: bool, poked: int) -> RefreshResult:
        """On the worker: pull, unless only pokes asked and the stored cursor is already past them
        (`vibeshop sync` on the same data folder may have pulled meanwhile)."""
        if not forced:
            cursor = catalog_refresh.catalog_cursor(self.session.db)
            if poked <= cursor:
                return RefreshResult(cursor=cursor)
        link = self.link
        return catalog_refresh.pull_catalog(self.session.db, remote=link.remote, token=link.token,
                                            client=self._http())

    def _pulled(self, result: RefreshResult | None, error: Exception | None) -> None:
        self._pulling = False
        if not self._poked_in_flight:
            # The pull started after every poke so far: it brought them, or failed and is tried again
            # at the next trigger. Forgetting them also ends any loop on a position the cloud will
            # not reach again (a store rebuilt with a shorter log).
            self._poked = 0
        if error is not None:
            log.info("catalogue pull failed: %s", error)
            self.failed.emit(_failure_text(error))
        else:
            self._cursor = result.cursor
            self.pulled.emit()
            self._deliver(result)
        self._next()

    def _deliver(self, result: RefreshResult) -> None:
        if result.rows:
            self.refreshed.emit(result)
        if result.low_stock:
            self.low_stock.emit(list(result.low_stock))

    def set_threshold(self, variant_id: str, threshold: int | None,
                      done: Callable[[Exception | None], None]) -> bool:
        """Set a variant's low-stock threshold in the cloud (None removes it); `done(error)` on the UI
        thread. False when the store is not linked."""
        if self.link is None or self._stopped:
            return False
        link = self.link

        def work() -> RefreshResult:
            return catalog_refresh.set_threshold(self.session.db, remote=link.remote, token=link.token,
                                                 client=self._http(), variant_id=variant_id, threshold=threshold)

        def finished(result: Any, error: Exception | None) -> None:
            if error is None:
                self._deliver(result)
            done(error)

        return self._tasks.submit(work, finished)


def _failure_text(error: Exception) -> str:
    from studio.orders.model import cloud_trouble_text   # here: the orders section imports the publish package

    return cloud_trouble_text(error) or problem_text(error)


__all__ = ["CatalogLive", "LowStock"]
