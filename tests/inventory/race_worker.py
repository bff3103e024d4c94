"""One shopper process of the race test: opens the store file itself (after spawn, never inherited),
then, round by round, waits for every other shopper and tries to hold the round's last unit."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from shared.db import DatabaseBusyError, connect
from shared.inventory import InventoryError, LocationPolicy, commit_holds, hold_stock, stock_positions


def contend(path: str, location_id: str, variant_ids: list[str], worker: int, barrier: Any, results: Any) -> None:
    """For each round: barrier, one hold attempt, then report (round, worker, outcome, the lowest
    available seen for that variant, seconds the write took)."""
    db = connect(path)
    try:
        for round_no, variant_id in enumerate(variant_ids):
            barrier.wait(timeout=300)
            started = time.monotonic()
            try:
                db.write(lambda conn, v=variant_id, r=round_no: hold_stock(
                    conn, group_id=f"shopper-{worker}-round-{r}", lines=[(v, 1)],
                    location_policy=LocationPolicy.at(location_id), now=datetime.now(UTC)))
                outcome = "held"
            except InventoryError as exc:
                outcome = str(exc.code)
            except DatabaseBusyError:
                outcome = "busy"
            took = time.monotonic() - started
            positions = db.read(lambda conn, v=variant_id: stock_positions(conn, [v], now=datetime.now(UTC)))
            lowest = min((p.available for p in positions[variant_id].values()), default=0)
            results.put((round_no, worker, outcome, lowest, took))
    finally:
        db.close()


def finalize(path: str, group_id: str, reference: str, barrier: Any, results: Any) -> None:
    """One path that learned of the payment (redirect, webhook, retry): commit the group's holds."""
    db = connect(path)
    try:
        barrier.wait(timeout=300)
        result = db.write(lambda conn: commit_holds(conn, group_id=group_id, reference=reference,
                                                    now=datetime.now(UTC)))
        results.put(len(result.movements))
    finally:
        db.close()
