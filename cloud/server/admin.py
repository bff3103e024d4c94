"""The admin API: JSON over HTTPS, a bearer token scoped to ONE store (the store of the Host header).
Handlers reach a database only by awaiting its own threads (`db.call`, `db.run_read`, ...).

Every handler parses and checks its input, calls one service, and maps domain errors to a JSON 4xx:
400 malformed, 401 no/invalid token, 403 wrong store or scope, 413 too large, 415 not an image,
422 invalid fields.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cloud.server.keys import CONFIG, STORES, WORKING_COPIES
from cloud.server.middlewares import STORE
from cloud.sync.cloud_edits import change_store_status, edit_store_settings, upload_image
from shared.accounts.errors import AuthError, AuthErrorCode
from shared.accounts.service import TokenGrant, authorize
from shared.db.repositories.storefront import get_storefront
from shared.domains.service import DomainRecord, add_domain, check_domain, list_domains, remove_domain
from shared.media.errors import MediaError, MediaErrorCode
from shared.media.service import MAX_BYTES, rendition_name
from shared.payments.errors import PaymentError, PaymentErrorCode
from shared.payments.models import StripeKeys
from shared.payments.secrets import secrets_box_from_env
from shared.payments.service import remove_stripe_keys, set_stripe_keys, stripe_settings
from shared.storefront.errors import StoreError, StoreErrorCode
from shared.storefront.service import STATUSES

ADMIN_PREFIX = "/api/admin/"
MAX_JSON = 64 * 1024
_AUTH_STATUS = {AuthErrorCode.UNAUTHORIZED: 401, AuthErrorCode.FORBIDDEN: 403, AuthErrorCode.INVALID: 400}


def problem(status: int, message: str, **extra: Any) -> web.Response:
    """A JSON error body: {"error": {"status", "message", ...}}."""
    headers = {"WWW-Authenticate": 'Bearer realm="vibeshop"'} if status == 401 else None
    return web.json_response({"error": {"status": status, "message": message, **extra}}, status=status,
                             headers=headers)


async def _grant(request: web.Request, scope: str) -> TokenGrant:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    grant = await authorize(request.app[STORES].catalog, token)
    if grant.store_id != request[STORE].record.id:
        raise AuthError(AuthErrorCode.FORBIDDEN, "This token belongs to another store")
    grant.require(scope)
    return grant


def admin(scope: str) -> Callable[[Callable[[web.Request], Awaitable[web.Response]]],
                                  Callable[[web.Request], Awaitable[web.Response]]]:
    """Require a token for this store with `scope`; turn domain errors into JSON problems."""
    def wrap(handler: Callable[[web.Request], Awaitable[web.Response]]) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def guarded(request: web.Request) -> web.Response:
            try:
                await _grant(request, scope)
                return await handler(request)
            except AuthError as exc:
                return problem(_AUTH_STATUS.get(exc.code, 403), str(exc))
            except StoreError as exc:
                status = {StoreErrorCode.NOT_FOUND: 404, StoreErrorCode.DUPLICATE: 409}.get(exc.code, 422)
                return problem(status, str(exc), fields=[{"field": e.field, "message": e.message} for e in exc.errors])
        guarded.__doc__ = handler.__doc__
        return guarded
    return wrap


class _BadRequest(Exception):
    """A request body that cannot be used; carries the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


async def _json_object(request: web.Request) -> dict[str, Any]:
    too_large = _BadRequest(f"The body can be at most {MAX_JSON // 1024} KB of JSON", 413)
    if request.content_length is not None and request.content_length > MAX_JSON:
        raise too_large
    raw = await request.content.read(MAX_JSON + 1)
    if len(raw) > MAX_JSON:
        raise too_large
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise _BadRequest("The body is not valid JSON") from None
    if not isinstance(data, dict):
        raise _BadRequest("The body must be a JSON object")
    return data


async def _store_json(request: web.Request) -> dict[str, Any]:
    store = request[STORE]
    front = await store.db.run_read(get_storefront)
    return {"id": store.record.id, "slug": front.slug, "name": front.name, "status": store.record.status,
            "currency": front.currency, "locale": front.locale, "timezone": front.timezone, "settings": front.settings}


