"""Test payments for `vibeshop demo`: localstripe (a Stripe-compatible API, GPL-3.0) started on
loopback in its own process, never imported here, with its pickling of state to /tmp turned off;
test keys stored (sealed) for the demo store; a webhook registered to the demo server. The server
then runs with `stripe_api` pointing at it, so a newcomer pays with 4242 4242 4242 4242."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from shared.payments import StripeKeys, secrets_box_from_env, set_stripe_keys
from shared.storefront.service import Store

SECRET_KEY = "sk_test_vibeshopDemo4242"
PUBLISHABLE_KEY = "pk_test_vibeshopDemo4242"
WEBHOOK_SECRET = "whsec_vibeshopDemoSigning"
# The child: localstripe's own app, bound to 127.0.0.1 on a port the OS picks (printed first), with its
# state file (/tmp/localstripe.pickle, shared by every localstripe on the machine) never written.
# On Linux it also ends with the demo (PR_SET_PDEATHSIG), however the demo ends.
_CHILD = """
import socket
try:
    import ctypes, signal
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)
except Exception:
    pass
import localstripe.resources as resources
resources.Store.dump_to_disk = lambda self: None
import localstripe.server as server
from aiohttp import web
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
web.run_app(server.app, sock=sock, print=None, access_log=None)
"""


@dataclass
class DemoStripe:
    """A running localstripe: its URL and process (call `stop`)."""

    url: str
    proc: subprocess.Popen

    def stop(self) -> None:
        """End the process."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_localstripe(timeout: float = 60.0) -> DemoStripe | None:
    """Start localstripe on loopback; None (with a note on stderr) when it cannot start."""
    try:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD], stdout=subprocess.PIPE,  # noqa: S603
                                stderr=subprocess.DEVNULL, text=True)
    except OSError as exc:
        print(f"vibeshop demo: test payments are off ({exc})", file=sys.stderr)
        return None
    line = proc.stdout.readline() if proc.stdout else ""
    stripe = DemoStripe(f"http://127.0.0.1:{line.strip()}", proc)
    if not line.strip().isdigit():
        stripe.stop()
        print("vibeshop demo: test payments are off (localstripe did not start: pip install localstripe)",
              file=sys.stderr)
        return None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{stripe.url}/js.stripe.com/v3/", timeout=2).status_code == 200:
                return stripe
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    stripe.stop()
    print("vibeshop demo: test payments are off (localstripe did not answer)", file=sys.stderr)
    return None


def connect_demo_store(store: Store, stripe: DemoStripe, *, shop_url: str) -> None:
    """Store the demo's test keys for `store` (sealed with the demo's secrets key) and register the
    demo server's webhook in localstripe."""
    box = secrets_box_from_env(demo=True)
    set_stripe_keys(store.db, store_id=store.record.id, box=box,
                    keys=StripeKeys(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET))
    try:
        httpx.post(f"{stripe.url}/_config/webhooks/vibeshop-demo",
                   data={"url": f"{shop_url.rstrip('/')}/webhooks/stripe", "secret": WEBHOOK_SECRET},
                   timeout=10).raise_for_status()
    except httpx.HTTPError as exc:      # the page's own confirmation still completes orders
        print(f"vibeshop demo: the Stripe webhook is not registered ({exc})", file=sys.stderr)
