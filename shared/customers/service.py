"""Newsletter sign-up: a customer row with accepts_marketing, created or updated, never duplicated."""

from __future__ import annotations

from shared.db import Connection, Database
from shared.db.repositories import customers
from shared.db.stamps import new_id, utc_now
from shared.storefront.errors import FieldError, StoreError, StoreErrorCode
from shared.storefront.validation import email_problem


def subscribe(db: Database, *, email: str) -> bool:
    """Subscribe an address to the store's newsletter; True when it is new. Raises StoreError(INVALID)."""
    email = (email or "").strip()
    problem = email_problem(email)
    if problem:
        raise StoreError(StoreErrorCode.INVALID, f"email {problem}", (FieldError("email", problem),))

    def write(conn: Connection) -> bool:
        return customers.subscribe(conn, customer_id=new_id(), email=email, created_at=utc_now())

    return db.write(write)
