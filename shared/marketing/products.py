"""The products a newsletter campaign features ("product blocks", issue 12 §4): the campaign stores only
their ids (campaigns.product_ids, migration 0025); each copy lists them with their data AT RENDER TIME
(title, cheapest price, first image, link), read from the store's database, so a price changed since the
draft shows its new value and a product deleted or no longer active is left out, never a dead link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.catalog.views import load_product_views
from shared.db import Connection
from shared.db.repositories import catalog
from shared.marketing.errors import MarketingError, MarketingErrorCode

MAX_PRODUCTS = 12            # a newsletter, not a catalogue: more would not fit a mail client's patience


def check_product_ids(value: Any) -> tuple[str, ...]:
    """The `productIds` of a campaign's body: a list of at most MAX_PRODUCTS id strings (duplicates
    dropped, order kept). Raises MarketingError(INVALID) naming the field."""
    if value is None:
        return ()
    if (not isinstance(value, list) or len(value) > MAX_PRODUCTS
            or not all(isinstance(i, str) and 0 < len(i) <= 64 for i in value)):
        raise MarketingError(MarketingErrorCode.INVALID, f"productIds must be a list of at most {MAX_PRODUCTS} "
                             "product ids", field="productIds")
    return tuple(dict.fromkeys(value))


def _image_url(image: dict[str, Any] | None, site_url: str) -> str | None:
    """The product's image as the storefront serves it (absolute: mail clients fetch it)."""
    if not image or not image.get("hash"):
        return None
    width = min((w for w in image.get("widths") or () if w >= 300), default=image.get("width") or 0)
    if not width and image.get("widths"):
        width = max(image["widths"])
    return f"{site_url.rstrip('/')}/media/{image['hash']}-{width}.{image.get('format') or 'webp'}"


def featured_products(conn: Connection, product_ids: Sequence[str], *, site_url: str) -> list[dict[str, Any]]:
    """The campaign's products as message_data's `products` ({title, url, image_url, price: Money JSON}),
    in the merchant's order; ids whose product is gone or not active are left out."""
    products = catalog.get_products(conn, list(product_ids))
    active = [pid for pid in product_ids if pid in products and products[pid].status == "active"]
    views = load_product_views(conn, active)
    out = []
    for pid in active:
        view = views[pid]
        out.append({"title": view["title"], "url": f"{site_url.rstrip('/')}{view['url']}",
                    "image_url": _image_url(view.get("featured_image"), site_url), "price": view["price"]})
    return out
