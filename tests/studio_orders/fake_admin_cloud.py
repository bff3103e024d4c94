"""A FAKE cloud for the studio tests of the actions whose server side is built on other branches
(docs/http-api.md, issue 12's contract): the admin API's orders actions, PDFs and customers, kept in
memory, refusing illegal transitions with 409 as the real one does. It runs on a loopback port in its
own thread (the Qt tests are synchronous). The integrator re-runs these tests' real twins against the
real endpoints; this file only stands in for them meanwhile."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

from aiohttp import web

TOKEN = "device-token"


def _money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD"}


def sample_order(number: int = 1001, *, delivery: str = "ship") -> dict[str, Any]:
    """An order JSON as the contract describes it (two lines: 2 tees, 1 cap)."""
    return {
        "id": f"order-{number}", "number": number, "name": f"#{number}", "email": "ada@example.com",
        "customerName": "Ada Lovelace", "currency": "USD", "subtotal": _money(6500), "discountTotal": _money(0),
        "shipping": _money(500), "tax": _money(0), "total": _money(7000), "paymentStatus": "paid",
        "fulfillmentStatus": "unfulfilled", "pickupStatus": "none", "paymentProvider": "stripe",
        "deliveryMethod": delivery, "needsAttention": False, "createdAt": "2026-12-05T10:00:00+00:00",
        "updatedAt": "2026-12-05T10:00:00+00:00", "cancelledAt": None, "cancelReason": "",
        "delivery": {"method": delivery, "name": "Standard"}, "refundable": _money(7000),
        "shippingAddress": {"name": "Ada Lovelace", "street_address": "1 Market St", "city": "San Francisco",
                            "country_area": "CA", "postal_code": "94103", "country_code": "US"},
        "billingAddress": None, "discounts": [],
        "lines": [{"id": f"order-{number}:0", "title": "Harbor tee", "variantTitle": "M", "sku": "TEE-M",
                   "quantity": 2, "unitPrice": _money(2500), "total": _money(5000), "fulfilledQuantity": 0,
                   "refundedQuantity": 0},
                  {"id": f"order-{number}:1", "title": "Cap", "variantTitle": "", "sku": "CAP",
                   "quantity": 1, "unitPrice": _money(1500), "total": _money(1500), "fulfilledQuantity": 0,
                   "refundedQuantity": 0}],
        "fulfillments": [], "refunds": [],
        "messages": [{"kind": "order_confirmation", "to": "ada@example.com", "status": "sent", "attempts": 1,
                      "lastError": "", "sentAt": "2026-12-05T10:00:05+00:00"}],
        "events": [{"at": "2026-12-05T10:00:00+00:00", "kind": "placed", "message": "", "actor": "shopper"}],
    }


def _problem(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


class FakeAdminCloud:
    """The contract's admin endpoints over a dict of orders and customers; `requests` records each POST/DELETE."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.forbidden = False          # answer 403 as the real cloud does to a token without the scope
        self.loop = asyncio.new_event_loop()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    # -- the app ---------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth])
        app.router.add_get("/api/admin/orders", self.list_orders)
        app.router.add_get("/api/admin/orders/{id}", self.get_order)
        app.router.add_get("/api/admin/orders/{id}/{kind}.pdf", self.pdf)
        app.router.add_post("/api/admin/orders/{id}/{action}", self.action)
        app.router.add_get("/api/admin/customers", self.list_customers)
        app.router.add_get("/api/admin/customers/{id}", self.get_customer)
        app.router.add_get("/api/admin/customers/{id}/export", self.export_customer)
        app.router.add_delete("/api/admin/customers/{id}", self.erase_customer)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _problem(401, "unauthorized", "no token")
        if self.forbidden:
            return web.json_response({"error": {"status": 403, "message": "This token does not have the "
                                                 "'orders:read' scope"}}, status=403)
        return await handler(request)

    async def list_orders(self, request: web.Request) -> web.Response:
        self.requests.append(("GET", request.path_qs, None))
        found = sorted(self.orders.values(), key=lambda o: -o["number"])
        q = request.query.get("q", "").lstrip("#").lower()
        if q:
            found = [o for o in found if q in str(o["number"]) or q in o["email"] or q in o["customerName"].lower()]
        if request.query.get("delivery"):
            found = [o for o in found if o["deliveryMethod"] == request.query["delivery"]]
        summaries = [{k: v for k, v in o.items() if k not in ("lines", "events")} for o in found]
        return web.json_response({"orders": summaries, "nextBefore": None})

    async def get_order(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.match_info["id"])
        return web.json_response(order) if order else _problem(404, "not_found", "no such order")

    async def pdf(self, request: web.Request) -> web.Response:
        if request.match_info["id"] not in self.orders:
            return _problem(404, "not_found", "no such order")
        body = f"%PDF-1.4 fake {request.match_info['kind']} {request.match_info['id']}".encode()
        return web.Response(body=body, content_type="application/pdf")

    async def action(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.match_info["id"])
        body = await request.json()
        self.requests.append(("POST", request.path, body))
        if order is None:
            return _problem(404, "not_found", "no such order")
        act = {"fulfillments": self._fulfil, "ready-for-pickup": self._ready, "picked-up": self._picked_up,
               "cancel": self._cancel, "refunds": self._refund}.get(request.match_info["action"])
        if act is None:
            return _problem(404, "not_found", "no such action")
        refusal = act(order, body)
        return _problem(409, "illegal_transition", refusal) if refusal else web.json_response(order)

    def _fulfil(self, order: dict, body: dict) -> str | None:
        if order["cancelledAt"]:
            return "a cancelled order cannot be fulfilled"
        chosen = {l["lineId"]: l["quantity"] for l in body.get("lines") or []} or {
            line["id"]: line["quantity"] - line["fulfilledQuantity"] for line in order["lines"]}
        for line in order["lines"]:
            line["fulfilledQuantity"] += chosen.get(line["id"], 0)
        done = all(line["fulfilledQuantity"] >= line["quantity"] for line in order["lines"])
        order["fulfillmentStatus"] = "fulfilled" if done else "partially_fulfilled"
        order["fulfillments"].append({"id": f"f{len(order['fulfillments'])}", "carrier": body.get("carrier", ""),
                                      "trackingNumber": body.get("trackingNumber", ""),
                                      "trackingUrl": body.get("trackingUrl", ""), "createdAt": "2026-12-05T11:00:00+00:00",
                                      "lines": [{"lineId": k, "quantity": v} for k, v in chosen.items()]})
        order["events"].append({"at": "2026-12-05T11:00:00+00:00", "kind": "fulfilled", "message": "",
                                "actor": "device:Laptop"})
        return None

    def _ready(self, order: dict, body: dict) -> str | None:
        if order["deliveryMethod"] != "pickup":
            return "only a pickup order can be ready for pickup"
        order["pickupStatus"] = "ready"
        return None

    def _picked_up(self, order: dict, body: dict) -> str | None:
        if order["pickupStatus"] != "ready":
            return "the order is not ready for pickup yet"
        order["pickupStatus"], order["fulfillmentStatus"] = "picked_up", "fulfilled"
        return None

    def _cancel(self, order: dict, body: dict) -> str | None:
        if order["fulfillmentStatus"] == "fulfilled":
            return "a fulfilled order cannot be cancelled: refund it instead"
        order["cancelledAt"], order["cancelReason"] = "2026-12-05T12:00:00+00:00", body.get("reason", "")
        order["paymentStatus"] = "refunded"
        return None

    def _refund(self, order: dict, body: dict) -> str | None:
        amount = (body.get("amount") or {}).get("amount")
        if amount is None:
            prices = {line["id"]: line["unitPrice"]["amount"] for line in order["lines"]}
            amount = sum(prices[l["lineId"]] * l["quantity"] for l in body.get("lines") or [])
        if amount > order["refundable"]["amount"]:
            return f"at most {order['refundable']['amount']} can be refunded"
        order["refundable"]["amount"] -= amount
        order["paymentStatus"] = "refunded" if order["refundable"]["amount"] == 0 else "partially_refunded"
        order["refunds"].append({"id": f"r{len(order['refunds'])}", "amount": _money(amount), "lines": body.get("lines", []),
                                 "restock": body.get("restock", False), "reason": body.get("reason", ""),
                                 "createdAt": "2026-12-05T13:00:00+00:00", "status": "succeeded"})
        return None

    async def list_customers(self, request: web.Request) -> web.Response:
        rows = [{k: v for k, v in c.items() if k not in ("addresses", "orders", "consentHistory")}
                for c in self.customers.values()]
        return web.json_response({"customers": rows, "nextBefore": None})

    async def get_customer(self, request: web.Request) -> web.Response:
        customer = self.customers.get(request.match_info["id"])
        return web.json_response(customer) if customer else _problem(404, "not_found", "no such customer")

    async def export_customer(self, request: web.Request) -> web.Response:
        customer = self.customers.get(request.match_info["id"])
        if customer is None:
            return _problem(404, "not_found", "no such customer")
        return web.json_response({"profile": {"email": customer["email"], "name": customer["name"]},
                                  "addresses": customer["addresses"], "orders": customer["orders"],
                                  "consentHistory": customer["consentHistory"]})

    async def erase_customer(self, request: web.Request) -> web.Response:
        self.requests.append(("DELETE", request.path, None))
        if self.customers.pop(request.match_info["id"], None) is None:
            return _problem(404, "not_found", "no such customer")
        return web.json_response({"erased": True, "ordersKept": 2})

    # -- running ---------------------------------------------------------------------------------------

    def start(self) -> FakeAdminCloud:
        if not self._thread.is_alive():
            self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(30)
            self._runner = None

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


def sample_customer() -> dict[str, Any]:
    """A customer JSON as the contract describes it."""
    return {"id": "cust-1", "email": "ada@example.com", "name": "Ada Lovelace", "ordersCount": 2,
            "totalSpent": _money(12000), "marketingConsent": True, "createdAt": "2026-11-01T09:00:00+00:00",
            "addresses": [{"id": "addr-1", "isDefault": True, "createdAt": "2026-11-01T09:00:00+00:00",
                           "address": {"name": "Ada Lovelace", "street_address": "1 Market St",
                                       "city": "San Francisco", "country_code": "US"}}],
            "orders": [{k: v for k, v in sample_order().items() if k not in ("lines", "events")}],
            "consentHistory": [{"at": "2026-11-01T09:00:00+00:00", "consented": True, "source": "checkout"}]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

