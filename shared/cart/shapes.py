"""The cart as data: Shopify's AJAX Cart API shapes (docs/http-api.md, "Cart") for /cart.js, and the
`ctx.cart` that blocks render (docs/vibe-blocks.md). Prices are integers in minor units, as Shopify's.
The token is never put in either: it lives in an HttpOnly cookie, out of reach of page scripts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.cart.models import CartLineView, CartView
from shared.checkout.quote import PricedLine
from shared.models.money import minor_digits


def image_url(image: Mapping[str, Any], *, media_base: str = "", width: int = 240) -> str:
    """The URL of the image's smallest rendition at least `width` wide (the largest when none is)."""
    widths = sorted(int(w) for w in image.get("widths") or [] if isinstance(w, int)) or [int(image.get("width") or 0)]
    best = next((w for w in widths if w >= width), widths[-1])
    return f"{media_base}/media/{image['hash']}-{best}.{image.get('format') or 'webp'}"


def line_json(line: CartLineView, images: Mapping[str, Mapping[str, Any]] | None = None, *,
              media_base: str = "") -> dict[str, Any]:
    """One item of cart.js: Shopify's fields (`image` is a URL, `featured_image` an object) plus
    `available`, `price_seen` and `notices`."""
    price = line.unit_price.amount if line.unit_price else None
    total = line.line_total.amount if line.line_total else None
    image = (images or {}).get(line.image_id or "")
    return {
        "id": line.variant_id, "variant_id": line.variant_id, "key": line.key, "line": line.position,
        "quantity": line.quantity, "product_id": line.product_id, "handle": line.handle, "url": line.url,
        "title": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
        "product_title": line.title, "variant_title": line.variant_title or None, "sku": line.sku,
        "price": price, "original_price": price, "final_price": price,
        "line_price": total, "original_line_price": total, "final_line_price": total,
        "compare_at_price": line.compare_at_price.amount if line.compare_at_price else None,
        "price_seen": line.seen_price.amount, "grams": line.weight_grams, "requires_shipping": True,
        "image": image_url(image, media_base=media_base) if image else None,
        "featured_image": {"url": image_url(image, media_base=media_base), "alt": image.get("alt") or "",
                           "width": image.get("width"), "height": image.get("height")} if image else None,
        "available": line.available,
        "notices": [{"kind": str(n.kind), "message": n.message} for n in line.notices],
    }


def cart_json(view: CartView, images: Mapping[str, Mapping[str, Any]] | None = None, *,
              media_base: str = "") -> dict[str, Any]:
    """GET /cart.js: Shopify's cart object (no token, note or discounts: those belong to checkout)."""
    total = view.subtotal.amount
    return {
        "item_count": view.item_count, "currency": view.currency,
        "currency_minor_units": minor_digits(view.currency),
        "items": [line_json(line, images, media_base=media_base) for line in view.lines],
        "items_subtotal_price": total, "original_total_price": total, "total_price": total, "total_discount": 0,
        "total_weight": sum(line.weight_grams * line.quantity for line in view.lines if line.unit_price),
        "requires_shipping": bool(view.lines), "attributes": {}, "note": None,
        "ready_for_checkout": view.ready_for_checkout,
    }


def cart_block_data(view: CartView, images: Mapping[str, Mapping[str, Any]] | None = None, *,
                    error: str = "") -> dict[str, Any]:
    """`ctx.cart` for blocks: count, items (Money objects), subtotal, notices, an error message."""
    items = []
    for line in view.lines:
        image = (images or {}).get(line.image_id or "")
        items.append({
            "key": line.key, "line": line.position, "variant_id": line.variant_id, "quantity": line.quantity,
            "title": line.title, "variant_title": line.variant_title, "sku": line.sku, "url": line.url,
            "price": line.unit_price.to_json() if line.unit_price else None,
            "compare_at_price": line.compare_at_price.to_json() if line.compare_at_price else None,
            "line_price": line.line_total.to_json() if line.line_total else None,
            "image": dict(image) if image else None, "available": line.available,
            "max_quantity": max(line.quantity, min(line.available, 999)),
            "notices": [{"kind": str(n.kind), "message": n.message} for n in line.notices],
        })
    return {"count": view.item_count, "items": items, "subtotal": view.subtotal.to_json(),
            "ready_for_checkout": view.ready_for_checkout, "error": error}


def priced_lines(view: CartView) -> list[PricedLine]:
    """The cart's lines for the pricing engine (quote_order), from the catalog's prices now. Vanished
    lines are left out: check `view.ready_for_checkout` (or each line's `purchasable`) first."""
    return [PricedLine(variant_id=line.variant_id, product_id=line.product_id or "", unit_price=line.unit_price.amount,
                       quantity=line.quantity, collection_ids=line.collection_ids, weight_grams=line.weight_grams)
            for line in view.lines if line.unit_price is not None]
