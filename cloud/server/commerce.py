"""The shop's commerce wiring in the cloud service: the Stripe webhook, the shopper's order page, and the
background work (one outbox worker delivering e-mails and the merchant's webhooks; the purge of
long-expired stock holds, idle carts and old webhook deliveries) started and stopped in the app's
cleanup_ctx. Handlers stay thin: they parse, call one service (shared/checkout/finalize.py) and map its
errors to a status. The admin API's orders are cloud/server/orders_api.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web

from cloud.server.admin import problem
from cloud.server.keys import CONFIG, STORES
from cloud.server.middlewares import STORE, is_https
from cloud.server.order_page import order_status
from cloud.server.webhooks_api import WEBHOOK_SENDER, add_webhook_routes, webhook_sender_ctx
from shared.cart.service import purge_idle_carts
from shared.checkout.attempt import CheckoutContext
from shared.checkout.errors import CheckoutErrorCode, CheckoutFlowError
from shared.checkout.finalize import finalize
from shared.checkout.setup_store import load_checkout_setup
from shared.inventory import purge_expired_holds
from shared.mail import DirectorySender, OutboxWorker, SmtpSender
from shared.mail.designs import close_executors
from shared.payments import (PaymentError, PaymentErrorCode, PaymentProvider, StripeOptions, accept_webhook,
                             finish_webhook, load_stripe_keys, new_http_client, open_provider, secrets_box_from_env)
from shared.storefront.service import Store
from shared.webhooks.events import WEBHOOK
from shared.webhooks.subscriptions import prune_deliveries

log = logging.getLogger(__name__)
SECRETS = web.AppKey("secrets_box", object)            # SecretBox | None (no VIBESHOP_SECRETS_KEY)
OUTBOX = web.AppKey("outbox_worker", object)           # OutboxWorker | None (no mail configured)
TASKS = web.AppKey("commerce_tasks", set)               # webhook finalizes still running
STRIPE_HTTP = web.AppKey("stripe_http", object)         # one stripe.HTTPXClient per worker, for every store
# Where the checkout setup comes from: the setup the merchant authored in the studio's Checkout section
# (synced and published like the rest; load_checkout_setup when unset); tests may set another source.
SETUP_SOURCE = web.AppKey("checkout_setup_source", object)
WEBHOOK_WAIT = 5.0          # seconds a webhook answer waits for finalize before answering 200 anyway


def checkout_context(request: web.Request, store: Store) -> CheckoutContext:
    """The checkout workflow's context for a store, from the app's configuration (for the webhook here
    and the /checkout handlers)."""
    box = request.app[SECRETS]
    options = StripeOptions(api_base=request.app[CONFIG].stripe_api)
    http = request.app.get(STRIPE_HTTP)

    async def providers(method: str) -> PaymentProvider:
        if box is None and method == "stripe":
            raise PaymentError(PaymentErrorCode.SECRETS_KEY_MISSING, "card payments need VIBESHOP_SECRETS_KEY")
        return await open_provider(store.db, store_id=store.record.id, method=method, box=box, options=options,
                                   http_client=http)

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
    app[STRIPE_HTTP] = new_http_client(StripeOptions())
    sender = (SmtpSender(config.smtp) if config.smtp is not None
              else DirectorySender(config.mail_dir) if config.mail_dir is not None else None)
    # One worker for every kind of side effect: e-mails (they wait in the outbox while no mail server is
    # set) and the merchant's webhooks (webhook_sender_ctx runs before this context).
    worker = OutboxWorker(sender, lambda: [s.db for s in app[STORES].open_stores()],
                          kinds={WEBHOOK: app[WEBHOOK_SENDER].deliver})
    app[OUTBOX] = worker
    background = [asyncio.ensure_future(_purge_holds(app, config.hold_purge_interval))]
    await worker.start()
    background.append(asyncio.ensure_future(_open_every_store(app)))
    yield
    for task in background:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if app[TASKS]:
        await asyncio.wait(set(app[TASKS]), timeout=WEBHOOK_WAIT)
    await worker.stop()
    await app[STRIPE_HTTP].close_async()
    await asyncio.to_thread(close_executors)      # the e-mail designs' sandbox processes


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
    """Delete holds long expired, carts idle past the store's setting and webhook deliveries logged
    more than 30 days ago (none of them counts for anything any more: this keeps the tables small)."""
    while True:
        await asyncio.sleep(interval)
        for store in app[STORES].open_stores():
            try:
                now = datetime.now(UTC)
                await store.db.run_write(lambda conn, now=now: purge_expired_holds(conn, now))
                while await store.db.run_write(lambda conn, now=now: purge_idle_carts(conn, now=now)):
                    await asyncio.sleep(0)      # a thousand at a time, other writers in between
                await store.db.run_write(prune_deliveries)
            except Exception:  # noqa: BLE001 - one store's failure must not stop the others'
                log.exception("purging expired holds and idle carts of %s failed", store.record.slug)


def add_commerce_routes(app: web.Application) -> None:
    """Register the webhook, the order page and the admin API's orders, and the background work."""
    app.cleanup_ctx.extend([webhook_sender_ctx, commerce_tasks])
    add_webhook_routes(app)
    app.router.add_post("/webhooks/stripe", stripe_webhook)
    app.router.add_get(r"/orders/{token:[A-Za-z0-9_-]{1,100}}", order_status)

