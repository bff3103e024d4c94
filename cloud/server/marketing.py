"""Marketing over HTTP: the one-click unsubscribe (RFC 8058), the abandoned checkout's cart-restore link,
the admin API's campaigns and marketing settings, and the background loop that sends campaigns and
reminders.

    GET  /unsubscribe?t=TOKEN                  a confirmation page (a GET never changes consent: link
                                               scanners and previews open links)
    POST /unsubscribe?t=TOKEN                  withdraws consent: the mail client's one-click POST
                                               (body List-Unsubscribe=One-Click, cross-site, no cookie)
                                               or the confirmation page's button. No sign-in; the
                                               signed token is the authority, so the Origin check is
                                               skipped for exactly this path (middlewares.cross_site).
    GET  /cart/restore?t=TOKEN                 a new cart with the reminded checkout's lines -> /cart

    GET    /api/admin/campaigns                       marketing:read  -> {campaigns: [...]}
    POST   /api/admin/campaigns {subject, html?, text, productIds?}  marketing:write -> 201 the draft
    GET    /api/admin/campaigns/{id}                  marketing:read  (with per-recipient counts)
    PATCH  /api/admin/campaigns/{id} {subject?, html?, text?, productIds?}  marketing:write (a draft only: else 409)
    POST   /api/admin/campaigns/{id}/test {to}        marketing:write -> 202 {outboxId}
    POST   /api/admin/campaigns/{id}/send             marketing:write -> 202 the campaign, sending
    POST   /api/admin/campaigns/{id}/cancel           marketing:write
    GET    /api/admin/campaigns/{id}/recipients?limit marketing:read  -> {recipients: [...]}
    GET    /api/admin/marketing/settings              marketing:read
    PATCH  /api/admin/marketing/settings {abandonedCheckout: {enabled, delaySeconds}, ratePerSecond, siteUrl}

Errors are {"error": {"status", "message", "code", "field"?}}: 400 malformed, 404 no such campaign,
409 not a draft, 422 a refused field. Handlers stay thin: parse, call one shared.marketing service."""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from cloud.server.admin import MAX_JSON, admin, problem
from cloud.server.keys import STORES
from cloud.server.middlewares import STORE, is_https
from shared.cart.service import idle_days
from shared.marketing import (MarketingError, MarketingErrorCode, MarketingWorker, cancel_campaign, create_campaign,
                              get_campaign, list_campaigns, mask, read_settings, recipients, restore_cart, send_test,
                              start_sending, unsubscribe, unsubscribe_address, update_campaign, update_settings)

MARKETING = web.AppKey("marketing_worker", MarketingWorker)
MARKETING_CLOCK = web.AppKey("marketing_clock", object)      # optional: a test's clock for the worker
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}
_STATUS = {MarketingErrorCode.NOT_FOUND: 404, MarketingErrorCode.NOT_DRAFT: 409, MarketingErrorCode.BAD_TOKEN: 400}
_STYLE = ("body{font-family:system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;"
          "background:#f6f5f2;color:#1b1f24}main{max-width:34rem;padding:2rem;text-align:center}"
          "button{font:inherit;padding:.7rem 1.4rem;border:0;border-radius:6px;background:#1b1f24;color:#fff}")
Handler = Callable[[web.Request], Awaitable[web.Response]]


def _now() -> datetime:
    return datetime.now(UTC)


def _page(status: int, title: str, body_html: str) -> web.Response:
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body><main><h1>{html.escape(title)}</h1>{body_html}</main></body></html>")
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8", headers=PRIVATE)


# --- shopper-facing links ------------------------------------------------------------------------------

async def unsubscribe_form(request: web.Request) -> web.Response:
    """GET /unsubscribe?t= : confirm (changes nothing: scanners and link previews fetch GETs)."""
    token = request.query.get("t", "")
    try:
        email = await request[STORE].db.run_read(lambda conn: unsubscribe_address(conn, token))
    except MarketingError as exc:
        return _page(400, "This link is not valid", f"<p>{html.escape(str(exc))}</p>")
    form = (f"<p>Stop marketing e-mails to {html.escape(mask(email))}?</p>"
            f'<form method="post" action="/unsubscribe?t={html.escape(token)}">'
            f'<button type="submit">Unsubscribe</button></form>')
    return _page(200, "Unsubscribe", form)


