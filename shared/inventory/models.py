"""The inventory domain's dataclasses: where a cart's units come from, holds, stock positions, and
the one way instants become stored text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from shared.inventory.errors import InventoryError, InventoryErrorCode, Shortage
from shared.models import StockMovement


@dataclass(frozen=True)
class LocationPolicy:
    """Which location's stock a checkout takes: one given location (pickup, or the store's one
    shipping location), or the first location with stock. For the latter the whole cart comes from
    the first location that can fill every line (one parcel); failing that, each line comes whole
    from the first location that can fill it (a line is never split between locations). `order` puts
    locations first in that order; the rest follow the default location first, then by name."""

    location_id: str | None = None
    order: tuple[str, ...] = ()

    @classmethod
    def at(cls, location_id: str) -> LocationPolicy:
        """Every line from this location."""
        return cls(location_id=location_id)

    @classmethod
    def first_with_stock(cls, order: tuple[str, ...] = ()) -> LocationPolicy:
        """Each line from the first location that has it (the whole cart from one when one can)."""
        return cls(location_id=None, order=tuple(order))


@dataclass(frozen=True)
class HeldLine:
    """Units of one variant held at one location for a group."""

    variant_id: str
    location_id: str
    quantity: int
    expires_at: datetime
    active: bool            # expires_at is still ahead of the `now` it was read at


@dataclass(frozen=True)
class HoldGroup:
    """A group's holds (one checkout's), as read at `now`; expires_at is the earliest expiry of its
    active lines (None when none is active)."""

    group_id: str
    lines: tuple[HeldLine, ...]
    expires_at: datetime | None


@dataclass(frozen=True)
class HoldCheck:
    """The answer before charging: ok when every line's units are still there beside every other
    active hold (then all its holds were renewed); otherwise the shortages name what ran out."""

    group_id: str
    ok: bool
    lines: tuple[HeldLine, ...]
    shortages: tuple[Shortage, ...]
    expires_at: datetime | None


@dataclass(frozen=True)
class StockPosition:
    """One variant at one location: on hand, held by active holds, and what is left to sell (it goes
    below zero only when stock was taken without holding it, e.g. a POS sale)."""

    on_hand: int
    held: int

    @property
    def available(self) -> int:
        """On hand minus active holds."""
        return self.on_hand - self.held


@dataclass(frozen=True)
class CommitResult:
    """What commit_holds recorded: the sale movements, or none when this sale was already recorded."""

    group_id: str
    reference: str
    movements: tuple[StockMovement, ...]

    @property
    def already_committed(self) -> bool:
        """True for a repeated call: the ledger already had this sale."""
        return not self.movements


def stamp(value: datetime | str, *, field: str = "time") -> str:
    """An instant as stored text: UTC ISO 8601 with microseconds, so text order is time order.
    Accepts an aware datetime or ISO text with an offset; a naive time raises InventoryError(INVALID)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InventoryError(InventoryErrorCode.INVALID, f"{field} is not an ISO 8601 time: {value!r}") from None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InventoryError(InventoryErrorCode.INVALID, f"{field} needs a time zone offset")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_stamp(text: str) -> datetime:
    """Stored text back to an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)
