"""localstripe on loopback for the payment tests, and the loopback helpers around it.

localstripe (GPL-3.0) runs as its own process, never imported into the tests: it is started with
`python -c`, bound to 127.0.0.1 on a port the OS picks, with its pickling of state to
/tmp/localstripe.pickle turned off (that file is shared by every localstripe on the machine), and
`reset()` (DELETE /_config/data) gives each test an empty Stripe. Also here: test cards made
server-side (localstripe takes raw card numbers with a secret key), the 3DS step the browser would
do, a webhook receiver, and a proxy that loses one answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from aiohttp import ClientSession, web

SECRET_KEY = "sk_test_vibeshopLocal4242"
PUBLISHABLE_KEY = "pk_test_vibeshopLocal4242"
WEBHOOK_SECRET = "whsec_vibeshopLocalSigning"
STORE_ID = "store-under-test"

# The child process: no state file, loopback only, the port it got printed first.
_CHILD = """
import socket, sys
import localstripe.resources as resources
resources.Store.dump_to_disk = lambda self: None
import localstripe.server as server
from aiohttp import web
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
web.run_app(server.app, sock=sock, print=None, access_log=None)
"""


class LocalStripe:
    """One localstripe process on 127.0.0.1."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _CHILD], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.strip().isdigit():
            self.stop()
            raise AssertionError("localstripe did not start")
        self.port = int(line)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60      # catches a hang only
        while True:
            try:
                if httpx.get(f"{self.url}/js.stripe.com/v3/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("localstripe did not answer")
            time.sleep(0.05)

    def reset(self) -> None:
        """Forget every object (customers, intents, methods): a fresh Stripe."""
        httpx.delete(f"{self.url}/_config/data", timeout=10).raise_for_status()

    def stop(self) -> None:
        """End the process."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def _post(self, path: str, data: dict[str, str], *, key: str = SECRET_KEY) -> dict:
        response = httpx.post(f"{self.url}{path}", data=data, auth=(key, ""), timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}

    def card(self, number: str) -> str:
        """A pm_... for a test card number, as the browser's confirmCardSetup would give."""
        return self._post("/v1/payment_methods", {"type": "card", "card[number]": number, "card[exp_month]": "12",
                                                  "card[exp_year]": "2034", "card[cvc]": "123"})["id"]

    def confirm_setup(self, client_secret: str, number: str) -> dict:
        """What the browser's confirmCardSetup sends for a typed card (a JSON body with the publishable
        key): the SetupIntent afterwards, its `payment_method` the pm_... the page posts back."""
        seti = client_secret.split("_secret_")[0]
        body = {"key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": client_secret,
                "payment_method_data": {"type": "card", "card": {"number": number, "exp_month": "12",
                                                                 "exp_year": "34", "cvc": "123"}}}
        response = httpx.post(f"{self.url}/v1/setup_intents/{seti}/confirm", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def authenticate(self, intent_id: str, client_secret: str, *, success: bool) -> dict:
        """The 3DS step the browser's confirmCardPayment performs ("Complete" or "Fail" authentication)."""
        return self._post(f"/v1/payment_intents/{intent_id}/_authenticate",
                          {"key": PUBLISHABLE_KEY, "client_secret": client_secret,
                           "success": "true" if success else "false"}, key="")

    def get(self, path: str) -> dict:
        """A GET of the API with the secret key."""
        response = httpx.get(f"{self.url}{path}", auth=(SECRET_KEY, ""), timeout=10)
        response.raise_for_status()
        return response.json()

    def register_webhook(self, target: str, *, secret: str = WEBHOOK_SECRET, hook_id: str = "vibeshop-tests") -> None:
        """Send signed events to `target` (replaces the earlier registration of `hook_id`)."""
        httpx.post(f"{self.url}/_config/webhooks/{hook_id}", data={"url": target, "secret": secret},
                   timeout=10).raise_for_status()


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Run `app` on 127.0.0.1 on a free port; the runner (to clean up) and the base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@dataclass
class WebhookInbox:
    """Deliveries received: (raw body, Stripe-Signature header), in arrival order."""

    deliveries: list[tuple[bytes, str]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        """The receiver: keeps each body and answers 200."""
        async def receive(request: web.Request) -> web.Response:
            self.deliveries.append((await request.read(), request.headers.get("Stripe-Signature", "")))
            self.arrived.set()
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/hook", receive)
        return app

    async def wait_for(self, event_type: str, intent_id: str, *, timeout: float = 30) -> tuple[bytes, str]:
        """The first delivery of `event_type` about `intent_id` (an earlier test's events may arrive
        too: localstripe sends each about a second later). The timeout only catches a hang."""
        async with asyncio.timeout(timeout):
            while True:
                for body, signature in self.deliveries:
                    event = json.loads(body)
                    if event["type"] == event_type and event["data"]["object"]["id"] == intent_id:
                        return body, signature
                self.arrived.clear()
                await self.arrived.wait()


@dataclass
class LosingProxy:
    """Forwards everything to `upstream`, except the first request that `lose` picks: with
    `forward=True` the upstream acts on it but the answer is lost, otherwise the request itself is
    lost; the client sees the connection cut ("drop") or no answer ever ("hang": its timeout).
    Keeps (method, path, Idempotency-Key) of every request seen."""

    upstream: str
    lose: Callable[[str, str], bool]
    mode: str = "drop"
    forward: bool = True
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    lost: int = 0

    def app(self) -> web.Application:
        """The proxy application."""
        async def forward(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            self.seen.append((request.method, request.path, request.headers.get("Idempotency-Key", "")))
            losing = not self.lost and self.lose(request.method, request.path)
            self.lost += losing
            if not losing or self.forward:
                headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
                async with ClientSession() as session:
                    async with session.request(request.method, f"{self.upstream}{request.path_qs}", data=body,
                                               headers=headers) as answer:
                        payload = await answer.read()
                        status, content_type = answer.status, answer.content_type
            if losing:
                while self.mode == "hang" and request.transport and not request.transport.is_closing():
                    await asyncio.sleep(0.05)          # until the client gives up (its timeout)
                assert request.transport is not None
                request.transport.abort()              # cut: the client sees the connection reset
                raise asyncio.CancelledError
            return web.Response(body=payload, status=status, content_type=content_type)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", forward)
        return app


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, *, at: int | None = None) -> str:
    """A Stripe-Signature header for `payload` (Stripe's published scheme: HMAC-SHA256 of "t.body")."""
    stamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), b"%d.%s" % (stamp, payload), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"