async def unsubscribe_submit(request: web.Request) -> web.Response:
    """POST /unsubscribe?t= : withdraw consent (RFC 8058 one-click, or the confirmation button)."""
    token = request.query.get("t", "")
    if not token:
        form = await request.post()
        token = str(form.get("t", ""))
    try:
        await request[STORE].db.run_write(lambda conn: unsubscribe(conn, token, now=_now()))
    except MarketingError as exc:
        return _page(400, "This link is not valid", f"<p>{html.escape(str(exc))}</p>")
    return _page(200, "You are unsubscribed", "<p>You will get no more marketing e-mails from this shop. "
                 "Order e-mails still arrive.</p>")


async def cart_restore(request: web.Request) -> web.Response:
    """GET /cart/restore?t= : the reminded checkout's lines in a new cart (the cookie), then the cart page."""
    token = request.query.get("t", "")
    try:
        cart_token, _, _, days = await request[STORE].db.run_write(
            lambda conn: (*restore_cart(conn, token, now=_now()), idle_days(conn)))
    except MarketingError as exc:
        return _page(400, "This link is not valid", f"<p>{html.escape(str(exc))}</p>")
    response = web.Response(status=303, headers={"Location": "/cart", **PRIVATE})
    if cart_token:
        response.set_cookie("cart", cart_token, max_age=days * 86400, path="/", httponly=True, samesite="Lax",
                            secure=is_https(request))
    return response


# --- the admin API -------------------------------------------------------------------------------------

def _mapped(handler: Handler) -> Handler:
    """The marketing domain's errors as JSON problems (inside `admin`, which checks the token)."""
    async def guarded(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except MarketingError as exc:
            extra: dict[str, Any] = {"code": str(exc.code)}
            if exc.field:
                extra["field"] = exc.field
            return problem(_STATUS.get(exc.code, 422), str(exc), **extra)
        except _Malformed:
            return problem(400, "The body must be a JSON object", code="invalid")
    guarded.__doc__ = handler.__doc__
    return guarded


class _Malformed(Exception):
    """The body is not a JSON object."""


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.content.read(MAX_JSON * 16 + 1)
    if len(raw) > MAX_JSON * 16:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_JSON * 16, actual_size=len(raw))
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise _Malformed()
    return data


def _site(request: web.Request) -> str:
    return f"{'https' if is_https(request) else 'http'}://{request.host.lower()}"


def _remember_site(request: web.Request, conn: Any) -> None:
    """Links made in the background need the shop's address: the merchant's request gives it, unless set."""
    if not read_settings(conn).site_url:
        update_settings(conn, {"siteUrl": _site(request)}, now=_now())


@admin("marketing:read")
@_mapped
async def get_campaigns(request: web.Request) -> web.Response:
    """GET /api/admin/campaigns -> {campaigns: [...]} newest first, without their content"""
    found = await request[STORE].db.run_read(lambda conn: list_campaigns(conn))
    return web.json_response({"campaigns": [c.to_json(content=False) for c in found]})


@admin("marketing:write")
@_mapped
async def post_campaign(request: web.Request) -> web.Response:
    """POST /api/admin/campaigns {subject, html?, text} -> 201 the draft"""
    body = await _body(request)
    campaign = await request[STORE].db.run_write(lambda conn: create_campaign(conn, body, now=_now()))
    return web.json_response(campaign.to_json(), status=201)


@admin("marketing:read")
@_mapped
async def get_one(request: web.Request) -> web.Response:
    """GET /api/admin/campaigns/{id} -> the campaign with per-recipient counts"""
    campaign_id = request.match_info["id"]
    campaign = await request[STORE].db.run_read(lambda conn: get_campaign(conn, campaign_id))
    return web.json_response(campaign.to_json())


@admin("marketing:write")
@_mapped
async def patch_campaign(request: web.Request) -> web.Response:
    """PATCH /api/admin/campaigns/{id} {subject?, html?, text?} (a draft only)"""
    body, campaign_id = await _body(request), request.match_info["id"]
    campaign = await request[STORE].db.run_write(lambda conn: update_campaign(conn, campaign_id, body, now=_now()))
    return web.json_response(campaign.to_json())


