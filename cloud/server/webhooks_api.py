"""The admin API's outbound webhooks: the merchant's subscriptions and their delivery log.

    GET    /api/admin/webhooks                       webhooks:read   -> {webhooks: [...]}
    POST   /api/admin/webhooks {url, events, description?, active?}   webhooks:write -> 201, with `secret` (once)
    GET    /api/admin/webhooks/{id}                  webhooks:read
    PATCH  /api/admin/webhooks/{id} {url?, events?, description?, active?}   webhooks:write
    DELETE /api/admin/webhooks/{id}                  webhooks:write  -> {deleted: true}
    GET    /api/admin/webhooks/{id}/deliveries?limit&before   webhooks:read -> {deliveries, nextBefore}
    POST   /api/admin/webhooks/{id}/test             webhooks:write  -> 202 {delivery}

Errors are {"error": {"status", "code", "message", "field"?}}: 400 malformed, 404 no such subscription,
422 a refused field (an unsafe URL among them). In test mode (the cloud started with the dev hints or
--stripe-api) loopback receivers are allowed; elsewhere only public https:// URLs. The admin handlers
stay thin: they parse, call one shared.webhooks service and map its error to a status."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from cloud.server.admin import MAX_JSON, admin, problem
from cloud.server.keys import CONFIG
from cloud.server.middlewares import STORE
from shared.webhooks import (WebhookError, WebhookErrorCode, WebhookSender, create_subscription, delete_subscription,
                             get_delivery, get_subscription, list_deliveries, list_subscriptions, queue_test_event,
                             update_subscription)
from shared.webhooks.urls import check_url, resolve_allowed

_STATUS = {WebhookErrorCode.NOT_FOUND: 404, WebhookErrorCode.BAD_SIGNATURE: 400}
WEBHOOK_SENDER = web.AppKey("webhook_sender", WebhookSender)   # set by webhook_sender_ctx
RESOLVE_WAIT = 3.0       # seconds the name lookup may take before the URL is accepted unresolved
Handler = Callable[[web.Request], Awaitable[web.Response]]


def test_mode(app: web.Application) -> bool:
    """Whether local receivers are allowed: a local demo (dev hints) or a run against a Stripe stand-in."""
    config = app[CONFIG]
    return bool(config.dev_hints or config.stripe_api)


def _problem(exc: WebhookError) -> web.Response:
    extra: dict[str, Any] = {"code": str(exc.code)}
    if exc.field:
        extra["field"] = exc.field
        extra["fields"] = [{"field": exc.field, "message": str(exc)}]
    return problem(_STATUS.get(exc.code, 422), str(exc), **extra)


def _mapped(handler: Handler) -> Handler:
    """Turn the webhook domain's errors into JSON problems (inside `admin`, which checks the token)."""
    async def guarded(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except WebhookError as exc:
            return _problem(exc)
    guarded.__doc__ = handler.__doc__
    return guarded


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON object of the request; WebhookError(INVALID) for anything else (answered 400)."""
    raw = await request.content.read(MAX_JSON + 1)
    if len(raw) > MAX_JSON:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_JSON, actual_size=len(raw))
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise _Malformed()
    return data


class _Malformed(Exception):
    """The body is not a JSON object."""


async def _check_resolves_public(request: web.Request, url: Any) -> None:
    """Refuse a URL whose name resolves to a private address now (the send checks again every time);
    a name that does not resolve yet is accepted (its deliveries fail and are retried)."""
    target = check_url(url, allow_loopback=test_mode(request.app))
    try:
        await asyncio.wait_for(resolve_allowed(target, allow_loopback=test_mode(request.app)), RESOLVE_WAIT)
    except asyncio.TimeoutError:
        return
    except WebhookError as exc:
        if exc.code == WebhookErrorCode.UNSAFE_URL:
            raise


def _json_handler(handler: Callable[[web.Request, dict[str, Any]], Awaitable[web.Response]]) -> Handler:
    async def parsed(request: web.Request) -> web.Response:
        try:
            body = await _body(request)
        except _Malformed:
            return problem(400, "The body must be a JSON object", code="invalid")
        return await handler(request, body)
    parsed.__doc__ = handler.__doc__
    return parsed


@admin("webhooks:read")
@_mapped
async def get_webhooks(request: web.Request) -> web.Response:
    """GET /api/admin/webhooks -> {webhooks: [subscription, ...]} (secrets never shown again)"""
    db = request[STORE].db
    subscriptions = await db.run_read(list_subscriptions)
    return web.json_response({"webhooks": [s.to_json() for s in subscriptions]})


@admin("webhooks:write")
@_mapped
@_json_handler
async def post_webhook(request: web.Request, body: dict[str, Any]) -> web.Response:
    """POST /api/admin/webhooks {url, events, description?, active?} -> 201 the subscription with its
    `secret`, shown this once"""
    if "url" in body:
        await _check_resolves_public(request, body["url"])
    db = request[STORE].db
    allow = test_mode(request.app)
    subscription, secret = await db.run_write(lambda conn: create_subscription(conn, body, allow_loopback=allow))
    return web.json_response({**subscription.to_json(), "secret": secret}, status=201)


@admin("webhooks:read")
@_mapped
async def get_webhook(request: web.Request) -> web.Response:
    """GET /api/admin/webhooks/{id}"""
    subscription_id = request.match_info["id"]
    subscription = await request[STORE].db.run_read(lambda conn: get_subscription(conn, subscription_id))
    return web.json_response(subscription.to_json())


@admin("webhooks:write")
@_mapped
@_json_handler
async def patch_webhook(request: web.Request, body: dict[str, Any]) -> web.Response:
    """PATCH /api/admin/webhooks/{id} {url?, events?, description?, active?}; active: true turns a
    disabled subscription on again"""
    subscription_id = request.match_info["id"]
    if "url" in body:
        await _check_resolves_public(request, body["url"])
    allow = test_mode(request.app)
    subscription = await request[STORE].db.run_write(
        lambda conn: update_subscription(conn, subscription_id, body, allow_loopback=allow))
    return web.json_response(subscription.to_json())


@admin("webhooks:write")
@_mapped
async def delete_webhook(request: web.Request) -> web.Response:
    """DELETE /api/admin/webhooks/{id} -> {deleted: true} (its queued deliveries are not sent)"""
    subscription_id = request.match_info["id"]
    await request[STORE].db.run_write(lambda conn: delete_subscription(conn, subscription_id))
    return web.json_response({"deleted": True})


@admin("webhooks:read")
@_mapped
async def get_deliveries(request: web.Request) -> web.Response:
    """GET /api/admin/webhooks/{id}/deliveries?limit=&before= -> {deliveries: [...], nextBefore}, newest
    first, each with its log of attempts (status code, duration, error)"""
    subscription_id = request.match_info["id"]
    raw_limit = request.query.get("limit", "50")
    limit = int(raw_limit) if raw_limit.isdigit() else 0
    before = request.query.get("before") or None
    deliveries = await request[STORE].db.run_read(
        lambda conn: list_deliveries(conn, subscription_id, limit=limit, before=before))
    next_before = deliveries[-1].row.created_at if len(deliveries) == limit else None
    return web.json_response({"deliveries": [d.to_json() for d in deliveries], "nextBefore": next_before})


@admin("webhooks:write")
@_mapped
async def post_test(request: web.Request) -> web.Response:
    """POST /api/admin/webhooks/{id}/test -> 202 {delivery}: a 'webhook.test' event queued to this
    subscription, sent by the outbox like any other (watch its deliveries)"""
    subscription_id = request.match_info["id"]
    db = request[STORE].db
    delivery_id = await db.run_write(lambda conn: queue_test_event(conn, subscription_id))
    delivery = await db.run_read(lambda conn: get_delivery(conn, delivery_id))
    return web.json_response({"delivery": delivery.to_json()}, status=202)


async def webhook_sender_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: this worker's WebhookSender (its HTTP pool), for the OutboxWorker's 'webhook' kind.
    Append it before commerce_tasks, which builds the worker with
    `kinds={WEBHOOK: app[WEBHOOK_SENDER].deliver}` (docs/webhooks.md, "Sending")."""
    app[WEBHOOK_SENDER] = WebhookSender(allow_loopback=test_mode(app))
    yield
    await app[WEBHOOK_SENDER].aclose()


def add_webhook_routes(app: web.Application) -> None:
    """Register the admin API's webhook subscriptions (before the storefront's catch-all)."""
    app.router.add_get("/api/admin/webhooks", get_webhooks)
    app.router.add_post("/api/admin/webhooks", post_webhook)
    app.router.add_get("/api/admin/webhooks/{id}", get_webhook)
    app.router.add_patch("/api/admin/webhooks/{id}", patch_webhook)
    app.router.add_delete("/api/admin/webhooks/{id}", delete_webhook)
    app.router.add_get("/api/admin/webhooks/{id}/deliveries", get_deliveries)
    app.router.add_post("/api/admin/webhooks/{id}/test", post_test)
