"""The one middleware every request passes through, and the order of what happens to it:

1. it is timed, counted and logged as one JSON line (monitoring.record_request);
2. it gets a fresh CSP nonce, and whatever answers it gets the security headers;
3. a malformed Host header, floods and cross-site form posts are turned away (400, rate limit, CSRF);
4. the store is resolved from the Host header (request[STORE]);
5. the handler answers; aiohttp's own 4xx, a database busy for too long (503 with Retry-After) and
   unexpected errors become pages.

These steps were six aiohttp middlewares. Each middleware layer costs a coroutine, a partial call and
a frame per request (about 1.5 us), which added up to a quarter of the Python time of a cached page;
here they are plain functions called in this order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from cloud.server.middlewares import (NONCE, add_security_headers, attach_store, bad_host, cross_site, next_nonce,
                                      rate_limited)
from cloud.server.monitoring import record_request
from cloud.server.pages import page_for_busy_database, page_for_http_error, page_for_unexpected_error
from shared.db import DatabaseBusyError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_log = logging.getLogger(__name__)


@web.middleware
async def service_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Step 1 around steps 2 to 5: every request is counted with the status it was answered with."""
    started = time.perf_counter()
    status = 500
    try:
        response = await _secured(request, handler)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        record_request(request, status, time.perf_counter() - started)


async def _secured(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Steps 2 to 5: answered or raised, the response carries the security headers."""
    nonce = request[NONCE] = next_nonce()
    try:
        response = (bad_host(request) or rate_limited(request) or cross_site(request)
                    or await _answered(request, handler))
    except web.HTTPException as exc:
        add_security_headers(request, exc.headers, nonce)
        raise
    add_security_headers(request, response.headers, nonce)
    return response


async def _answered(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Steps 4 and 5: the store, then the handler, with errors as clear pages, never a stack trace."""
    try:
        return await attach_store(request) or await handler(request)
    except DatabaseBusyError as exc:
        return page_for_busy_database(request, exc)
    except web.HTTPException as exc:
        page = page_for_http_error(request, exc)
        if page is None:
            raise
        return page
    except Exception:
        _log.exception("unexpected error on %s %s", request.method, request.path)
        return page_for_unexpected_error(request)
