"""Outbound webhooks: the merchant's subscriptions to store events, signed like Stripe's, delivered
after commit from the outbox with retries (issue 12, section 5; docs/webhooks.md).

    emit_event(conn, event_type="order.paid", data=order.to_json(), dedupe_key=f"order:{id}:paid")  # in the write
    subscription, secret = create_subscription(conn, {"url": ..., "events": [...]})                  # secret shown once
    OutboxWorker(mail_sender, databases, kinds={WEBHOOK: WebhookSender(allow_loopback=test_mode).deliver})
    verify_signature(secret, raw_body, request.headers["Vibeshop-Signature"])                        # a receiver
"""

from shared.webhooks.delivery import DEFAULT_WEBHOOK_POLICY, WebhookPolicy, WebhookSender
from shared.webhooks.errors import WebhookError, WebhookErrorCode
from shared.webhooks.events import EVENT_TYPES, TEST_EVENT, WEBHOOK, emit_event
from shared.webhooks.signing import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, sign, verify_signature
from shared.webhooks.subscriptions import (Delivery, Subscription, create_subscription, delete_subscription,
                                           get_delivery, get_subscription, list_deliveries, list_subscriptions,
                                           prune_deliveries, queue_test_event, update_subscription)
from shared.webhooks.urls import check_url

__all__ = [
    "DEFAULT_WEBHOOK_POLICY", "EVENT_ID_HEADER", "EVENT_TYPES", "EVENT_TYPE_HEADER", "SIGNATURE_HEADER", "TEST_EVENT",
    "WEBHOOK", "Delivery", "Subscription", "WebhookError", "WebhookErrorCode", "WebhookPolicy", "WebhookSender",
    "check_url", "create_subscription", "delete_subscription", "emit_event", "get_delivery", "get_subscription",
    "list_deliveries", "list_subscriptions", "prune_deliveries", "queue_test_event", "sign", "update_subscription",
    "verify_signature",
]
