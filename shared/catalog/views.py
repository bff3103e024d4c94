"""The shapes blocks see for catalog and journal data (docs/vibe-blocks.md): plain JSON-ready dicts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shared.db import Connection
from shared.db.repositories import catalog, content, inventory
from shared.models import Collection, Media, Post, Product

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"(?i)</(?:p|li|h[1-6]|div|blockquote|tr)>|<br\s*/?>")
_SPACE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    """Rich text reduced to plain text (for descriptions in cards and meta tags)."""
    text = _BLOCK_END.sub("\n", html)
    text = _TAG.sub(" ", text).replace("&nbsp;", " ").replace("&amp;", "&")
    lines = [_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    # Block elements become sentences: "<li>Free returns</li>" reads as "Free returns." in a snippet.
    return " ".join(line if line[-1] in ".!?:;" else line + "." for line in lines if line)


def product_view(product: Product, media: Mapping[str, Media], stock: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """A product as blocks see it: prices as Money, availability from summed stock movements."""
    images = [media[m].to_image() for m in product.media_ids if m in media]
    variants = []
    for v in product.variants:
        on_hand = sum(stock.get(v.id, {}).values())
        values = {opt.name: v.options[i] for i, opt in enumerate(product.options[:3]) if v.options[i] is not None}
        variants.append({
            "id": v.id, "title": v.title, "sku": v.sku, "price": v.price.to_json(),
            "compare_at_price": v.compare_at_price.to_json() if v.compare_at_price else None,
            "options": values, "available": on_hand > 0, "inventory": max(on_hand, 0),
        })
    cheapest = min(product.variants, key=lambda v: v.price.amount, default=None)
    return {
        "id": product.id, "handle": product.handle, "title": product.title,
        "description": plain_text(product.description_html), "description_html": product.description_html,
        "vendor": product.vendor, "product_type": product.product_type, "tags": list(product.tags),
        "url": f"/products/{product.handle}",
        "price": cheapest.price.to_json() if cheapest else None,
        "compare_at_price": cheapest.compare_at_price.to_json() if cheapest and cheapest.compare_at_price else None,
        "price_varies": len({v.price.amount for v in product.variants}) > 1,
        "available": any(v["available"] for v in variants),
        "images": images, "featured_image": images[0] if images else None,
        "options": [{"name": o.name, "values": list(o.values)} for o in product.options],
        "variants": variants,
    }


def collection_view(collection: Collection, media: Mapping[str, Media], count: int) -> dict[str, Any]:
    """A collection as blocks see it."""
    image = media.get(collection.image_id) if collection.image_id else None
    return {
        "id": collection.id, "handle": collection.handle, "title": collection.title,
        "description": collection.description, "image": image.to_image() if image else None,
        "products_count": count, "url": f"/collections/{collection.handle}",
    }


def post_view(post: Post, media: Mapping[str, Media], *, body: bool = False) -> dict[str, Any]:
    """A journal post as blocks see it (with its HTML body only when asked: the article page)."""
    image = media.get(post.image_id) if post.image_id else None
    view = {"id": post.id, "slug": post.slug, "title": post.title, "excerpt": post.excerpt, "author": post.author,
            "published_at": post.published_at, "image": image.to_image() if image else None,
            "url": f"/blog/{post.slug}"}
    if body:
        view["body_html"] = post.body_html
    return view


def load_product_views(conn: Connection, product_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Product views by id (products, their media and summed stock loaded in batches)."""
    products = catalog.get_products(conn, product_ids)
    media = content.get_media_many(conn, [m for p in products.values() for m in p.media_ids])
    stock = inventory.stock_levels(conn, [v.id for p in products.values() for v in p.variants])
    return {pid: product_view(products[pid], media, stock) for pid in product_ids if pid in products}
