"""The POS's catalogue rows (shared/catalog/pos_upsert.py): products and variants found by our ids or
the POS's external ids, and writes of the columns the POS owns only (migration 0027 says which)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from shared.db.database import Connection

_CHUNK = 500


@dataclass(frozen=True)
class ProductHead:
    """What an upsert needs of a stored product."""

    id: str
    version: int
    handle: str


@dataclass(frozen=True)
class StoredVariant:
    """What an upsert needs of a stored variant."""

    id: str
    product_id: str
    sku: str
    option_values: tuple[str | None, str | None, str | None]


@dataclass(frozen=True)
class VariantFields:
    """The variant columns the POS owns."""

    title: str
    sku: str
    barcode: str | None                 # None: keep the stored one ('' for a new variant)
    price_amount: int
    currency: str
    weight_grams: int | None            # None: keep the stored one (0 for a new variant)
    options: tuple[str | None, str | None, str | None]
    position: int
    external_id: str | None


def product_head(conn: Connection, *, product_id: str | None = None, external_id: str | None = None
                 ) -> ProductHead | None:
    """A product by our id or by the POS's external id."""
    column, value = ("id", product_id) if product_id is not None else ("pos_external_id", external_id)
    row = conn.one(f"SELECT id, version, handle FROM products WHERE {column} = ?", (value,))
    return ProductHead(row[0], row[1], row[2]) if row else None


def variants_of(conn: Connection, product_id: str) -> list[StoredVariant]:
    """A product's variants, in order."""
    return [StoredVariant(r[0], r[1], r[2], (r[3], r[4], r[5])) for r in conn.all(
        "SELECT id, product_id, sku, option1, option2, option3 FROM variants WHERE product_id = ? "
        "ORDER BY position, id", (product_id,))]


def variant_by_external_id(conn: Connection, external_id: str) -> StoredVariant | None:
    """The variant the POS named `external_id` before."""
    r = conn.one("SELECT id, product_id, sku, option1, option2, option3 FROM variants WHERE pos_external_id = ?",
                 (external_id,))
    return StoredVariant(r[0], r[1], r[2], (r[3], r[4], r[5])) if r else None


def variant_ids_by_skus(conn: Connection, skus: Sequence[str]) -> dict[str, list[str]]:
    """The ids of the variants holding each of these SKUs."""
    out: dict[str, list[str]] = {}
    unique = list(dict.fromkeys(skus))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for sku, vid in conn.all(f"SELECT sku, id FROM variants WHERE sku IN ({marks})", chunk):
            out.setdefault(sku, []).append(vid)
    return out


def handle_exists(conn: Connection, handle: str) -> bool:
    """Whether a product has this handle."""
    return conn.one("SELECT 1 FROM products WHERE handle = ?", (handle,)) is not None


def insert_product(conn: Connection, *, product_id: str, handle: str, title: str, status: str,
                   external_id: str | None, now: str) -> None:
    """A new product made by the POS: its web content starts empty (version 1)."""
    conn.execute("INSERT INTO products (id, handle, title, status, created_at, updated_at, version, pos_external_id) "
                 "VALUES (?, ?, ?, ?, ?, ?, 1, ?)", (product_id, handle, title, status, now, now, external_id))


def update_product(conn: Connection, product_id: str, *, title: str, status: str | None, external_id: str | None,
                   version: int, now: str) -> None:
    """Write the POS's columns of a product (title, status when given, its external id when given) and
    its new version; the web's columns are not named, so they stay."""
    conn.execute("UPDATE products SET title = ?, status = coalesce(?, status), "
                 "pos_external_id = coalesce(?, pos_external_id), version = ?, updated_at = ? WHERE id = ?",
                 (title, status, external_id, version, now, product_id))


def options_of(conn: Connection, product_id: str) -> list[tuple[str, list[str]]]:
    """A product's options as (name, values), in order."""
    return [(r[0], json.loads(r[1])) for r in conn.all(
        'SELECT name, "values" FROM product_options WHERE product_id = ? ORDER BY position', (product_id,))]


def replace_options(conn: Connection, product_id: str, options: Sequence[tuple[str, Sequence[str]]], *,
                    ids: Sequence[str]) -> None:
    """Make a product's options these (name, values), in order."""
    conn.execute("DELETE FROM product_options WHERE product_id = ?", (product_id,))
    for position, ((name, values), option_id) in enumerate(zip(options, ids, strict=True)):
        conn.execute('INSERT INTO product_options (id, product_id, name, position, "values") VALUES (?, ?, ?, ?, ?)',
                     (option_id, product_id, name, position, json.dumps(list(values))))


def insert_variant(conn: Connection, variant_id: str, product_id: str, f: VariantFields, *, now: str) -> None:
    """A new variant of a product (no stock: stock only comes through inventory changes)."""
    conn.execute("INSERT INTO variants (id, product_id, title, sku, barcode, price_amount, currency, weight_grams, "
                 "option1, option2, option3, position, pos_external_id, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (variant_id, product_id, f.title, f.sku, f.barcode or "", f.price_amount, f.currency,
                  f.weight_grams or 0,
                  *f.options, f.position, f.external_id, now, now))


def update_variant(conn: Connection, variant_id: str, f: VariantFields, *, now: str) -> None:
    """Write the POS's columns of a variant; compare-at price and stock stay. Only a changed row is
    written, so that product_summary and the page cache move only when something did."""
    values = (f.title, f.sku, f.barcode, f.price_amount, f.currency, f.weight_grams, *f.options, f.position)
    conn.execute("UPDATE variants SET title = ?, sku = ?, barcode = coalesce(?, barcode), price_amount = ?, "
                 "currency = ?, weight_grams = coalesce(?, weight_grams), option1 = ?, option2 = ?, option3 = ?, "
                 "position = ?, "
                 "pos_external_id = coalesce(?, pos_external_id), updated_at = ? "
                 "WHERE id = ? AND (title, sku, barcode, price_amount, currency, weight_grams, option1, option2, "
                 "option3, position, pos_external_id) "
                 "IS NOT (?, ?, coalesce(?, barcode), ?, ?, coalesce(?, weight_grams), ?, ?, ?, ?, "
                 "coalesce(?, pos_external_id))",
                 (*values, f.external_id, now, variant_id, *values, f.external_id))


def product_words(conn: Connection, product_id: str) -> tuple[str, str, str, str, str, str | None] | None:
    """(title, product_type, vendor, tags JSON, description, current vector source hash) of a product."""
    row = conn.one("SELECT p.title, p.product_type, p.vendor, p.tags, p.description_html, v.source_hash "
                   "FROM products p LEFT JOIN product_vectors v ON v.product_id = p.id WHERE p.id = ?",
                   (product_id,))
    return (row[0], row[1], row[2], row[3], row[4], row[5]) if row else None
