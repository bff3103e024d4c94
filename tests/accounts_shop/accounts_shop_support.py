"""Helpers of the customer-account tests: orders made straight in the store database (the account side
does not care how an order was paid), and the sign-in code read back from a queued or delivered e-mail."""

from __future__ import annotations

import email
import json
import re
from email import policy
from pathlib import Path

from shared.db import Connection, Database
from shared.models.money import Money
from shared.orders import NewOrder, Order, OrderLine, PaymentStatus, create_order

CODE = re.compile(r"Your sign-in code: ([0-9]{6})")


def make_order(db: Database, *, email_address: str, name: str = "Ada Lovelace", total: int = 2500,
               currency: str = "USD", paid: bool = True) -> Order:
    """An order with one line, shipped to a US address, placed with `email_address`."""
    line = OrderLine(title="Harbor Tee", variant_title="Large", sku="TEE-L", unit_price=Money(total, currency),
                     quantity=1, subtotal=Money(total, currency), discount=Money(0, currency), tax=Money(0, currency),
                     total=Money(total, currency))
    address = {"name": name, "street_address": "1 Market St", "city": "SAN FRANCISCO", "country_area": "CA",
               "postal_code": "94103", "country_code": "US"}
    order = NewOrder(email=email_address, currency=currency, lines=(line,), subtotal=total, discount_total=0,
                     shipping=0, tax=0, total=total,
                     payment_status=PaymentStatus.PAID if paid else PaymentStatus.UNPAID,
                     payment_provider="stripe" if paid else "pay_in_store",
                     delivery={"method": "ship", "name": "Standard"}, customer_name=name,
                     shipping_address=address, billing_address=address)
    return db.write(lambda conn: create_order(conn, order))


def queued_code(db: Database, to: str) -> str:
    """The code of the newest sign-in e-mail queued for `to` (from the outbox row)."""
    def read(conn: Connection) -> str:
        rows = conn.all("SELECT payload FROM outbox WHERE dedupe_key LIKE 'signin:%' ORDER BY created_at DESC")
        for (payload,) in rows:
            data = json.loads(payload)
            if data["to"].lower() == to.lower():
                return CODE.search(data["text"]).group(1)
        raise AssertionError(f"no sign-in e-mail queued for {to}")
    return db.read(read)


def delivered_code(mail_dir: Path, to: str) -> str | None:
    """The code of the newest delivered sign-in e-mail (an .eml in the mail folder) to `to`, or None."""
    found = []
    for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime) if mail_dir.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if to.lower() in str(message["To"]).lower() and "sign-in code" in str(message["Subject"]):
            match = CODE.search(message.get_body(preferencelist=("plain",)).get_content())
            if match:
                found.append(match.group(1))
    return found[-1] if found else None
