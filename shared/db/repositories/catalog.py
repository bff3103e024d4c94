"""Products (with options, variants and media order) and collections."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence

from shared.db.database import Connection
from shared.models import Collection, Money, Product, ProductOption, Variant

_PRODUCT_COLS = "id, handle, title, description_html, vendor, product_type, tags, status, created_at, updated_at"
_VARIANT_COLS = ("id, product_id, title, sku, price_amount, compare_at_amount, currency, option1, option2, option3, "
                 "position")
_COLLECTION_COLS = "id, handle, title, description, image_id, sort_order, position, created_at, updated_at"
_SORTS = {
    "manual": "cp.position",
    "newest": "p.created_at DESC",
    "title": "p.title COLLATE NOCASE",
    "price-asc": "(SELECT min(price_amount) FROM variants v WHERE v.product_id = p.id)",
    "price-desc": "(SELECT min(price_amount) FROM variants v WHERE v.product_id = p.id) DESC",
}


def insert_product(conn: Connection, product: Product) -> None:
    """Add a product with its options, variants and media order."""
    conn.execute(f"INSERT INTO products ({_PRODUCT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (product.id, product.handle, product.title, product.description_html, product.vendor,
                  product.product_type, json.dumps(list(product.tags)), product.status, product.created_at,
                  product.updated_at))
    for option in product.options:
        conn.execute('INSERT INTO product_options (id, product_id, name, position, "values") VALUES (?, ?, ?, ?, ?)',
                     (option.id, product.id, option.name, option.position, json.dumps(list(option.values))))
    for v in product.variants:
        compare = v.compare_at_price.amount if v.compare_at_price else None
        conn.execute(f"INSERT INTO variants ({_VARIANT_COLS}, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (v.id, product.id, v.title, v.sku, v.price.amount, compare, v.price.currency, *v.options,
                      v.position, product.created_at, product.updated_at))
    for position, media_id in enumerate(product.media_ids):
        conn.execute("INSERT INTO product_media (product_id, media_id, position) VALUES (?, ?, ?)",
                     (product.id, media_id, position))


def get_products(conn: Connection, product_ids: Sequence[str]) -> dict[str, Product]:
    """Products by id, fully loaded (options, variants, media), in four queries per 500 ids."""
    out: dict[str, Product] = {}
    ids = list(dict.fromkeys(product_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        options: dict[str, list[ProductOption]] = defaultdict(list)
        for r in conn.all(f'SELECT id, product_id, name, position, "values" FROM product_options '
                          f"WHERE product_id IN ({marks}) ORDER BY position", chunk):
            options[r[1]].append(ProductOption(r[0], r[1], r[2], r[3], tuple(json.loads(r[4]))))
        variants: dict[str, list[Variant]] = defaultdict(list)
        for r in conn.all(f"SELECT {_VARIANT_COLS} FROM variants WHERE product_id IN ({marks}) ORDER BY position",
                          chunk):
            compare = Money(r[5], r[6]) if r[5] is not None else None
            variants[r[1]].append(Variant(r[0], r[1], r[2], r[3], Money(r[4], r[6]), compare, (r[7], r[8], r[9]),
                                          r[10]))
        media: dict[str, list[str]] = defaultdict(list)
        for r in conn.all(f"SELECT product_id, media_id FROM product_media WHERE product_id IN ({marks}) "
                          "ORDER BY position", chunk):
            media[r[0]].append(r[1])
        for r in conn.all(f"SELECT {_PRODUCT_COLS} FROM products WHERE id IN ({marks})", chunk):
            pid = r[0]
            out[pid] = Product(pid, r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7],
                               tuple(options[pid]), tuple(variants[pid]), tuple(media[pid]), r[8], r[9])
    return out


def list_product_ids(conn: Connection, *, limit: int, offset: int = 0) -> list[str]:
    """Active products, newest first."""
    return [r[0] for r in conn.all("SELECT id FROM products WHERE status = 'active' "
                                   "ORDER BY created_at DESC, id LIMIT ? OFFSET ?", (limit, offset))]


def product_ids_by_handles(conn: Connection, handles: Iterable[str]) -> list[str]:
    """Active product ids for the given handles, in the handles' order."""
    wanted = [h for h in dict.fromkeys(handles) if isinstance(h, str)][:200]
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    found = dict(conn.all(f"SELECT handle, id FROM products WHERE status = 'active' AND handle IN ({marks})", wanted))
    return [found[h] for h in wanted if h in found]


