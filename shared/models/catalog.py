"""Products, their options and variants, collections, locations and stock movements."""

from __future__ import annotations

from dataclasses import dataclass

from shared.models.money import Money


@dataclass(frozen=True)
class ProductOption:
    """A product option such as Size with its values in display order."""

    id: str
    product_id: str
    name: str
    position: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class Variant:
    """A sellable variant: one combination of option values, with its own price and SKU."""

    id: str
    product_id: str
    title: str
    sku: str
    price: Money
    compare_at_price: Money | None
    options: tuple[str | None, str | None, str | None]
    position: int = 0


@dataclass(frozen=True)
class Product:
    """A product with its options, variants and media ids (in order)."""

    id: str
    handle: str
    title: str
    description_html: str = ""
    vendor: str = ""
    product_type: str = ""
    tags: tuple[str, ...] = ()
    status: str = "active"
    options: tuple[ProductOption, ...] = ()
    variants: tuple[Variant, ...] = ()
    media_ids: tuple[str, ...] = ()
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Collection:
    """A merchandised group of products."""

    id: str
    handle: str
    title: str
    description: str = ""
    image_id: str | None = None
    sort_order: str = "manual"
    position: int = 0
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Location:
    """A place stock is kept (a shop, a warehouse)."""

    id: str
    name: str
    address: str = ""
    is_default: bool = False
    created_at: str = ""


@dataclass(frozen=True)
class StockMovement:
    """An append-only change of stock for a variant at a location (never an overwritten number)."""

    id: str
    variant_id: str
    location_id: str
    delta: int
    reason: str              # received | sold | returned | adjusted | counted | reserved | released
    reference: str = ""
    created_at: str = ""     # when it was recorded
    occurred_at: str = ""    # when it happened (UTC text; empty: created_at); orders a count's anchor
    counted: int | None = None   # a physical count (reason "counted", delta 0): the quantity counted
