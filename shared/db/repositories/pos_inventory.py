"""Store database: what the POS API reads about stock (variants by SKU, counts for reconciliation)."""

from __future__ import annotations

from collections.abc import Sequence

from shared.db import Connection
from shared.models import StockMovement

_MOVEMENT_COLUMNS = "(id, variant_id, location_id, delta, reason, reference, created_at, occurred_at, counted)"
INSERT_ROWS = 100           # rows per INSERT: 900 bound values, under SQLite's oldest limit (999)


def variants_by_sku(conn: Connection, skus: Sequence[str]) -> dict[str, list[str]]:
    """sku -> the ids of the variants with it (more than one: an ambiguous SKU)."""
    out: dict[str, list[str]] = {}
    unique = list(dict.fromkeys(s for s in skus if s))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        for sku, variant_id in conn.all(
                f"SELECT sku, id FROM variants WHERE sku IN ({', '.join('?' * len(chunk))}) ORDER BY id", chunk):
            out.setdefault(sku, []).append(variant_id)
    return out


def variant_skus(conn: Connection, variant_ids: Sequence[str]) -> dict[str, str]:
    """variant id -> its SKU ('' when it has none), for the ids that exist."""
    out: dict[str, str] = {}
    ids = list(dict.fromkeys(variant_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out.update(conn.all(f"SELECT id, sku FROM variants WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
    return out


def counts_page(conn: Connection, *, location_id: str, updated_after: str, after: tuple[str, str] | None,
                limit: int) -> list[tuple[str, str, int, str]]:
    """(variant id, sku, on hand, updated_at) at one location, ordered by (updated_at, variant id), the
    stock whose latest ledger entry was recorded after `updated_after`, after the keyset `after`."""
    sql = ("SELECT variant_id, sku, on_hand, updated_at FROM ("
           " SELECT s.variant_id, v.sku, s.on_hand,"
           "  (SELECT max(m.created_at) FROM stock_movements m"
           "   WHERE m.variant_id = s.variant_id AND m.location_id = s.location_id) AS updated_at"
           " FROM location_stock s JOIN variants v ON v.id = s.variant_id WHERE s.location_id = ?)"
           " WHERE updated_at > ?")
    params: list[object] = [location_id, updated_after]
    if after is not None:
        sql += " AND (updated_at > ? OR (updated_at = ? AND variant_id > ?))"
        params += [after[0], after[0], after[1]]
    sql += " ORDER BY updated_at, variant_id LIMIT ?"
    params.append(limit)
    return [(r[0], r[1], int(r[2]), r[3]) for r in conn.all(sql, params)]


def insert_movements(conn: Connection, movements: Sequence[StockMovement]) -> None:
    """Append ledger rows whose change ids are not recorded yet (the caller checked), in the order given,
    with one INSERT per INSERT_ROWS rows: the ledger's triggers still run per row and in that order, but
    the statement (with every trigger compiled into it) is prepared once, not once per row."""
    for start in range(0, len(movements), INSERT_ROWS):
        chunk = movements[start:start + INSERT_ROWS]
        values = [value for m in chunk for value in (m.id, m.variant_id, m.location_id, m.delta, m.reason,
                                                    m.reference, m.created_at, m.occurred_at or m.created_at,
                                                    m.counted)]
        conn.execute(f"INSERT INTO stock_movements {_MOVEMENT_COLUMNS} VALUES "
                     f"{', '.join(['(?, ?, ?, ?, ?, ?, ?, ?, ?)'] * len(chunk))}", values)
