"""Properties of the ledger and the holds, against a plain Python model, on real libSQL files:
- on hand = the latest count + the movements after it, whatever order the changes arrive in, and the
  storefront's summaries agree;
- available = on hand - active holds per variant and location, never below zero when stock is only
  taken through holds; a hold is granted exactly when the model says the units are free."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inventory.helpers import T0, make_locations, make_product, receive
from shared.db import Database, connect
from shared.db.repositories import inventory as repo
from shared.db.stamps import new_id
from shared.inventory import (
    InventoryError, InventoryErrorCode, LocationPolicy, check_holds, commit_holds, extend_holds, hold_stock,
    purge_expired_holds, record_count, record_movement, release_holds, stock_positions,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MIN = timedelta(minutes=1)


class Fresh:
    """A fresh store database with a two-variant product and two locations, per example."""

    def __enter__(self) -> tuple[Database, list[str], list[str]]:
        self._dir = tempfile.TemporaryDirectory()
        self.db = connect(Path(self._dir.name) / "store.db")
        return self.db, make_product(self.db), list(make_locations(self.db))

    def __exit__(self, *exc) -> None:
        self.db.close()
        self._dir.cleanup()


# --- the ledger -----------------------------------------------------------------------------------

changes = st.lists(st.tuples(st.sampled_from(["move", "count"]), st.integers(0, 1), st.integers(0, 1),
                             st.integers(-5, 12), st.integers(0, 30)), max_size=25)


def expected_on_hand(log: list[tuple[str, int, int, int, int]]) -> dict[tuple[int, int], int]:
    """Square's rule over the changes in arrival order: latest count by time (the later arrival on a
    tie) plus the movements strictly after it."""
    out = {}
    for key in {(v, loc) for _, v, loc, _, _ in log}:
        mine = [(kind, value, minute) for kind, v, loc, value, minute in log if (v, loc) == key]
        counts = [(minute, order, value) for order, (kind, value, minute) in enumerate(mine) if kind == "count"]
        if counts:
            minute, _, value = max(counts)
            out[key] = value + sum(d for kind, d, m in mine if kind == "move" and m > minute)
        else:
            out[key] = sum(d for kind, d, _ in mine if kind == "move")
    return out


@SETTINGS
@given(changes)
def test_on_hand_is_the_latest_count_plus_later_movements_in_any_arrival_order(log):
    with Fresh() as (db, variants, locations):
        applied = []
        for kind, v, loc, value, minute in log:
            when = T0 + minute * MIN
            if kind == "count":
                value = abs(value)
                db.write(lambda conn: record_count(conn, change_id=new_id(), variant_id=variants[v],
                                                   location_id=locations[loc], quantity=value, occurred_at=when,
                                                   now=T0))
            elif value == 0:
                continue
            else:
                db.write(lambda conn: record_movement(conn, change_id=new_id(), variant_id=variants[v],
                                                      location_id=locations[loc], delta=value, reason="adjusted",
                                                      occurred_at=when, now=T0))
            applied.append((kind, v, loc, value, minute))
        levels = db.read(lambda conn: repo.stock_levels(conn, variants))
        got = {(v, loc): levels[variants[v]][locations[loc]]
               for v in range(2) for loc in range(2) if locations[loc] in levels.get(variants[v], {})}
        assert got == expected_on_hand(applied)
        per_variant = dict(db.read(lambda conn: conn.all("SELECT variant_id, on_hand FROM variant_stock")))
        for v in range(2):
            assert per_variant.get(variants[v], 0) == sum(n for (vv, _), n in got.items() if vv == v)
        flag = db.read(lambda conn: conn.scalar("SELECT available FROM product_summary ps JOIN variants v "
                                                "ON v.product_id = ps.product_id WHERE v.id = ?", (variants[0],)))
        assert flag == int(any(per_variant.get(vid, 0) > 0 for vid in variants))


# --- holds ----------------------------------------------------------------------------------------

group_ids = st.sampled_from(["g0", "g1", "g2", "g3"])
policies = st.sampled_from(["at0", "at1", "first"])
actions = st.one_of(
    st.tuples(st.just("hold"), group_ids,
              st.lists(st.tuples(st.integers(0, 1), st.integers(1, 3)), min_size=1, max_size=3),
              policies, st.integers(1, 5)),
    st.tuples(st.just("release"), group_ids),
    st.tuples(st.just("extend"), group_ids, st.integers(1, 5)),
    st.tuples(st.just("pay"), group_ids, st.integers(1, 5)),
    st.tuples(st.just("wait"), st.integers(0, 5)),      # small steps, so instants meet expiries exactly
    st.tuples(st.just("purge"), st.integers(0, 3)),
)


class Model:
    """What the database should say: on hand per (variant, location) and each group's holds."""

    def __init__(self, stock: dict[tuple[str, str], int]):
        self.on_hand = dict(stock)
        self.holds: dict[str, dict[tuple[str, str], tuple[int, object]]] = {}

    def held(self, key, now, *, besides: str | None = None) -> int:
        return sum(q for g, lines in self.holds.items() if g != besides
                   for k, (q, exp) in lines.items() if k == key and exp > now)

    def free(self, key, now, *, besides: str | None = None) -> int:
        return self.on_hand.get(key, 0) - self.held(key, now, besides=besides)


