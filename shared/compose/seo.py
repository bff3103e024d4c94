"""The document head's search and social tags: title, description, canonical URL, Open Graph, Twitter
cards and schema.org JSON-LD (Organization, Product/Offer, BreadcrumbList, BlogPosting)."""

from __future__ import annotations

import html
import json
from typing import Any

from shared.catalog.views import plain_text
from shared.compose.data import PagePlan
from shared.models.money import major_text

_AVAILABILITY = {True: "https://schema.org/InStock", False: "https://schema.org/OutOfStock"}


def _attr(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _image_url(image: dict[str, Any] | None, media_base: str, site_url: str) -> str | None:
    if not image or not image.get("hash"):
        return None
    width = max(image["widths"]) if image.get("widths") else image.get("width", 0)
    base = media_base.rstrip("/") or site_url.rstrip("/")
    return f"{base}/media/{image['hash']}-{width}.{image.get('format', 'webp')}"


def _decimal(money: dict[str, Any]) -> str:
    # The table's digits, exactly as the page shows the price (h.formatPrice) and the filters read it.
    return major_text(int(money["amount"]), money["currency"])


def _route_text(route: dict[str, Any]) -> tuple[str | None, str | None]:
    kind = route.get("type")
    if kind == "product" and route.get("product"):
        return route["product"]["title"], route["product"].get("description", "")[:300]
    if kind == "collection" and route.get("collection"):
        return route["collection"]["title"], route["collection"].get("description")
    if kind == "article" and route.get("post"):
        return route["post"]["title"], route["post"].get("excerpt")
    if kind == "search":
        return (f"Search: {route['query']}" if route.get("query") else "Search"), None
    if kind == "not_found":
        return "Page not found", None
    return None, None


def _json_ld(data: dict[str, Any]) -> str:
    # "</" would end the script element; JSON allows "<\/" for it.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _organization(plan: PagePlan, site_url: str, media_base: str) -> dict[str, Any]:
    settings = plan.storefront.settings
    org: dict[str, Any] = {"@context": "https://schema.org", "@type": "Organization", "name": plan.storefront.name,
                           "url": site_url + "/"}
    logo = _image_url(plan.data.shared.get("storefront", {}).get("logo"), media_base, site_url)
    if logo:
        org["logo"] = logo
    social = [url for url in (settings.get("social") or {}).values() if isinstance(url, str) and url]
    if social:
        org["sameAs"] = social
    if settings.get("email") or settings.get("phone"):
        org["contactPoint"] = {"@type": "ContactPoint", "contactType": "customer service",
                               **({"email": settings["email"]} if settings.get("email") else {}),
                               **({"telephone": settings["phone"]} if settings.get("phone") else {})}
    return org


def _breadcrumbs(site_url: str, trail: list[tuple[str, str]]) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@type": "BreadcrumbList",
            "itemListElement": [{"@type": "ListItem", "position": i + 1, "name": name, "item": site_url + path}
                                for i, (name, path) in enumerate(trail)]}


def _product(route: dict[str, Any], url: str, site_url: str, media_base: str) -> dict[str, Any]:
    product = route["product"]
    images = [u for u in (_image_url(i, media_base, site_url) for i in product.get("images", [])) if u]
    offers = [{"@type": "Offer", "price": _decimal(v["price"]), "priceCurrency": v["price"]["currency"],
               "availability": _AVAILABILITY[bool(v["available"])], "url": f"{url}?variant={v['id']}",
               **({"sku": v["sku"]} if v.get("sku") else {})} for v in product.get("variants", [])]
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Product", "name": product["title"],
                            "url": url, "description": product.get("description", "")[:5000], "offers": offers}
    if images:
        data["image"] = images
    if product.get("vendor"):
        data["brand"] = {"@type": "Brand", "name": product["vendor"]}
    variant = route.get("variant")
    if variant and variant.get("sku"):
        data["sku"] = variant["sku"]
    return data


