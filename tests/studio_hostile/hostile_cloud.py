"""A flaky stand-in for the cloud's admin API, for the studio's hostile tests: POS devices kept in memory,
and a `mode` that makes every answer go wrong the way a real network does: 500 with an HTML page, a 200
HTML page (a captive portal or proxy), JSON of the wrong shape, an answer that never comes (`hang`, until
`release()`), or 401 (the studio's token revoked). `stop()` takes it away, `start()` brings it back on the
same port. It runs on a loopback port in its own thread (the Qt tests are synchronous)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import socket
import threading
from pathlib import Path
from typing import Any

from aiohttp import web

HTML = "<!doctype html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
SHOTS = Path("/tmp/shots16")
LOCATIONS = {"loc-pine": "Pine Street shop", "loc-harbor": "Harbor warehouse"}


class HostileCloud:
    """`mode`: ok, 500, html, garbage, hang, 401. `requests` records (method, path) of each request."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.devices: list[dict[str, Any]] = []
        self.locations = dict(LOCATIONS)          # id -> name, as the store has them
        self.requests: list[tuple[str, str]] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.refusals: dict[str, tuple[str, str]] = {}     # action -> (code, message): a 409 the next time
        self.stream_mode = "sse"        # sse (an order event, then pings), html (a 200 web page), drop (200, nothing)
        self.streamed: list[dict[str, Any]] = []            # the order events the stream sends on connecting
        self.loop = asyncio.new_event_loop()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._runner: web.AppRunner | None = None
        self._released = asyncio.Event()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._flaky])
        app.router.add_get("/api/admin/pos/devices", self.list_devices)
        app.router.add_post("/api/admin/pos/devices", self.add_device)
        app.router.add_delete("/api/admin/pos/devices/{id}", self.revoke_device)
        app.router.add_get("/api/admin/orders", self.list_orders)
        app.router.add_get("/api/admin/orders/stream", self.stream)
        app.router.add_get("/api/admin/orders/{id}", self.get_order)
        app.router.add_post("/api/admin/orders/{id}/{action}", self.order_action)
        app.router.add_get("/_sync/catalog", self.catalog_page)
        app.router.add_put("/_sync/catalog/alerts", self.set_alert)
        return app

    @web.middleware
    async def _flaky(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        mode = self.mode
        if mode == "500":
            return web.Response(status=500, text=HTML, content_type="text/html")
        if mode == "html":
            return web.Response(status=200, text=HTML, content_type="text/html")
        if mode == "garbage":
            return web.json_response(["not", "an", "object"] if request.method != "GET" else {"devices": "nope"})
        if mode == "hang":
            await self._released.wait()
            return web.Response(status=504, text=HTML, content_type="text/html")
        if mode == "401":
            return web.json_response({"error": {"status": 401, "code": "unauthorized",
                                                "message": "This token was revoked"}}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="vibeshop"'})
        return await handler(request)

    def release(self) -> None:
        """Let every hanging request end (with a 504)."""
        self.loop.call_soon_threadsafe(self._released.set)

    # -- POS devices -----------------------------------------------------------------------------------

    async def list_devices(self, _request: web.Request) -> web.Response:
        return web.json_response({"devices": self.devices})

    async def add_device(self, request: web.Request) -> web.Response:
        body = await request.json()
        name, location = str(body.get("name") or "").strip(), body.get("location")
        if not 1 <= len(name) <= 100 or not name.isprintable():
            return _problem(400, "invalid", "A device's name must be one line of printable characters", "name")
        if location not in self.locations:
            return _problem(400, "invalid", f"A POS device needs one of this store's locations: no location "
                                            f"{location!r}", "location")
        device = {"id": f"dev-{len(self.devices) + 1}", "name": name,
                  "location": {"id": location, "name": self.locations[location]},
                  "createdAt": "2026-12-05T09:00:00+00:00",
                  "lastUsedAt": None, "revoked": False, "revokedAt": None}
        self.devices.insert(0, device)
        return web.json_response({"device": device, "token": f"vs_{device['id']}_secret"}, status=201)

    async def revoke_device(self, request: web.Request) -> web.Response:
        device = next((d for d in self.devices if d["id"] == request.match_info["id"]), None)
        if device is None:
            return _problem(404, "not_found", "No such POS device")
        if device["revoked"]:
            return _problem(409, "conflict", "This POS device is already revoked")
        device.update(revoked=True, revokedAt="2026-12-05T09:30:00+00:00")
        return web.json_response({"device": device})

    # -- orders ----------------------------------------------------------------------------------------

    async def list_orders(self, _request: web.Request) -> web.Response:
        return web.json_response({"orders": list(self.orders.values()), "nextBefore": None})

    async def get_order(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.match_info["id"])
        return web.json_response(order) if order else _problem(404, "not_found", "No such order")

    async def order_action(self, request: web.Request) -> web.Response:
        """ready-for-pickup and picked-up; a refusal set in `refusals` answers 409 with its code."""
        order, action = self.orders.get(request.match_info["id"]), request.match_info["action"]
        if order is None:
            return _problem(404, "not_found", "No such order")
        if action in self.refusals:
            code, message = self.refusals.pop(action)
            return _problem(409, code, message)
        order["pickupStatus"] = {"ready-for-pickup": "ready", "picked-up": "picked_up"}[action]
        return web.json_response(order)

    async def stream(self, request: web.Request) -> web.StreamResponse:
        if self.stream_mode == "html":
            return web.Response(text=HTML, content_type="text/html")
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        if self.stream_mode == "drop":
            return response
        for seq, event in enumerate(self.streamed, 1):
            await response.write(f"event: order\nid: {seq}\ndata: {json.dumps(event)}\n\n".encode())
        while True:                       # pings until the studio hangs up or the cloud stops
            await response.write(b": ping\n\n")
            await asyncio.sleep(0.2)

    # -- the catalogue feed (sync protocol: {"error": code, "message"} problems) -------------------------

    async def catalog_page(self, _request: web.Request) -> web.Response:
        return web.json_response({"changes": [], "parents": [], "cursor": 0, "more": False})

    async def set_alert(self, request: web.Request) -> web.Response:
        """Every variant was deleted by the POS meanwhile: 404, as the cloud answers then."""
        await request.json()
        return web.json_response({"error": "not_found", "message": "No such variant in this store"}, status=404)

    # -- running ---------------------------------------------------------------------------------------

    def start(self) -> HostileCloud:
        if not self._thread.is_alive():
            self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app(), shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    def stop(self) -> None:
        if self._runner is not None:
            self.release()
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(30)
            self._runner = None
            self._released = asyncio.Event()

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


def sample_order(number: int, **changes: Any) -> dict[str, Any]:
    """An order JSON as the admin API sends it (tests/studio_orders/fake_admin_cloud.py's sample)."""
    path = Path(__file__).resolve().parents[1] / "studio_orders" / "fake_admin_cloud.py"
    spec = importlib.util.spec_from_file_location("hostile_fake_admin_cloud", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {**module.sample_order(number, delivery="pickup"), **changes}


def shot(widget: Any, name: str) -> Path:
    """Save the widget's picture to /tmp/shots16/NAME.png (for a person to look at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path), "PNG")
    return path


def _problem(status: int, code: str, message: str, field: str | None = None) -> web.Response:
    error: dict[str, Any] = {"status": status, "code": code, "message": message}
    if field:
        error["field"] = field
    return web.json_response({"error": error}, status=status)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
