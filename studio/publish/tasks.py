"""Network work off the UI thread (git-cola's `qtutils.RunTask`): a private QThreadPool runs each
job, and its result comes back to a callback on the UI thread through a queued signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from shared.errors import VibeshopError

log = logging.getLogger(__name__)

Done = Callable[[Any, "Exception | None"], None]
BUG_TEXT = "Something went wrong in the studio (a bug: the details are in its log)."


def problem_text(error: Exception) -> str:
    """What to tell the merchant about a failed job: a domain error's own message; for a bug, only that it is
    one (its traceback was logged when it was delivered), never its text as if it were their mistake."""
    if isinstance(error, VibeshopError):
        return str(error) or str(error.code)
    return BUG_TEXT


@dataclass
class _Outcome:
    done: Done
    value: Any = None
    error: Exception | None = None


class _Job(QRunnable):
    """Runs `work()` on a pool thread and hands the outcome to the relay (queued to the UI thread)."""

    def __init__(self, work: Callable[[], Any], done: Done, relay: BackgroundTasks):
        super().__init__()
        self._work, self._done, self._relay = work, done, relay

    def run(self) -> None:
        outcome = _Outcome(self._done)
        try:
            outcome.value = self._work()
        except Exception as exc:  # noqa: BLE001 - handed to the callback, which decides what to show
            outcome.error = exc
        self._relay.finished.emit(outcome)


class BackgroundTasks(QObject):
    """Jobs run one at a time (`threads=1` keeps a store's network actions in order), results are
    delivered on the UI thread; after `stop()` nothing more runs and late results are dropped."""

    finished = Signal(object)

    def __init__(self, parent: QObject | None = None, *, threads: int = 1):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._stopped = False
        self.running = 0
        # A bound method of a QObject made on the UI thread: the connection is queued there.
        self.finished.connect(self._deliver)

    def submit(self, work: Callable[[], Any], done: Done) -> bool:
        """Queue `work`; `done(value, error)` runs on the UI thread. False once stopped."""
        if self._stopped:
            return False
        self.running += 1
        self._pool.start(_Job(work, done, self))
        return True

    @Slot(object)
    def _deliver(self, outcome: _Outcome) -> None:
        self.running -= 1
        if outcome.error is not None and not isinstance(outcome.error, VibeshopError):
            log.error("a background job failed", exc_info=outcome.error)   # a bug: its traceback
        if self._stopped:
            return
        try:
            outcome.done(outcome.value, outcome.error)
        except RuntimeError as exc:      # the widget waiting for it was deleted meanwhile
            log.debug("dropped a background result: %s", exc)

    def stop(self, timeout_ms: int = 40_000) -> bool:
        """Run nothing new, wait for the job in flight (a request times out within 35 s)."""
        self._stopped = True
        self._pool.clear()
        return self._pool.waitForDone(timeout_ms)
