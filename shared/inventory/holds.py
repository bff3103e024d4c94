"""Stock holds: a checkout's units set aside for a while, so that two shoppers can never buy the last unit.

Every function takes the connection of a `db.write(fn)` transaction and must run inside one: BEGIN
IMMEDIATE makes the check ("is it free?") and the take ("hold it") one step that no other writer, in
this process or another one on the same file, can come between. Expiry needs no cron: a hold counts
while `expires_at > now`; `purge_expired_holds` only tidies rows long expired.

Available = on hand (the ledger) - units held by other groups' active holds, per variant and location.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from shared.db import Connection
from shared.db.repositories import inventory as repo
from shared.db.repositories.inventory import HoldRow
from shared.db.stamps import new_id
from shared.inventory.errors import InventoryError, InventoryErrorCode, Shortage
from shared.inventory.models import (
    CommitResult, HeldLine, HoldCheck, HoldGroup, LocationPolicy, StockPosition, parse_stamp, stamp,
)
from shared.models import StockMovement

DEFAULT_TTL = timedelta(minutes=10)      # the store setting's default (issue 11, section 3)
MAX_TTL = timedelta(days=1)
# Expired holds are kept this long before purging, so a late payment can still commit its group.
PURGE_GRACE = timedelta(days=1)
MAX_LINES = 1000                         # distinct variants one hold may name
MAX_QUANTITY = 1_000_000
_CHANGE_IDS = uuid.UUID("6f1d3c52-2b0e-4c55-9a55-1d7a5b0e7c11")    # namespace of commit change ids

Free = dict[str, dict[str, int]]         # variant id -> location id -> units free to hold


def hold_stock(conn: Connection, *, group_id: str, lines: Iterable[tuple[str, int]],
               location_policy: LocationPolicy, now: datetime, ttl: timedelta = DEFAULT_TTL) -> HoldGroup:
    """Hold every line for the group until now + ttl, or nothing: raises InventoryError(OUT_OF_STOCK)
    whose `shortages` name each short line with what one location could still give (and
    UNKNOWN_VARIANT, UNKNOWN_LOCATION, INVALID). Holding a group again replaces its holds (the cart
    changed) and renews the expiry; a refused re-hold leaves the group's earlier holds as they were.
    Lines naming a variant twice are added up."""
    _check_group(group_id)
    wanted = _merge_lines(lines)
    now_text, expires = stamp(now, field="now"), stamp(now + _check_ttl(ttl))
    with conn.savepoint("hold_stock"):
        unknown = sorted(set(wanted) - repo.existing_variants(conn, list(wanted)))
        if unknown:
            raise InventoryError(InventoryErrorCode.UNKNOWN_VARIANT, f"no such variant: {', '.join(unknown)}",
                                 variant_ids=tuple(unknown))
        candidates = _candidate_locations(conn, location_policy)
        free = _free_units(conn, list(wanted), now=now_text, exclude_group=group_id)
        plan, shortages = _plan(wanted, candidates, free)
        if shortages:
            raise out_of_stock(shortages)
        repo.delete_group_holds(conn, group_id)
        for (variant_id, location_id), quantity in plan.items():
            repo.insert_hold(conn, HoldRow(new_id(), group_id, variant_id, location_id, quantity, expires, now_text))
    return read_holds(conn, group_id=group_id, now=now)


def extend_holds(conn: Connection, *, group_id: str, now: datetime, ttl: timedelta = DEFAULT_TTL) -> HoldGroup:
    """Keep the group's active holds until at least now + ttl (the shopper is still at it). Lapsed
    holds stay lapsed: their units may be someone else's by now (hold_stock or check_holds takes
    them again if they are free). Raises InventoryError(NO_HOLDS) when the group holds nothing."""
    _check_group(group_id)
    now_text, expires = stamp(now, field="now"), stamp(now + _check_ttl(ttl))
    repo.extend_active_holds(conn, group_id, now=now_text, expires_at=expires)
    group = read_holds(conn, group_id=group_id, now=now)
    if not group.lines:
        raise InventoryError(InventoryErrorCode.NO_HOLDS, "this checkout holds no stock")
    return group


def release_holds(conn: Connection, *, group_id: str) -> int:
    """Give the group's units back at once (cart emptied, payment failed); returns how many holds
    there were. Releasing a group that holds nothing is not an error."""
    _check_group(group_id)
    return repo.delete_group_holds(conn, group_id)


def check_holds(conn: Connection, *, group_id: str, now: datetime, ttl: timedelta = DEFAULT_TTL) -> HoldCheck:
    """Before charging: are the units of every line still there beside every other active hold? An
    active hold always is, unless stock left outside holds (a POS sale, a lower count); a lapsed one
    is when nobody took its units meanwhile. When so, every hold is renewed to at least now + ttl (the
    payment's window) and `ok` is True; otherwise nothing changes and `shortages` name the lines that
    ran out. Raises InventoryError(NO_HOLDS) when the group holds nothing (released or purged: hold
    the cart again)."""
    _check_group(group_id)
    now_text, expires = stamp(now, field="now"), stamp(now + _check_ttl(ttl))
    rows = repo.group_holds(conn, group_id)
    if not rows:
        raise InventoryError(InventoryErrorCode.NO_HOLDS, "this checkout holds no stock")
    free = _free_units(conn, [row.variant_id for row in rows], now=now_text, exclude_group=group_id)
    left = {(row.variant_id, row.location_id): free.get(row.variant_id, {}).get(row.location_id, 0) for row in rows}
    shortages = tuple(Shortage(row.variant_id, row.quantity, max(0, left[row.variant_id, row.location_id]))
                      for row in rows if left[row.variant_id, row.location_id] < row.quantity)
    if not shortages:
        for row in rows:
            if row.expires_at < expires:
                repo.set_hold_expiry(conn, row.id, expires)
    group = read_holds(conn, group_id=group_id, now=now)
    return HoldCheck(group_id, not shortages, group.lines, shortages, group.expires_at)


def commit_holds(conn: Connection, *, group_id: str, reference: str, now: datetime) -> CommitResult:
    """The sale: turn the group's holds (lapsed ones too: the payment was taken) into negative
    'sold' movements with this reference, and delete the holds, in the caller's transaction.
    Idempotent: each movement's change id is derived from group, reference, variant and location,
    so a second call records nothing more and returns an empty result. Raises InventoryError(NO_HOLDS)
    when the group holds nothing and this reference has no sale in the ledger."""
    _check_group(group_id)
    if not isinstance(reference, str) or not reference.strip():
        raise InventoryError(InventoryErrorCode.INVALID, "a sale needs a reference (the order)")
    now_text = stamp(now, field="now")
    rows = repo.group_holds(conn, group_id)
    if not rows:
        if repo.reference_has_movements(conn, reference, "sold"):
            return CommitResult(group_id, reference, ())
        raise InventoryError(InventoryErrorCode.NO_HOLDS, "this checkout holds no stock to commit")
    recorded = []
    for row in rows:
        movement = StockMovement(sale_change_id(group_id, reference, row.variant_id, row.location_id), row.variant_id,
                                 row.location_id, -row.quantity, "sold", reference, now_text, now_text)
        if repo.insert_movement(conn, movement):
            recorded.append(movement)
    repo.delete_group_holds(conn, group_id)
    return CommitResult(group_id, reference, tuple(recorded))


def read_holds(conn: Connection, *, group_id: str, now: datetime) -> HoldGroup:
    """The group's holds as they stand at `now` (an empty group when it holds nothing)."""
    now_text = stamp(now, field="now")
    lines = tuple(HeldLine(r.variant_id, r.location_id, r.quantity, parse_stamp(r.expires_at), r.expires_at > now_text)
                  for r in repo.group_holds(conn, group_id))
    active = [line.expires_at for line in lines if line.active]
    return HoldGroup(group_id, lines, min(active) if active else None)


def purge_expired_holds(conn: Connection, now: datetime, *, grace: timedelta = PURGE_GRACE) -> int:
    """Delete holds that expired more than `grace` before now (the background task's tidy-up; a
    lapsed hold already counts for nothing). Returns how many were deleted."""
    if grace < timedelta(0):
        raise InventoryError(InventoryErrorCode.INVALID, "grace cannot be negative")
    return repo.delete_holds_expired_before(conn, stamp(now - grace, field="now"))


def stock_positions(conn: Connection, variant_ids: Sequence[str], *, now: datetime, location_id: str | None = None,
                    exclude_group: str | None = None) -> dict[str, dict[str, StockPosition]]:
    """variant id -> location id -> on hand and held at `now` (only locations with stock or holds;
    one location when location_id is given; leaving out the holds of `exclude_group`, the asker's own)."""
    ids = list(dict.fromkeys(variant_ids))
    levels = repo.stock_levels(conn, ids)
    held = repo.held_quantities(conn, ids, now=stamp(now, field="now"), exclude_group=exclude_group)
    out: dict[str, dict[str, StockPosition]] = {}
    for variant_id in ids:
        stocked, taken = levels.get(variant_id, {}), held.get(variant_id, {})
        out[variant_id] = {loc: StockPosition(stocked.get(loc, 0), taken.get(loc, 0))
                           for loc in dict.fromkeys([*stocked, *taken]) if location_id is None or loc == location_id}
    return out


def available(conn: Connection, variant_ids: Sequence[str], *, now: datetime, location_id: str | None = None,
              exclude_group: str | None = None) -> dict[str, int]:
    """variant id -> units a shopper can still hold: on hand minus active holds (but those of
    `exclude_group`: a cart's own hold is still its shopper's), per location never below zero,
    summed over locations (or at one). Every asked id is in the answer."""
    positions = stock_positions(conn, variant_ids, now=now, location_id=location_id, exclude_group=exclude_group)
    return {variant_id: sum(max(0, p.available) for p in at.values()) for variant_id, at in positions.items()}


def out_of_stock(shortages: Sequence[Shortage]) -> InventoryError:
    """The OUT_OF_STOCK error naming each short line."""
    names = ", ".join(f"{s.variant_id} ({s.available} of {s.requested} available)" for s in shortages)
    return InventoryError(InventoryErrorCode.OUT_OF_STOCK, f"not enough stock: {names}", shortages=tuple(shortages))


def sale_change_id(group_id: str, reference: str, variant_id: str, location_id: str) -> str:
    """The change id of one line of a committed sale: the same inputs always give the same UUID."""
    return str(uuid.uuid5(_CHANGE_IDS, "\x1f".join((group_id, reference, variant_id, location_id))))


# --- planning -------------------------------------------------------------------------------------

def _plan(wanted: Mapping[str, int], candidates: Sequence[str],
          free: Free) -> tuple[dict[tuple[str, str], int], list[Shortage]]:
    """Where each line is held: the whole cart at the first location that can fill it, else each line
    at the first location that can fill it; the lines no location can fill are the shortages (with
    the most any one candidate location could give)."""
    def units(variant_id: str, location_id: str) -> int:
        return free.get(variant_id, {}).get(location_id, 0)

    for location_id in candidates:
        if all(units(v, location_id) >= q for v, q in wanted.items()):
            return {(v, location_id): q for v, q in wanted.items()}, []
    plan: dict[tuple[str, str], int] = {}
    shortages = []
    for variant_id, quantity in wanted.items():
        where = next((loc for loc in candidates if units(variant_id, loc) >= quantity), None)
        if where is None:
            best = max((units(variant_id, loc) for loc in candidates), default=0)
            shortages.append(Shortage(variant_id, quantity, max(0, best)))
        else:
            plan[(variant_id, where)] = quantity
    return plan, shortages


def _candidate_locations(conn: Connection, policy: LocationPolicy) -> list[str]:
    if not isinstance(policy, LocationPolicy):
        raise InventoryError(InventoryErrorCode.INVALID, "location_policy must be a LocationPolicy")
    if policy.location_id is not None:
        if not repo.location_exists(conn, policy.location_id):
            raise InventoryError(InventoryErrorCode.UNKNOWN_LOCATION, f"no such location: {policy.location_id}")
        return [policy.location_id]
    known = [location.id for location in repo.list_locations(conn)]
    first = [loc for loc in dict.fromkeys(policy.order) if loc in known]
    return first + [loc for loc in known if loc not in first]


def _free_units(conn: Connection, variant_ids: Sequence[str], *, now: str, exclude_group: str) -> Free:
    levels = repo.stock_levels(conn, variant_ids)
    held = repo.held_quantities(conn, variant_ids, now=now, exclude_group=exclude_group)
    free: Free = defaultdict(dict)
    for variant_id, at in levels.items():
        for location_id, on_hand in at.items():
            free[variant_id][location_id] = on_hand - held.get(variant_id, {}).get(location_id, 0)
    return free


def _merge_lines(lines: Iterable[tuple[str, int]]) -> dict[str, int]:
    wanted: dict[str, int] = {}
    try:
        pairs = list(lines)
    except TypeError:
        raise InventoryError(InventoryErrorCode.INVALID, "lines must be (variant id, quantity) pairs") from None
    for pair in pairs:
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise InventoryError(InventoryErrorCode.INVALID, "lines must be (variant id, quantity) pairs")
        variant_id, quantity = pair
        if not isinstance(variant_id, str) or not variant_id:
            raise InventoryError(InventoryErrorCode.INVALID, "a line needs a variant id")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise InventoryError(InventoryErrorCode.INVALID, f"quantity must be a positive whole number: {quantity!r}")
        wanted[variant_id] = wanted.get(variant_id, 0) + quantity
        if wanted[variant_id] > MAX_QUANTITY:
            raise InventoryError(InventoryErrorCode.INVALID, f"quantity over {MAX_QUANTITY}")
    if not wanted:
        raise InventoryError(InventoryErrorCode.INVALID, "nothing to hold")
    if len(wanted) > MAX_LINES:
        raise InventoryError(InventoryErrorCode.INVALID, f"more than {MAX_LINES} lines")
    return wanted


def _check_ttl(ttl: timedelta) -> timedelta:
    if not isinstance(ttl, timedelta) or not timedelta(0) < ttl <= MAX_TTL:
        raise InventoryError(InventoryErrorCode.INVALID, f"ttl must be more than 0 and at most {MAX_TTL}")
    return ttl


def _check_group(group_id: str) -> None:
    if not isinstance(group_id, str) or not group_id.strip() or len(group_id) > 200:
        raise InventoryError(InventoryErrorCode.INVALID, "a hold group id is 1 to 200 characters")
