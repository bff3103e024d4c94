"""Webhook URLs cannot reach the cloud's own network (SSRF): https:// to public addresses only, checked
when the subscription is made and again at every send after resolving the name; loopback receivers
(over http:// too) only in test mode."""

from __future__ import annotations

import json

import pytest

from shared.db import Database
from shared.webhooks import (WebhookError, WebhookErrorCode, WebhookPolicy, WebhookSender, check_url,
                             create_subscription, emit_event, list_deliveries, update_subscription)
from shared.webhooks.urls import Target, resolve_allowed
from webhook_receiver import Receiver

REFUSED = [
    ("http://example.com/hook", WebhookErrorCode.INVALID_URL),            # clear text
    ("ftp://example.com/hook", WebhookErrorCode.INVALID_URL),
    ("https://user:pw@example.com/hook", WebhookErrorCode.INVALID_URL),
    ("example.com/hook", WebhookErrorCode.INVALID_URL),
    ("https://127.0.0.1/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://localhost:8443/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://shop.localhost/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://[::1]/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://10.1.2.3/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://192.168.0.10/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://172.16.5.4/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://169.254.169.254/latest/meta-data", WebhookErrorCode.UNSAFE_URL),   # cloud metadata
    ("https://[fe80::1]/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://[fd00::1]/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://[::ffff:10.0.0.1]/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://0.0.0.0/hook", WebhookErrorCode.UNSAFE_URL),
    ("https://100.64.0.1/hook", WebhookErrorCode.UNSAFE_URL),               # carrier-grade NAT
]


@pytest.mark.parametrize(("url", "code"), REFUSED)
def test_private_loopback_and_clear_text_urls_are_refused(url: str, code: WebhookErrorCode):
    with pytest.raises(WebhookError) as caught:
        check_url(url)
    assert caught.value.code == code and caught.value.field == "url"


def test_test_mode_allows_loopback_only():
    assert check_url("http://127.0.0.1:8080/hook", allow_loopback=True).port == 8080
    assert check_url("http://localhost/hook", allow_loopback=True).host == "localhost"
    assert check_url("https://example.com/hooks?x=1").url == "https://example.com/hooks?x=1"
    for url in ("https://10.0.0.1/hook", "http://192.168.1.1/hook", "https://169.254.169.254/", "http://example.com/"):
        with pytest.raises(WebhookError):
            check_url(url, allow_loopback=True)


def test_a_subscription_to_a_private_address_is_not_made(db: Database):
    for url in ("https://10.0.0.7/hook", "http://127.0.0.1:9/hook"):
        with pytest.raises(WebhookError):
            db.write(lambda conn, url=url: create_subscription(conn, {"url": url, "events": ["order.paid"]}))
    made, _ = db.write(lambda conn: create_subscription(conn, {"url": "https://hooks.example.com/in",
                                                               "events": ["order.paid"]}))
    with pytest.raises(WebhookError):
        db.write(lambda conn: update_subscription(conn, made.id, {"url": "https://169.254.169.254/"}))


async def test_a_name_resolving_to_a_private_address_is_refused_at_send():
    with pytest.raises(WebhookError) as caught:
        await resolve_allowed(Target(url="https://localhost/hook", scheme="https", host="localhost", port=443))
    assert caught.value.code == WebhookErrorCode.UNSAFE_URL
    assert str(await resolve_allowed(Target(url="http://localhost/", scheme="http", host="localhost", port=80),
                                     allow_loopback=True)) in ("127.0.0.1", "::1")


async def test_a_loopback_subscription_is_not_sent_to_outside_test_mode(db: Database):
    """Made in test mode, sent by a cloud that is not: the send refuses it, the receiver gets nothing."""
    receiver = Receiver()
    await receiver.start()
    subscription, _ = await db.run_write(lambda conn: create_subscription(
        conn, {"url": receiver.url, "events": ["order.paid"]}, allow_loopback=True))
    await db.run_write(lambda conn: emit_event(conn, event_type="order.paid", data={"id": "o"}, dedupe_key="o:paid"))
    sender = WebhookSender(allow_loopback=False, policy=WebhookPolicy(base=10))
    try:
        await sender.deliver(db)                # the pass is over: a request it made would have been answered
    finally:
        await sender.aclose()
        await receiver.stop()
    assert receiver.requests == []
    [delivery] = await db.run_read(lambda conn: list_deliveries(conn, subscription.id))
    log = delivery.to_json()["log"]
    assert log[0]["statusCode"] is None and log[0]["error"].startswith("refused:")
    assert json.loads(delivery.row.body)["type"] == "order.paid"