@admin("marketing:write")
@_mapped
async def post_test(request: web.Request) -> web.Response:
    """POST /api/admin/campaigns/{id}/test {to} -> 202 {outboxId}: one "[Test]" copy to the merchant"""
    body, campaign_id = await _body(request), request.match_info["id"]

    def write(conn: Any) -> str:
        _remember_site(request, conn)
        return send_test(conn, campaign_id, to=body.get("to"), now=_now())

    outbox_id = await request[STORE].db.run_write(write)
    return web.json_response({"outboxId": outbox_id}, status=202)


@admin("marketing:write")
@_mapped
async def post_send(request: web.Request) -> web.Response:
    """POST /api/admin/campaigns/{id}/send -> 202 the campaign, sending to every customer consenting now"""
    campaign_id = request.match_info["id"]

    def write(conn: Any) -> Any:
        _remember_site(request, conn)
        return start_sending(conn, campaign_id, now=_now())

    campaign = await request[STORE].db.run_write(write)
    if MARKETING in request.app:
        request.app[MARKETING].wake()
    return web.json_response(campaign.to_json(), status=202)


@admin("marketing:write")
@_mapped
async def post_cancel(request: web.Request) -> web.Response:
    """POST /api/admin/campaigns/{id}/cancel: no more recipients are queued"""
    campaign_id = request.match_info["id"]
    campaign = await request[STORE].db.run_write(lambda conn: cancel_campaign(conn, campaign_id, now=_now()))
    return web.json_response(campaign.to_json())


@admin("marketing:read")
@_mapped
async def get_recipients(request: web.Request) -> web.Response:
    """GET /api/admin/campaigns/{id}/recipients?limit= -> {recipients: [{email, status, delivery, error}]}"""
    campaign_id, raw = request.match_info["id"], request.query.get("limit", "100")
    limit = int(raw) if raw.isdigit() else 100
    found = await request[STORE].db.run_read(lambda conn: recipients(conn, campaign_id, limit=limit))
    return web.json_response({"recipients": found})


@admin("marketing:read")
@_mapped
async def get_settings(request: web.Request) -> web.Response:
    """GET /api/admin/marketing/settings"""
    settings = await request[STORE].db.run_read(read_settings)
    return web.json_response(settings.to_json())


@admin("marketing:write")
@_mapped
async def patch_settings(request: web.Request) -> web.Response:
    """PATCH /api/admin/marketing/settings {abandonedCheckout: {enabled, delaySeconds}, ratePerSecond, siteUrl}"""
    body = await _body(request)

    def write(conn: Any) -> Any:
        _remember_site(request, conn)
        return update_settings(conn, body, now=_now())

    settings = await request[STORE].db.run_write(write)
    return web.json_response(settings.to_json())


# --- background ------------------------------------------------------------------------------------------

async def marketing_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the marketing loop (campaign batches, abandoned-checkout reminders) over the open
    stores; the outbox's worker (commerce_tasks) delivers what it queues."""
    clock = app.get(MARKETING_CLOCK) or _now
    worker = MarketingWorker(lambda: [s.db for s in app[STORES].open_stores()], clock=clock)  # type: ignore[arg-type]
    app[MARKETING] = worker
    await worker.start()
    yield
    await worker.stop()


def add_marketing_routes(app: web.Application) -> None:
    """Register the unsubscribe and cart-restore links, the admin API's campaigns and settings, and the
    background loop (after the stores' context; before the storefront's catch-all)."""
    app.cleanup_ctx.append(marketing_ctx)
    router = app.router
    router.add_get("/unsubscribe", unsubscribe_form)
    router.add_post("/unsubscribe", unsubscribe_submit)
    router.add_get("/cart/restore", cart_restore)
    router.add_get("/api/admin/campaigns", get_campaigns)
    router.add_post("/api/admin/campaigns", post_campaign)
    router.add_get("/api/admin/marketing/settings", get_settings)
    router.add_patch("/api/admin/marketing/settings", patch_settings)
    campaign = r"/api/admin/campaigns/{id:[A-Za-z0-9-]{1,64}}"
    router.add_get(campaign, get_one)
    router.add_patch(campaign, patch_campaign)
    router.add_post(campaign + "/test", post_test)
    router.add_post(campaign + "/send", post_send)
    router.add_post(campaign + "/cancel", post_cancel)
    router.add_get(campaign + "/recipients", get_recipients)
