"""The messages a merchant can design, their default block arrangement, and what each one's blocks get.

A message's data reaches its blocks as `ctx.email` (plain JSON, frozen inside V8):
`{kind, subject, preheader, brand: {...}, order: {...} | null, shipment, pickup_unpaid, cancel, refund,
code, minutes, action_url, action_label, unsubscribe_url, products, body_html}`. `message_data` builds it
from the same dataclasses the built-in templates take (OrderSummary, MailBranding), so a design and the
built-in template show the same facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.compose.schema import sanitize_richtext
from shared.mail.views import MailBranding, OrderLine, OrderSummary
from shared.models.money import Money


@dataclass(frozen=True)
class MessageKind:
    """One designable message: its name in the studio and its default blocks (kind, settings)."""

    kind: str
    title: str
    description: str
    blocks: tuple[tuple[str, dict[str, Any]], ...]
    marketing: bool = False


_HEAD: tuple[tuple[str, dict[str, Any]], ...] = (("email-header", {}),)
_FOOT: tuple[tuple[str, dict[str, Any]], ...] = (("email-footer", {}),)

KINDS: dict[str, MessageKind] = {k.kind: k for k in (
    MessageKind("order_confirmation", "Order confirmation", "Sent to the shopper when an order is placed.", (
        *_HEAD, ("email-heading", {"heading": "Thank you for your order", "text": "<p>We have received your order "
                                   "and will let you know when it is on its way.</p>"}),
        ("email-button", {"label": "View your order"}), ("email-order-lines", {}), ("email-addresses", {}), *_FOOT)),
    MessageKind("shipping_confirmation", "Shipping confirmation", "Sent when items of an order are shipped.", (
        *_HEAD, ("email-heading", {"heading": "Your order is on the way", "text": ""}),
        ("email-tracking", {}), ("email-order-lines", {"show_totals": False}), ("email-addresses", {}), *_FOOT)),
    MessageKind("ready_for_pickup", "Ready for pickup", "Sent when a pickup order is ready at the counter.", (
        *_HEAD, ("email-heading", {"heading": "Your order is ready for pickup", "text": ""}),
        ("email-addresses", {}), ("email-order-lines", {}), *_FOOT)),
    MessageKind("order_cancelled", "Order cancelled", "Sent when an order is cancelled.", (
        *_HEAD, ("email-heading", {"heading": "Your order has been cancelled", "text": ""}),
        ("email-notice", {}), ("email-order-lines", {}), *_FOOT)),
    MessageKind("order_refunded", "Order refunded", "Sent when money is given back.", (
        *_HEAD, ("email-heading", {"heading": "You have been refunded", "text": ""}),
        ("email-notice", {}), ("email-order-lines", {"show_totals": False}), *_FOOT)),
    MessageKind("sign_in_code", "Sign-in code", "The one-time code a shopper signs in with.", (
        *_HEAD, ("email-heading", {"heading": "Your sign-in code", "text": ""}), ("email-code", {}), *_FOOT)),
    MessageKind("abandoned_checkout", "Abandoned checkout", "Reminds a shopper of a checkout left unfinished.", (
        *_HEAD, ("email-heading", {"heading": "You left something behind", "text": "<p>Your cart is saved. "
                                   "Pick up where you left off.</p>"}),
        ("email-order-lines", {"show_totals": False}), ("email-button", {"label": "Return to your cart"}), *_FOOT),
        marketing=True),
    MessageKind("newsletter", "Newsletter", "A campaign to subscribers who agreed to hear from the shop.", (
        *_HEAD, ("email-heading", {"heading": "News from the shop", "text": ""}),
        ("email-text", {"text": ""}), ("email-products", {}), ("email-button", {"label": "Visit the shop"}), *_FOOT), marketing=True),
)}


def money_data(value: Money | None) -> dict[str, Any] | None:
    return None if value is None else {"amount": value.amount, "currency": value.currency}


def line_data(line: OrderLine) -> dict[str, Any]:
    return {"title": line.title, "variant": line.variant, "sku": line.sku, "quantity": line.quantity,
            "unit_price": money_data(line.unit_price), "line_total": money_data(line.line_total),
            "image_url": line.image_url}


def order_data(order: OrderSummary) -> dict[str, Any]:
    """An OrderSummary as JSON for `ctx.email.order`."""
    pickup = order.pickup
    return {
        "number": order.number, "contact_email": order.contact_email, "customer_name": order.customer_name,
        "lines": [line_data(line) for line in order.lines], "subtotal": money_data(order.subtotal),
        "discounts": [{"label": d.label, "amount": money_data(d.amount)} for d in order.discounts],
        "shipping": money_data(order.shipping), "shipping_label": order.shipping_label, "tax": money_data(order.tax),
        "taxes_included": order.taxes_included, "total": money_data(order.total),
        "delivery_method": order.delivery_method, "status_url": order.status_url,
        "shipping_address": order.shipping_address.lines() if order.shipping_address else [],
        "billing_address": order.billing_address.lines() if order.billing_address else [],
        "pickup": None if pickup is None else {"name": pickup.name, "address": pickup.address.lines(),
                                               "instructions": pickup.instructions},
        "payment_label": order.payment_label, "placed_at": order.placed_at,
    }


def brand_data(branding: MailBranding) -> dict[str, Any]:
    """MailBranding as JSON for `ctx.email.brand` (colours and URLs already checked by MailBranding)."""
    return {name: getattr(branding, name) for name in (
        "store_name", "store_url", "logo_url", "logo_width", "accent", "accent_text", "text", "muted", "border",
        "surface", "link", "font_stack", "support_email", "locale")}


def message_data(kind: str, branding: MailBranding, *, subject: str, preheader: str,
                 order: OrderSummary | None = None, **extra: Any) -> dict[str, Any]:
    """The whole `ctx.email` of one message. `extra` keys (shipment, cancel, refund, code, minutes,
    action_url, action_label, unsubscribe_url, products, body_html, pickup_unpaid) must be JSON already.
    For an abandoned checkout, `order` is the checkout as an OrderSummary (its lines and totals; its
    status_url the link that restores the cart); for a newsletter, `body_html` is the campaign's text
    (sanitised here) and `products` its products ({title, url, image_url, price: Money JSON})."""
    if kind not in KINDS:
        raise KeyError(kind)
    base: dict[str, Any] = {
        "kind": kind, "subject": subject, "preheader": preheader, "brand": brand_data(branding),
        "order": order_data(order) if order is not None else None, "shipment": None, "pickup_unpaid": False,
        "cancel": None, "refund": None, "code": "", "minutes": 0,
        "action_url": order.status_url if order is not None else (branding.store_url or ""),
        "action_label": "", "unsubscribe_url": "", "products": [], "body_html": "",
    }
    base.update(extra)
    if base["body_html"]:                 # a campaign's rich text goes into the e-mail as markup: sanitised here
        base["body_html"] = sanitize_richtext(str(base["body_html"]))
    return base


__all__ = ["KINDS", "MessageKind", "brand_data", "line_data", "message_data", "money_data", "order_data"]
