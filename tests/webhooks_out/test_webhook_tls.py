"""An https:// receiver: the request goes to the address that was checked (pinned), while the TLS
certificate is still verified against the URL's host name (SNI), and a certificate for another name
is a failed attempt, not a delivery."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import httpx
import pytest

from shared.db import Database
from shared.webhooks import WebhookPolicy, WebhookSender, create_subscription, emit_event, list_deliveries
from webhook_receiver import Receiver


def certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for DNS name `name` only (it is its own CA)."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize(("served_name", "accepted"), [("localhost", True), ("other.example", False)])
async def test_https_is_pinned_to_the_checked_address_and_verified_by_name(db: Database, tmp_path: Path,
                                                                          served_name: str, accepted: bool):
    cert, key = certificate(tmp_path, served_name)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(str(cert), str(key))
    receiver = Receiver(ssl_context=server_context, url_host="localhost")
    await receiver.start()
    subscription, _ = await db.run_write(lambda conn: create_subscription(
        conn, {"url": receiver.url, "events": ["order.paid"]}, allow_loopback=True))
    await db.run_write(lambda conn: emit_event(conn, event_type="order.paid", data={"id": "o"}, dedupe_key="o:paid"))
    trusted = ssl.create_default_context(cafile=str(cert))
    sender = WebhookSender(allow_loopback=True, policy=WebhookPolicy(base=10),
                           client=httpx.AsyncClient(verify=trusted, follow_redirects=False, trust_env=False))
    try:
        await sender.deliver(db)
    finally:
        await sender.aclose()
        await receiver.stop()
    [delivery] = await db.run_read(lambda conn: list_deliveries(conn, subscription.id))
    if accepted:
        assert delivery.row.status == "succeeded" and receiver.requests[0].headers["Host"].startswith("localhost:")
    else:
        assert delivery.row.status == "pending" and receiver.requests == []
        assert "ConnectError" in delivery.row.last_error
