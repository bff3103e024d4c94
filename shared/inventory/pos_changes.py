"""A POS's batch of stock changes (POS API v1, POST /pos/v1/inventory/changes): up to 100 adjustments
and counts, applied all or nothing, each change once by its change_id (an offline backlog re-sent in
other batches, under other idempotency keys, lands once).

On hand follows Square's rule, kept by the ledger's triggers (ledger.py): the latest count by
occurred_at plus the adjustments that occurred after it. A late POS sale is always accepted, even when
it takes stock below zero: the goods are already gone; the online orders left short are flagged
oversold in the same write (shared/orders/oversold.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec

from shared.db import Connection
from shared.db.repositories import inventory as inventory_repo
from shared.db.repositories import pos_inventory as repo
from shared.inventory.errors import InventoryError, InventoryErrorCode
from shared.inventory.holds import stock_positions
from shared.inventory.ledger import MAX_DELTA
from shared.inventory.models import StockPosition, stamp
from shared.models import StockMovement
from shared.orders.oversold import flag_oversold

MAX_CHANGES = 100
MAX_AGE = timedelta(days=7)
MAX_AHEAD = timedelta(minutes=5)
# POS reason -> (ledger reason, the sign an adjustment's delta must have: -1, 1, or 0 for either)
REASONS = {"sale": ("sold", -1), "return": ("returned", 1), "received": ("received", 1),
           "damaged": ("adjusted", -1), "correction": ("adjusted", 0)}
Reason = Literal["sale", "return", "received", "damaged", "correction"]
MAX_TEXT = 200
# Text without control characters (C0 and DEL), as every free-text field of the POS API (a NUL or a
# newline in a SKU or a reference is a bug of the sender, not data; cloud/server/pos/spec.NO_CONTROLS).
Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT, pattern="^[^\\x00-\\x1f\\x7f]*$(?!\\n)")]
# The hyphenated form only (msgspec's uuid.UUID also takes 32 bare hex digits, which the document's
# `format: uuid` does not allow: the schema and the server must refuse the same things).
ChangeId = Annotated[str, msgspec.Meta(pattern="^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                               "[0-9a-fA-F]{12}$", description="a UUID made by the POS")]


class ChangeError(InventoryError):
    """A refused batch: `index` and `field` name the first bad change (index None: the batch itself)."""

    def __init__(self, message: str, *, index: int | None, field: str,
                 code: InventoryErrorCode = InventoryErrorCode.INVALID):
        super().__init__(code, message)
        self.index = index
        self.field = field


@dataclass(frozen=True)
class StockChange:
    """One validated change; `sku` or `variant_id` names the variant (resolved when applied)."""

    change_id: str
    type: str                   # adjust | count
    sku: str
    variant_id: str
    location_id: str
    delta: int                  # adjust: signed units; count: 0
    quantity: int | None        # count: the units counted
    reason: str                 # sale | return | received | damaged | correction
    occurred_at: str            # stored UTC text
    reference: str


@dataclass(frozen=True)
class StockLine(StockPosition):
    """On hand, held and available (StockPosition) of one variant, named, at one location after a batch."""

    variant_id: str
    sku: str
    location_id: str


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: how many changes were new (the rest were already recorded) and the stock touched."""

    applied: int
    duplicates: int
    stock: tuple[StockLine, ...]


