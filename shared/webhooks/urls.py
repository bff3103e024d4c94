"""Where a webhook may go: an https:// URL of a public address. The platform makes the request, so a
URL naming the cloud's own network (127.0.0.1, 10.x, 169.254.169.254, fd00::...) would let a merchant
reach services that are not theirs (SSRF): those are refused when the subscription is made, and again
at every send, after resolving the name, and the request then goes to the address that was checked
(a name that resolves differently a moment later cannot slip through).

In test mode (a local demo or test run: the cloud started with --stripe-api or the dev hints),
loopback receivers are allowed, over http:// too; private and link-local addresses never are."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.webhooks.errors import WebhookError, WebhookErrorCode

MAX_URL = 2000
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A checked URL, split: the request goes to `host` (a name or an address) on `port`."""

    url: str
    scheme: str
    host: str
    port: int


def _bad(message: str, code: WebhookErrorCode = WebhookErrorCode.INVALID_URL) -> WebhookError:
    return WebhookError(code, message, field="url")


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def address_allowed(address: IPAddress, *, allow_loopback: bool) -> bool:
    """Whether requests may go to `address`: a global one, or loopback in test mode."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not address.is_multicast


def check_url(url: object, *, allow_loopback: bool = False) -> Target:
    """A subscription URL, checked without the network: https:// (or http:// to loopback in test
    mode), no user:password, and no literal address or name that is not public. Raises
    WebhookError(INVALID_URL or UNSAFE_URL, field='url')."""
    if not isinstance(url, str) or not url.strip() or len(url.strip()) > MAX_URL:
        raise _bad(f"url must be an https:// address of at most {MAX_URL} characters")
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _bad("url is not a valid URL") from None
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise _bad("url must start with https://")
    if parts.username is not None or parts.password is not None:
        raise _bad("url must not contain a user name or password")
    if any(ch.isspace() for ch in text) or parts.fragment:
        raise _bad("url must not contain spaces or a #fragment")
    literal = _literal(host)
    loopback = host in _LOOPBACK_NAMES or host.endswith(".localhost") or (literal is not None and literal.is_loopback)
    if loopback and not allow_loopback:
        raise _bad("url points at this server (localhost): webhooks go to public addresses",
                   WebhookErrorCode.UNSAFE_URL)
    if literal is not None and not address_allowed(literal, allow_loopback=allow_loopback):
        raise _bad(f"url points at a private or reserved address ({literal}): webhooks go to public addresses",
                   WebhookErrorCode.UNSAFE_URL)
    if parts.scheme == "http" and not (loopback and allow_loopback):
        raise _bad("url must start with https:// (http:// is only for a local receiver in test mode)")
    return Target(url=text, scheme=parts.scheme, host=host, port=port or (443 if parts.scheme == "https" else 80))


async def resolve_allowed(target: Target, *, allow_loopback: bool = False) -> IPAddress:
    """The address to send to: the host resolved now, refused unless every address it resolves to is
    allowed (a name mixing a public and a private address is refused). Raises WebhookError(UNSAFE_URL)
    for a private address, WebhookError(INVALID_URL) when the name does not resolve."""
    literal = _literal(target.host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise _bad(f"{target.host} does not resolve: {exc}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise _bad(f"{target.host} does not resolve")
    for address in addresses:
        if not address_allowed(address, allow_loopback=allow_loopback):
            raise _bad(f"{target.host} resolves to a private or reserved address ({address})",
                       WebhookErrorCode.UNSAFE_URL)
    # IPv4 first: a receiver listening on one family is more often on IPv4 (the request is not retried
    # on the other family, so the first choice matters).
    return sorted(addresses, key=lambda a: a.version)[0]
