"""Product vectors and nearest-neighbour queries through libSQL's vector index."""

from __future__ import annotations

from shared.db.database import Connection


def product_texts(conn: Connection, *, limit: int) -> list[tuple[str, str, str, str, str, str, str | None]]:
    """(id, title, product_type, vendor, tags JSON, description, current source hash) of active products
    whose vector is missing or may be stale (all active products, the caller compares hashes)."""
    return conn.all(
        "SELECT p.id, p.title, p.product_type, p.vendor, p.tags, p.description_html, v.source_hash "
        "FROM products p LEFT JOIN product_vectors v ON v.product_id = p.id WHERE p.status = 'active' "
        "ORDER BY p.id LIMIT ?", (limit,))


def save_vector(conn: Connection, *, product_id: str, embedding: bytes, source_hash: str) -> None:
    """Store a product's vector (float32 little-endian bytes)."""
    conn.execute("INSERT INTO product_vectors (product_id, embedding, source_hash) VALUES (?, ?, ?) "
                 "ON CONFLICT (product_id) DO UPDATE SET embedding = excluded.embedding, "
                 "source_hash = excluded.source_hash", (product_id, embedding, source_hash))


def related_ids(conn: Connection, *, product_id: str, limit: int) -> list[str]:
    """The active products nearest to this one (cosine), nearest first, itself left out."""
    row = conn.one("SELECT embedding FROM product_vectors WHERE product_id = ?", (product_id,))
    if row is None:
        return []
    # The index is approximate and returns candidates unordered: take a few more, order by distance.
    rows = conn.all(
        "SELECT pv.product_id FROM vector_top_k('product_vectors_index', ?, ?) k "
        "JOIN product_vectors pv ON pv.rowid = k.id JOIN products p ON p.id = pv.product_id "
        "WHERE pv.product_id <> ? AND p.status = 'active' "
        "ORDER BY vector_distance_cos(pv.embedding, ?), pv.product_id", (row[0], limit * 3 + 1, product_id, row[0]))
    return [r[0] for r in rows][:limit]


def same_type_ids(conn: Connection, *, product_id: str, limit: int) -> list[str]:
    """A fallback: other active products of the same type, newest first."""
    return [r[0] for r in conn.all(
        "SELECT p.id FROM products p WHERE p.status = 'active' AND p.id <> ? AND p.product_type = "
        "(SELECT product_type FROM products WHERE id = ?) ORDER BY p.created_at DESC LIMIT ?",
        (product_id, product_id, limit))]
