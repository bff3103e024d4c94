"""Error codes of the orders domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class OrderErrorCode(StrEnum):
    """Why an order operation was refused; the HTTP status a handler should answer is in brackets."""

    INVALID = "invalid"                  # malformed input: no lines, a bad filter, a bad page size [400]
    NOT_FOUND = "not_found"              # no such order (id, number or token) [404]
    DUPLICATE = "duplicate"              # an order already exists for this payment or attempt [409]
    ILLEGAL_TRANSITION = "illegal_transition"  # the order's state does not allow it; the message says why [409]
    PAYMENT_FAILED = "payment_failed"    # the payment provider refused or could not be reached [502]


class OrderError(VibeshopError):
    """A refused order operation; nothing was written."""

    def __init__(self, code: OrderErrorCode, message: str, *, field: str | None = None):
        super().__init__(code, message)
        self.field = field
