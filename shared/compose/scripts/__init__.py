"""The storefront's own scripts (not merchant code): the cart script, and the live stock script of
product pages. Pages carry a tiny inline loader whose SHA-256 the Content-Security-Policy allows, so
shared cached pages need no per-response nonce; the loader adds the scripts from /assets/NAME-HASH.js
(immutable under their content hash), which CSP's 'strict-dynamic' trusts because a trusted script
inserted them. The stock script is added only to pages marked for it (`data-vs-live-stock`, the product
page's block), so other pages make no extra request."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

CONTENT_TYPE = "text/javascript; charset=utf-8"
SCRIPT_NAME = re.compile(r"^(?:cart|stock)-[0-9a-f]{20}\.js\Z")


@dataclass(frozen=True)
class Script:
    """A script file served under /assets/ by the hash of its bytes."""

    name: str
    body: bytes

    @property
    def path(self) -> str:
        """Where the loader fetches it."""
        return "/assets/" + self.name


def _script(stem: str) -> Script:
    body = resources.files("shared.compose.scripts").joinpath(f"{stem}.js").read_bytes()
    return Script(f"{stem}-{hashlib.blake2b(body, digest_size=10).hexdigest()}.js", body)


@cache
def cart_script() -> Script:
    """The cart script (shared/compose/scripts/cart.js)."""
    return _script("cart")


@cache
def stock_script() -> Script:
    """The live stock script of product pages (shared/compose/scripts/stock.js)."""
    return _script("stock")


def script_named(name: str) -> Script | None:
    """The storefront script served as /assets/NAME, if there is one."""
    return next((s for s in (cart_script(), stock_script()) if s.name == name), None)


@cache
def loader() -> str:
    """The inline loader's text (what goes between <script> and </script>)."""
    return ("(function(){function a(u){var s=document.createElement(\"script\");"
            "s.src=u;s.async=true;document.head.appendChild(s)}"
            f"a(\"{cart_script().path}\");"
            f"if(document.querySelector(\"[data-vs-live-stock]\"))a(\"{stock_script().path}\")}})();")


@cache
def loader_csp_hash() -> str:
    """The CSP source that allows the loader: 'sha256-BASE64'."""
    digest = hashlib.sha256(loader().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
