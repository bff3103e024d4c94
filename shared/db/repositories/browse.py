"""Browsing the catalogue: collection filters and facets, sorting, pagination, and FTS5 search."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.db.database import Connection

SORTS = {
    "manual": "cp_position, p.title COLLATE NOCASE",
    "newest": "p.created_at DESC",
    "price-asc": "ps.min_price, p.title COLLATE NOCASE",
    "price-desc": "ps.min_price DESC, p.title COLLATE NOCASE",
    "title": "p.title COLLATE NOCASE",
}
# The option value a variant has for the option at `o.position` (options are stored per product).
_OPTION_VALUE = "CASE o.position WHEN 0 THEN v.option1 WHEN 1 THEN v.option2 ELSE v.option3 END"
# product_summary (migration 0004) keeps the price range and stock flag per product, by trigger.
_IN_STOCK = "ps.available = 1"


@dataclass(frozen=True)
class ProductFilter:
    """What a shopper narrowed a listing to (prices in minor units)."""

    price_from: int | None = None
    price_to: int | None = None
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    in_stock_only: bool = False


@dataclass(frozen=True)
class Listing:
    """One page of product ids and the total that matched."""

    product_ids: list[str]
    total: int


def _scope(collection_id: str | None) -> tuple[str, list[object]]:
    summary = "JOIN product_summary ps ON ps.product_id = p.id"
    if collection_id is None:
        return f"FROM products p {summary} WHERE p.status = 'active'", []
    return (f"FROM collection_products cp JOIN products p ON p.id = cp.product_id {summary} "
            "WHERE p.status = 'active' AND cp.collection_id = ?", [collection_id])


def _where(flt: ProductFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if flt.price_from is not None or flt.price_to is not None:
        # Some variant in range: cheap to rule out by the product's price range first.
        low, high = flt.price_from or 0, flt.price_to if flt.price_to is not None else 2**62
        clauses.append("ps.max_price >= ? AND ps.min_price <= ? AND EXISTS (SELECT 1 FROM variants v "
                       "WHERE v.product_id = p.id AND v.price_amount >= ? AND v.price_amount <= ?)")
        params += [low, high, low, high]
    for name, values in sorted(flt.options.items()):
        marks = ", ".join("?" * len(values))
        clauses.append("EXISTS (SELECT 1 FROM variants v JOIN product_options o ON o.product_id = v.product_id "
                       f"AND o.name = ? WHERE v.product_id = p.id AND {_OPTION_VALUE} IN ({marks}))")
        params += [name, *values]
    if flt.tags:
        marks = ", ".join("?" * len(flt.tags))
        clauses.append(f"EXISTS (SELECT 1 FROM json_each(p.tags) t WHERE t.value IN ({marks}))")
        params += list(flt.tags)
    if flt.in_stock_only:
        clauses.append(_IN_STOCK)
    return "".join(f" AND {c}" for c in clauses), params


def list_products(conn: Connection, *, collection_id: str | None, flt: ProductFilter, sort: str,
                  limit: int, offset: int) -> Listing:
    """Active products of a collection (or the whole store), filtered, sorted, one page of them."""
    scope, params = _scope(collection_id)
    where, where_params = _where(flt)
    order = SORTS.get(sort, SORTS["newest"])
    if collection_id is None and sort == "manual":
        order = SORTS["newest"]
    position = "cp.position" if collection_id is not None else "0"
    total = int(conn.scalar(f"SELECT count(*) {scope}{where}", [*params, *where_params]))
    rows = conn.all(f"SELECT p.id, {position} AS cp_position {scope}{where} ORDER BY {order}, p.id LIMIT ? OFFSET ?",
                    [*params, *where_params, limit, offset])
    return Listing([r[0] for r in rows], total)


def price_bounds(conn: Connection, *, collection_id: str | None) -> tuple[int, int] | None:
    """The lowest and highest variant price in a listing's scope."""
    scope, params = _scope(collection_id)
    row = conn.one(f"SELECT min(ps.min_price), max(ps.max_price) {scope}", params)
    return None if row is None or row[0] is None else (int(row[0]), int(row[1]))


def option_facets(conn: Connection, *, collection_id: str | None) -> dict[str, dict[str, int]]:
    """Option name -> value -> how many products in scope have a variant with it."""
    scope, params = _scope(collection_id)
    joins = "JOIN product_options o ON o.product_id = p.id JOIN variants v ON v.product_id = p.id"
    rows = conn.all(
        f"SELECT o.name, {_OPTION_VALUE} AS value, count(DISTINCT p.id) {scope.replace(' WHERE ', f' {joins} WHERE ', 1)} "
        "GROUP BY o.name, value HAVING value IS NOT NULL ORDER BY o.name, min(o.position), value", params)
    out: dict[str, dict[str, int]] = {}
    for name, value, count in rows:
        out.setdefault(name, {})[value] = count
    return out


def tag_facets(conn: Connection, *, collection_id: str | None) -> dict[str, int]:
    """Tag -> how many products in scope carry it."""
    scope, params = _scope(collection_id)
    rows = conn.all(f"SELECT t.value, count(*) {scope.replace(' WHERE ', ' JOIN json_each(p.tags) t WHERE ', 1)} "
                    "GROUP BY t.value ORDER BY t.value", params)
    return {r[0]: r[1] for r in rows}


def search_products(conn: Connection, *, match: str, limit: int, offset: int) -> Listing:
    """Products matching an FTS5 query, best first (BM25, title weighted highest)."""
    total = int(conn.scalar("SELECT count(*) FROM products_fts WHERE products_fts MATCH ?", (match,)))
    rows = conn.all(
        "SELECT p.id FROM products_fts f JOIN products p ON p.rowid = f.rowid "
        "WHERE products_fts MATCH ? AND p.status = 'active' "
        "ORDER BY bm25(products_fts, 10.0, 2.0, 3.0, 2.0, 1.0), p.id LIMIT ? OFFSET ?", (match, limit, offset))
    return Listing([r[0] for r in rows], total)


def known_terms(conn: Connection, *, prefix: str, limit: int = 5000) -> list[str]:
    """Indexed search terms starting with `prefix` (for typo-tolerant suggestions)."""
    return [r[0] for r in conn.all("SELECT term FROM products_fts_terms WHERE term >= ? AND term < ? LIMIT ?",
                                   (prefix, prefix + "\uffff", limit))]
