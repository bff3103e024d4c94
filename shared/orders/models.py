"""The orders domain's dataclasses: an order as bought (snapshots, never references to live rows), its
lines, its timeline, and what `create_order` is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shared.models.money import Money

FIRST_NUMBER = 1001                     # the first order of a store is #1001, as on Shopify


class PaymentStatus(StrEnum):
    """Whether the order's money is in."""

    UNPAID = "unpaid"                   # pay in store: the counter collects at pickup
    AUTHORIZED = "authorized"           # a card held at checkout, captured at pickup (7 days at most)
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"


class FulfillmentStatus(StrEnum):
    """Whether the goods left (or were picked up)."""

    UNFULFILLED = "unfulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    FULFILLED = "fulfilled"
    ON_HOLD = "on_hold"                 # the merchant must look first (paid, but stock ran short)


class PickupStatus(StrEnum):
    """Where a pickup order stands at the counter ('none' for shipped orders and before "ready")."""

    NONE = "none"
    READY = "ready"
    PICKED_UP = "picked_up"


@dataclass(frozen=True)
class LineQuantity:
    """Some units of one order line (a fulfilment's or a refund's)."""

    line_id: str
    quantity: int

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"lineId": self.line_id, "quantity": self.quantity}


@dataclass(frozen=True)
class Fulfillment:
    """A shipment (or the hand-over of a pickup order): which units left, with tracking."""

    id: str
    lines: tuple[LineQuantity, ...]
    created_at: str
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"id": self.id, "lines": [line.to_json() for line in self.lines], "carrier": self.carrier,
                "trackingNumber": self.tracking_number, "trackingUrl": self.tracking_url, "createdAt": self.created_at}


@dataclass(frozen=True)
class Refund:
    """Money given back: 'pending' while the provider is asked (the amount is reserved), then
    'succeeded' or 'failed' (a failed one counts for nothing)."""

    id: str
    amount: Money
    lines: tuple[LineQuantity, ...]
    restock: bool
    reason: str
    status: str
    created_at: str
    provider_refund_id: str | None = None
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"id": self.id, "amount": self.amount.to_json(), "lines": [line.to_json() for line in self.lines],
                "restock": self.restock, "reason": self.reason, "createdAt": self.created_at, "status": self.status,
                "providerRefundId": self.provider_refund_id, "error": self.error}


@dataclass(frozen=True)
class OrderMessage:
    """One of the order's e-mails in the outbox, with its delivery status."""

    kind: str                           # confirmation, merchant, shipping, ready_for_pickup, cancelled, refund:ID
    to: str
    status: str                         # pending | sending | sent | failed
    attempts: int = 0
    last_error: str = ""
    sent_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"kind": self.kind, "to": self.to, "status": self.status, "attempts": self.attempts,
                "lastError": self.last_error, "sentAt": self.sent_at}


@dataclass(frozen=True)
class OrderLine:
    """One line as bought: `subtotal` (unit x quantity) - `discount` (+ `tax` when prices exclude it)
    = `total`; with prices that include tax, `tax` is the part of `total` that is tax."""

    title: str
    variant_title: str
    sku: str
    unit_price: Money
    quantity: int
    subtotal: Money
    discount: Money
    tax: Money
    total: Money
    variant_id: str | None = None
    product_id: str = ""
    id: str = ""                        # "ORDER:POSITION"; the admin API's lineId
    fulfilled_quantity: int = 0
    refunded_quantity: int = 0          # pending refunds included (their units are reserved)

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"id": self.id, "fulfilledQuantity": self.fulfilled_quantity,
                "refundedQuantity": self.refunded_quantity, "title": self.title, "variantTitle": self.variant_title, "sku": self.sku,
                "variantId": self.variant_id, "productId": self.product_id, "quantity": self.quantity,
                "unitPrice": self.unit_price.to_json(), "subtotal": self.subtotal.to_json(),
                "discount": self.discount.to_json(), "tax": self.tax.to_json(), "total": self.total.to_json()}


@dataclass(frozen=True)
class OrderEvent:
    """One entry of the order's timeline."""

    at: str
    kind: str                           # placed, paid, stock_committed, stock_short, amount_mismatch, ...
    message: str = ""
    actor: str = "system"               # shopper | stripe | system | a merchant's e-mail

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"at": self.at, "kind": self.kind, "message": self.message, "actor": self.actor}


@dataclass(frozen=True)
class NewOrder:
    """What `create_order` records. `delivery` is {"method": ship|local_delivery|pickup, "name",
    "optionId", "estimate", "locationId", "locationName", "locationAddress", "pricesIncludeTax"};
    addresses are the shopper's as given (JSON objects) or None; `discounts` [{label, code, amount}]."""

    email: str
    currency: str
    lines: tuple[OrderLine, ...]
    subtotal: int
    discount_total: int
    shipping: int
    tax: int
    total: int
    payment_status: PaymentStatus
    payment_provider: str
    delivery: dict[str, Any]
    attempt_id: str | None = None
    payment_intent_id: str | None = None
    customer_name: str = ""
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    discounts: tuple[dict[str, Any], ...] = ()
    fulfillment_status: FulfillmentStatus = FulfillmentStatus.UNFULFILLED
    needs_attention: bool = False
    events: tuple[OrderEvent, ...] = ()       # recorded after the 'placed' event


