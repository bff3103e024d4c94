"""The admin API's order actions (docs/http-api.md, "Orders: the lifecycle"): one order in full, fulfil,
ready for pickup, picked up, cancel, refund, and the packing slip and invoice as PDF. Each handler
parses its JSON, calls one service of shared/orders with the token as the actor ("device:NAME" for a
paired studio, "admin:NAME" for another token), and answers the order JSON; errors are
{"error": {"status", "code", "message", "field"?}}: 400 malformed, 404 no such order, 409 illegal
transition (the message says why), 422 invalid field, 502 the payment provider refused."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from cloud.server.admin import _BadRequest, _grant, _json_object, problem
from cloud.server.commerce import SECRETS, STRIPE_HTTP, checkout_context
from cloud.server.keys import CONFIG, STORES
from cloud.server.middlewares import STORE
from cloud.server.order_filters import parse_order_filters
from shared.accounts.errors import AuthError, AuthErrorCode
from shared.db.repositories.accounts import list_tokens
from shared.db.repositories.storefront import get_storefront
from shared.models.money import Money, MoneyError
from shared.orders import (OrderError, OrderErrorCode, cancel_order, expire_authorizations, fulfil_order, get_order,
                           list_orders, mark_picked_up, mark_ready_for_pickup, read_order, refund_order)
from shared.payments import PaymentError, PaymentErrorCode, StripeOptions, open_provider
from shared.orders.documents import invoice_pdf, packing_slip_pdf
from shared.orders.service import parse_order_number

log = logging.getLogger(__name__)
EXPIRY_INTERVAL = 3600.0      # seconds between passes over the authorizations (a warning is due a day ahead)
_STATUS = {OrderErrorCode.INVALID: 422, OrderErrorCode.NOT_FOUND: 404, OrderErrorCode.ILLEGAL_TRANSITION: 409,
           OrderErrorCode.DUPLICATE: 409, OrderErrorCode.PAYMENT_FAILED: 502}
_AUTH = {AuthErrorCode.UNAUTHORIZED: 401, AuthErrorCode.FORBIDDEN: 403, AuthErrorCode.INVALID: 400}
# An order is named by id or number; "stream" is the live feed's (cloud/server, helper D), never an order.
ORDER = r"{order:(?!stream$)[^{}/]{1,100}}"
_KINDS = {str: "text", bool: "true or false", list: "a list", dict: "an object"}
Handler = Callable[[web.Request, str], Awaitable[web.StreamResponse]]


class _Invalid(Exception):
    """A field of the body that cannot be used (422)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def orders_admin(scope: str) -> Callable[[Handler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """Require a token of this store with `scope`; hand the handler its actor; map errors to JSON."""
    def wrap(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                grant = await _grant(request, scope)
                return await handler(request, await _actor(request, grant.token_id))
            except AuthError as exc:
                return problem(_AUTH.get(exc.code, 403), str(exc), code=str(exc.code))
            except _BadRequest as exc:
                return problem(exc.status, str(exc), code="malformed")
            except _Invalid as exc:
                return problem(422, str(exc), code="invalid", field=exc.field)
            except OrderError as exc:
                extra = {"field": exc.field} if exc.field else {}
                return problem(_STATUS.get(exc.code, 400), str(exc), code=str(exc.code), **extra)
        guarded.__doc__ = handler.__doc__
        return guarded
    return wrap


async def _actor(request: web.Request, token_id: str) -> str:
    """'device:NAME' for a paired studio's token ("Device: NAME"), else 'admin:TOKEN NAME'."""
    catalog = request.app[STORES].catalog
    tokens = await catalog.run_read(lambda conn: list_tokens(conn, request[STORE].record.id))
    name = next((row[1] for row in tokens if row[0] == token_id), token_id)
    if name.startswith("Device: "):
        return f"device:{name.removeprefix('Device: ').strip() or 'Studio'}"
    return f"admin:{name.strip() or token_id}"


async def _order_id(request: web.Request) -> str:
    """The order's id from the path: an id, or a number (1001, #1001)."""
    key = request.match_info["order"]
    db = request[STORE].db
    if parse_order_number(key) is not None:
        return (await db.call_read(get_order, db, number=key)).id
    return key


def _context(request: web.Request) -> dict[str, Any]:
    """What the payment-moving services take: the store's provider and its site URL."""
    ctx = checkout_context(request, request[STORE])
    return {"payments": ctx.provider, "site_url": ctx.site_url}


def _fields(body: dict[str, Any], allowed: dict[str, type]) -> dict[str, Any]:
    for name, value in body.items():
        if name not in allowed:
            raise _Invalid(name, f"{name} is not a field here (use {', '.join(allowed)})")
        kind = allowed[name]
        if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)):
            raise _Invalid(name, f"{name} must be {_KINDS.get(kind, kind.__name__)}")
    return body


def _lines(value: Any) -> list[tuple[str, int]] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _Invalid("lines", "lines is a list of {lineId, quantity}")
    return [(item.get("lineId"), item.get("quantity")) for item in value]


def _amount(value: Any) -> Money | None:
    if value is None:
        return None
    if (not isinstance(value, dict) or set(value) != {"amount", "currency"} or isinstance(value["amount"], bool)
            or not isinstance(value["amount"], int) or not isinstance(value["currency"], str)):
        raise _Invalid("amount", "amount is {amount: minor units as an integer, currency: 'USD'}")
    try:
        return Money(value["amount"], value["currency"].upper())
    except (MoneyError, ValueError) as exc:
        raise _Invalid("amount", str(exc)) from None


def _answer(order: Any) -> web.Response:
    return web.json_response(order.to_json())


@orders_admin("orders:read")
async def get_order_list(request: web.Request, actor: str) -> web.Response:
    """GET /api/admin/orders?limit=&before=&payment_status=&fulfillment_status=&delivery=&since=&until=&q=
    &email= : newest first (cloud/server/order_filters.py says what each takes; a bad one is a 400
    naming its `field`)."""
    db = request[STORE].db
    try:
        page = await db.call_read(list_orders, db, **parse_order_filters(request.query).as_kwargs())
    except OrderError as exc:
        field = getattr(exc, "field", None)
        return problem(400, str(exc), code=str(exc.code), **({"field": field} if field else {}))
    return web.json_response({"orders": [o.to_json(detail=False) for o in page.orders],
                              "nextBefore": page.next_before})


@orders_admin("orders:read")
async def get_order_detail(request: web.Request, actor: str) -> web.Response:
    """GET /api/admin/orders/{id|number} : the order with lines (fulfilled/refunded units), addresses,
    payment, fulfilments, refunds, refundable, its e-mails' delivery status and the timeline."""
    db = request[STORE].db
    return _answer(await db.call_read(read_order, db, await _order_id(request)))


@orders_admin("orders:write")
async def post_fulfillment(request: web.Request, actor: str) -> web.Response:
    """POST /api/admin/orders/{id}/fulfillments {lines?, carrier?, trackingNumber?, trackingUrl?, notify?}"""
    body = _fields(await _json_object(request), {"lines": list, "carrier": str, "trackingNumber": str,
                                                 "trackingUrl": str, "notify": bool})
    db, order_id = request[STORE].db, await _order_id(request)
    order = await db.call(fulfil_order, db, order_id, lines=_lines(body.get("lines")), carrier=body.get("carrier") or "",
                          tracking_number=body.get("trackingNumber") or "", tracking_url=body.get("trackingUrl") or "",
                          notify=body.get("notify", True) is not False, actor=actor,
                          site_url=_context(request)["site_url"])
    return _answer(order)


@orders_admin("orders:write")
async def post_ready(request: web.Request, actor: str) -> web.Response:
    """POST /api/admin/orders/{id}/ready-for-pickup {notify?}"""
    body = _fields(await _json_object(request), {"notify": bool})
    db, order_id = request[STORE].db, await _order_id(request)
    return _answer(await db.call(mark_ready_for_pickup, db, order_id, notify=body.get("notify", True) is not False,
                                 actor=actor, site_url=_context(request)["site_url"]))


@orders_admin("orders:write")
async def post_picked_up(request: web.Request, actor: str) -> web.Response:
    """POST /api/admin/orders/{id}/picked-up {} : captures an authorized card, or marks paid at the counter."""
    _fields(await _json_object(request), {})
    db, order_id = request[STORE].db, await _order_id(request)
    return _answer(await mark_picked_up(db, order_id, actor=actor, payments=_context(request)["payments"]))


@orders_admin("orders:write")
async def post_cancel(request: web.Request, actor: str) -> web.Response:
    """POST /api/admin/orders/{id}/cancel {reason?, restock?, notify?} : stock back, payment voided or refunded."""
    body = _fields(await _json_object(request), {"reason": str, "restock": bool, "notify": bool})
    db, order_id = request[STORE].db, await _order_id(request)
    return _answer(await cancel_order(db, order_id, reason=body.get("reason") or "",
                                      restock=body.get("restock", True) is not False,
                                      notify=body.get("notify", True) is not False, actor=actor, **_context(request)))


@orders_admin("orders:write")
async def post_refund(request: web.Request, actor: str) -> web.Response:
    """POST /api/admin/orders/{id}/refunds {lines?, amount?, restock?, reason?, notify?} : never more than
    is refundable (422 says how much is)."""
    body = _fields(await _json_object(request), {"lines": list, "amount": dict, "restock": bool, "reason": str,
                                                 "notify": bool})
    db, order_id = request[STORE].db, await _order_id(request)
    order = await refund_order(db, order_id, lines=_lines(body.get("lines")), amount=_amount(body.get("amount")),
                               restock=body.get("restock") is True, reason=body.get("reason") or "",
                               notify=body.get("notify", True) is not False, actor=actor, **_context(request))
    return web.json_response(order.to_json(), status=201)


async def _document(request: web.Request, render: Callable[..., bytes], kind: str) -> web.Response:
    db = request[STORE].db
    order = await db.call_read(read_order, db, await _order_id(request))
    front = await db.run_read(get_storefront)
    pdf = await db.call_read(render, order, store_name=front.name if front else "Shop",
                             locale=front.locale if front else "en-US")
    return web.Response(body=pdf, content_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{kind}-{order.number}.pdf"', "Cache-Control": "private, no-store"})


@orders_admin("orders:read")
async def get_packing_slip(request: web.Request, actor: str) -> web.Response:
    """GET /api/admin/orders/{id}/packing-slip.pdf"""
    return await _document(request, packing_slip_pdf, "packing-slip")


@orders_admin("orders:read")
async def get_invoice(request: web.Request, actor: str) -> web.Response:
    """GET /api/admin/orders/{id}/invoice.pdf"""
    return await _document(request, invoice_pdf, "invoice")


# --- background: card authorizations running out ------------------------------------------------------

async def expire_authorizations_everywhere(app: web.Application, now: datetime) -> int:
    """One pass of `expire_authorizations` over the stores this worker has open (warn the merchant a day
    before an authorization's 7 days run out, cancel at expiry); returns how many orders it touched."""
    config, touched = app[CONFIG], 0
    for store in app[STORES].open_stores():
        async def payments(method: str, store=store):
            box = app.get(SECRETS)
            if box is None:
                raise PaymentError(PaymentErrorCode.SECRETS_KEY_MISSING, "card payments need VIBESHOP_SECRETS_KEY")
            return await open_provider(store.db, store_id=store.record.id, method=method, box=box,
                                       options=StripeOptions(api_base=config.stripe_api),
                                       http_client=app.get(STRIPE_HTTP))
        try:
            report = await expire_authorizations(store.db, now, payments=payments,
                                                 site_url=_site(store.record.slug, config.base_domain))
            touched += len(report.warned) + len(report.cancelled)
        except Exception:  # noqa: BLE001 - one store's failure must not stop the others'
            log.exception("expiring the authorizations of %s failed", store.record.slug)
    return touched


def _site(slug: str, base_domain: str) -> str:
    scheme = "http" if base_domain == "localhost" or base_domain.endswith(".localhost") else "https"
    return f"{scheme}://{slug}.{base_domain}"


async def _expire_loop(app: web.Application) -> None:
    while True:
        await asyncio.sleep(EXPIRY_INTERVAL)
        await expire_authorizations_everywhere(app, datetime.now(UTC))


async def authorization_expiry(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: run `expire_authorizations_everywhere` every EXPIRY_INTERVAL seconds."""
    task = asyncio.ensure_future(_expire_loop(app))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def add_order_admin_routes(app: web.Application) -> None:
    """Register the admin API's orders (list, detail, actions, documents) and the authorization-expiry
    task. The live stream (/api/admin/orders/stream, cloud/server/orders_stream.py) is registered first."""
    app.cleanup_ctx.append(authorization_expiry)
    app.router.add_get("/api/admin/orders", get_order_list)
    app.router.add_get(f"/api/admin/orders/{ORDER}", get_order_detail)
    app.router.add_post(f"/api/admin/orders/{ORDER}/fulfillments", post_fulfillment)
    app.router.add_post(f"/api/admin/orders/{ORDER}/ready-for-pickup", post_ready)
    app.router.add_post(f"/api/admin/orders/{ORDER}/picked-up", post_picked_up)
    app.router.add_post(f"/api/admin/orders/{ORDER}/cancel", post_cancel)
    app.router.add_post(f"/api/admin/orders/{ORDER}/refunds", post_refund)
    app.router.add_get(f"/api/admin/orders/{ORDER}/packing-slip.pdf", get_packing_slip)
    app.router.add_get(f"/api/admin/orders/{ORDER}/invoice.pdf", get_invoice)
