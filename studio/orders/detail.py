"""An order as the merchant reads it: lines, customer, addresses, payment, fulfilments and refunds,
the e-mails sent about it and the timeline with who did what. Pure functions from the admin API's
order JSON to (escaped) HTML for a QTextBrowser, and the labels the list shows."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from shared.models import Money
from shared.models.money_format import format_money

STATUS_TEXT = {
    "unpaid": "Payment pending", "authorized": "Authorized", "paid": "Paid",
    "partially_refunded": "Partially refunded", "refunded": "Refunded", "voided": "Voided",
    "unfulfilled": "Unfulfilled", "partially_fulfilled": "Partially fulfilled", "fulfilled": "Fulfilled",
    "on_hold": "On hold", "ready": "Ready for pickup", "picked_up": "Picked up",
}
DELIVERY_TEXT = {"ship": "Shipping", "pickup": "Pickup", "local_delivery": "Local delivery"}


def money(value: Any) -> str:
    """{"amount", "currency"} as the shop shows it ("$25.00"); '' for nothing."""
    if not isinstance(value, dict) or "amount" not in value:
        return ""
    try:
        return format_money(Money(int(value["amount"]), str(value["currency"])))
    except (ValueError, TypeError, KeyError):
        return f"{value.get('amount')} {value.get('currency')}"


def when(stamp: Any) -> str:
    """An ISO time in the merchant's own time zone: '3 Dec 2026, 14:05'."""
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).astimezone()
    except ValueError:
        return str(stamp or "")
    return f"{moment.day} {moment.strftime('%b %Y, %H:%M')}"


def status_line(order: dict[str, Any]) -> str:
    """'Paid · Unfulfilled' (or 'Cancelled · ...'), the statuses a merchant scans for."""
    parts = ["Cancelled"] if order.get("cancelledAt") else []
    parts.append(STATUS_TEXT.get(order.get("paymentStatus", ""), order.get("paymentStatus", "")))
    pickup = order.get("pickupStatus")
    if order.get("deliveryMethod") == "pickup" and pickup in ("ready", "picked_up"):
        parts.append(STATUS_TEXT[pickup])
    else:
        parts.append(STATUS_TEXT.get(order.get("fulfillmentStatus", ""), order.get("fulfillmentStatus", "")))
    return " · ".join(p for p in parts if p)


def line_id(line: dict[str, Any], index: int) -> str:
    """A line's id as the actions name it (the API's `id`, or `lineId`)."""
    return str(line.get("id") or line.get("lineId") or index)


OVERSOLD_BADGE = ("<span style='background:#fee2e2; color:#991b1b; font-size:small; font-weight:600'>"
                  "&nbsp;Oversold&nbsp;</span>")


def is_oversold(order: dict[str, Any]) -> bool:
    """Whether a late POS sale took the units this order was promised (`oversold_at`; a cloud that
    does not send the key has no oversold orders)."""
    return bool(order.get("oversold_at") or order.get("oversoldAt"))


def _oversold_note(order: dict[str, Any]) -> str:
    stamp = order.get("oversold_at") or order.get("oversoldAt")
    since = f" ({escape(when(stamp))})" if isinstance(stamp, str) else ""
    return (f"<p style='color:#991b1b'>Oversold{since}: a sale at the counter, recorded late, took the units "
            "this order was promised. Restock the items, or cancel and refund the order.</p>")


def order_html(order: dict[str, Any], *, oversold: bool | None = None) -> str:
    """The whole detail as HTML (every value escaped). `oversold` overrides the order's own flag (the
    live stream may say so before the order is fetched again)."""
    oversold = is_oversold(order) if oversold is None else oversold
    badge = f" {OVERSOLD_BADGE}" if oversold else ""
    parts = [f"<h2>{escape(str(order.get('name') or '#' + str(order.get('number', ''))))}{badge}</h2>",
             f"<p><b>{escape(status_line(order))}</b> · {escape(DELIVERY_TEXT.get(order.get('deliveryMethod', ''), ''))}"
             f" · placed {escape(when(order.get('createdAt')))}</p>"]
    if order.get("cancelledAt"):
        reason = order.get("cancelReason") or ""
        parts.append(f"<p style='color:#b91c1c'>Cancelled {escape(when(order['cancelledAt']))}"
                     f"{': ' + escape(reason) if reason else ''}</p>")
    if oversold:
        parts.append(_oversold_note(order))
    if order.get("needsAttention"):
        parts.append("<p style='color:#b45309'>This order needs your attention (see the timeline).</p>")
    parts += [_lines(order), _payment(order), _customer(order), _fulfilments(order), _refunds(order),
              _messages(order), _timeline(order)]
    return "".join(parts)


def _lines(order: dict[str, Any]) -> str:
    rows = []
    for line in order.get("lines") or []:
        title = escape(str(line.get("title", "")))
        variant = escape(str(line.get("variantTitle") or ""))
        done = []
        if line.get("fulfilledQuantity"):
            done.append(f"{int(line['fulfilledQuantity'])} fulfilled")
        if line.get("refundedQuantity"):
            done.append(f"{int(line['refundedQuantity'])} refunded")
        rows.append(f"<tr><td>{title}<br><small>{variant} {escape(str(line.get('sku') or ''))}"
                    f"{' · ' + ', '.join(done) if done else ''}</small></td>"
                    f"<td align='right'>{money(line.get('unitPrice'))} × {int(line.get('quantity', 0))}</td>"
                    f"<td align='right'>{_line_amount(line)}</td></tr>")
    return "<h3>Items</h3><table width='100%' cellpadding='3'>" + "".join(rows) + "</table>"


