"""`vibeshop demo` takes test payments: the real console script starts localstripe on loopback in its own
process, stores test keys for the demo store and serves with --stripe-api at it. A card payment made
over HTTP (the browser's confirmCardSetup done with httpx, as Stripe.js would) gives the order and the
confirmation .eml in DATA/mail; stopping the demo ends localstripe too."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from support import VIBESHOP
from vibeshop.demo_payments import PUBLISHABLE_KEY

HOST = "demo.localhost"
ADDRESS = {"country_code": "US", "name": "Ada Lovelace", "street_address": "1 Market St", "city": "San Francisco",
           "country_area": "CA", "postal_code": "94103"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_the_demo_takes_a_test_card_payment(tmp_path: Path) -> None:
    port = _free_port()
    demo = subprocess.Popen([VIBESHOP, "demo", "--data", str(tmp_path / "D"), "--port", str(port), "--no-studio"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "DISPLAY": ""})
    try:
        lines = []
        while not any("Serving" in line for line in lines):
            line = demo.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        assert "pay with 4242 4242 4242 4242" in lines[-1]
        base = f"http://127.0.0.1:{port}"
        same = {"Host": HOST, "Origin": f"http://{HOST}"}
        with httpx.Client(base_url=base, headers={"Host": HOST}, timeout=30) as shop:
            for _ in range(600):                       # the server binds after printing: a bound on a hang
                try:
                    product = shop.get("/products/harbor-classic-tee").text
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            variant = re.search(r'name="(?:variant_)?id" value="([^"]+)"', product)[1]
            assert shop.post("/cart/add.js", json={"id": variant, "quantity": 1}, headers=same).status_code == 200
            page = shop.get("/checkout").text
            assert PUBLISHABLE_KEY in page and "/js.stripe.com/v3/" in page
            started = shop.post("/checkout/start", json={"email": "ada@example.com", "address": ADDRESS},
                                headers=same).json()
            secret = started["payment"]["clientSecret"]
            api = started["payment"]["jsUrl"].split("/js.stripe.com")[0]
            setup = httpx.post(f"{api}/v1/setup_intents/{secret.split('_secret_')[0]}/confirm", timeout=10, json={
                "key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": secret,
                "payment_method_data": {"type": "card", "card": {"number": "4242424242424242", "exp_month": "12",
                                                                 "exp_year": "34", "cvc": "123"}}}).json()
            paid = shop.post("/checkout/pay", json={"attemptId": started["attemptId"],
                                                    "paymentMethodId": setup["payment_method"]}, headers=same)
            assert paid.status_code == 200 and paid.json()["orderUrl"].startswith("/orders/")
        mail = tmp_path / "D" / "mail"
        for _ in range(600):
            if any("To: ada@example.com" in p.read_text(errors="replace") for p in mail.glob("*.eml")):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("no confirmation e-mail in DATA/mail")
        stripe_children = _children(demo.pid)
        assert stripe_children, "localstripe runs as the demo's child"
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
    for _ in range(200):
        if not any(_alive(pid) for pid in stripe_children):
            break
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in stripe_children)
