"""The payments domain's dataclasses: what a provider answers, what the browser needs, what a webhook
means, and the Stripe keys (whose repr never shows them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shared.models.money import Money


class PaymentStatus(StrEnum):
    """Where a payment stands after `charge` or `retrieve`."""

    SUCCEEDED = "succeeded"              # the money is taken: finalize the order
    REQUIRES_ACTION = "requires_action"  # 3DS: the browser runs confirmCardPayment(client_secret), then
                                         # the server calls `retrieve` and finalizes
    AUTHORIZED = "authorized"            # manual capture: the amount is held on the card, `capture` takes it
                                         # (within 7 days), `cancel` releases it
    PROCESSING = "processing"            # the provider will tell (webhook or a later `retrieve`)
    DECLINED = "declined"                # no money taken; `message` is for the shopper
    CANCELED = "canceled"                # the intent was canceled: no money taken
    PAY_IN_STORE = "pay_in_store"        # no money taken online: the order is unpaid, the counter collects


@dataclass(frozen=True)
class PaymentResult:
    """A provider's answer about one payment. `intent_id` is the provider's id (Stripe's pi_...;
    None for pay in store), unique per payment: finalize keys the order on it. `amount` is what the
    provider holds for the intent, back in our Money, to compare with the order total."""

    status: PaymentStatus
    provider: str
    intent_id: str | None = None
    amount: Money | None = None
    client_secret: str | None = field(default=None, repr=False)  # for REQUIRES_ACTION only
    message: str = ""                                            # shopper-facing, for DECLINED
    decline_code: str = ""                                       # the provider's code, for logs
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def paid(self) -> bool:
        """True when the money is taken."""
        return self.status is PaymentStatus.SUCCEEDED


@dataclass(frozen=True)
class ClientSetup:
    """What the checkout page needs before the shopper pays (`PaymentProvider.prepare`).

    For Stripe: load `js_url` (its origin is the one the CSP must allow), `Stripe(publishable_key)`,
    then `confirmCardSetup(client_secret, {payment_method: {card}})` gives the pm_... posted back."""

    provider: str
    publishable_key: str = ""
    client_secret: str = field(default="", repr=False)
    js_url: str = ""

    @property
    def js_origin(self) -> str:
        """The origin of `js_url` ('' when no script is needed): what `script-src`/`connect-src` allow."""
        if not self.js_url:
            return ""
        scheme, _, rest = self.js_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"

    def to_json(self) -> dict[str, Any]:
        """The shape given to the page script."""
        return {"provider": self.provider, "publishableKey": self.publishable_key,
                "clientSecret": self.client_secret, "jsUrl": self.js_url}


class WebhookKind(StrEnum):
    """The webhook events finalize consumes."""

    PAYMENT_SUCCEEDED = "payment_intent.succeeded"
    PAYMENT_FAILED = "payment_intent.payment_failed"
    # Manual capture (capture at pickup): the amount is held; finalize re-reads the intent (AUTHORIZED).
    AMOUNT_CAPTURABLE = "payment_intent.amount_capturable_updated"


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook about one of this store's PaymentIntents. Stripe delivers at least once and
    in any order: re-read the intent (`retrieve`) before acting, and call `finish_webhook` after."""

    event_id: str
    kind: WebhookKind
    intent_id: str
    amount: Money | None
    attempt_key: str                   # the idempotency key of the order attempt (our metadata)
    metadata: dict[str, str]
    created: int                       # the provider's event time, seconds since the epoch
    message: str = ""                  # the decline message of a failed payment


def mask_key(value: str | None) -> str:
    """A key as it may be shown: its prefix and last 4 characters ('sk_test_…abcd'); '' for none."""
    if not value:
        return ""
    cut = value[:12].rfind("_") + 1          # "sk_test_", "pk_live_", "whsec_"; nothing else is shown
    prefix = value[:cut]
    return f"{prefix}…{value[-4:]}" if len(value) >= cut + 8 else f"{prefix}…"


@dataclass(frozen=True)
class StripeKeys:
    """A store's Stripe credentials in clear, in memory only: `repr` and `str` show them masked, so a
    log line or a traceback never holds one."""

    secret_key: str
    publishable_key: str
    webhook_secret: str = ""

    @property
    def live(self) -> bool:
        """True for live-mode keys (real money)."""
        return "_live_" in self.secret_key

    def __repr__(self) -> str:
        return (f"StripeKeys(secret_key={mask_key(self.secret_key)!r}, "
                f"publishable_key={mask_key(self.publishable_key)!r}, "
                f"webhook_secret={mask_key(self.webhook_secret)!r})")

    __str__ = __repr__


@dataclass(frozen=True)
class StripeSettings:
    """The store's Stripe connection as the merchant may see it: masked, never the keys."""

    configured: bool
    mode: str = ""                     # "test" | "live" | "" (not configured)
    secret_key: str = ""               # masked
    publishable_key: str = ""          # masked
    webhook_secret: str = ""           # masked
    updated_at: str = ""

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"configured": self.configured, "mode": self.mode, "secretKey": self.secret_key,
                "publishableKey": self.publishable_key, "webhookSecret": self.webhook_secret,
                "updatedAt": self.updated_at}
