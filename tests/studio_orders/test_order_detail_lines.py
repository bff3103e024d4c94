"""The order detail's item lines read as arithmetic: "$28.00 × 1" beside $28.00, the line before tax
(its `total` holds the tax when prices exclude it; the tax is shown under Payment)."""

from __future__ import annotations

from studio.orders.detail import order_html


def _usd(cents: int) -> dict:
    return {"amount": cents, "currency": "USD"}


def _order(line: dict) -> dict:
    return {"id": "o1", "number": 1001, "name": "#1001", "lines": [line], "subtotal": line["subtotal"],
            "tax": line["tax"], "total": line["total"], "currency": "USD"}


def test_a_line_shows_its_amount_before_tax() -> None:
    line = {"title": "Harbor Classic Tee", "quantity": 1, "unitPrice": _usd(2800), "subtotal": _usd(2800),
            "discount": _usd(0), "tax": _usd(154), "total": _usd(2954)}
    html = order_html(_order(line))
    assert "$28.00 × 1</td><td align='right'>$28.00</td>" in html
    assert "$29.54</td></tr>" not in html.split("<h3>Items</h3>")[1].split("</table>")[0]


def test_a_discounted_line_names_its_discount() -> None:
    line = {"title": "Tee", "quantity": 2, "unitPrice": _usd(2800), "subtotal": _usd(5600),
            "discount": _usd(560), "tax": _usd(277), "total": _usd(5317)}
    items = order_html(_order(line)).split("<h3>Items</h3>")[1].split("</table>")[0]
    assert "$28.00 × 2</td><td align='right'>$56.00<br><small>−$5.60 discount</small></td>" in items
