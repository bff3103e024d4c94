"""Printable documents of an order, as PDF (reportlab): the packing slip that goes in the box (lines
and units to send, no prices) and the invoice (lines, totals, payment and refunds).

Both are drawn from the Order as stored (snapshots), never from live products, so a reprint shows
what was bought. Merchant and shopper text is given to reportlab's Paragraph escaped: its mini
markup would otherwise read a shopper's "<b>" or "&" as markup."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shared.models.money import Money
from shared.models.money_format import format_money
from shared.orders.models import Order


def packing_slip_pdf(order: Order, *, store_name: str, locale: str = "en-US") -> bytes:
    """The packing slip: store, order number and date, ship-to (or pickup location), and every line
    with its units still to send (bought minus refunded) and those sent already."""
    styles = _styles()
    story = _header(order, store_name, "Packing slip", styles)
    story.append(_address_block(order, styles))
    rows = [["Item", "SKU", "Quantity", "Sent"]]
    for line in order.lines:
        quantity = line.quantity - line.refunded_quantity
        if quantity > 0:
            rows.append([_p(_line_title(line), styles["cell"]), _p(line.sku, styles["cell"]), str(quantity),
                         str(line.fulfilled_quantity)])
    story += [Spacer(1, 6 * mm), _table(rows, [95 * mm, 35 * mm, 20 * mm, 20 * mm])]
    note = order.delivery.get("name") or ""
    if note:
        story += [Spacer(1, 4 * mm), _p(f"Delivery: {note}", styles["small"])]
    return _build(story, f"Packing slip {order.name}")


def invoice_pdf(order: Order, *, store_name: str, locale: str = "en-US") -> bytes:
    """The invoice: bill-to, lines with unit price and total, discounts, shipping, tax, total, what was
    paid and refunded, and the balance."""
    styles = _styles()
    money = lambda value: format_money(value, locale)  # noqa: E731 - one locale for the whole document
    story = _header(order, store_name, "Invoice", styles)
    story.append(_address_block(order, styles, billing=True))
    rows = [["Item", "Quantity", "Unit price", "Total"]]
    for line in order.lines:
        rows.append([_p(_line_title(line), styles["cell"]), str(line.quantity), money(line.unit_price),
                     money(line.total)])
    story += [Spacer(1, 6 * mm), _table(rows, [95 * mm, 20 * mm, 30 * mm, 30 * mm])]
    totals = [["Subtotal", money(order.subtotal)]]
    if order.discount_total.amount:
        totals.append(["Discounts", "-" + money(order.discount_total)])
    totals += [["Shipping", money(order.shipping)],
               ["Tax" + (" (included)" if order.delivery.get("pricesIncludeTax") else ""), money(order.tax)],
               ["Total", money(order.total)], ["Paid", money(order.paid)]]
    refunded = Money(sum(r.amount.amount for r in order.refunds if r.status == "succeeded"), order.currency)
    if refunded.amount:
        totals.append(["Refunded", "-" + money(refunded)])
    balance = order.total.amount - order.paid.amount if not order.cancelled else 0
    totals.append(["Balance due", money(Money(max(balance, 0), order.currency))])
    story += [Spacer(1, 4 * mm), _totals(totals)]
    story += [Spacer(1, 6 * mm), _p(f"Payment: {str(order.payment_status).replace('_', ' ')}"
                                    + (f". Cancelled {order.cancelled_at[:10]}" if order.cancelled_at else ""),
                                    styles["small"])]
    return _build(story, f"Invoice {order.name}")


# --- the parts ---------------------------------------------------------------------------------------

def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {"title": base["Title"], "h": base["Heading3"], "body": base["BodyText"],
            "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=9, leading=11),
            "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, textColor=colors.grey)}


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _header(order: Order, store_name: str, kind: str, styles: dict) -> list:
    return [_p(store_name, styles["h"]), _p(f"{kind} {order.name}", styles["title"]),
            _p(f"Order date: {order.created_at[:10]}    Contact: {order.email}", styles["body"]), Spacer(1, 4 * mm)]


def _address_block(order: Order, styles: dict, *, billing: bool = False) -> Table:
    if order.delivery.get("method") == "pickup":
        left = ["Pickup at", order.delivery.get("locationName") or order.delivery.get("name", ""),
                order.delivery.get("locationAddress", "")]
    else:
        left = ["Ship to", *_address_lines(order.shipping_address)]
    right = ["Bill to", *_address_lines(order.billing_address or order.shipping_address)] if billing else \
        ["Customer", order.customer_name, order.email]
    # Each part escaped, then joined with reportlab's own line breaks.
    cells = [[Paragraph("<br/>".join(escape(str(x)) for x in column if x), styles["cell"]) for column in (left, right)]]
    table = Table(cells, colWidths=[85 * mm, 85 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _address_lines(address: dict | None) -> list[str]:
    if not isinstance(address, dict):
        return []
    city = " ".join(str(address.get(k, "")) for k in ("city", "country_area", "postal_code") if address.get(k))
    parts = [address.get("name"), address.get("company_name"), address.get("street_address") or address.get("line1"),
             city, address.get("country_code") or address.get("country"), address.get("phone")]
    return [str(part) for part in parts if part]


def _line_title(line) -> str:
    variant = line.variant_title if line.variant_title and line.variant_title != "Default" else ""
    return f"{line.title} ({variant})" if variant else line.title


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black), ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _totals(rows: list[list[str]]) -> Table:
    table = Table(rows, colWidths=[140 * mm, 35 * mm])
    total = next(i for i, row in enumerate(rows) if row[0] == "Total")
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("FONTSIZE", (0, 0), (-1, -1), 9),
                               ("FONTNAME", (0, total), (-1, total), "Helvetica-Bold")]))
    return table


def _build(story: list, title: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, invariant=True)
    doc.build(story)
    return out.getvalue()
