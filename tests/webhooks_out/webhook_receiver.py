"""A webhook receiver for the tests: a real aiohttp server on a loopback port that answers the first
`fail_first` deliveries with 500 (or `status`), then 200, and keeps every request it got."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    """One request as the receiver saw it, and what it answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    """Start with `await receiver.start()`; `url` is where to subscribe."""

    fail_first: int = 0
    status: int = 500                     # the failing answer
    always: int | None = None             # answer this to every request (a receiver that is down for good)
    redirect_to: str | None = None        # answer 302 to this location instead
    ssl_context: Any = None               # serve https:// with this ssl.SSLContext
    url_host: str = "127.0.0.1"           # the host name in `url` (it listens on 127.0.0.1)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Condition()
        self.port = 0

    @property
    def url(self) -> str:
        """The receiver's delivery URL."""
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.url_host}:{self.port}/hook"

    @property
    def accepted(self) -> list[Received]:
        """The deliveries answered with a 2xx."""
        return [r for r in self.requests if 200 <= r.answered < 300]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.redirect_to is not None:
            answer = 302
        elif self.always is not None:
            answer = self.always
        else:
            answer = self.status if len(self.requests) < self.fail_first else 200
        async with self._arrived:
            self.requests.append(Received(request.path, dict(request.headers), body, answer))
            self._arrived.notify_all()
        if answer == 302:
            return web.Response(status=302, headers={"Location": self.redirect_to})
        return web.json_response({"ok": answer == 200}, status=answer)

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.ssl_context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """The requests once at least `count` arrived (the timeout only catches a hang)."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.requests) >= count), timeout)
            return list(self.requests)
