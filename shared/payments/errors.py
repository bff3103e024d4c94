"""Error codes of the payments domain (the provider seam, Stripe keys, webhooks)."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class PaymentErrorCode(StrEnum):
    """Why a payment operation was refused; the HTTP status a handler should answer is in brackets."""

    INVALID = "invalid"                          # malformed input: a key, an id, a metadata value [400]
    NOT_CONFIGURED = "not_configured"            # the store has no Stripe keys / no webhook secret [409]
    SECRETS_KEY_MISSING = "secrets_key_missing"  # VIBESHOP_SECRETS_KEY unset or malformed [500: deployment]
    SECRETS_KEY_WRONG = "secrets_key_wrong"      # stored keys were sealed with another secrets key [500]
    LIVE_KEY_TEST_HOST = "live_key_test_host"    # a live key would be sent to a test API host [409]
    AMOUNT_NOT_CHARGEABLE = "amount_not_chargeable"  # Stripe cannot take this amount (KWD 5.125) [422]
    ATTEMPT_REUSED = "attempt_reused"            # one idempotency key, another amount or card [422]
    UNREACHABLE = "unreachable"                  # no answer from the provider after the retries [503]
    PROVIDER_REFUSED = "provider_refused"        # the provider refused the request (not a decline) [502]
    BAD_SIGNATURE = "bad_signature"              # a webhook not signed with the store's secret [400]
    BAD_EVENT = "bad_event"                      # a signed webhook whose body is not an event [400]
    FOREIGN_STORE = "foreign_store"              # a webhook about another store's PaymentIntent [400]
    UNSUPPORTED = "unsupported"                  # the provider cannot do this (refund at the counter) [409]


class PaymentError(VibeshopError):
    """A refused payment operation. `intent_id` names the PaymentIntent involved, when one exists:
    for UNREACHABLE it means the charge may or may not have happened (ask `retrieve` later, or wait
    for the webhook); None means nothing was created at the provider."""

    def __init__(self, code: PaymentErrorCode, message: str, *, intent_id: str | None = None):
        super().__init__(code, message)
        self.intent_id = intent_id
