"""Error codes of the inventory domain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.errors import VibeshopError


class InventoryErrorCode(StrEnum):
    """Why a stock operation was refused."""

    INVALID = "invalid"                    # malformed input: quantity, ttl, timestamps, lines
    OUT_OF_STOCK = "out_of_stock"          # some lines cannot be held: `shortages` says which
    UNKNOWN_VARIANT = "unknown_variant"    # `variant_ids` names the ones that do not exist
    UNKNOWN_LOCATION = "unknown_location"
    NO_HOLDS = "no_holds"                  # the group holds nothing (released, purged or never held)


@dataclass(frozen=True)
class Shortage:
    """A line that ran short: how many were asked for and how many one location could still give."""

    variant_id: str
    requested: int
    available: int


class InventoryError(VibeshopError):
    """A refused stock operation; nothing was written. OUT_OF_STOCK carries the short lines."""

    def __init__(self, code: InventoryErrorCode, message: str, *, shortages: tuple[Shortage, ...] = (),
                 variant_ids: tuple[str, ...] = ()):
        super().__init__(code, message)
        self.shortages = shortages
        self.variant_ids = variant_ids