def _line_amount(line: dict[str, Any]) -> str:
    """Unit x quantity, less the line's discount: what the line costs before tax. Its `total` holds the
    tax too when prices exclude it, which would not match "$28.00 × 1" beside it; tax is in Payment."""
    discount = line.get("discount") or {}
    if not isinstance(discount, dict) or not discount.get("amount"):
        return money(line.get("subtotal"))
    return f"{money(line.get('subtotal'))}<br><small>−{money(discount)} discount</small>"


def _payment(order: dict[str, Any]) -> str:
    rows = [("Subtotal", order.get("subtotal")), ("Discounts", order.get("discountTotal")),
            ("Shipping", order.get("shipping")), ("Tax", order.get("tax")), ("Total", order.get("total"))]
    body = "".join(f"<tr><td>{label}</td><td align='right'>{money(value)}</td></tr>" for label, value in rows
                   if value and (label == "Total" or value.get("amount")))
    provider = {"stripe": "Card (Stripe)", "pay_in_store": "Pay in store"}.get(order.get("paymentProvider", ""),
                                                                               order.get("paymentProvider", ""))
    # What came in and what went back, as Shopify's order page shows them (refunds pending count too).
    refunded = sum(int((r.get("amount") or {}).get("amount", 0)) for r in order.get("refunds") or []
                   if r.get("status") != "failed")
    currency = (order.get("total") or {}).get("currency") or order.get("currency") or ""
    paid, refundable = order.get("paid"), order.get("refundable")
    extra = "".join(f"<tr><td>{label}</td><td align='right'>{money(value)}</td></tr>" for label, value in (
        ("Paid", paid), ("Refunded", {"amount": refunded, "currency": currency} if refunded else None),
        ("Refundable", refundable)) if value)
    return (f"<h3>Payment · {escape(str(provider))}</h3><table width='100%' cellpadding='3'>{body}{extra}</table>")


def _address(value: Any) -> str:
    if not isinstance(value, dict) or not value:
        return "—"
    keys = ("name", "company_name", "street_address", "city_area", "city", "country_area", "postal_code",
            "country_code", "phone")
    return "<br>".join(escape(str(value[k])) for k in keys if value.get(k))


def _customer(order: dict[str, Any]) -> str:
    delivery = order.get("delivery") or {}
    where = ""
    if order.get("deliveryMethod") == "pickup" and delivery.get("locationName"):
        where = f"<p>Pickup at <b>{escape(str(delivery['locationName']))}</b></p>"
    return (f"<h3>Customer</h3><p>{escape(str(order.get('customerName') or ''))}<br>"
            f"{escape(str(order.get('email') or ''))}</p>{where}"
            f"<table cellpadding='3'><tr><td><b>Shipping address</b><br>{_address(order.get('shippingAddress'))}</td>"
            f"<td><b>Billing address</b><br>{_address(order.get('billingAddress'))}</td></tr></table>")


def _fulfilments(order: dict[str, Any]) -> str:
    items = []
    for f in order.get("fulfillments") or []:
        units = sum(int(line.get("quantity", 0)) for line in f.get("lines") or [])
        tracking = " ".join(escape(str(x)) for x in (f.get("carrier"), f.get("trackingNumber")) if x)
        url = f.get("trackingUrl")
        link = f" <a href='{escape(str(url))}'>track</a>" if url else ""
        items.append(f"<li>{escape(when(f.get('createdAt')))}: {units} unit{'s' if units != 1 else ''}"
                     f"{' · ' + tracking if tracking else ''}{link}</li>")
    return f"<h3>Fulfilments</h3><ul>{''.join(items)}</ul>" if items else ""


def _refunds(order: dict[str, Any]) -> str:
    items = [f"<li>{escape(when(r.get('createdAt')))}: {money(r.get('amount'))} · {escape(str(r.get('status', '')))}"
             f"{' · restocked' if r.get('restock') else ''}{' · ' + escape(str(r['reason'])) if r.get('reason') else ''}</li>"
             for r in order.get("refunds") or []]
    return f"<h3>Refunds</h3><ul>{''.join(items)}</ul>" if items else ""


def _messages(order: dict[str, Any]) -> str:
    items = []
    for m in order.get("messages") or []:
        state = escape(str(m.get("status", "")))
        if m.get("sentAt"):
            state += f" {escape(when(m['sentAt']))}"
        elif m.get("lastError"):
            state += f" (tried {int(m.get('attempts') or 0)}×: {escape(str(m['lastError']))})"
        items.append(f"<li>{escape(_message_kind(str(m.get('kind', ''))))} to {escape(str(m.get('to', '')))}: "
                     f"{state}</li>")
    return f"<h3>E-mails</h3><ul>{''.join(items)}</ul>" if items else ""


def _message_kind(kind: str) -> str:
    """'shipping:ID' -> 'shipping confirmation', 'refund:ID' -> 'refund': the merchant reads which e-mail,
    not the dedupe key's ids."""
    base = kind.split(":", 1)[0]
    return {"shipping": "shipping confirmation", "refund": "refund"}.get(base, base.replace("_", " "))


def _timeline(order: dict[str, Any]) -> str:
    items = [f"<li>{escape(when(e.get('at')))} · <b>{escape(str(e.get('kind', '')).replace('_', ' '))}</b>"
             f"{' — ' + escape(str(e['message'])) if e.get('message') else ''}"
             f" <small>by {escape(str(e.get('actor') or 'system'))}</small></li>"
             for e in reversed(order.get("events") or [])]
    return f"<h3>Timeline</h3><ul>{''.join(items)}</ul>"
