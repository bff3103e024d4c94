"""The shop's commerce wiring in the cloud service: the Stripe webhook, the shopper's order status page,
the admin API's orders, and the background work (the outbox worker delivering e-mails, the purge of
long-expired stock holds and idle carts) started and stopped in the app's cleanup_ctx. Handlers stay
thin: they parse, call one service (shared/checkout/finalize.py, shared/orders) and map its errors to a status."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web

from cloud.server.admin import admin, problem
from cloud.server.keys import CONFIG, STORES
from cloud.server.middlewares import STORE, is_https
from cloud.server.pages import error_page
from shared.cart.service import purge_idle_carts
from shared.checkout.addresses import address_lines
from shared.checkout.attempt import CheckoutContext
from shared.checkout.errors import CheckoutErrorCode, CheckoutFlowError
from shared.checkout.finalize import finalize
from shared.checkout.setup_store import load_checkout_setup
from shared.db.repositories.storefront import get_storefront
from shared.inventory import purge_expired_holds
from shared.mail import DirectorySender, OutboxWorker, SmtpSender
from shared.models.money import Money
from shared.models.money_format import format_money
from shared.orders import Order, OrderError, OrderErrorCode, get_order, list_orders, order_by_token
from shared.payments import (PaymentError, PaymentErrorCode, StripeOptions, accept_webhook, finish_webhook,
                             load_stripe_keys, provider_for, secrets_box_from_env)
from shared.storefront.service import Store

log = logging.getLogger(__name__)
SECRETS = web.AppKey("secrets_box", object)            # SecretBox | None (no VIBESHOP_SECRETS_KEY)
OUTBOX = web.AppKey("outbox_worker", object)           # OutboxWorker | None (no mail configured)
TASKS = web.AppKey("commerce_tasks", set)               # webhook finalizes still running
# Where the checkout setup comes from: the setup the merchant authored in the studio's Checkout section
# (synced and published like the rest; load_checkout_setup when unset); tests may set another source.
SETUP_SOURCE = web.AppKey("checkout_setup_source", object)
WEBHOOK_WAIT = 5.0          # seconds a webhook answer waits for finalize before answering 200 anyway


def checkout_context(request: web.Request, store: Store) -> CheckoutContext:
    """The checkout workflow's context for a store, from the app's configuration (for the webhook here
    and the /checkout handlers)."""
    box = request.app[SECRETS]
    options = StripeOptions(api_base=request.app[CONFIG].stripe_api)

    def providers(method: str):  # noqa: ANN202 - PaymentProvider
        if box is None and method == "stripe":
            raise PaymentError(PaymentErrorCode.SECRETS_KEY_MISSING, "card payments need VIBESHOP_SECRETS_KEY")
        return provider_for(store.db, store_id=store.record.id, method=method, box=box, options=options)

    scheme = "https" if is_https(request) else "http"
    return CheckoutContext(db=store.db, store_id=store.record.id, site_url=f"{scheme}://{request.host.lower()}",
                           providers=providers, load_setup=request.app.get(SETUP_SOURCE) or load_checkout_setup)


async def stripe_webhook(request: web.Request) -> web.Response:
    """POST /webhooks/stripe : a Stripe event for the store of the Host header. 400 for an unsigned,
    forged, replayed or foreign event (nothing recorded); 200 once it is recorded (a duplicate too);
    finalize runs at once, and the answer waits for it at most WEBHOOK_WAIT seconds (Stripe wants a
    fast answer; an unfinished event is re-processed on Stripe's next delivery). 503 when the store
    cannot check signatures now (Stripe retries)."""
    store = request[STORE]
    body = await request.read()             # bounded by the app's client_max_size; accept_webhook checks MAX_PAYLOAD
    box = request.app[SECRETS]
    if box is None:
        return problem(503, "webhooks cannot be checked: the deployment has no VIBESHOP_SECRETS_KEY")
    try:
        keys = await store.db.call_read(load_stripe_keys, store.db, store_id=store.record.id, box=box)
        event = await store.db.call(accept_webhook, store.db, body, request.headers.get("Stripe-Signature"),
                                    keys.webhook_secret, store_id=store.record.id)
    except PaymentError as exc:
        status = 503 if exc.code in (PaymentErrorCode.SECRETS_KEY_WRONG,) else 400
        return problem(status, str(exc), code=str(exc.code))
    if event is None:
        return web.json_response({"received": True, "duplicate": True})
    ctx = checkout_context(request, store)
    task = asyncio.ensure_future(_finalize_event(ctx, event.intent_id, event.event_id))
    request.app[TASKS].add(task)
    task.add_done_callback(request.app[TASKS].discard)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), WEBHOOK_WAIT)
    return web.json_response({"received": True})


async def _finalize_event(ctx: CheckoutContext, intent_id: str, event_id: str) -> None:
    try:
        await finalize(ctx, payment_intent_id=intent_id, event_id=event_id)
    except CheckoutFlowError as exc:
        if exc.code == CheckoutErrorCode.UNKNOWN_ATTEMPT:     # not one of our checkouts: nothing to do
            await ctx.db.call(finish_webhook, ctx.db, event_id)
        else:                                                  # left unprocessed: the next delivery retries
            log.warning("webhook %s not finalized: %s", event_id, exc)
    except Exception:  # noqa: BLE001 - the event stays unprocessed for Stripe's next delivery
        log.exception("finalizing webhook %s failed", event_id)


# --- the shopper's order page -------------------------------------------------------------------

async def order_status(request: web.Request) -> web.Response:
    """GET /orders/{token} : the shopper's order page (never cached, never indexed)."""
    store = request[STORE]
    order = await store.db.call_read(order_by_token, store.db, request.match_info["token"])
    if order is None:
        response = error_page(404, "Order not found", "This order link is not valid. Check the link in your e-mail.")
    else:
        front = await store.db.run_read(get_storefront)
        response = web.Response(text=order_page(order, store_name=front.name, locale=front.locale),
                                content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"       # the token must not leak to other sites
    return response


_PAGE_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f5f2;"
    "color:#1b1f24}main{max-width:40rem;margin:0 auto;padding:1.5rem}header a{color:inherit;text-decoration:none;"
    "font-weight:700;font-size:1.2rem}h1{font-size:1.5rem}section{background:#fff;border-radius:.6rem;"
    "padding:1rem 1.2rem;margin:1rem 0}table{width:100%;border-collapse:collapse}td{padding:.35rem 0;"
    "vertical-align:top}td.n{text-align:right;white-space:nowrap}tr.total td{font-weight:700;border-top:1px solid "
    "#ddd;padding-top:.6rem}.muted{color:#4a5260}.badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;"
    "background:#e6eef7;font-size:.85rem}")


def order_page(order: Order, *, store_name: str, locale: str) -> str:
    """The order status page's HTML: lines, totals, delivery or pickup, payment status (escaped)."""
    esc = html.escape
    money = lambda value: esc(format_money(value, locale))  # noqa: E731
    lines = "".join(
        f"<tr><td>{esc(line.title)}{' · ' + esc(line.variant_title) if line.variant_title else ''} "
        f"<span class=muted>× {line.quantity}</span></td><td class=n>{money(line.subtotal)}</td></tr>"
        for line in order.lines)
    totals = [("Subtotal", order.subtotal)]
    if order.discount_total.amount:
        totals.append(("Discounts", Money(-order.discount_total.amount, order.currency)))
    totals += [("Shipping", order.shipping), ("Tax", order.tax)]
    rows = "".join(f"<tr><td>{label}</td><td class=n>{money(value)}</td></tr>" for label, value in totals)
    delivery = order.delivery
    if delivery.get("method") == "pickup":
        where = (f"<p>Pick up at <strong>{esc(delivery.get('locationName', ''))}</strong><br>"
                 f"{esc(delivery.get('locationAddress', ''))}</p><p class=muted>{esc(delivery.get('readyText', ''))}</p>")
    else:
        parts = address_lines(order.shipping_address or {})
        where = (f"<p>{esc(delivery.get('name', 'Shipping'))} {esc(delivery.get('estimate', ''))}</p>"
                 f"<p>{'<br>'.join(esc(str(p)) for p in parts if p)}</p>")
    paid = {"paid": "Paid", "unpaid": "To pay at pickup" if order.payment_provider == "pay_in_store" else "Not paid",
            "refunded": "Refunded", "partially_refunded": "Partly refunded", "voided": "Voided"}[str(order.payment_status)]
    fulfilment = str(order.fulfillment_status).replace("_", " ").capitalize()
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">'
            f"<title>Order {esc(order.name)} · {esc(store_name)}</title><style>{_PAGE_STYLE}</style></head><body><main>"
            f'<header><a href="/">{esc(store_name)}</a></header>'
            f"<h1>Order {esc(order.name)}</h1><p>Thank you! A confirmation was sent to {esc(order.email)}.</p>"
            f"<p><span class=badge>{paid}</span> <span class=badge>{esc(fulfilment)}</span></p>"
            f"<section><h2>Items</h2><table>{lines}{rows}<tr class=total><td>Total</td><td class=n>{money(order.total)} "
            f"{esc(order.currency)}</td></tr></table></section>"
            f"<section><h2>Delivery</h2>{where}</section>"
            f'<p><a href="/">Continue shopping</a></p></main></body></html>')


