"""Every message kind made from sample data through the SAME functions the shop sends with: the studio's
preview calls `render_kind` inside `using_designs(db)`, exactly as the order services call the render
functions inside `using_designs(conn)`, so the preview shows the bytes the outbox gets for that data."""

from __future__ import annotations

from collections.abc import Callable

from shared.mail.designs.context import current_source
from shared.mail.designs.kinds import KINDS, message_data
from shared.mail.designs.render import render_message
from shared.mail.message import OutgoingEmail
from shared.mail.views import Discount, MailAddress, MailBranding, OrderLine, OrderSummary, PickupLocation
from shared.models.money import Money


def sample_order(currency: str = "USD", *, pickup: bool = False) -> OrderSummary:
    """A two-line order to preview the order e-mails with."""
    def m(amount: int) -> Money:
        return Money(amount, currency)
    lines = (OrderLine("Linen shirt", 1, m(5800), m(5800), variant="M / Sand"),
             OrderLine("Canvas tote", 2, m(1900), m(3800)))
    return OrderSummary(
        number="#1001", contact_email="shopper@example.com", lines=lines, subtotal=m(9600), total=m(9730),
        tax=m(630), delivery_method="pickup" if pickup else "shipping", status_url="https://shop.example/orders/t0k3n",
        discounts=(Discount("WELCOME10", m(960)),), shipping=None if pickup else m(460),
        shipping_label="" if pickup else "Standard (3-5 business days)",
        shipping_address=None if pickup else MailAddress("Ada Lovelace", line1="12 Analytical Row", city="London",
                                                         postal_code="N1 9GU", country="United Kingdom"),
        pickup=PickupLocation("The shop on Market Street", MailAddress(line1="5 Market Street", city="Bristol"),
                              "Bring your order number.") if pickup else None,
        payment_label="Pay in store at pickup" if pickup else "Visa ending in 4242",
        placed_at="5 December 2026, 14:32", customer_name="Ada Lovelace")


def _marketing(kind: str, branding: MailBranding, order: OrderSummary) -> OutgoingEmail:
    subject = "You left something in your cart" if kind == "abandoned_checkout" else f"News from {branding.store_name}"
    base = branding.store_url or "https://shop.example/"
    products = [{"title": line.title, "url": base, "image_url": None,
                 "price": {"amount": line.unit_price.amount, "currency": line.unit_price.currency}}
                for line in order.lines]
    data = message_data(kind, branding, subject=subject, preheader=subject, to=order.contact_email,
                        reply_to=branding.support_email, order=order if kind == "abandoned_checkout" else None,
                        action_url=f"{base.rstrip('/')}/cart/restore/sample" if kind == "abandoned_checkout" else base,
                        unsubscribe_url=f"{base.rstrip('/')}/unsubscribe/sample", products=products,
                        body_html="" if kind == "abandoned_checkout" else
                        "<p>Our winter linen is in: heavier weaves, the same easy fit.</p>")
    return render_message(current_source(), kind, data)


def render_kind(kind: str, branding: MailBranding, *, currency: str = "USD") -> OutgoingEmail:
    """The message `kind` for the sample order, through the shop's own render functions (designs apply
    inside `using_designs`). Raises KeyError for an unknown kind."""
    from shared.mail.account_mail import render_sign_in_code
    from shared.mail.templates import (render_order_cancelled, render_order_confirmation, render_order_refunded,
                                       render_ready_for_pickup, render_shipping_confirmation)

    if kind not in KINDS:
        raise KeyError(kind)
    order = sample_order(currency, pickup=kind == "ready_for_pickup")
    makers: dict[str, Callable[[], OutgoingEmail]] = {
        "order_confirmation": lambda: render_order_confirmation(order, branding),
        "shipping_confirmation": lambda: render_shipping_confirmation(
            order, branding, shipped=order.lines, carrier="Royal Mail", tracking_number="RM123456789GB",
            tracking_url="https://track.example/RM123456789GB"),
        "ready_for_pickup": lambda: render_ready_for_pickup(order, branding, unpaid=True),
        "order_cancelled": lambda: render_order_cancelled(order, branding, reason="Out of stock",
                                                          refund=order.total),
        "order_refunded": lambda: render_order_refunded(order, branding, amount=Money(1900, currency),
                                                        refunded=order.lines[1:], reason="Damaged in transit"),
        "sign_in_code": lambda: render_sign_in_code(to=order.contact_email, code="482913", branding=branding),
        "abandoned_checkout": lambda: _marketing(kind, branding, order),
        "newsletter": lambda: _marketing(kind, branding, order),
    }
    return makers[kind]()


def store_branding(conn: object, site_url: str) -> MailBranding:
    """The branding the order services give the store's e-mails (shared/orders/notices.py `send`): its
    name, address, locale and support e-mail, so that the preview shows what the shop sends."""
    from shared.db.repositories.storefront import get_storefront

    front = get_storefront(conn)  # type: ignore[arg-type]
    settings = front.settings if front else {}
    support = str(settings.get("email") or "")
    return MailBranding(store_name=front.name if front else "Shop", store_url=site_url.rstrip("/") + "/",
                        locale=front.locale if front else "en-US", support_email=support if "@" in support else "")