@admin("store:read")
async def get_store(request: web.Request) -> web.Response:
    """GET /api/admin/store"""
    return web.json_response(await _store_json(request))


@admin("store:write")
async def patch_store(request: web.Request) -> web.Response:
    """PATCH /api/admin/store {name?, currency?, locale?, timezone?, settings?}"""
    try:
        changes = await _json_object(request)
    except _BadRequest as exc:
        return problem(exc.status, str(exc))
    store = request[STORE]
    await store.db.call(edit_store_settings, request.app[WORKING_COPIES], store, changes=changes)
    return web.json_response(await _store_json(request))


@admin("store:write")
async def put_status(request: web.Request) -> web.Response:
    """PUT /api/admin/store/status {"status": "active" | "inactive" | "suspended"}"""
    try:
        body = await _json_object(request)
    except _BadRequest as exc:
        return problem(exc.status, str(exc))
    status = body.get("status")
    if status not in STATUSES:
        return problem(422, f"status must be one of {', '.join(STATUSES)}",
                       fields=[{"field": "status", "message": "is not a store status"}])
    store = request[STORE]
    record = await store.db.call(change_store_status, request.app[WORKING_COPIES], store,
                                 request.app[STORES].catalog, status=status)
    store.record = record
    request.app[STORES].forget(record.slug)   # this worker at once; the others within RECORD_TTL
    return web.json_response(await _store_json(request))


@admin("media:write")
async def post_media(request: web.Request) -> web.Response:
    """POST /api/admin/media?filename=&alt= with the image bytes as the body (type sniffed, not trusted)."""
    if request.content_length is not None and request.content_length > MAX_BYTES:
        return problem(413, f"Images can be at most {MAX_BYTES // 2**20} MB")
    data = await request.content.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return problem(413, f"Images can be at most {MAX_BYTES // 2**20} MB")
    if not data:
        return problem(400, "The body must be the image's bytes")
    store = request[STORE]
    filename = request.query.get("filename", "upload")[:200]
    alt = request.query.get("alt", "")[:500]
    try:
        media = await store.db.call(upload_image, request.app[WORKING_COPIES], store, data=data,
                                    filename=filename, alt=alt)
    except MediaError as exc:
        return problem(413 if exc.code == MediaErrorCode.TOO_LARGE else 415, str(exc))
    return web.json_response({"id": media.id, "hash": media.hash, "width": media.width, "height": media.height,
                              "alt": media.alt, "widths": list(media.widths),
                              "urls": {w: f"/media/{rendition_name(media.hash, w)}" for w in media.widths}},
                             status=201)


def _domain_json(record: DomainRecord) -> dict[str, Any]:
    return {"hostname": record.hostname, "verified": record.verified,
            "txt_record": {"type": "TXT", "name": record.txt_name, "value": record.txt_value}}


@admin("store:read")
async def get_domains(request: web.Request) -> web.Response:
    """GET /api/admin/domains"""
    catalog = request.app[STORES].catalog
    records = await catalog.call_read(list_domains, catalog, store_id=request[STORE].record.id)
    return web.json_response({"domains": [_domain_json(r) for r in records]})


@admin("store:write")
async def post_domain(request: web.Request) -> web.Response:
    """POST /api/admin/domains {"hostname": "shop.example.com"} -> the TXT record to publish"""
    try:
        body = await _json_object(request)
    except _BadRequest as exc:
        return problem(exc.status, str(exc))
    hostname = body.get("hostname")
    if not isinstance(hostname, str):
        return problem(422, "hostname is required", fields=[{"field": "hostname", "message": "is required"}])
    catalog = request.app[STORES].catalog
    record = await catalog.call(add_domain, catalog, store_id=request[STORE].record.id, hostname=hostname,
                                base_domain=request.app[CONFIG].base_domain)
    return web.json_response(_domain_json(record), status=201)


@admin("store:write")
async def verify_domain_handler(request: web.Request) -> web.Response:
    """POST /api/admin/domains/{hostname}/verify : look the TXT record up now"""
    record = await check_domain(request.app[STORES].catalog, store_id=request[STORE].record.id,
                                hostname=request.match_info["hostname"],
                                nameservers=request.app[CONFIG].dns_nameservers)
    request.app[STORES].forget(request[STORE].record.slug)   # this worker at once; the others within RECORD_TTL
    return web.json_response(_domain_json(record))


