"""The Orders and Customers sections' models: what the cloud last said, fetched off the UI thread.

`RemoteView` asks the cloud through the window's SyncController (`sync.run`, the linked device's
Syncer on the sync thread) and keeps the answer, online, in an on-disk cache (studio/orders/cache.py).
When the cloud cannot be reached it shows the cached copy instead and says so: `online` is False and
`as_of` holds "Offline, as of 14:05". Actions are never tried offline (the widgets are disabled and
`act` refuses). Results of a request that a newer one superseded are dropped (STYLE.md 9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from PySide6.QtCore import QObject, Signal

from shared.sync.client import RemoteError, Syncer
from studio.orders.cache import ViewCache, as_of_text
from studio.orders.detail import is_oversold
from studio.publish.tasks import problem_text

NOT_LINKED_TEXT = ("Orders and customers live in the cloud. Link this store to the cloud (Link… in the toolbar) "
                   "to see them here.")


class RemoteView(QObject):
    """One cloud list with its opened detail; `fetch_list(syncer)` and `fetch_detail(syncer, key)` say how."""

    list_changed = Signal()
    detail_changed = Signal()
    state_changed = Signal()                 # online / offline / busy changed
    problem = Signal(str, str)               # title, message: an action the cloud refused

    def __init__(self, sync: Any, cache: ViewCache | None, parent: QObject | None = None):
        super().__init__(parent)
        self.sync, self.cache = sync, cache
        self.items: list[dict[str, Any]] = []
        self.next_before: Any = None
        self.detail: dict[str, Any] | None = None
        self.detail_key: str | None = None
        self.online = False
        self.as_of = ""                      # the banner while offline
        self.busy = False
        self._list_serial = self._detail_serial = 0

    @property
    def linked(self) -> bool:
        """Whether there is a cloud store to ask."""
        return self.sync is not None and self.sync.linked

    # -- what subclasses say -------------------------------------------------------------------------

    def fetch_list(self, syncer: Syncer) -> dict[str, Any]:
        """The list as the cloud answers it (on the sync thread)."""
        raise NotImplementedError

    def fetch_detail(self, syncer: Syncer, key: str) -> dict[str, Any]:
        """One item as the cloud answers it (on the sync thread)."""
        raise NotImplementedError

    def list_of(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows of a list answer."""
        raise NotImplementedError

    # -- reading ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the list again (the cached one when offline)."""
        if not self.linked:
            self._offline(None, NOT_LINKED_TEXT)
            return
        self._list_serial += 1
        serial = self._list_serial
        self.sync.run(self.fetch_list, lambda answer, error: self._listed(serial, answer, error))

    def _listed(self, serial: int, answer: Any, error: Exception | None) -> None:
        if serial != self._list_serial:
            return
        if error is not None:
            self._failed(error)
            return
        self.items, self.next_before = self.list_of(answer), answer.get("nextBefore")
        if self.cache is not None:
            self.cache.put_list(answer)
        self._online()
        self.list_changed.emit()

    def open(self, key: str) -> None:
        """Fetch one item's detail (the cached copy when offline)."""
        self.detail_key = key
        if not self.linked:
            self._show_cached_detail(key)
            return
        self._detail_serial += 1
        serial = self._detail_serial
        self.sync.run(lambda syncer: self.fetch_detail(syncer, key),
                      lambda answer, error: self._opened(serial, key, answer, error))

    def _opened(self, serial: int, key: str, answer: Any, error: Exception | None) -> None:
        if serial != self._detail_serial:
            return
        if error is not None:
            if _offline_error(error):
                self._failed(error)
                self._show_cached_detail(key)
            else:
                self.problem.emit("Could not open it", refusal_text(error))
            return
        self._set_detail(key, answer)
        self._online()

    def _set_detail(self, key: str, detail: dict[str, Any]) -> None:
        self.detail, self.detail_key = detail, key
        if self.cache is not None:
            self.cache.put_detail(key, detail)
        self.detail_changed.emit()

    def _show_cached_detail(self, key: str) -> None:
        cached = self.cache.get_detail(key) if self.cache is not None else None
        self.detail = cached[0] if cached else None
        self.detail_changed.emit()

    # -- actions ---------------------------------------------------------------------------------------

    def act(self, title: str, work: Callable[[Syncer], Any], *, done: Callable[[Any], None] | None = None) -> bool:
        """Run an action online (never offline: False, nothing sent). The answer, when it is the item
        again, replaces the detail; a refusal is told through `problem` with the cloud's reason."""
        if not self.online or not self.linked or self.busy:
            return False
        self._set_busy(True)

        def finished(answer: Any, error: Exception | None) -> None:
            self._set_busy(False)
            if error is not None:
                if _offline_error(error):
                    self._failed(error)
                self.problem.emit(title, refusal_text(error))
                if not _offline_error(error):
                    self.reload()         # refused because it changed meanwhile (a 409): show it as it is now
                return
            if done is not None:
                done(answer)
            self.refresh()

        return self.sync.run(work, finished)

    def reload(self) -> None:
        """Fetch the list and the opened item again (Refresh; after a refusal, which may mean it changed)."""
        self.refresh()
        if self.detail_key is not None:
            self.open(self.detail_key)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.state_changed.emit()

    # -- online / offline ------------------------------------------------------------------------------

    def _online(self) -> None:
        if not self.online or self.as_of:      # the banner (offline, or a refusal) goes with an answer
            self.online, self.as_of = True, ""
            self.state_changed.emit()

    def _failed(self, error: Exception) -> None:
        """A read that failed: offline shows the kept copy; a refusal (a token without the scope, say)
        is said in the banner, not in a dialog that would pop up at every start."""
        if _offline_error(error):
            self._offline(self.cache.get_list() if self.cache is not None else None, "")
        else:
            self.as_of = cloud_trouble_text(error) or f"The cloud refused to show this: {problem_text(error)}"
            self.state_changed.emit()

    def _offline(self, cached: tuple[Any, str] | None, text: str) -> None:
        self.online = False
        if cached is not None:
            self.items, self.next_before = self.list_of(cached[0]), None
            self.as_of = as_of_text(cached[1])
        else:
            self.as_of = text or "Offline: nothing was fetched yet on this computer"
        self.state_changed.emit()
        self.list_changed.emit()


