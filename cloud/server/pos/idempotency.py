"""Idempotency-Key for every POST of the POS API (IETF httpapi draft "The Idempotency-Key HTTP Header
Field"), per device token:

- no key: 400;
- the key again with another request (method, path or body): 422;
- the key again while its original is still running: 409 (Retry-After: 1);
- the key again after it finished: the stored answer, with `Idempotent-Replayed: true`.

Keys are kept 7 days (purged as new ones come). An answer of 5xx, or a handler that raised, forgets the
key so a retry runs again. A key left running by a crashed worker is taken over after LEASE.

The body is read here, once, up to the handler's own limit (413 above it), and handed to the handler
as request[BODY]. The device's token is checked again once the body is in, before anything is
claimed or written: a token revoked while a slow upload was still arriving writes nothing.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from cloud.server.admin import problem
from cloud.server.middlewares import STORE
from cloud.server.pos.auth import POS_GRANT, Handler, recheck_grant
from cloud.server.pos.spec import read_body
from shared.db import Connection, Database
from shared.db.repositories import pos_idempotency as repo
from shared.inventory.models import parse_stamp, stamp

KEEP_FOR = timedelta(days=7)
LEASE = timedelta(seconds=60)
MAX_KEY = 255
MAX_BODY = 1024 * 1024          # the app's client_max_size; a handler may allow less
BODY = web.RequestKey("pos_body", bytes)
# Visible ASCII, inner spaces allowed, optionally as the draft's sf-string ("..."): what the OpenAPI
# document declares, and exactly what is accepted.
KEY_PATTERN = r"^[!-~](?:[ -~]{0,%d}[!-~])?$" % (MAX_KEY - 2)
_KEY = re.compile(KEY_PATTERN)


def _key(request: web.Request) -> str | None:
    raw = request.headers.get("Idempotency-Key")
    if raw is None or not _KEY.fullmatch(raw):
        return None
    return raw[1:-1] if len(raw) > 2 and raw[0] == raw[-1] == '"' else raw


def _claim(conn: Connection, token_id: str, key: str, digest: str, now: datetime
           ) -> tuple[str, int | None, str | None]:
    """("run", ...) when this request owns the key now; else ("mismatch" | "running" | "done", status, body)."""
    repo.purge_keys_before(conn, stamp(now - KEEP_FOR, field="now"))
    found = repo.find_key(conn, token_id, key)
    if found is not None:
        request_hash, status, response, created_at = found
        if request_hash != digest:
            return "mismatch", None, None
        if status is not None:
            return "done", status, response
        if now - parse_stamp(created_at) < LEASE:
            return "running", None, None
    repo.claim_key(conn, token_id, key, digest, stamp(now, field="now"))
    return "run", None, None


def idempotent(handler: Handler | None = None, *, max_body: int = MAX_BODY) -> Any:
    """Apply the Idempotency-Key rules to a POS POST handler (inside `pos`, which names the token); the
    body, at most `max_body` bytes, is request[BODY]. `@idempotent` or `@idempotent(max_body=N)`."""
    if handler is None:
        return lambda inner: idempotent(inner, max_body=max_body)

    async def guarded(request: web.Request) -> web.StreamResponse:
        key = _key(request)
        if key is None:
            if "Idempotency-Key" in request.headers:
                return problem(400, f"The Idempotency-Key header must be 1 to {MAX_KEY} visible ASCII characters",
                               field="Idempotency-Key", code="invalid")
            return problem(400, f"An Idempotency-Key header (1 to {MAX_KEY} visible ASCII characters) is "
                                "required on every POST", field="Idempotency-Key", code="missing")
        body = await read_body(request, max_body)
        if isinstance(body, web.Response):
            return body
        refused = await recheck_grant(request)
        if refused is not None:
            return refused
        request[BODY] = body
        digest = hashlib.sha256(b"\0".join([request.method.encode(), request.path_qs.encode(), body])).hexdigest()
        token_id, db = request[POS_GRANT].token_id, request[STORE].db
        state, status, stored = await db.run_write(lambda conn: _claim(conn, token_id, key, digest, datetime.now(UTC)))
        if state == "mismatch":
            return problem(422, "This Idempotency-Key was already used for another request")
        if state == "running":
            return _conflict()
        if state == "done":
            return web.Response(status=status or 200, text=stored or "", content_type="application/json",
                                headers={"Idempotent-Replayed": "true"})
        return await _run(handler, request, db, token_id, key)
    guarded.__doc__ = handler.__doc__
    return guarded


async def _run(handler: Handler, request: web.Request, db: Database, token_id: str, key: str) -> web.StreamResponse:
    """The handler's answer, stored for the key (a 5xx, or a handler that raised, forgets the key)."""
    try:
        response = await handler(request)
    except BaseException:
        await db.run_write(lambda conn: repo.forget_key(conn, token_id, key))
        raise
    if response.status >= 500 or not isinstance(response, web.Response):
        await db.run_write(lambda conn: repo.forget_key(conn, token_id, key))
    else:
        text = response.body.decode() if isinstance(response.body, bytes) else (response.text or "")
        await db.run_write(lambda conn: repo.finish_key(conn, token_id, key, response.status, text))
    return response


def _conflict() -> web.Response:
    response = problem(409, "A request with this Idempotency-Key is still being processed; retry shortly")
    response.headers["Retry-After"] = "1"
    return response
