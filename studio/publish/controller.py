"""Background sync for the store open in the studio (docs/sync-protocol.md section 8).

`SyncController` runs `Syncer.sync()` on a pool thread: two seconds after the merchant's last edit,
every 30 seconds, when the cloud pokes (another device pushed), and on demand. When the cloud cannot
be reached it retries after 1 s, doubling to 60 s, with jitter; automatic triggers wait for that
retry. It reports one state for the toolbar: not_linked, synced, pending, syncing, offline,
conflicts or refused (edits the table rules refused: kept here, listed in the detail). Publishing, rolling back and settling conflicts go through `run`, on the same single
thread, so they never overlap a sync of the same store. A store that is not linked makes no
network request at all. The catalogue (products and stock, owned by the POS) follows on its own
worker, `catalog` (studio/publish/catalog_live.py): pulled on catalogue pokes, on reconnection and
with every periodic sync."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from shared.sync import device, refusals
from shared.sync.client import RemoteError, Syncer, request_headers
from studio.publish.catalog_live import CatalogLive
from studio.publish.pokes import PokeListener, backoff_delay
from studio.publish.tasks import BackgroundTasks, problem_text
from studio.session import BLOCKS, CHECKOUT, MEDIA, PAGES, POSTS, STORE, THEME, StudioSession


NOT_LINKED, SYNCED, PENDING, SYNCING, OFFLINE, CONFLICTS, REFUSED = (
    "not_linked", "synced", "pending", "syncing", "offline", "conflicts", "refused")
ALL_SCOPES = (PAGES, BLOCKS, THEME, POSTS, MEDIA, STORE, CHECKOUT)
EDIT_DEBOUNCE_MS = 2_000
PERIOD_MS = 30_000


class _StudioSyncer(Syncer):
    """A Syncer that counts pulled changes made elsewhere: the views reload only for those, not for
    the echo of this device's own ops (which would reset an editor the merchant is typing in)."""

    foreign_changes = 0

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = super()._post(path, body)
        if path == "/_sync/pull":
            own = f"{self.device_id}:"
            self.foreign_changes += sum(1 for change in answer.get("changes", ())
                                        if not str(change.get("op_id") or "").startswith(own))
        return answer


def _retryable(error: RemoteError) -> bool:
    """Network errors, 5xx, 429 and 409 'gap' are worth retrying (protocol section 2); other 4xx are not."""
    return error.code == "offline" or error.status >= 500 or error.status == 429 or error.code == "gap"


