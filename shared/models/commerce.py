"""Customers, carts and orders (checkout itself comes with the cloud's checkout work)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.models.money import Money


@dataclass(frozen=True)
class Customer:
    """A shopper known by e-mail."""

    id: str
    email: str
    name: str = ""
    phone: str = ""
    accepts_marketing: bool = False
    created_at: str = ""


@dataclass(frozen=True)
class CartLine:
    """A variant and a quantity in a cart."""

    id: str
    cart_id: str
    variant_id: str
    quantity: int


@dataclass(frozen=True)
class Cart:
    """A shopper's cart, found by its opaque token."""

    id: str
    token: str
    currency: str
    customer_id: str | None = None
    lines: tuple[CartLine, ...] = ()
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class OrderLine:
    """What was bought: a snapshot of title, SKU and unit price at order time."""

    id: str
    order_id: str
    variant_id: str | None
    title: str
    sku: str
    quantity: int
    unit_price: Money


@dataclass(frozen=True)
class Order:
    """A placed order with its totals."""

    id: str
    number: int
    email: str
    subtotal: Money
    shipping: Money
    tax: Money
    total: Money
    status: str = "open"
    customer_id: str | None = None
    lines: tuple[OrderLine, ...] = ()
    created_at: str = ""
    updated_at: str = ""