class AdjustIn(msgspec.Struct, tag="adjust", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """An adjustment as a POS sends it: units gone (sale, damaged) or come (return, received), or a
    correction either way. The variant is named by `sku` or `variant_id` (one of them)."""

    change_id: ChangeId
    reason: Reason
    occurred_at: Annotated[datetime, msgspec.Meta(tz=True, description="RFC 3339 with an offset")]
    delta: Annotated[int, msgspec.Meta(ge=-MAX_DELTA, le=MAX_DELTA, description="signed units, not 0")]
    sku: Text = ""
    variant_id: Text = ""
    location_id: Text | None = None
    reference: Text = ""


class CountIn(msgspec.Struct, tag="count", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """A physical count: on hand becomes `quantity` as of `occurred_at` (Square's rule)."""

    change_id: ChangeId
    reason: Reason
    occurred_at: Annotated[datetime, msgspec.Meta(tz=True, description="RFC 3339 with an offset")]
    quantity: Annotated[int, msgspec.Meta(ge=0, le=MAX_DELTA)]
    sku: Text = ""
    variant_id: Text = ""
    location_id: Text | None = None
    reference: Text = ""


class ChangesIn(msgspec.Struct, forbid_unknown_fields=True):
    """The body of POST /pos/v1/inventory/changes."""

    changes: Annotated[list[AdjustIn | CountIn], msgspec.Meta(min_length=1, max_length=MAX_CHANGES)]


def parse_changes(payload: ChangesIn | Any, *, location_id: str, now: datetime) -> list[StockChange]:
    """Validate a request body (ChangesIn, or the same as plain JSON data); ChangeError names the index
    and field of the first bad change. The types check shapes and ranges; this checks what they cannot:
    one of sku and variant_id, the device's own location, the delta's sign for its reason, the time."""
    if not isinstance(payload, ChangesIn):
        try:
            payload = msgspec.convert(payload, ChangesIn)
        except msgspec.ValidationError as exc:      # the HTTP edge decodes first and names the field
            raise ChangeError(str(exc), index=None, field="changes") from None
    return [_parse_one(i, item, location_id=location_id, now=now) for i, item in enumerate(payload.changes)]


def _parse_one(i: int, item: AdjustIn | CountIn, *, location_id: str, now: datetime) -> StockChange:
    def bad(field: str, message: str) -> ChangeError:
        return ChangeError(f"changes[{i}].{field}: {message}", index=i, field=field)

    try:
        change_id = str(uuid.UUID(item.change_id))     # the pattern's `$` lets a final newline by
    except ValueError:
        raise bad("change_id", "must be a UUID") from None
    sku, variant_id = item.sku, item.variant_id
    if bool(sku) == bool(variant_id):
        raise bad("variant_id" if variant_id else "sku", "give the variant by sku or by variant_id (one of them)")
    location = location_id if item.location_id is None else item.location_id
    if location != location_id:
        raise bad("location_id", "a POS device changes only its own location's stock")
    delta, quantity = 0, None
    if isinstance(item, AdjustIn):
        delta, sign = item.delta, REASONS[item.reason][1]
        if delta == 0 or delta * sign < 0:
            direction = {-1: "negative", 1: "positive", 0: "not 0"}[sign]
            raise bad("delta", f"must be a whole number, {direction} for {item.reason}, at most {MAX_DELTA} units")
    else:
        quantity = item.quantity
    return StockChange(change_id, "adjust" if isinstance(item, AdjustIn) else "count", sku, variant_id,
                       location, delta, quantity, item.reason, _occurred_at(item.occurred_at, now, bad),
                       item.reference)


def _occurred_at(when: datetime, now: datetime, bad: Any) -> str:
    if when.tzinfo is None or when.utcoffset() is None:
        raise bad("occurred_at", "must be an RFC 3339 time with an offset, e.g. 2026-05-01T13:20:00+02:00")
    if when < now - MAX_AGE:
        raise bad("occurred_at", "is more than 7 days old")
    if when > now + MAX_AHEAD:
        raise bad("occurred_at", "is more than 5 minutes ahead of the server's clock")
    return stamp(when, field="occurred_at")


def apply_changes(conn: Connection, changes: Sequence[StockChange], *, now: datetime) -> BatchResult:
    """Record a validated batch inside the caller's write transaction; any bad change (an unknown or
    ambiguous SKU, an unknown variant, a change_id twice with two different changes) raises ChangeError
    and the caller's rollback drops the batch.

    The ledger's rows go in with one multi-row INSERT, in the batch's order: the ledger's triggers run per
    row as they would for one insert each (Square's rule, the summaries, the stock change log), but the
    statement, with every trigger compiled into it, is prepared once instead of a hundred times. What
    record_movement/record_count check per change (the variant, the location, the change id not yet
    recorded) is checked once for the batch."""
    by_sku = repo.variants_by_sku(conn, [c.sku for c in changes if c.sku])
    known = repo.variant_skus(conn, [c.variant_id for c in changes if c.variant_id])
    for location_id in dict.fromkeys(c.location_id for c in changes):     # the device's own: one
        if not inventory_repo.location_exists(conn, location_id):
            raise ChangeError(f"This device's location {location_id} no longer exists: the merchant deleted it; "
                              "make a device for another location", index=None, field="location_id",
                              code=InventoryErrorCode.UNKNOWN_LOCATION)
    recorded = inventory_repo.movement_ids_recorded(conn, [c.change_id for c in changes])
    created_at = stamp(now, field="now")
    seen: dict[str, tuple[int, StockMovement]] = {}
    new: list[StockMovement] = []
    touched: dict[tuple[str, str], None] = {}
    changed: dict[tuple[str, str], None] = {}
    for i, change in enumerate(changes):
        movement = _movement(change, _variant(i, change, by_sku, known), created_at)
        touched.setdefault((movement.variant_id, change.location_id), None)
        first = seen.setdefault(change.change_id, (i, movement))
        if first[1] != movement:        # the same id for two changes: which one is meant?
            raise ChangeError(f"changes[{i}].change_id: changes[{first[0]}] has this change_id with another change; "
                              "each change needs its own UUID", index=i, field="change_id")
        if first[0] == i and change.change_id not in recorded:
            new.append(movement)
            changed.setdefault((movement.variant_id, change.location_id), None)
    repo.insert_movements(conn, new)
    flag_oversold(conn, list(changed), now=now)
    return BatchResult(len(new), len(changes) - len(new), stock_lines(conn, list(touched), now=now))


def _movement(change: StockChange, variant_id: str, created_at: str) -> StockMovement:
    """The ledger's row of a change (as record_movement and record_count write it)."""
    if change.type == "adjust":
        return StockMovement(change.change_id, variant_id, change.location_id, change.delta,
                             REASONS[change.reason][0], change.reference, created_at, change.occurred_at)
    return StockMovement(change.change_id, variant_id, change.location_id, 0, "counted", change.reference,
                         created_at, change.occurred_at, change.quantity or 0)


def _variant(i: int, change: StockChange, by_sku: dict[str, list[str]], known: dict[str, str]) -> str:
    if change.sku:
        found = by_sku.get(change.sku, [])
        if len(found) != 1:
            problem = "no variant has this SKU" if not found else "more than one variant has this SKU"
            raise ChangeError(f"changes[{i}].sku: {problem}: {change.sku}", index=i, field="sku",
                              code=InventoryErrorCode.UNKNOWN_VARIANT)
        return found[0]
    if change.variant_id not in known:
        raise ChangeError(f"changes[{i}].variant_id: no such variant: {change.variant_id}", index=i,
                          field="variant_id", code=InventoryErrorCode.UNKNOWN_VARIANT)
    return change.variant_id


def stock_lines(conn: Connection, pairs: Sequence[tuple[str, str]], *, now: datetime) -> tuple[StockLine, ...]:
    """On hand, held and available of each (variant id, location id), in the order given."""
    variant_ids = list(dict.fromkeys(v for v, _ in pairs))
    positions = stock_positions(conn, variant_ids, now=now)
    skus = repo.variant_skus(conn, variant_ids)
    lines = []
    for variant_id, location_id in pairs:
        position = positions.get(variant_id, {}).get(location_id)
        lines.append(StockLine(on_hand=position.on_hand if position else 0, held=position.held if position else 0,
                               variant_id=variant_id, sku=skus.get(variant_id, ""), location_id=location_id))
    return tuple(lines)
