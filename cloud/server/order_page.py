"""The shopper's order page, GET /orders/TOKEN: the "thank you" page the checkout lands on and the link
in the confirmation e-mail. It shares the checkout's frame (the theme's colours and fonts, the store's
logo, the summary on the side) and, like it, runs no merchant code. The token is the only key (256
random bits): the page is never cached, never indexed, and sends no referrer."""

from __future__ import annotations

import html

from aiohttp import web

from cloud.server.branding import store_branding
from cloud.server.checkout_html import shell_html
from cloud.server.middlewares import STORE
from cloud.server.pages import error_page
from shared.checkout.addresses import address_lines
from shared.models.money import Money
from shared.models.money_format import format_money
from shared.orders import Order, order_by_token

esc = html.escape
_PAID = {"paid": "Paid", "refunded": "Refunded", "partially_refunded": "Partly refunded", "voided": "Voided"}


async def order_status(request: web.Request) -> web.Response:
    """GET /orders/{token} : the shopper's order page (never cached, never indexed)."""
    store = request[STORE]
    order = await store.db.call_read(order_by_token, store.db, request.match_info["token"])
    if order is None:
        response = error_page(404, "Order not found", "This order link is not valid. Check the link in your e-mail.")
    else:
        front, stylesheet, logo_url = await store_branding(request)
        name, locale = (front.name, front.locale) if front else ("Shop", "en-US")
        response = web.Response(text=order_page(order, store_name=name, locale=locale, stylesheet=stylesheet,
                                                logo_url=logo_url),
                                content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"       # the token must not leak to other sites
    return response


def order_page(order: Order, *, store_name: str, locale: str, stylesheet: str = "", logo_url: str = "") -> str:
    """The order page's HTML: the summary aside, then the confirmation, delivery or pickup, contact and
    payment (every value escaped)."""
    first_name = order.customer_name.split()[0] if order.customer_name.strip() else ""
    thanks = f"Thank you, {esc(first_name)}!" if first_name else "Thank you!"
    main = (f'<div class="ck-form"><div class="ck-thanks"><p class="ck-muted">Order {esc(order.name)}</p><h1>{thanks}</h1></div>'
            f'<section class="ck-panel"><h2>Your order is confirmed</h2>'
            f'<p>A confirmation was sent to <strong>{esc(order.email)}</strong>.</p>'
            f'<p class="ck-badges">{_badges(order)}</p></section>'
            f'{_delivery(order)}'
            f'<section class="ck-panel"><h2>Payment</h2><p>{_payment(order, locale)}</p></section>'
            f'<p class="ck-actions"><a class="ck-button" href="/">Continue shopping</a></p></div>')
    return shell_html(title=f"Order {order.name} · {store_name}", stylesheet=stylesheet, store_name=store_name,
                      logo_url=logo_url, aside=_summary(order, locale), main=main, cart_link=False,
                      summary_first=False)


def _money(value: Money, locale: str) -> str:
    return esc(format_money(value, locale))


def _summary(order: Order, locale: str) -> str:
    """The lines and totals, in the checkout summary's markup."""
    lines = "".join(
        f'<li class="ck-line"><span class="ck-line__qty" aria-hidden="true">{line.quantity}</span>'
        f'<span class="ck-line__title"><span class="ck-visually-hidden">{line.quantity} × </span>{esc(line.title)}'
        f'{f"<small>{esc(line.variant_title)}</small>" if line.variant_title else ""}</span>'
        f'<span class="ck-line__price">{_money(line.subtotal, locale)}</span></li>' for line in order.lines)
    rows = [("Subtotal", _money(order.subtotal, locale), "")]
    for discount in order.discounts:
        label = f"Discount ({discount.get('code') or discount.get('label') or 'discount'})"
        rows.append((esc(label), "−" + _money(Money(int(discount.get("amount", 0)), order.currency), locale),
                     "ck-discount"))
    pickup = order.delivery.get("method") == "pickup"
    shipping = "Free" if order.shipping.amount == 0 else _money(order.shipping, locale)
    rows.append(("Pickup" if pickup else "Shipping", shipping, ""))
    included = bool(order.delivery.get("pricesIncludeTax"))
    if order.tax.amount or not included:
        rows.append(("Included tax" if included else "Tax", _money(order.tax, locale), ""))
    dl = "".join(f'<div class="ck-row {cls}"><dt>{label}</dt><dd>{value}</dd></div>' for label, value, cls in rows)
    return (f'<ul class="ck-lines">{lines}</ul><dl class="ck-totals">{dl}'
            f'<div class="ck-row ck-total"><dt>Total</dt><dd><small>{esc(order.currency)}</small> '
            f'<strong>{_money(order.total, locale)}</strong></dd></div></dl>')


def _badges(order: Order) -> str:
    payment = str(order.payment_status)
    paid = ("To pay at pickup" if order.payment_provider == "pay_in_store" else "Payment pending"
            ) if payment == "unpaid" else _PAID.get(payment, payment.replace("_", " ").capitalize())
    fulfilment = str(order.fulfillment_status).replace("_", " ").capitalize()
    return f'<span class="ck-badge">{esc(paid)}</span> <span class="ck-badge">{esc(fulfilment)}</span>'


def _delivery(order: Order) -> str:
    delivery = order.delivery
    if delivery.get("method") == "pickup":
        ready = delivery.get("readyText") or "We e-mail you when your order is ready to collect."
        return (f'<section class="ck-panel"><h2>Pickup</h2><p><strong>{esc(delivery.get("locationName", ""))}'
                f'</strong><br>{esc(delivery.get("locationAddress", ""))}</p><p class="ck-muted">{esc(ready)}</p>'
                f'</section>')
    if delivery.get("method") == "none":
        return ""
    lines = "<br>".join(esc(str(part)) for part in address_lines(order.shipping_address or {}) if part)
    method = " · ".join(esc(str(delivery[k])) for k in ("name", "estimate") if delivery.get(k))
    return (f'<section class="ck-panel"><h2>Shipping</h2><p>{lines}</p>'
            f'<p class="ck-muted">{method}</p></section>')


def _payment(order: Order, locale: str) -> str:
    total = f"<strong>{_money(order.total, locale)}</strong>"
    if order.payment_provider == "pay_in_store":
        return f"Pay {total} at the counter when you collect your order."
    if str(order.payment_status) == "paid":
        return f"Paid {total} by card."
    return f"{total} by card."
