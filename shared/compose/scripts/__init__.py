"""The storefront's own scripts (not merchant code): today the cart script. Pages carry a tiny inline
loader whose SHA-256 the Content-Security-Policy allows, so shared cached pages need no per-response
nonce; the loader adds the script from /assets/cart-HASH.js (immutable under its content hash), which
CSP's 'strict-dynamic' trusts because a trusted script inserted it."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

CONTENT_TYPE = "text/javascript; charset=utf-8"
SCRIPT_NAME = re.compile(r"^cart-[0-9a-f]{20}\.js\Z")


@dataclass(frozen=True)
class Script:
    """A script file served under /assets/ by the hash of its bytes."""

    name: str
    body: bytes

    @property
    def path(self) -> str:
        """Where the loader fetches it."""
        return "/assets/" + self.name


@cache
def cart_script() -> Script:
    """The cart script (shared/compose/scripts/cart.js)."""
    body = resources.files("shared.compose.scripts").joinpath("cart.js").read_bytes()
    return Script(f"cart-{hashlib.blake2b(body, digest_size=10).hexdigest()}.js", body)


@cache
def loader() -> str:
    """The inline loader's text (what goes between <script> and </script>)."""
    return ("(function(){var s=document.createElement(\"script\");"
            f"s.src=\"{cart_script().path}\";s.async=true;document.head.appendChild(s)}})();")


@cache
def loader_csp_hash() -> str:
    """The CSP source that allows the loader: 'sha256-BASE64'."""
    digest = hashlib.sha256(loader().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