# --- the admin API's orders ---------------------------------------------------------------------------

_ORDER_STATUS = {OrderErrorCode.NOT_FOUND: 404, OrderErrorCode.INVALID: 400, OrderErrorCode.DUPLICATE: 409}


@admin("orders:read")
async def admin_orders(request: web.Request) -> web.Response:
    """GET /api/admin/orders?limit=&before=&payment_status=&fulfillment_status=&email= : newest first."""
    query = request.query
    db = request[STORE].db
    try:
        limit = int(query.get("limit", "50")) if query.get("limit", "50").isdigit() else -1
        page = await db.call_read(list_orders, db, limit=limit, before=query.get("before") or None,
                                  payment_status=query.get("payment_status") or None,
                                  fulfillment_status=query.get("fulfillment_status") or None,
                                  email=query.get("email") or None)
    except OrderError as exc:
        return problem(_ORDER_STATUS.get(exc.code, 400), str(exc))
    return web.json_response({"orders": [o.to_json(detail=False) for o in page.orders],
                              "nextBefore": page.next_before})


@admin("orders:read")
async def admin_order(request: web.Request) -> web.Response:
    """GET /api/admin/orders/{id} : one order (by id, or by number: 1001 / %231001) with lines and timeline."""
    key = request.match_info["order"]
    db = request[STORE].db
    try:
        if key.removeprefix("#").isdigit():
            order = await db.call_read(get_order, db, number=key)
        else:
            order = await db.call_read(get_order, db, order_id=key)
    except OrderError as exc:
        return problem(_ORDER_STATUS.get(exc.code, 400), str(exc))
    return web.json_response(order.to_json())