class SyncController(QObject):
    """Keeps one session's store in sync with its cloud store and says how it stands."""

    status_changed = Signal(str, str)      # state, text for the merchant
    pulled = Signal()                      # changes made elsewhere arrived (the views were told)
    poked = Signal(int)                    # from the poke thread; queued to the UI thread
    socket_connected = Signal()

    def __init__(self, session: StudioSession, parent: QObject | None = None, *,
                 backoff: tuple[float, float] = (1.0, 60.0), period_ms: int = PERIOD_MS,
                 debounce_ms: int = EDIT_DEBOUNCE_MS):
        super().__init__(parent)
        self.session = session
        self.state, self.text, self.detail = NOT_LINKED, "Not linked", ""
        self.failures = 0
        self.retry_in: float | None = None       # seconds until the next attempt while offline
        self.last_error: RemoteError | None = None
        self._backoff = backoff
        self._syncer: _StudioSyncer | None = None
        self._syncing = self._again = self._halted = self._quiet = self._stopped = False
        self._tasks = BackgroundTasks(self)
        self._poke: PokeListener | None = None
        self.catalog = CatalogLive(session, self)
        self._debounce = _timer(self, debounce_ms, self._debounced)
        self._retry = _timer(self, 0, self._retry_now)
        self._period = _timer(self, period_ms, self._periodic, single=False)
        self.link = device.link_state(session.db)
        self.poked.connect(self._on_poke)
        self.socket_connected.connect(self._on_socket)
        session.changed.connect(self._edited)
        self.refresh_status()

    @property
    def linked(self) -> bool:
        """Whether this store syncs with a cloud store."""
        return self.link is not None

    def start(self) -> None:
        """Sync now, then keep syncing (nothing at all for a store that is not linked)."""
        if not self.linked or self._stopped:
            return
        self._period.start()
        self._poke = PokeListener(f"{self.link.remote}/_sync/poke", request_headers(self.link.token),
                                  on_poke=self.poked.emit, on_connected=self.socket_connected.emit,
                                  backoff=self._backoff, on_catalog=self.catalog.poked.emit)
        self._poke.start()
        self.sync_now()
        self.catalog.start(self.link)

    def stop(self) -> None:
        """Stop timers and the poke socket, wait for the request in flight, close the HTTP client."""
        if self._stopped:
            return
        self._stopped = True
        for timer in (self._debounce, self._retry, self._period):
            timer.stop()
        if self._poke is not None:
            self._poke.stop()
        self.catalog.stop()
        self._tasks.stop()
        if self._syncer is not None:
            self._syncer.close()

    # -- triggers ---------------------------------------------------------------------------------

    def sync_now(self) -> None:
        """Sync at once (the merchant asked, or a retry is due); clears a refusal that stopped syncing."""
        self._halted = False
        self._request_sync()

    def _edited(self, _scope: str) -> None:
        if self._quiet or not self.linked or self._stopped:
            return
        self.refresh_status()
        self._debounce.start()

    def _debounced(self) -> None:
        self._automatic()

    def _periodic(self) -> None:
        self._automatic()
        self.catalog.refresh_now()

    def _on_poke(self, cursor: int) -> None:
        if cursor > device.cursor(self.session.db):   # our own push pokes us too: already pulled
            self._automatic()

    def _on_socket(self) -> None:
        # Connected again after being away: pokes may have been missed, and the cloud is back.
        self.catalog.refresh_now()
        if self.failures:
            self._retry.stop()
            self.sync_now()
        else:
            self._automatic()

    def _automatic(self) -> None:
        """A trigger that is not the merchant's: waits for a pending retry while offline."""
        if self._halted or self._retry.isActive():
            return
        self._request_sync()

    def _retry_now(self) -> None:
        self.retry_in = None
        self._request_sync()

    def _request_sync(self) -> None:
        if not self.linked or self._stopped:
            return
        if self._syncing:
            self._again = True
            return
        self._syncing, self._again = True, False
        self._debounce.stop()
        self._set(SYNCING, "Syncing…")
        self._tasks.submit(lambda: self._with_syncer(lambda syncer: syncer.sync()), self._synced)

    # -- results ----------------------------------------------------------------------------------

    def _with_syncer(self, work: Callable[[Syncer], Any]) -> tuple[Any, int]:
        """On the pool thread: (what work returned, changes made elsewhere that it pulled)."""
        if self._syncer is None:
            self._syncer = _StudioSyncer(self.session.store)
        self._syncer.foreign_changes = 0
        return work(self._syncer), self._syncer.foreign_changes

    def _synced(self, result: tuple[Any, int] | None, error: Exception | None) -> None:
        self._syncing = False
        if error is not None:
            self._failed(error)
            return
        self.failures, self.retry_in, self.last_error = 0, None, None
        self._retry.stop()
        self._after_pull(result[1])
        self.refresh_status()
        if self._again:
            self._request_sync()

    def _failed(self, error: Exception) -> None:
        if not isinstance(error, RemoteError):   # a bug's traceback was logged when it was delivered
            error = RemoteError("error", f"Sync failed: {problem_text(error)}")
        self.last_error = error
        if _retryable(error):
            self.failures += 1
            first, cap = self._backoff
            self.retry_in = backoff_delay(self.failures, first=first, cap=cap)
            self._retry.start(int(self.retry_in * 1000))
            waiting = len(device.has_unsynced(self.session.db))
            suffix = f" · {waiting} change{'s' if waiting != 1 else ''} waiting" if waiting else ""
            self._set(OFFLINE, f"Offline{suffix}", f"{error} — retrying in {self.retry_in:.0f} s")
        else:
            self._halted = True       # the cloud refused: retrying would be refused again
            self._set(OFFLINE, "Sync stopped", str(error))

    def _after_pull(self, foreign_changes: int) -> None:
        if not foreign_changes:
            return
        self._quiet = True            # the views' reload is not an edit to sync back
        try:
            self.session.notify(*ALL_SCOPES)
        finally:
            self._quiet = False
        self.pulled.emit()

    def refresh_status(self) -> None:
        """Work out the state from the local database (conflicts, then unsynced edits)."""
        if not self.linked:
            self._set(NOT_LINKED, "Not linked", "This store is only on this computer.")
            return
        if self._syncing:
            return
        if self.state == OFFLINE and self.failures:
            return
        conflicts = len(device.open_conflicts(self.session.db))
        unsynced = device.has_unsynced(self.session.db)
        refused = refusals.refusals(self.session.db)
        if conflicts:
            self._set(CONFLICTS, f"{conflicts} conflict{'s' if conflicts != 1 else ''}",
                      "Two devices changed the same text. Review the conflicts to choose.")
        elif refused:
            self._set(REFUSED, f"{len(refused)} refused",
                      "These edits break the store's rules; they stay here until you fix them:\n"
                      + "\n".join(r.line() for r in refused[:10]))
        elif unsynced:
            self._set(PENDING, f"{len(unsynced)} pending", "\n".join(unsynced[:10]))
        else:
            self._set(SYNCED, "Synced", f"Up to date with {self.link.remote}")

    def _set(self, state: str, text: str, detail: str = "") -> None:
        changed = (state, text) != (self.state, self.text)
        self.state, self.text, self.detail = state, text, detail
        if changed:
            self.status_changed.emit(state, text)

    # -- remote actions ---------------------------------------------------------------------------

    def run(self, work: Callable[[Syncer], Any], done: Callable[[Any, Exception | None], None], *,
            then_sync: bool = False) -> bool:
        """Run `work(syncer)` (publish, rollback, resolve, releases) after any sync in flight;
        `done(value, error)` on the UI thread. False when not linked or stopped."""
        if not self.linked or self._stopped:
            return False

        def finished(result: tuple[Any, int] | None, error: Exception | None) -> None:
            if error is None:
                self._after_pull(result[1])
            self.refresh_status()
            done(None if result is None else result[0], error)
            if then_sync:
                self.sync_now()

        return self._tasks.submit(lambda: self._with_syncer(work), finished)


def _timer(parent: QObject, interval_ms: int, slot: Callable[[], None], *, single: bool = True) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(single)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer
