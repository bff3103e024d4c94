"""Stripe webhooks in: signature checked with `stripe.Webhook.construct_event`, events deduplicated
by id, mapped to a typed WebhookEvent for finalize.

Processing is at least once, never lost: `accept_webhook` notes the event and hands it over;
`finish_webhook` (or `repositories.payments.mark_webhook_processed` inside finalize's own transaction)
marks it done. A delivery of a done event is a duplicate (None); one that arrives while an earlier
delivery was never finished (a crash) is handed over again, and finalize, being idempotent, makes
one order either way. Events of other types, once verified, are acknowledged and ignored.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe

from shared.db import Database
from shared.db.repositories import payments as repo
from shared.db.stamps import utc_now
from shared.payments.errors import PaymentError, PaymentErrorCode
from shared.payments.models import WebhookEvent, WebhookKind
from shared.checkout.amounts import from_provider_amount
from shared.checkout.errors import ProviderAmountError
from shared.payments.stripe_provider import ATTEMPT_META, STORE_META

log = logging.getLogger(__name__)
#: Seconds a signed delivery stays acceptable (Stripe's default): older replays are refused.
TOLERANCE = 300
MAX_PAYLOAD = 256 * 1024


def accept_webhook(db: Database, payload: bytes | str, signature_header: str | None, secret: str, *,
                   store_id: str, tolerance: int = TOLERANCE) -> WebhookEvent | None:
    """The verified event for finalize, or None when there is nothing to do (a duplicate of a
    processed event, or a type finalize does not consume).

    Raises PaymentError: NOT_CONFIGURED (no webhook secret), BAD_SIGNATURE (unsigned, forged, or
    older than `tolerance`: answer 400), BAD_EVENT (signed but not a PaymentIntent event),
    FOREIGN_STORE (another store's PaymentIntent). Nothing is recorded for a refused delivery."""
    if not secret:
        raise PaymentError(PaymentErrorCode.NOT_CONFIGURED, "no webhook signing secret is set for this store")
    if not signature_header:
        raise PaymentError(PaymentErrorCode.BAD_SIGNATURE, "the Stripe-Signature header is missing")
    if len(payload) > MAX_PAYLOAD:
        raise PaymentError(PaymentErrorCode.BAD_EVENT, "the webhook body is too large")
    try:    # the signature (and its age) is checked first, then the body is parsed
        event = stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=tolerance).to_dict()
    except stripe.SignatureVerificationError:
        raise PaymentError(PaymentErrorCode.BAD_SIGNATURE, "the webhook signature does not verify") from None
    except (ValueError, TypeError, AttributeError):     # not JSON, or JSON that is no object
        raise PaymentError(PaymentErrorCode.BAD_EVENT, "the webhook body is not a JSON event") from None
    typed = _typed(event, store_id)
    event_id = str(event.get("id") or "")
    processed = db.write(lambda conn: repo.record_webhook_event(
        conn, event_id=event_id, type=str(event.get("type")), intent_id=typed.intent_id if typed else None,
        received_at=utc_now()))
    if processed is not None:
        log.info("webhook event %s already processed", event_id)
        return None
    if typed is None:
        finish_webhook(db, event_id)
    return typed


def finish_webhook(db: Database, event_id: str) -> None:
    """Mark an event processed: later deliveries of it are duplicates. Call after finalize commits."""
    db.write(lambda conn: repo.mark_webhook_processed(conn, event_id, utc_now()))


def _typed(event: dict[str, Any], store_id: str) -> WebhookEvent | None:
    """The WebhookEvent for a verified event, None for a type finalize does not consume."""
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise PaymentError(PaymentErrorCode.BAD_EVENT, "the event has no id")
    try:
        kind = WebhookKind(event.get("type"))
    except ValueError:
        return None
    data = event.get("data")
    intent = data.get("object") if isinstance(data, dict) else None
    if not isinstance(intent, dict) or intent.get("object") != "payment_intent" or not isinstance(intent.get("id"), str):
        raise PaymentError(PaymentErrorCode.BAD_EVENT, "the event is not about a PaymentIntent")
    raw_meta = intent.get("metadata")
    metadata = {str(k): str(v) for k, v in raw_meta.items()} if isinstance(raw_meta, dict) else {}
    if metadata.get(STORE_META) != store_id:
        raise PaymentError(PaymentErrorCode.FOREIGN_STORE, "the event is about another store's payment")
    amount = None
    if isinstance(intent.get("amount"), int) and isinstance(intent.get("currency"), str):
        try:
            amount = from_provider_amount(intent["amount"], intent["currency"])
        except (ValueError, ProviderAmountError):   # MoneyError (unknown currency), or no whole minor unit
            amount = None
    error = intent.get("last_payment_error")
    error = error if isinstance(error, dict) else {}
    return WebhookEvent(event_id=event_id, kind=kind, intent_id=intent["id"], amount=amount,
                        attempt_key=metadata.get(ATTEMPT_META, ""), metadata=metadata,
                        created=created if isinstance(created := event.get("created"), int) else 0, message=str(error.get("message") or ""))