def check_positions(db: Database, model: Model, variants, locations, now) -> None:
    positions = db.read(lambda conn: stock_positions(conn, variants, now=now))
    for v in variants:
        for loc in locations:
            position = positions[v].get(loc)
            got = position.available if position else 0
            assert got == model.free((v, loc), now)
            assert got >= 0


@SETTINGS
@given(st.lists(st.integers(0, 4), min_size=4, max_size=4), st.lists(actions, max_size=30))
@example([1, 0, 0, 0], [("hold", "g0", [(0, 1)], "at0", 3), ("wait", 3), ("hold", "g1", [(0, 1)], "first", 1)])
@example([2, 0, 0, 0], [("hold", "g0", [(0, 2)], "at0", 2), ("wait", 2), ("hold", "g1", [(0, 1)], "at0", 5),
                        ("pay", "g0", 5), ("release", "g1"), ("pay", "g0", 5)])
def test_available_is_on_hand_minus_active_holds_and_never_negative(stock, script):
    with Fresh() as (db, variants, locations):
        keys = [(v, loc) for v in variants for loc in locations]
        for (v, loc), n in zip(keys, stock):
            if n:
                receive(db, v, loc, n)
        model, now = Model({k: n for k, n in zip(keys, stock)}), T0
        for action in script:
            now = run(db, model, action, now, variants, locations)
            check_positions(db, model, variants, locations, now)


def run(db: Database, model: Model, action: tuple, now, variants, locations):
    """Apply one action to the database and the model; returns the new now."""
    kind, *args = action
    if kind == "wait":
        return now + args[0] * MIN
    if kind == "purge":
        deleted = db.write(lambda conn: purge_expired_holds(conn, now, grace=args[0] * MIN))
        cutoff = now - args[0] * MIN
        gone = [(g, k) for g, lines in model.holds.items() for k, (_, exp) in lines.items() if exp <= cutoff]
        assert deleted == len(gone)
        for g, k in gone:
            del model.holds[g][k]
        return now
    group = args[0]
    if kind == "release":
        db.write(lambda conn: release_holds(conn, group_id=group))
        model.holds.pop(group, None)
    elif kind == "hold":
        hold(db, model, group, args[1], args[2], args[3], now, variants, locations)
    elif kind == "extend" and model.holds.get(group):
        db.write(lambda conn: extend_holds(conn, group_id=group, now=now, ttl=args[1] * MIN))
        model.holds[group] = {k: (q, max(exp, now + args[1] * MIN) if exp > now else exp)
                              for k, (q, exp) in model.holds[group].items()}
    elif kind == "pay" and model.holds.get(group):
        pay(db, model, group, args[1] * MIN, now)
    return now


def hold(db, model, group, raw_lines, policy, ttl, now, variants, locations) -> None:
    wanted: dict[str, int] = {}
    for v, q in raw_lines:
        wanted[variants[v]] = wanted.get(variants[v], 0) + q
    candidates = {"at0": [locations[0]], "at1": [locations[1]], "first": locations}[policy]
    chosen = LocationPolicy.first_with_stock() if policy == "first" else LocationPolicy.at(candidates[0])
    fits = all(any(model.free((v, loc), now, besides=group) >= q for loc in candidates) for v, q in wanted.items())
    try:
        result = db.write(lambda conn: hold_stock(conn, group_id=group, lines=[(variants[v], q) for v, q in raw_lines],
                                                  location_policy=chosen, now=now, ttl=ttl * MIN))
    except InventoryError as exc:
        assert exc.code == InventoryErrorCode.OUT_OF_STOCK and not fits
        assert {s.variant_id for s in exc.shortages} == {
            v for v, q in wanted.items() if all(model.free((v, loc), now, besides=group) < q for loc in candidates)}
        return
    assert fits
    assert {line.variant_id: line.quantity for line in result.lines} == wanted
    for line in result.lines:
        assert line.location_id in candidates
        assert model.free((line.variant_id, line.location_id), now, besides=group) >= line.quantity
    model.holds[group] = {(line.variant_id, line.location_id): (line.quantity, now + ttl * MIN)
                          for line in result.lines}


def pay(db, model, group, ttl, now) -> None:
    """Check, then commit only if the check passed (what the checkout does before charging)."""
    check = db.write(lambda conn: check_holds(conn, group_id=group, now=now, ttl=ttl))
    lines = model.holds[group]
    ok = all(model.free(k, now, besides=group) >= q for k, (q, _) in lines.items())
    assert check.ok == ok
    if not ok:
        return
    db.write(lambda conn: commit_holds(conn, group_id=group, reference=f"order-{group}-{new_id()}", now=now))
    for key, (q, _) in lines.items():
        model.on_hand[key] -= q
    del model.holds[group]
