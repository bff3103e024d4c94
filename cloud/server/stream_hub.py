"""One worker's open Server-Sent Event streams of one endpoint (live stock, the studio's orders) and the
StoreWatch that feeds them. A handler subscribes before it reads its state, opens the stream, then sends
what `next()` brings until None: aiohttp does not cancel a handler whose client left, but the stream's
ping task ends when a write fails, and that ends `next`. A shutdown waits for the handlers (60 s), so it
ends every open stream (clients reconnect), and a stream opened after that ends at once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

from aiohttp import web
from aiohttp_sse import EventSourceResponse

from cloud.server.admin import problem
from cloud.server.store_watch import StoreWatch, put_newest

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_CLOSED = object()


class StreamHub(Generic[T]):
    """The watcher and the open streams of one worker."""

    def __init__(self, watch: StoreWatch[T]) -> None:
        self.watch, self.streams, self.closing = watch, set[EventSourceResponse](), False

    @contextlib.asynccontextmanager
    async def listening(self, key: str, target: T) -> AsyncIterator[Listener]:
        """Subscribe to the store `key`; on leaving, the stream (if opened) ends and is forgotten."""
        queue, position = await self.watch.subscribe(key, target)
        listener = Listener(self, queue, position)
        try:
            yield listener
        finally:
            if listener.stream is not None:
                listener.closed.cancel()
                self.streams.discard(listener.stream)
                listener.stream.stop_streaming()
            self.watch.unsubscribe(key, queue)

    async def end_streams(self, _app: web.Application | None = None) -> None:
        """End the open streams, now and for good (the app's on_shutdown)."""
        self.closing = True
        for stream in list(self.streams):
            stream.stop_streaming()

    def install(self, app: web.Application, key: web.AppKey, path: str, handler: Handler) -> None:
        """Keep the hub in `app[key]`, watch while the app runs, end the streams on shutdown, and serve
        GET `path`. Call after the resources' cleanup_ctx (the watcher stops before the stores close)."""
        app[key] = self
        app.router.add_route("*", path, _get_only(handler))
        app.on_shutdown.append(self.end_streams)
        app.cleanup_ctx.append(self._watching)

    async def _watching(self, _app: web.Application) -> AsyncIterator[None]:
        self.watch.start()
        yield
        await self.watch.stop()


def _get_only(handler: Handler) -> Handler:
    """All but GET get a JSON 405 with Allow (the router's 405 becomes the storefront's HTML page without
    Allow, and a HEAD reached a stream that cannot be prepared: 500)."""
    @functools.wraps(handler)
    async def get_only(request: web.Request) -> web.StreamResponse:
        if request.method == "GET":
            return await handler(request)
        refused = problem(405, f"{request.path} is a text/event-stream: GET it.")
        refused.headers["Allow"] = "GET"
        return refused
    return get_only


class Listener:
    """One subscriber: its queue, the store's position when it subscribed, and its stream once open."""

    def __init__(self, hub: StreamHub, queue: asyncio.Queue, position: int) -> None:
        self.hub, self.queue, self.position = hub, queue, position
        self.stream: EventSourceResponse | None = None
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()

    async def open(self, request: web.Request, ping: float) -> EventSourceResponse:
        """Send the stream's headers (aiohttp-sse's: no-cache, no proxy buffering); its end queues a
        marker for `next`."""
        stream = EventSourceResponse(ping_interval=ping)
        await stream.prepare(request)
        self.stream = stream
        self.hub.streams.add(stream)
        self.closed = asyncio.ensure_future(stream.wait())
        self.closed.add_done_callback(lambda _done: put_newest(self.queue, _CLOSED))
        if self.hub.closing:
            stream.stop_streaming()
        return stream

    async def next(self) -> Any | None:
        """The next entry of the queue, or None once the stream has ended (no task per wait)."""
        entry = await self.queue.get()
        return None if entry is _CLOSED or self.closed.done() else entry   # (a full queue may drop the marker)

    async def send(self, data: str, *, event: str, id: int, retry: int | None = None) -> bool:  # noqa: A002
        """Send one event; False when the client is gone (aiohttp-sse also aborts a stalled write)."""
        try:
            await self.stream.send(data, event=event, id=str(id), retry=retry)
        except (ConnectionResetError, RuntimeError, TimeoutError):
            return False
        return True
