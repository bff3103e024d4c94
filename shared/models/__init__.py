"""Dataclasses for every stored entity. Pure data: no I/O, no SQL.

Syncable rows carry UUID text keys; money is `Money` (integer minor units + ISO 4217 code).
"""

from shared.models.catalog import Collection, Location, Product, ProductOption, StockMovement, Variant
from shared.models.commerce import Cart, CartLine, Customer, Order, OrderLine
from shared.models.content import Block, BlockRevision, Media, Menu, Page, Post, Theme
from shared.models.money import Money
from shared.models.store import Domain, Storefront, StoreRecord

__all__ = [
    "Block", "BlockRevision", "Cart", "CartLine", "Collection", "Customer", "Domain", "Location", "Media",
    "Menu", "Money", "Order", "OrderLine", "Page", "Post", "Product", "ProductOption", "StockMovement",
    "StoreRecord", "Storefront", "Theme", "Variant",
]
