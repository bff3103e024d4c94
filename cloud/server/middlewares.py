"""The steps every request goes through, as plain functions (cloud/server/pipeline.py calls them in
order): refuse a malformed Host header, turn away floods and cross-site form posts, resolve the store
from the Host header once, and put the security headers on every response."""

from __future__ import annotations

import base64
import functools
import ipaddress
import re
import secrets
from collections.abc import MutableMapping

from aiohttp import web, web_response
from aiohttp.http import HttpVersion10

from cloud.server.keys import CONFIG, LIMITER, STORES, WEBHOOK_LIMITER
from cloud.server.ratelimit import retry_after
from cloud.server.pages import error_page
from cloud.server.tenancy import hostname_of
from shared.accounts.errors import AuthError
from shared.accounts.service import authorize
from shared.compose.scripts import loader_csp_hash
from shared.storefront.service import Store

SERVER_NAME = "Vibeshop"


def hide_server_version() -> None:
    """Name the product, not its versions, in every response's Server header. aiohttp writes
    `Python/3.x aiohttp/3.x` by default, also on the 400 it answers a malformed request with, which
    passes no middleware or signal of ours; its default is the one place that covers every answer."""
    web_response.SERVER_SOFTWARE = SERVER_NAME


# RFC 9110 section 7.2: Host = uri-host [ ":" port ]. Accepted: a host name (letters, digits, '-', '_',
# dots; what DNS names and store addresses use), an IPv4 address or a bracketed IPv6 literal, and an
# optional port of 1 to 5 digits. Anything else (userinfo, paths, spaces, percent-escapes, commas)
# cannot name a store and is refused before any step reads it.
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[(?P<ip6>[0-9a-f:.]{{2,45}})\])(?::(?P<port>[0-9]{{1,5}}))?",
                   re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def is_valid_host(value: str) -> bool:
    """Whether a Host header value is a plain host and optional port (cached: a worker sees the same
    few values on almost every request)."""
    match = _HOST.fullmatch(value)
    if match is None or len(value) > 260:
        return False
    if match["port"] is not None and int(match["port"]) > 65535:
        return False
    if match["ip6"] is not None:
        try:
            ipaddress.IPv6Address(match["ip6"])
        except ValueError:
            return False
    return True


def bad_host(request: web.Request) -> web.Response | None:
    """The 400 answer to a request whose Host header is not a plain host and optional port, or an
    HTTP/1.1 request without one (RFC 9112 section 3.2); None when the header is fine."""
    host = request.headers.get("Host")
    if host is None:
        if request.version <= HttpVersion10:      # HTTP/1.0 may leave it out
            return None
        reason = "This request has no Host header: send one with the shop's address, like shop.example.com."
    elif is_valid_host(host):
        return None
    else:
        reason = ("The Host header must be a host name with an optional port, like shop.example.com or "
                  "shop.example.com:8443.")
    if request.path.startswith(("/api/", "/_sync/")):
        return web.json_response({"error": {"status": 400, "code": "bad_host", "message": reason}}, status=400)
    return error_page(400, "Bad request", reason)


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
    if store is None and request.path.startswith("/api/admin/"):
        store = await _store_of_token(request)
    if store is None and request.path.startswith("/pos/"):
        return None             # the POS API's store is then its device token's (cloud.server.pos.auth)
    if store is None:
        hint = ""
        if request.app[CONFIG].dev_hints:
            port = request.url.port or 80
            links = [f"http://{slug}.{directory.base_domain}:{port}/" for slug in await directory.slugs()]
            hint = "Stores here: " + ", ".join(links) if links else "There are no stores here yet."
        return error_page(404, "Store not found", f"No store answers at this address. {hint}".strip())
    status = store.record.status
    if request.path.startswith(("/api/admin/", "/pos/v1/")):
        request[STORE] = store     # the merchant keeps working (and the counter selling) on a closed store
        return None
    if status == "inactive":
        return error_page(404, "Store not found", "This store is not open.")
    if status == "suspended":
        return error_page(503, "Store unavailable", "This store is temporarily unavailable.")
    request[STORE] = store
    return None


async def _store_of_token(request: web.Request) -> Store | None:
    """On a host that names no store (the cloud's own address, which a linked studio talks to), the admin
    API's store is its token's: every token belongs to one store. None for no or a bad token (the
    handler's own check answers 401 for a store it finds by Host)."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not token:
        return None
    try:
        grant = await authorize(request.app[STORES].catalog, token)
    except AuthError:
        return None
    return await request.app[STORES].store_by_id(grant.store_id)


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
    """Scripts only with this response's nonce, or the storefront's own cart loader (by its hash: shared
    cached pages carry it, and a per-response nonce cannot be in a shared page), and what they insert;
    everything else from the store itself."""
    head, tail = _csp_around_nonce(media_base)
    return head + nonce + tail


@functools.cache
def _csp_around_nonce(media_base: str) -> tuple[str, str]:
    """The policy's text before and after the nonce (per media origin: the config has one)."""
    media = f" {media_base}" if media_base else ""
    return ("default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'self'; form-action 'self'; "
            f"img-src 'self' data:{media}; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
            "script-src 'nonce-", f"' {loader_csp_hash()} 'strict-dynamic'; connect-src 'self'")


FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(self)"),
)


def add_security_headers(request: web.Request, headers: MutableMapping[str, str], nonce: str) -> None:
    """Headers every response carries, unless its handler chose its own; the CSP with this
    response's nonce (request[NONCE], for scripts). Cached pages and stylesheets are made with all of
    FIXED_HEADERS already (once, not per response): the first one stands for the set."""
    if "X-Content-Type-Options" not in headers:
        for name, value in FIXED_HEADERS:
            headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy", content_security_policy(nonce, request.app[CONFIG].media_base))
    if is_https(request):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")


# Payment providers' webhooks come from a few addresses for every order of a store: they get a bucket
# of their own per store, far above a shopper's (a busy store must never see its payment events
# refused), still bounded against a flood of forged posts.
WEBHOOK_RATE, WEBHOOK_BURST = 500.0, 2000


def rate_limited(request: web.Request) -> web.Response | None:
    """A token bucket per client address and store (for webhooks: per store); over it: the 429 page
    with Retry-After."""
    if request.path.startswith(_STORELESS):
        return None
    host = hostname_of(request.host or "")
    if request.path.startswith("/webhooks/"):
        wait = request.app[WEBHOOK_LIMITER].take(("webhooks", host))
    else:
        wait = request.app[LIMITER].take((client_address(request), host))
    if wait <= 0:
        return None
    if request.path.startswith("/pos/"):
        response = web.json_response({"error": {"status": 429, "message": "Too many requests; retry later"}},
                                     status=429)
    else:
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
    cookies), the POS API (POS device tokens), the sync API (device tokens) and webhooks (signed by the sender, no cookies) are not exposed
    to CSRF and are left to their own checks."""
    if (request.method in _SAFE_METHODS or request.path.startswith(("/api/", "/pos/", "/_sync/", "/webhooks/"))
            or (request.method == "POST" and request.path == "/unsubscribe")   # RFC 8058: mail clients post
            or same_origin(request)):                                           # cross-site; signed token
        return None
    return error_page(403, "Request refused", "This form was sent from another site. Go back to the shop "
                      "and try again.")
