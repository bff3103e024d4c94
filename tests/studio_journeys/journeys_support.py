"""Helpers of the studio journeys (a module name no other test folder uses): a REAL cloud
(`vibeshop cloud serve` on loopback) that takes card payments at localstripe and writes the shop's
e-mails into a mail folder, a linked studio folder, card orders placed over HTTP as Stripe.js would
place them, and the .eml files read back."""

from __future__ import annotations

import base64
import email
import email.policy
import os
import re
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from shared.payments import ENV_VAR, SecretBox, StripeKeys, set_stripe_keys
from shared.storefront.service import DataDir, open_store
from shared.sync.client import link
from support import VIBESHOP, free_port
from support_stripe import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET, LocalStripe

HOST = "demo.localhost"
ADDRESS = {"country_code": "US", "name": "Ada Lovelace", "street_address": "1 Market St", "city": "San Francisco",
           "country_area": "CA", "postal_code": "94103"}


class CardCloud:
    """`vibeshop cloud serve --stripe-api LOCALSTRIPE --mail-dir DATA/mail` on one loopback port, the demo
    store holding localstripe's test keys (sealed with a key of this test's own)."""

    def __init__(self, data: Path, stripe: LocalStripe, *, settings: dict | None = None):
        self.data, self.stripe, self.port = data, stripe, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"{HOST}:{self.port}"
        self.mail = data / "mail"
        self.key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        self.proc: subprocess.Popen | None = None
        store = open_store(DataDir(data), "demo")
        try:
            set_stripe_keys(store.db, store_id=store.record.id, box=SecretBox(base64.urlsafe_b64decode(self.key)),
                            keys=StripeKeys(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET))
            if settings:
                _merge_settings(store, settings)
        finally:
            store.close()

    def start(self) -> None:
        """Start serving; returns once /_health answers (the bound is for a hang only)."""
        self.proc = subprocess.Popen([VIBESHOP, "cloud", "serve", "--data", str(self.data), "--host", "127.0.0.1",
                                      "--port", str(self.port), "--stripe-api", self.stripe.url,
                                      "--mail-dir", str(self.mail)],
                                     env={**os.environ, ENV_VAR: self.key},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.url}/_health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("the cloud did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        """End the process this test started."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)

    def link(self, folder: Path, name: str) -> None:
        """Pair a studio folder with the cloud, as `vibeshop cloud device add` + the studio's link do."""
        code = subprocess.run([VIBESHOP, "cloud", "device", "add", "--data", str(self.data), "--store", "demo"],
                              capture_output=True, text=True, timeout=60, check=True).stdout.strip().splitlines()[-1]
        link(DataDir(folder), remote=self.url, code=code, device_name=name).close()

    def place_card_order(self, *, email_address: str, pickup: bool = False, quantity: int = 1,
                         card: str = "4242424242424242") -> str:
        """A shopper buys `quantity` tees with a card over HTTP (shipped, or picked up); the order page's path.
        The browser's confirmCardSetup is done with httpx against localstripe, as Stripe.js would."""
        same = {"Host": self.host, "Origin": f"http://{self.host}"}
        with httpx.Client(base_url=self.url, headers={"Host": self.host}, timeout=30) as shopper:
            product = shopper.get("/products/harbor-classic-tee").text
            variant = re.search(r'name="(?:variant_)?id" value="([^"]+)"', product)
            assert variant, "the product form names its variant"
            assert shopper.post("/cart/add.js", json={"id": variant[1], "quantity": quantity}, headers=same).status_code == 200
            body: dict = {"email": email_address, "address": ADDRESS}
            if pickup:
                quote = shopper.post("/checkout/quote", json={"delivery": "pickup"}, headers=same).json()
                body = {"email": email_address, "delivery": "pickup",
                        "shippingOptionId": quote["quote"]["shipping_option"]["id"]}
            started = shopper.post("/checkout/start", json=body, headers=same)
            assert started.status_code == 200, started.text
            started_json = started.json()
            setup = self.stripe.confirm_setup(started_json["payment"]["clientSecret"], card)
            paid = shopper.post("/checkout/pay", json={"attemptId": started_json["attemptId"],
                                                       "paymentMethodId": setup["payment_method"]}, headers=same)
            assert paid.status_code == 200, paid.text
            return paid.json()["orderUrl"]


def _merge_settings(store, settings: dict) -> None:
    from shared.db.repositories.storefront import get_storefront, update_storefront

    def write(conn) -> None:
        front = get_storefront(conn)
        update_storefront(conn, replace(front, settings={**front.settings, **settings}))

    store.db.write(write)


@dataclass(frozen=True)
class Mail:
    """One .eml of the mail folder."""

    path: Path
    to: str
    subject: str
    text: str


def mails(folder: Path) -> list[Mail]:
    """Every e-mail written so far (a file half-written is skipped: the writer renames into place)."""
    found = []
    for path in sorted(folder.glob("*.eml")) if folder.is_dir() else ():
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        found.append(Mail(path, str(message["To"]), str(message["Subject"]), part.get_content() if part else ""))
    return found


def mail_to(folder: Path, to: str, subject_contains: str) -> list[Mail]:
    """The e-mails to `to` whose subject contains `subject_contains`."""
    return [m for m in mails(folder) if to in m.to and subject_contains in m.subject]
