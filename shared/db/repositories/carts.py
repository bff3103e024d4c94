"""Carts and their lines (cloud-only rows of the live store database), and the catalog facts a cart
shows: each variant's current price, titles, image, weight and collections. Carts are found by the
hash of their token; idle expiry is a comparison with `updated_at` (ISO UTC text that sorts as text)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from shared.db.database import Connection

_CHUNK = 500


@dataclass(frozen=True)
class CartRow:
    """A stored cart."""

    id: str
    token_hash: str
    currency: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class LineRow:
    """A stored cart line: the variant, how many, and what the shopper saw when adding it."""

    id: str
    variant_id: str
    quantity: int
    seen_price: int
    seen_currency: str
    title: str
    position: int
    added_at: str


@dataclass(frozen=True)
class VariantFacts:
    """What the catalog says about a variant now (only for an active product)."""

    variant_id: str
    product_id: str
    handle: str
    product_title: str
    variant_title: str
    sku: str
    price: int
    compare_at: int | None
    currency: str
    weight_grams: int
    image_id: str | None
    collection_ids: tuple[str, ...]


def find_cart(conn: Connection, token_hash: str, *, idle_since: str) -> CartRow | None:
    """The cart with this token hash that was touched after `idle_since`, or None."""
    row = conn.one("SELECT id, token, currency, created_at, updated_at FROM carts WHERE token = ? AND updated_at > ?",
                   (token_hash, idle_since))
    return CartRow(*row) if row else None


def insert_cart(conn: Connection, cart: CartRow) -> None:
    """Create a cart."""
    conn.execute("INSERT INTO carts (id, token, currency, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                 (cart.id, cart.token_hash, cart.currency, cart.created_at, cart.updated_at))


def touch_cart(conn: Connection, cart_id: str, *, now: str) -> None:
    """Mark the cart as used now (its idle time starts again)."""
    conn.execute("UPDATE carts SET updated_at = ? WHERE id = ?", (now, cart_id))


def list_lines(conn: Connection, cart_id: str) -> list[LineRow]:
    """The cart's lines in the order they were added."""
    return [LineRow(*r) for r in conn.all(
        "SELECT id, variant_id, quantity, seen_price, seen_currency, title, position, added_at FROM cart_lines "
        "WHERE cart_id = ? ORDER BY position", (cart_id,))]


def count_lines(conn: Connection, cart_id: str) -> int:
    """How many lines the cart has."""
    return int(conn.scalar("SELECT count(*) FROM cart_lines WHERE cart_id = ?", (cart_id,)))


def insert_line(conn: Connection, cart_id: str, line: LineRow) -> None:
    """Add a line at the end of the cart."""
    conn.execute("INSERT INTO cart_lines (id, cart_id, variant_id, quantity, seen_price, seen_currency, title, "
                 "position, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                 "(SELECT coalesce(max(position), -1) + 1 FROM cart_lines WHERE cart_id = ?), ?)",
                 (line.id, cart_id, line.variant_id, line.quantity, line.seen_price, line.seen_currency, line.title,
                  cart_id, line.added_at))


def set_line_quantity(conn: Connection, cart_id: str, line_id: str, quantity: int) -> None:
    """Change a line's quantity (> 0)."""
    conn.execute("UPDATE cart_lines SET quantity = ? WHERE cart_id = ? AND id = ?", (quantity, cart_id, line_id))


def delete_line(conn: Connection, cart_id: str, line_id: str) -> None:
    """Remove one line."""
    conn.execute("DELETE FROM cart_lines WHERE cart_id = ? AND id = ?", (cart_id, line_id))


def delete_lines(conn: Connection, cart_id: str) -> None:
    """Empty the cart."""
    conn.execute("DELETE FROM cart_lines WHERE cart_id = ?", (cart_id,))


def delete_idle_carts(conn: Connection, *, idle_since: str, limit: int) -> int:
    """Delete up to `limit` carts untouched since `idle_since` (their lines go with them); how many."""
    cursor = conn.execute("DELETE FROM carts WHERE id IN (SELECT id FROM carts WHERE updated_at <= ? "
                          "ORDER BY updated_at LIMIT ?)", (idle_since, limit))
    return int(cursor.rowcount or 0)


def variant_facts(conn: Connection, variant_ids: Sequence[str]) -> dict[str, VariantFacts]:
    """variant id -> its current catalog facts, for variants of active products (a draft or archived
    product's variants are not for sale: they are missing from the answer, like deleted ones)."""
    ids = list(dict.fromkeys(variant_ids))
    rows: list[tuple] = []
    collections: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows += conn.all(
            "SELECT v.id, v.product_id, p.handle, p.title, v.title, v.sku, v.price_amount, v.compare_at_amount, "
            "v.currency, v.weight_grams, (SELECT media_id FROM product_media pm WHERE pm.product_id = p.id "
            "ORDER BY position LIMIT 1) FROM variants v JOIN products p ON p.id = v.product_id "
            f"WHERE v.id IN ({marks}) AND p.status = 'active'", chunk)
    product_ids = list({r[1] for r in rows})
    for start in range(0, len(product_ids), _CHUNK):
        chunk = product_ids[start:start + _CHUNK]
        for product_id, collection_id in conn.all(
                "SELECT product_id, collection_id FROM collection_products "
                f"WHERE product_id IN ({', '.join('?' * len(chunk))}) ORDER BY collection_id", chunk):
            collections[product_id].append(collection_id)
    return {r[0]: VariantFacts(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]), r[7], r[8], int(r[9] or 0), r[10],
                               tuple(collections.get(r[1], ()))) for r in rows}