def _offline_error(error: Exception) -> bool:
    return isinstance(error, RemoteError) and (error.code == "offline" or error.status >= 500
                                               or error.status == 429)


def refusal_text(error: Exception) -> str:
    """What the merchant reads when the cloud refused an action or could not answer: what happened in
    words (offline, the cloud in trouble, this studio's link refused, an answer not understood), and the
    cloud's own reason for a refusal."""
    if not isinstance(error, RemoteError):
        return problem_text(error)
    trouble = cloud_trouble_text(error)
    if trouble and unsure(error):
        return f"{trouble} {UNSURE_TEXT}"
    if trouble:
        return f"Nothing was changed. {trouble}"
    if error.status == 409:
        return f"The cloud refused this (409): {error}"
    field = error.details.get("field")
    where = f" ({field})" if field else ""
    return f"The cloud refused this ({error.status}){where}: {error}"


UNSURE_TEXT = "It is not known whether it was done: Refresh to see before trying again."


def unsure(error: Exception) -> bool:
    """Whether the request may have been carried out though no answer said so: it timed out, the
    cloud (or a proxy before it) failed, or its answer was not understood."""
    if not isinstance(error, RemoteError):
        return False
    timed_out = error.code == "offline" and isinstance(error.__cause__, httpx.TimeoutException)
    return timed_out or error.code == "bad_answer" or error.status >= 500


def cloud_trouble_text(error: Exception) -> str:
    """The network's or the cloud's trouble said for a merchant (no answer, a timeout, a 5xx, a 401/403,
    an answer that is not the cloud's JSON); "" for a refusal of the request itself (its reason says)."""
    if not isinstance(error, RemoteError):
        return ""
    if error.code == "offline":
        if isinstance(error.__cause__, httpx.TimeoutException):
            return "The cloud did not answer in time. Check your connection, then try again."
        return "You are offline: the cloud could not be reached. Try again when you are online."
    if error.code == "bad_answer":
        return ("The cloud's answer was not understood (a web page or unexpected data came back: a proxy or "
                "a Wi-Fi login page may be in the way). Try again in a moment.")
    if error.status >= 500 or error.status == 429:
        return f"The cloud is having trouble (it answered {error.status}). Try again in a few minutes."
    if error.status in (401, 403):
        return (f"The cloud no longer accepts this studio's link ({error.status}: {error}). Link this store "
                "to the cloud again (Link… in the toolbar).")
    return ""


class OrdersModel(RemoteView):
    """Orders: filters and search as the admin API takes them; actions per the order lifecycle."""

    def __init__(self, sync: Any, cache: ViewCache | None, parent: QObject | None = None):
        super().__init__(sync, cache, parent)
        self.filters: dict[str, Any] = {}
        self.oversold_ids: set[str] = set()      # told by the live stream ("order.oversold") this session

    def is_oversold(self, order: dict[str, Any]) -> bool:
        """Whether the order is oversold: its own `oversold_at`, or the stream said so."""
        return is_oversold(order) or str(order.get("id")) in self.oversold_ids

    def note_update(self, event: dict[str, Any]) -> bool:
        """Take an `order-updated` event: remember an oversold order; True when it is the opened one
        (whose detail should be fetched again)."""
        order_id = str(event.get("id"))
        if event.get("type") == "order.oversold":
            self.oversold_ids.add(order_id)
        opened = {self.detail_key, str((self.detail or {}).get("id"))} - {None, "None"}
        return order_id in opened

    def set_filters(self, **filters: Any) -> None:
        """Set the list's filters (payment_status, fulfillment_status, delivery, since, q) and refresh."""
        self.filters = {k: v for k, v in filters.items() if v not in (None, "")}
        self.refresh()

    def fetch_list(self, syncer: Syncer) -> dict[str, Any]:
        return syncer.list_orders(limit=100, **self.filters)

    def fetch_detail(self, syncer: Syncer, key: str) -> dict[str, Any]:
        return syncer.order(key)

    def list_of(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [o for o in answer.get("orders", []) if isinstance(o, dict)]

    def _offline(self, cached: tuple[Any, str] | None, text: str) -> None:
        super()._offline(cached, text)
        if cached is not None and self.filters:      # the cache is the last list, whatever its filters
            self.as_of += " (the last list fetched; filters apply when online)"

    def order_action(self, title: str, verb: str, **options: Any) -> bool:
        """Run Syncer.`verb`(order id, **options) on the opened order; the answer is the order now."""
        order = self.detail
        if order is None:
            return False
        key = str(order.get("id"))
        return self.act(title, lambda syncer: getattr(syncer, verb)(key, **options),
                        done=lambda answer: self._set_detail(key, answer) if isinstance(answer, dict) else None)
