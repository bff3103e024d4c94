"""POS API v1 authentication: a bearer token of a POS device, with the "pos" scope, for the store of the
Host header and bound to one of its locations (`vibeshop cloud pos device add`). On an address that
names no store (the cloud's own, or 127.0.0.1), the store is the token's: every token has one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from cloud.server.admin import problem
from cloud.server.keys import STORES
from cloud.server.middlewares import STORE
from shared.accounts.errors import AuthError, AuthErrorCode
from shared.accounts.service import TokenGrant, authorize

POS_GRANT = web.RequestKey("pos_grant", TokenGrant)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_AUTH_STATUS = {AuthErrorCode.UNAUTHORIZED: 401, AuthErrorCode.FORBIDDEN: 403, AuthErrorCode.INVALID: 400}


async def _pos_grant(request: web.Request) -> TokenGrant:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    grant = await authorize(request.app[STORES].catalog, token)
    if STORE not in request:
        store = await request.app[STORES].store_by_id(grant.store_id)
        if store is None:
            raise AuthError(AuthErrorCode.UNAUTHORIZED, "This token's store is gone")
        request[STORE] = store
    elif grant.store_id != request[STORE].record.id:
        raise AuthError(AuthErrorCode.FORBIDDEN, "This token belongs to another store")
    grant.require("pos")
    if grant.location_id is None:
        raise AuthError(AuthErrorCode.FORBIDDEN, "This is not a POS device token (vibeshop cloud pos device add)")
    return grant


async def recheck_grant(request: web.Request) -> web.Response | None:
    """Check the request's token again (after a slow body, say): the problem to answer when it was
    revoked, or its store or location changed, since the request began; None while it still holds."""
    try:
        grant = await _pos_grant(request)
    except AuthError as exc:
        return problem(_AUTH_STATUS.get(exc.code, 403), str(exc))
    if grant.location_id != request[POS_GRANT].location_id:
        return problem(403, "This device was moved to another location while the request ran")
    request[POS_GRANT] = grant
    return None


def pos(handler: Handler) -> Handler:
    """Require a POS device token of this store (request[POS_GRANT]); auth errors become JSON problems."""
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            request[POS_GRANT] = await _pos_grant(request)
        except AuthError as exc:
            return problem(_AUTH_STATUS.get(exc.code, 403), str(exc))
        return await handler(request)
    guarded.__doc__ = handler.__doc__
    return guarded
