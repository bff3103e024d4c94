"""Error codes of the cart domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class CartErrorCode(StrEnum):
    """Why a cart change was refused."""

    INVALID_QUANTITY = "invalid_quantity"     # not a whole number in 0/1..MAX_QUANTITY
    UNKNOWN_VARIANT = "unknown_variant"       # no such variant, or its product is not for sale
    UNKNOWN_LINE = "unknown_line"             # the cart has no such line
    TOO_MANY_LINES = "too_many_lines"         # the cart would have more than MAX_LINES lines
    NOT_ENOUGH_STOCK = "not_enough_stock"     # more than is available; `available` says how many
    INVALID = "invalid"                       # malformed request (missing or mistyped fields)


class CartError(VibeshopError):
    """A refused cart change; nothing was written. `available` is set for NOT_ENOUGH_STOCK."""

    def __init__(self, code: CartErrorCode, message: str, *, available: int | None = None):
        super().__init__(code, message)
        self.available = available
