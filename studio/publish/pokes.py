"""The poke WebSocket (docs/sync-protocol.md section 8): `GET /_sync/poke` stays open, and the cloud
sends `{"cursor": N}` after any push to the store, so the studio pulls at once instead of waiting for
its next periodic sync, and `{"catalog": N}` after any change of the catalogue or stock (the POS), so
the Products view refreshes (studio/publish/catalog_live.py). It runs on aiohttp in a daemon thread with its own event loop and reconnects
with the same backoff as sync (1 s doubling to 60 s, with jitter). No Qt here: the callbacks emit
signals, which Qt queues to the UI thread."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections.abc import Callable

import aiohttp

log = logging.getLogger(__name__)


def backoff_delay(failures: int, *, first: float = 1.0, cap: float = 60.0,
                  rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait after `failures` failed attempts in a row: 1 s doubling to 60 s, ±20 % jitter
    (so devices that lost the cloud together do not all come back in the same second)."""
    base = min(cap, first * 2 ** max(0, failures - 1))
    return min(cap, base * (0.8 + 0.4 * rng()))


class PokeListener:
    """Keeps the poke socket open; `on_poke(cursor)` for each poke, `on_catalog(seq)` for each catalogue
    poke, `on_connected()` after each (re)connection (pokes sent while away were missed: time to sync)."""

    def __init__(self, url: str, headers: dict[str, str], *, on_poke: Callable[[int], None],
                 on_connected: Callable[[], None], backoff: tuple[float, float] = (1.0, 60.0),
                 on_catalog: Callable[[int], None] | None = None):
        self.url = url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        self._headers, self._on_poke, self._on_connected = headers, on_poke, on_connected
        self._backoff = backoff
        self._on_catalog = on_catalog
        self._lock = threading.Lock()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread = threading.Thread(target=self._main, name="vibeshop-poke", daemon=True)
        self.connected = False

    def start(self) -> None:
        """Connect in the background."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the socket and end the thread."""
        with self._lock:
            self._stopping = True
            if self._loop is not None and self._task is not None:
                self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - a daemon thread has nobody to raise to
            log.exception("the poke listener stopped")

    async def _run(self) -> None:
        with self._lock:
            if self._stopping:
                return
            self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        failures = 0
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.ws_connect(self.url, headers=self._headers, heartbeat=30,
                                               timeout=aiohttp.ClientWSTimeout(ws_close=5)) as socket:
                        failures = 0
                        self.connected = True
                        self._on_connected()
                        await self._listen(socket)
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                    log.debug("poke socket: %s", exc)
                self.connected = False
                failures += 1
                first, cap = self._backoff
                await asyncio.sleep(backoff_delay(failures, first=first, cap=cap))

    async def _listen(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        async for message in socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            try:
                poke = json.loads(message.data)
                if "catalog" in poke:
                    seq, cursor = int(poke["catalog"]), None
                else:
                    seq, cursor = None, int(poke["cursor"])
            except (ValueError, KeyError, TypeError):
                continue
            if cursor is not None:
                self._on_poke(cursor)
            elif self._on_catalog is not None:
                self._on_catalog(seq)
