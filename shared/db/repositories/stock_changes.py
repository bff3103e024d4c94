"""The store's stock change sequence (migration 0030): what live availability reads."""

from __future__ import annotations

from collections.abc import Sequence

from shared.db import Connection


def latest_seq(conn: Connection) -> int:
    """The newest stock change's number (0 before any)."""
    return int(conn.scalar("SELECT max(seq) FROM stock_changes") or 0)


def oldest_seq(conn: Connection) -> int:
    """The oldest stock change still kept (0 when none is)."""
    return int(conn.scalar("SELECT min(seq) FROM stock_changes") or 0)


def changes_between(conn: Connection, after: int, upto: int) -> list[tuple[int, str, int]]:
    """(seq, variant id, on hand) of the changes numbered after `after` up to `upto`, oldest first."""
    return [(int(seq), variant_id, int(on_hand)) for seq, variant_id, on_hand in conn.all(
        "SELECT seq, variant_id, on_hand FROM stock_changes WHERE seq > ? AND seq <= ? ORDER BY seq",
        (after, upto))]


def product_variants_on_hand(conn: Connection, product_ids: Sequence[str]) -> dict[str, int]:
    """variant id -> on hand summed over locations (0 when never stocked), for every variant of
    these products: the figure the storefront's pages show availability from."""
    if not product_ids:
        return {}
    marks = ", ".join("?" for _ in product_ids)
    return {variant_id: int(on_hand) for variant_id, on_hand in conn.all(
        f"SELECT v.id, coalesce(s.on_hand, 0) FROM variants v LEFT JOIN variant_stock s ON s.variant_id = v.id "
        f"WHERE v.product_id IN ({marks})", list(product_ids))}
