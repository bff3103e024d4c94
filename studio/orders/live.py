"""New and changed orders as they happen: the studio keeps GET /api/admin/orders/stream (Server-Sent
Events) open on a daemon thread with httpx streaming, and calls `on_order({"id", "number"})` for each
`event: order` and `on_updated({"id", "number", "version", "type"})` for each `event: order-updated`
(an order change: the POS accepted, readied, handed over or cancelled it, or it was oversold). Ids are
the cloud's change seqs: on reconnecting it sends `Last-Event-ID` with the last one it saw, as an
EventSource does, so the changes made while it was away are sent again (a cloud that ignores it: the
list is reloaded on connecting anyway). It reconnects with the sync's backoff (1 s doubling to 60 s,
with jitter), and says when it is connected. No Qt here: the callbacks emit signals, which Qt queues
to the UI thread."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator

import httpx

from studio.publish.pokes import backoff_delay

log = logging.getLogger(__name__)
READ_TIMEOUT = 60.0        # the cloud pings every 15 s: a minute of silence is a dead connection


UPDATED = "order-updated"


def parse_events(lines: Iterator[str]) -> Iterator[tuple[str, str, str | None]]:
    """(event, data, id or None) for each event of an SSE line stream (comments skipped)."""
    event, data, event_id = "message", [], None
    for line in lines:
        if line == "":
            if data:
                yield event, "\n".join(data), event_id
            event, data, event_id = "message", [], None
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id" and "\0" not in value:
                event_id = value


def _noting(lines: Iterator[str], heard: list[str]) -> Iterator[str]:
    """The lines, noting in `heard` that one came."""
    for line in lines:
        if not heard:
            heard.append(line)
        yield line


class OrdersListener:
    """Keeps the new-orders stream open in the background until `stop()`."""

    def __init__(self, url: str, headers: dict[str, str], *, on_order: Callable[[dict], None],
                 on_updated: Callable[[dict], None] = lambda _event: None,
                 on_connected: Callable[[], None] = lambda: None, backoff: tuple[float, float] = (1.0, 60.0)):
        self.url, self._headers = url, headers
        self._on_order, self._on_updated = on_order, on_updated
        self._on_connected, self._backoff = on_connected, backoff
        self.last_event_id: str | None = None      # the last event's id (a change seq), for Last-Event-ID
        self._stopping = threading.Event()
        self._response: httpx.Response | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._main, name="vibeshop-orders-stream", daemon=True)
        self.connected = False

    def start(self) -> None:
        """Connect in the background."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the stream and end the thread."""
        self._stopping.set()
        with self._lock:
            if self._response is not None:
                try:
                    self._response.close()
                except Exception:  # noqa: BLE001 - closing from another thread may race the reader
                    pass
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _main(self) -> None:
        failures = 0
        with httpx.Client(timeout=httpx.Timeout(10.0, read=READ_TIMEOUT)) as http:
            while not self._stopping.is_set():
                try:
                    failures = self._listen(http, failures)
                except (httpx.HTTPError, OSError, RuntimeError) as exc:
                    log.debug("orders stream: %s", exc)
                except Exception:  # noqa: BLE001 - a daemon thread has nobody to raise to
                    log.exception("the orders stream failed")
                self.connected = False
                failures += 1
                first, cap = self._backoff
                self._stopping.wait(backoff_delay(failures, first=first, cap=cap))

    def _listen(self, http: httpx.Client, failures: int) -> int:
        headers = dict(self._headers)
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = self.last_event_id
        with http.stream("GET", self.url, headers=headers) as response:
            with self._lock:
                self._response = response
            try:
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if response.status_code != 200 or kind != "text/event-stream":
                    # refused, or a web page (a proxy's, a Wi-Fi login's): not connected, and tried again
                    # later and later, never each second as if a stream had come and gone
                    log.debug("orders stream refused: %s %s", response.status_code, kind)
                    return failures
                self.connected = True
                self._on_connected()
                heard: list[str] = []
                for event, data, event_id in parse_events(_noting(response.iter_lines(), heard)):
                    self._dispatch(event, data, event_id)
                return 0 if heard else failures     # hung up before a word (not even a ping): back off
            finally:
                with self._lock:
                    self._response = None

    def _dispatch(self, event: str, data: str, event_id: str | None) -> None:
        """Hand one event to its callback (unknown events and malformed data are skipped)."""
        if event_id is not None:
            self.last_event_id = event_id
        if event not in ("order", UPDATED):
            return
        try:
            payload = json.loads(data)
        except ValueError:
            return
        if not isinstance(payload, dict) or "id" not in payload:
            return
        (self._on_order if event == "order" else self._on_updated)(payload)