def get_product_id_by_handle(conn: Connection, handle: str) -> str | None:
    """An active product's id by handle."""
    return conn.scalar("SELECT id FROM products WHERE handle = ? AND status = 'active'", (handle,))


def count_products(conn: Connection) -> int:
    """How many products the store has (any status)."""
    return int(conn.scalar("SELECT count(*) FROM products"))


def insert_collection(conn: Connection, collection: Collection) -> None:
    """Add a collection."""
    conn.execute(f"INSERT INTO collections ({_COLLECTION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (collection.id, collection.handle, collection.title, collection.description, collection.image_id,
                  collection.sort_order, collection.position, collection.created_at, collection.updated_at))


def add_to_collection(conn: Connection, collection_id: str, product_ids: Sequence[str]) -> None:
    """Append products to a manual collection (products already in it are left where they are)."""
    start = int(conn.scalar("SELECT coalesce(max(position) + 1, 0) FROM collection_products WHERE collection_id = ?",
                            (collection_id,)))
    for offset, pid in enumerate(product_ids):
        conn.execute("INSERT OR IGNORE INTO collection_products (collection_id, product_id, position) VALUES (?, ?, ?)",
                     (collection_id, pid, start + offset))


def list_collections(conn: Connection, *, limit: int = 50) -> list[Collection]:
    """Collections in merchandising order."""
    return [Collection(*r) for r in conn.all(
        f"SELECT {_COLLECTION_COLS} FROM collections ORDER BY position, title LIMIT ?", (limit,))]


def get_collection_by_handle(conn: Connection, handle: str) -> Collection | None:
    """A collection by handle."""
    row = conn.one(f"SELECT {_COLLECTION_COLS} FROM collections WHERE handle = ?", (handle,))
    return None if row is None else Collection(*row)


def collections_by_handles(conn: Connection, handles: Iterable[str]) -> list[Collection]:
    """Collections for the given handles, in the handles' order."""
    wanted = [h for h in dict.fromkeys(handles) if isinstance(h, str)][:100]
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    found = {r[1]: Collection(*r) for r in conn.all(
        f"SELECT {_COLLECTION_COLS} FROM collections WHERE handle IN ({marks})", wanted)}
    return [found[h] for h in wanted if h in found]


def collection_product_ids(conn: Connection, collection: Collection, *, limit: int, offset: int = 0) -> list[str]:
    """Active product ids of a collection in its sort order."""
    order = _SORTS.get(collection.sort_order, _SORTS["manual"])
    return [r[0] for r in conn.all(
        "SELECT p.id FROM collection_products cp JOIN products p ON p.id = cp.product_id "
        f"WHERE cp.collection_id = ? AND p.status = 'active' ORDER BY {order}, p.id LIMIT ? OFFSET ?",
        (collection.id, limit, offset))]


def count_collection_products(conn: Connection, collection_ids: Sequence[str]) -> dict[str, int]:
    """How many active products each collection has."""
    if not collection_ids:
        return {}
    marks = ", ".join("?" * len(collection_ids))
    rows = conn.all("SELECT cp.collection_id, count(*) FROM collection_products cp JOIN products p "
                    f"ON p.id = cp.product_id WHERE p.status = 'active' AND cp.collection_id IN ({marks}) "
                    "GROUP BY cp.collection_id", list(collection_ids))
    return {r[0]: r[1] for r in rows}
