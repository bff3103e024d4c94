"""The payment provider seam: what checkout asks of any way to pay, and pay in store.

Checkout calls, in order (every method is async: it may wait on the network, never on the loop):
1. `prepare(attempt_key=...)` -> ClientSetup for the page (Stripe: a SetupIntent's client secret);
2. `charge(amount, payment_method=..., idempotency_key=..., metadata=...)` -> PaymentResult, after the
   stock holds were checked. The idempotency key names ONE order attempt: calling again with it
   (a retry, a double-click, a lost answer) never charges twice, it reports the same payment;
3. for REQUIRES_ACTION, the browser completes 3DS, then `retrieve(intent_id)` -> the final result;
   the webhook (shared/payments/webhooks.py) tells the same thing, in any order.
A provider that cannot be reached raises PaymentError(UNREACHABLE); a decline is a result, not an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from shared.models.money import Money
from shared.payments.errors import PaymentError, PaymentErrorCode
from shared.payments.models import ClientSetup, PaymentResult, PaymentStatus

PAY_IN_STORE = "pay_in_store"
STRIPE = "stripe"
PROVIDERS = (STRIPE, PAY_IN_STORE)


@runtime_checkable
class PaymentProvider(Protocol):
    """One way to pay. Implementations: StripeProvider, PayInStoreProvider."""

    name: str

    async def prepare(self, *, attempt_key: str) -> ClientSetup:
        """What the checkout page needs to collect the payment method."""
        ...

    async def charge(self, amount: Money, *, payment_method: str, idempotency_key: str,
                     metadata: Mapping[str, str], capture_method: str = "automatic") -> PaymentResult:
        """Take `amount` once per idempotency key: SUCCEEDED, REQUIRES_ACTION, PROCESSING, DECLINED
        (or PAY_IN_STORE); with capture_method="manual" the amount is only held: AUTHORIZED.
        Raises PaymentError (UNREACHABLE, INVALID, ATTEMPT_REUSED, ...)."""
        ...

    async def retrieve(self, intent_id: str) -> PaymentResult:
        """Where the payment `intent_id` stands now (after 3DS, for a webhook, for a retry)."""
        ...

    async def refund(self, intent_id: str, *, amount: Money | None = None, idempotency_key: str) -> str:
        """Give `amount` (None: all) of a taken payment back, once per idempotency key; the refund's id."""
        ...

    async def capture(self, intent_id: str, *, amount: Money | None = None, idempotency_key: str) -> PaymentResult:
        """Take an AUTHORIZED payment (`amount` at most what was held; None: all): SUCCEEDED."""
        ...

    async def cancel(self, intent_id: str, *, idempotency_key: str) -> PaymentResult:
        """Release a payment not taken yet (an authorization): CANCELED."""
        ...

    async def aclose(self) -> None:
        """Release network resources."""
        ...


class PayInStoreProvider:
    """Pay at pickup: nothing is taken online, the order is unpaid and the counter collects. There is
    no intent at a provider, so finalize keys the order on the attempt key."""

    name = PAY_IN_STORE

    async def prepare(self, *, attempt_key: str) -> ClientSetup:
        """Nothing to load in the browser."""
        return ClientSetup(provider=self.name)

    async def charge(self, amount: Money, *, payment_method: str = PAY_IN_STORE, idempotency_key: str,
                     metadata: Mapping[str, str] | None = None, capture_method: str = "automatic") -> PaymentResult:
        """Always PAY_IN_STORE for the amount: the shopper pays at the counter."""
        if not isinstance(amount, Money) or amount.amount < 0:
            raise PaymentError(PaymentErrorCode.INVALID, "the amount must be Money of zero or more")
        return PaymentResult(status=PaymentStatus.PAY_IN_STORE, provider=self.name, amount=amount,
                             metadata={**(metadata or {}), "vibeshop_attempt": idempotency_key})

    async def retrieve(self, intent_id: str) -> PaymentResult:
        """There are no intents to look up."""
        raise PaymentError(PaymentErrorCode.UNSUPPORTED, "pay in store has no payment to look up")

    async def refund(self, intent_id: str, *, amount: Money | None = None, idempotency_key: str) -> str:
        """Money paid at the counter is given back at the counter."""
        raise PaymentError(PaymentErrorCode.UNSUPPORTED, "a payment made in store is refunded at the counter")

    async def capture(self, intent_id: str, *, amount: Money | None = None, idempotency_key: str) -> PaymentResult:
        """The counter collects: there is nothing to capture online."""
        raise PaymentError(PaymentErrorCode.UNSUPPORTED, "a payment made in store is collected at the counter")

    async def cancel(self, intent_id: str, *, idempotency_key: str) -> PaymentResult:
        """Nothing is held online."""
        raise PaymentError(PaymentErrorCode.UNSUPPORTED, "pay in store holds nothing to release")

    async def aclose(self) -> None:
        """Nothing to release."""