def _article(route: dict[str, Any], url: str, plan: PagePlan, site_url: str, media_base: str) -> dict[str, Any]:
    post = route["post"]
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": post["title"][:110],
                            "url": url, "mainEntityOfPage": url, "datePublished": post.get("published_at"),
                            "author": {"@type": "Person", "name": post.get("author") or plan.storefront.name},
                            "publisher": {"@type": "Organization", "name": plan.storefront.name}}
    image = _image_url(post.get("image"), media_base, site_url)
    if image:
        data["image"] = [image]
    if post.get("excerpt"):
        data["description"] = post["excerpt"]
    return data


def head_tags(plan: PagePlan, *, media_base: str = "", site_url: str = "") -> list[str]:
    """Every SEO and social tag of the page's head. `site_url` (scheme://host of the store's primary
    address) makes URLs absolute; without it they stay relative."""
    store, page = plan.storefront, plan.page
    site_url = site_url.rstrip("/")
    route = plan.data.shared.get("route") or {}
    path = str(plan.data.shared.get("request", {}).get("path") or page.path)
    is_home = page.slug == "home" and page.template is None
    route_title, route_description = _route_text(route)
    own_title = page.seo_title if page.template is None else ""        # a template's SEO is its route's
    own_description = page.seo_description if page.template is None else ""
    title = own_title or ((store.settings.get("seo_title") or store.name) if is_home
                          else f"{route_title or page.title} – {store.name}")
    description = plain_text(own_description or route_description or store.settings.get("seo_description")
                             or store.settings.get("tagline", ""))[:320]
    canonical = page.canonical_url or site_url + path
    kind = route.get("type")
    image = (_image_url((route.get("product") or {}).get("featured_image"), media_base, site_url) if kind == "product"
             else _image_url((route.get("post") or {}).get("image"), media_base, site_url) if kind == "article"
             else _image_url(plan.social_image, media_base, site_url))
    tags = [f"<title>{html.escape(title)}</title>"]
    if description:
        tags.append(f'<meta name="description" content="{_attr(description)}">')
    if kind != "not_found":
        tags.append(f'<link rel="canonical" href="{_attr(canonical)}">')
    if page.noindex or kind in ("search", "not_found", "cart"):
        tags.append('<meta name="robots" content="noindex">')
    og_type = {"product": "product", "article": "article"}.get(kind, "website")
    tags += [f'<meta property="og:site_name" content="{_attr(store.name)}">',
             f'<meta property="og:title" content="{_attr(title)}">',
             f'<meta property="og:type" content="{og_type}">',
             f'<meta property="og:url" content="{_attr(canonical)}">']
    if description:
        tags.append(f'<meta property="og:description" content="{_attr(description)}">')
    if image:
        tags.append(f'<meta property="og:image" content="{_attr(image)}">')
    if kind == "product" and route.get("variant"):
        price = route["variant"]["price"]
        tags += [f'<meta property="product:price:amount" content="{_decimal(price)}">',
                 f'<meta property="product:price:currency" content="{_attr(price["currency"])}">']
    tags += [f'<meta name="twitter:card" content="{"summary_large_image" if image else "summary"}">',
             f'<meta name="twitter:title" content="{_attr(title)}">']
    if description:
        tags.append(f'<meta name="twitter:description" content="{_attr(description)}">')
    if image:
        tags.append(f'<meta name="twitter:image" content="{_attr(image)}">')

    home = (store.name, "/")
    if is_home:
        tags.append(_json_ld(_organization(plan, site_url, media_base)))
    elif kind == "product" and route.get("product"):
        tags.append(_json_ld(_product(route, canonical, site_url, media_base)))
        tags.append(_json_ld(_breadcrumbs(site_url, [home, ("Products", "/collections/all"),
                                                     (route["product"]["title"], path)])))
    elif kind == "collection" and route.get("collection"):
        tags.append(_json_ld(_breadcrumbs(site_url, [home, (route["collection"]["title"], path)])))
    elif kind == "article" and route.get("post"):
        tags.append(_json_ld(_article(route, canonical, plan, site_url, media_base)))
        tags.append(_json_ld(_breadcrumbs(site_url, [home, ("Journal", "/blog"), (route["post"]["title"], path)])))
    elif page.template is None and page.slug != "home":
        tags.append(_json_ld(_breadcrumbs(site_url, [home, (page.title, path)])))
    return tags
