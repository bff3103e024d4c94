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

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"title": self.title, "variantTitle": self.variant_title, "sku": self.sku,
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
            "createdAt": self.created_at, "updatedAt": self.updated_at}
        if detail:
            out.update({"delivery": self.delivery, "shippingAddress": self.shipping_address,
                        "billingAddress": self.billing_address, "discounts": list(self.discounts),
                        "lines": [line.to_json() for line in self.lines],
                        "events": [event.to_json() for event in self.events]})
        return out


@dataclass(frozen=True)
class OrderPage:
    """One page of `list_orders`: newest first; `next_before` is the number to pass for the next page
    (None on the last page)."""

    orders: tuple[Order, ...]
    next_before: int | None
