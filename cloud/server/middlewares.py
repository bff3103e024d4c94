"""The steps every request goes through, as plain functions (cloud/server/pipeline.py calls them in
order): turn away floods and cross-site form posts, resolve the store from the Host header once,
and put the security headers on every response."""

from __future__ import annotations

import base64
import functools
import secrets
from collections.abc import MutableMapping

from aiohttp import web

from cloud.server.keys import CONFIG, LIMITER, STORES
from cloud.server.ratelimit import retry_after
from cloud.server.pages import error_page
from cloud.server.tenancy import hostname_of
from shared.storefront.service import Store

STORE = web.RequestKey("store", Store)
# Paths served without a store from the Host header (health checks, Caddy's on-demand TLS ask,
# metrics, and the sync API, whose store is the device token's).
_STORELESS = ("/_health", "/_tls/", "/metrics", "/_sync/")


async def attach_store(request: web.Request) -> web.Response | None:
    """Attach the store named by the Host header (request[STORE]), or the 404 / 503 page for shoppers."""
    if request.path.startswith(_STORELESS):
        return None
    directory = request.app[STORES]
    hostname = hostname_of(request.host or "")
    store = directory.known(hostname)
    if store is False:          # not seen lately: the catalog is read (and the store opened) off the loop
        store = await directory.store_for(hostname)
    if store is None:
        hint = ""
        if request.app[CONFIG].dev_hints:
            port = request.url.port or 80
            links = [f"http://{slug}.{directory.base_domain}:{port}/" for slug in await directory.slugs()]
            hint = "Stores here: " + ", ".join(links) if links else "There are no stores here yet."
        return error_page(404, "Store not found", f"No store answers at this address. {hint}".strip())
    status = store.record.status
    if request.path.startswith("/api/admin/"):
        request[STORE] = store     # the merchant keeps working on a closed or suspended store
        return None
    if status == "inactive":
        return error_page(404, "Store not found", "This store is not open.")
    if status == "suspended":
        return error_page(503, "Store unavailable", "This store is temporarily unavailable.")
    request[STORE] = store
    return None


NONCE = web.RequestKey("csp_nonce", str)


class _Nonces:
    """CSP nonces from the OS's CSPRNG: 18 random bytes (144 bits) each, fetched and base64-encoded
    256 at a time, so a response pays for a string slice instead of a syscall and an encoding."""

    _BATCH = 256

    def __init__(self) -> None:
        self._pool = ""
        self._next = 0

    def next(self) -> str:
        """A fresh nonce; never handed out twice."""
        if self._next >= len(self._pool):
            # 18 bytes encode to exactly 24 characters, so the nonces are adjacent slices, no padding.
            self._pool = base64.urlsafe_b64encode(secrets.token_bytes(18 * self._BATCH)).decode()
            self._next = 0
        start = self._next
        self._next = start + 24
        return self._pool[start:start + 24]


next_nonce = _Nonces().next


def client_address(request: web.Request) -> str:
    """The shopper's address: the peer, or the last X-Forwarded-For hop when the peer is our proxy."""
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and peer in request.app[CONFIG].trusted_proxies:
        return forwarded.split(",")[-1].strip()[:64] or peer
    return peer


def is_https(request: web.Request) -> bool:
    """Whether the shopper reached us over TLS (directly, or through our TLS proxy)."""
    if request.secure:
        return True
    return (request.remote in request.app[CONFIG].trusted_proxies
            and request.headers.get("X-Forwarded-Proto", "").lower() == "https")


def content_security_policy(nonce: str, media_base: str) -> str:
    """Scripts only with this response's nonce; everything else from the store itself."""
    head, tail = _csp_around_nonce(media_base)
    return head + nonce + tail


@functools.cache
def _csp_around_nonce(media_base: str) -> tuple[str, str]:
    """The policy's text before and after the nonce (per media origin: the config has one)."""
    media = f" {media_base}" if media_base else ""
    return ("default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'self'; form-action 'self'; "
            f"img-src 'self' data:{media}; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
            "script-src 'nonce-", "' 'strict-dynamic'; connect-src 'self'")


_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(self)"),
)


def add_security_headers(request: web.Request, headers: MutableMapping[str, str], nonce: str) -> None:
    """Headers every response carries, unless its handler chose its own; the CSP with this
    response's nonce (request[NONCE], for scripts)."""
    for name, value in _FIXED_HEADERS:
        headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy", content_security_policy(nonce, request.app[CONFIG].media_base))
    if is_https(request):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def rate_limited(request: web.Request) -> web.Response | None:
    """A token bucket per client address and store; over it: the 429 page with Retry-After."""
    if request.path.startswith(_STORELESS):
        return None
    key = (client_address(request), hostname_of(request.host or ""))
    wait = request.app[LIMITER].take(key)
    if wait <= 0:
        return None
    response = error_page(429, "Too many requests", "Please wait a moment and try again.")
    response.headers["Retry-After"] = retry_after(wait)
    return response


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def same_origin(request: web.Request) -> bool:
    """Whether an unsafe request comes from a page of this very host (CSRF defence that works with
    shared, cached pages: no per-shopper token needs to be baked into them). Browsers send Origin on
    every cross-site POST and Sec-Fetch-Site on every request; a request with neither is refused."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin or origin == "null":
        return site == "same-origin"
    from urllib.parse import urlsplit

    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc.lower() == (request.host or "").lower()


def cross_site(request: web.Request) -> web.Response | None:
    """The 403 page for a state-changing request from another site. The admin API (bearer tokens, no
    cookies) and the sync API (device tokens) are not exposed to CSRF and are left to their token checks."""
    if request.method in _SAFE_METHODS or request.path.startswith(("/api/", "/_sync/")) or same_origin(request):
        return None
    return error_page(403, "Request refused", "This form was sent from another site. Go back to the shop "
                      "and try again.")
