"""The admin API's POS devices: the tokens a point-of-sale device uses for POS API v1 (docs/pos-api.md,
"Devices and tokens"). The studio's Point of sale page and `vibeshop cloud pos device` share the same
services (shared.accounts.service: list_pos_devices, add_pos_device, revoke_pos_device).

    GET    /api/admin/pos/devices                      pos_devices -> {devices: [...]}, newest first
    POST   /api/admin/pos/devices {name, location}     pos_devices -> 201 {device, token}: the token once
    DELETE /api/admin/pos/devices/{id}                 pos_devices -> {device}: revoked at once

`location` is a location's id or name. Errors are {"error": {"status", "code", "message", "field"?}}:
400 malformed body, 404 no such device of this store, 409 already revoked, 422 a refused field."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from cloud.server.admin import MAX_JSON, admin, problem
from cloud.server.keys import STORES
from cloud.server.middlewares import STORE
from shared.accounts.errors import AuthError, AuthErrorCode
from shared.accounts.service import add_pos_device, list_pos_devices, revoke_pos_device

SCOPE = "pos_devices"
_STATUS = {AuthErrorCode.NOT_FOUND: 404, AuthErrorCode.ALREADY_REVOKED: 409, AuthErrorCode.INVALID: 422}


def _refusal(exc: AuthError) -> web.Response:
    extra: dict[str, Any] = {"code": str(exc.code)}
    field = getattr(exc, "field", None)
    if field:
        extra["field"] = field
        extra["fields"] = [{"field": field, "message": str(exc)}]
    return problem(_STATUS.get(exc.code, 422), str(exc), **extra)


async def _body(request: web.Request) -> dict[str, Any] | None:
    """The JSON object of the request, or None for anything else (answered 400)."""
    raw = await request.content.read(MAX_JSON + 1)
    if len(raw) > MAX_JSON:
        return None
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@admin(SCOPE)
async def get_devices(request: web.Request) -> web.Response:
    """GET /api/admin/pos/devices -> {devices: [{id, name, location: {id, name}, createdAt, lastUsedAt,
    revokedAt, revoked}]}, revoked ones included"""
    catalog, store = request.app[STORES].catalog, request[STORE]
    devices = await catalog.call_read(list_pos_devices, catalog, store.db, store_id=store.record.id)
    return web.json_response({"devices": [d.to_json() for d in devices]})


@admin(SCOPE)
async def post_device(request: web.Request) -> web.Response:
    """POST /api/admin/pos/devices {name, location} -> 201 {device, token}; the token is shown this once"""
    body = await _body(request)
    if body is None:
        return problem(400, "The body must be a JSON object (at most 64 KB)", code="invalid")
    catalog, store = request.app[STORES].catalog, request[STORE]
    try:
        made = await catalog.call(add_pos_device, catalog, store.db, store_id=store.record.id,
                                  location=body.get("location"), name=body.get("name"))
    except AuthError as exc:
        return _refusal(exc)
    return web.json_response({"device": made.device.to_json(), "token": made.token}, status=201)


@admin(SCOPE)
async def delete_device(request: web.Request) -> web.Response:
    """DELETE /api/admin/pos/devices/{id} -> {device}: its token is refused from now on"""
    catalog, store = request.app[STORES].catalog, request[STORE]
    device_id = request.match_info["id"]
    try:
        await catalog.call(revoke_pos_device, catalog, device_id=device_id, store_id=store.record.id)
    except AuthError as exc:
        return _refusal(exc)
    devices = await catalog.call_read(list_pos_devices, catalog, store.db, store_id=store.record.id)
    return web.json_response({"device": next(d.to_json() for d in devices if d.id == device_id)})


def add_pos_device_routes(app: web.Application) -> None:
    """Register the admin API's POS devices (before the storefront's catch-all)."""
    app.router.add_get("/api/admin/pos/devices", get_devices)
    app.router.add_post("/api/admin/pos/devices", post_device)
    app.router.add_delete("/api/admin/pos/devices/{id}", delete_device)
