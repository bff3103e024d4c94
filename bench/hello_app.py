"""The peer for the requests/s figure: aiohttp's hello world, served the same way as the storefront."""

from __future__ import annotations

import sys

from aiohttp import web


async def hello(_request: web.Request) -> web.Response:
    """The smallest useful answer."""
    return web.Response(text="Hello, world")


if __name__ == "__main__":
    app = web.Application()
    app.router.add_get("/", hello)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