# --- background work ------------------------------------------------------------------------------------

async def commerce_tasks(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the secrets box, the outbox worker (e-mail over SMTP or into --mail-dir) and the
    purge of long-expired holds, over the stores this worker has open."""
    config = app[CONFIG]
    try:
        app[SECRETS] = secrets_box_from_env(demo=config.dev_hints)
    except PaymentError as exc:
        log.warning("card payments are off: %s", exc)
        app[SECRETS] = None
    app[TASKS] = set()
    sender = (SmtpSender(config.smtp) if config.smtp is not None
              else DirectorySender(config.mail_dir) if config.mail_dir is not None else None)
    worker = OutboxWorker(sender, lambda: [s.db for s in app[STORES].open_stores()]) if sender else None
    app[OUTBOX] = worker
    background = [asyncio.ensure_future(_purge_holds(app, config.hold_purge_interval))]
    if worker is not None:
        await worker.start()
        background.append(asyncio.ensure_future(_open_every_store(app)))
    yield
    for task in background:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if app[TASKS]:
        await asyncio.wait(set(app[TASKS]), timeout=WEBHOOK_WAIT)
    if worker is not None:
        await worker.stop()


async def _open_every_store(app: web.Application) -> None:
    """Open every store once at start, so mail queued before a restart is delivered without waiting
    for a shopper to visit the store (the worker goes over the open stores)."""
    directory = app[STORES]
    for slug in await directory.slugs():
        try:
            await directory.store_for(f"{slug}.{directory.base_domain}")
        except Exception:  # noqa: BLE001 - one store that cannot open must not keep the others' mail
            log.exception("opening store %s for its outbox failed", slug)
    app[OUTBOX].wake()


async def _purge_holds(app: web.Application, interval: float) -> None:
    """Delete holds long expired and carts idle past the store's setting (both already count for
    nothing: this only keeps the tables small)."""
    while True:
        await asyncio.sleep(interval)
        for store in app[STORES].open_stores():
            try:
                now = datetime.now(UTC)
                await store.db.run_write(lambda conn, now=now: purge_expired_holds(conn, now))
                while await store.db.run_write(lambda conn, now=now: purge_idle_carts(conn, now=now)):
                    await asyncio.sleep(0)      # a thousand at a time, other writers in between
            except Exception:  # noqa: BLE001 - one store's failure must not stop the others'
                log.exception("purging expired holds and idle carts of %s failed", store.record.slug)


def add_commerce_routes(app: web.Application) -> None:
    """Register the webhook, the order page and the admin API's orders, and the background work."""
    app.cleanup_ctx.append(commerce_tasks)
    app.router.add_post("/webhooks/stripe", stripe_webhook)
    app.router.add_get(r"/orders/{token:[A-Za-z0-9_-]{1,100}}", order_status)
    app.router.add_get("/api/admin/orders", admin_orders)
    app.router.add_get("/api/admin/orders/{order}", admin_order)