@dataclass(frozen=True)
class Order:
    """A placed order. Amounts are Money of one currency; `status_token` names the shopper's page
    /orders/TOKEN (unguessable: 256 random bits)."""

    id: str
    number: int
    email: str
    currency: str
    subtotal: Money
    discount_total: Money
    shipping: Money
    tax: Money
    total: Money
    payment_status: PaymentStatus
    fulfillment_status: FulfillmentStatus
    payment_provider: str
    status_token: str = field(repr=False)
    delivery: dict[str, Any]
    created_at: str
    updated_at: str
    attempt_id: str | None = None
    payment_intent_id: str | None = None
    customer_name: str = ""
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    discounts: tuple[dict[str, Any], ...] = ()
    needs_attention: bool = False
    lines: tuple[OrderLine, ...] = ()
    events: tuple[OrderEvent, ...] = ()
    pickup_status: PickupStatus = PickupStatus.NONE
    cancelled_at: str | None = None
    cancel_reason: str = ""
    captured_amount: int | None = None  # what was taken, when less than the total (a partial capture)
    oversold_at: str | None = None      # a POS sale took its units (shared/orders/oversold.py)
    fulfillments: tuple[Fulfillment, ...] = ()
    refunds: tuple[Refund, ...] = ()
    messages: tuple[OrderMessage, ...] = ()

    @property
    def paid(self) -> Money:
        """The money taken for the order (before refunds): none while unpaid, authorized or voided."""
        if self.payment_status in (PaymentStatus.UNPAID, PaymentStatus.AUTHORIZED, PaymentStatus.VOIDED):
            return Money(0, self.currency)
        return Money(self.total.amount if self.captured_amount is None else self.captured_amount, self.currency)

    @property
    def refunded(self) -> Money:
        """Refunds given or under way (pending ones are reserved)."""
        return Money(sum(r.amount.amount for r in self.refunds if r.status != "failed"), self.currency)

    @property
    def refundable(self) -> Money:
        """What may still be refunded: paid minus refunds given or under way."""
        return Money(max(0, self.paid.amount - self.refunded.amount), self.currency)

    @property
    def cancelled(self) -> bool:
        """True once cancelled."""
        return self.cancelled_at is not None

    @property
    def is_pickup(self) -> bool:
        """True for an order collected at a location."""
        return self.delivery.get("method") == "pickup"

    @property
    def name(self) -> str:
        """How people call it: "#1001"."""
        return f"#{self.number}"

    @property
    def item_count(self) -> int:
        """Units bought."""
        return sum(line.quantity for line in self.lines)

    def to_json(self, *, detail: bool = True) -> dict[str, Any]:
        """The admin API's shape (the list leaves out lines, addresses and the timeline)."""
        out: dict[str, Any] = {
            "id": self.id, "number": self.number, "name": self.name, "email": self.email,
            "customerName": self.customer_name, "currency": self.currency,
            "subtotal": self.subtotal.to_json(), "discountTotal": self.discount_total.to_json(),
            "shipping": self.shipping.to_json(), "tax": self.tax.to_json(), "total": self.total.to_json(),
            "paymentStatus": str(self.payment_status), "fulfillmentStatus": str(self.fulfillment_status),
            "paymentProvider": self.payment_provider, "paymentIntentId": self.payment_intent_id,
            "deliveryMethod": self.delivery.get("method", ""), "needsAttention": self.needs_attention,
            "pickupStatus": str(self.pickup_status), "cancelledAt": self.cancelled_at,
            "oversold_at": self.oversold_at,
            "createdAt": self.created_at, "updatedAt": self.updated_at}
        if detail:
            out.update({"delivery": self.delivery, "shippingAddress": self.shipping_address,
                        "billingAddress": self.billing_address, "discounts": list(self.discounts),
                        "lines": [line.to_json() for line in self.lines],
                        "events": [event.to_json() for event in self.events],
                        "cancelReason": self.cancel_reason, "paid": self.paid.to_json(),
                        "refundable": self.refundable.to_json(),
                        "fulfillments": [f.to_json() for f in self.fulfillments],
                        "refunds": [r.to_json() for r in self.refunds],
                        "messages": [m.to_json() for m in self.messages]})
        return out


@dataclass(frozen=True)
class OrderPage:
    """One page of `list_orders`: newest first; `next_before` is the number to pass for the next page
    (None on the last page)."""

    orders: tuple[Order, ...]
    next_before: int | None