@admin("store:write")
async def delete_domain(request: web.Request) -> web.Response:
    """DELETE /api/admin/domains/{hostname}"""
    catalog = request.app[STORES].catalog
    await catalog.call(remove_domain, catalog, store_id=request[STORE].record.id,
                       hostname=request.match_info["hostname"])
    request.app[STORES].forget(request[STORE].record.slug)
    return web.json_response({"removed": request.match_info["hostname"].lower()})


# The Stripe connection: keys are not authored content (never synced, never in a release); they are
# sealed with the deployment's VIBESHOP_SECRETS_KEY into the store's live database and shown masked.
_STRIPE_FIELDS = {"secretKey": "secret_key", "publishableKey": "publishable_key", "webhookSecret": "webhook_secret"}


def _payment_problem(exc: PaymentError) -> web.Response:
    if exc.code == PaymentErrorCode.SECRETS_KEY_MISSING:
        return problem(503, "This deployment cannot store payment keys yet: its operator must set "
                            "VIBESHOP_SECRETS_KEY")
    message = str(exc)
    field = next((name for name, words in (("webhookSecret", "webhook"), ("secretKey", "secret key"),
                                           ("publishableKey", "publishable key")) if words in message), "secretKey")
    return problem(422, message, fields=[{"field": field, "message": message}])


@admin("store:read")
async def get_stripe(request: web.Request) -> web.Response:
    """GET /api/admin/payments/stripe -> {configured, mode, secretKey, publishableKey, webhookSecret,
    updatedAt}, the keys masked ('sk_test_…abcd')."""
    db = request[STORE].db
    settings = await db.call_read(stripe_settings, db)
    return web.json_response(settings.to_json())


@admin("store:write")
async def put_stripe(request: web.Request) -> web.Response:
    """PUT /api/admin/payments/stripe {secretKey, publishableKey, webhookSecret?} -> the masked settings"""
    try:
        body = await _json_object(request)
    except _BadRequest as exc:
        return problem(exc.status, str(exc))
    unknown = sorted(set(body) - set(_STRIPE_FIELDS))
    wrong = [name for name in _STRIPE_FIELDS if not isinstance(body.get(name, ""), str)]
    if unknown or wrong:
        return problem(422, "The body takes secretKey, publishableKey and webhookSecret, as text",
                       fields=[{"field": n, "message": "is not a field" if n in unknown else "must be text"}
                               for n in unknown + wrong])
    keys = StripeKeys(**{field: body.get(name, "").strip() for name, field in _STRIPE_FIELDS.items()})
    store = request[STORE]
    try:
        box = secrets_box_from_env(demo=request.app[CONFIG].dev_hints)
        settings = await store.db.call(set_stripe_keys, store.db, store_id=store.record.id, keys=keys, box=box)
    except PaymentError as exc:
        return _payment_problem(exc)
    return web.json_response(settings.to_json())


@admin("store:write")
async def delete_stripe(request: web.Request) -> web.Response:
    """DELETE /api/admin/payments/stripe : forget the keys (card payments stop)"""
    db = request[STORE].db
    removed = await db.call(remove_stripe_keys, db)
    return web.json_response({"removed": removed})


def add_admin_routes(app: web.Application) -> None:
    """Register the admin API."""
    app.router.add_get("/api/admin/store", get_store)
    app.router.add_patch("/api/admin/store", patch_store)
    app.router.add_put("/api/admin/store/status", put_status)
    app.router.add_post("/api/admin/media", post_media)
    app.router.add_get("/api/admin/domains", get_domains)
    app.router.add_post("/api/admin/domains", post_domain)
    app.router.add_post("/api/admin/domains/{hostname}/verify", verify_domain_handler)
    app.router.add_delete("/api/admin/domains/{hostname}", delete_domain)
    app.router.add_get("/api/admin/payments/stripe", get_stripe)
    app.router.add_put("/api/admin/payments/stripe", put_stripe)
    app.router.add_delete("/api/admin/payments/stripe", delete_stripe)
