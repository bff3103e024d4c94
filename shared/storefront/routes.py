"""`ctx.route` for template pages (docs/vibe-blocks.md, "Templates and ctx.route"): the product of a
product page, the filtered page of a collection, the posts of the blog, search results."""

from __future__ import annotations

import difflib
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR
from typing import Any
from urllib.parse import urlencode

from shared.catalog.views import collection_view, load_product_views, post_view
from shared.db import Connection, Database
from shared.db.repositories import browse, catalog, content, versions
from shared.models import Collection
from shared.models.money import MoneyError, from_major

Params = Sequence[tuple[str, str]]
PER_PAGE = 24
MAX_PAGE = 500
SORT_OPTIONS = [
    {"value": "manual", "label": "Featured"}, {"value": "newest", "label": "Newest"},
    {"value": "price-asc", "label": "Price, low to high"}, {"value": "price-desc", "label": "Price, high to low"},
    {"value": "title", "label": "Alphabetically, A-Z"},
]
_SORTS = {o["value"] for o in SORT_OPTIONS}
_MAX_FILTER_VALUES = 20
_WORD = re.compile(r"\w+", re.UNICODE)


def _values(params: Params, name: str) -> list[str]:
    return [v[:100] for k, v in params if k == name][:_MAX_FILTER_VALUES]


def _first(params: Params, name: str) -> str | None:
    found = _values(params, name)
    return found[0] if found else None


def _page_number(params: Params) -> int:
    raw = _first(params, "page") or "1"
    return max(1, min(int(raw), MAX_PAGE)) if raw.isdigit() else 1


def _money(value: str | None, currency: str, *, rounding: str) -> int | None:
    """'25' or '25.50' in major units -> minor units with the currency table's digits; anything else
    (or a store currency the table lacks) -> None: ignored, never an error. Digits past the currency's
    round with `rounding`: a lower bound up and an upper bound down, so the filter keeps its meaning."""
    if not value or not re.fullmatch(r"\d{1,9}(?:[.,]\d{1,4})?", value.strip()):
        return None
    try:
        return from_major(value.strip().replace(",", "."), currency, rounding=rounding)
    except MoneyError:
        return None


def pagination(path: str, params: Params, *, page: int, total: int, per_page: int) -> dict[str, Any]:
    """Pages with URLs that keep the other query parameters."""
    pages = max(1, math.ceil(total / per_page))
    kept = [(k, v) for k, v in params if k != "page"]

    def url(n: int) -> str:
        query = urlencode(kept + ([("page", str(n))] if n > 1 else []))
        return path + (f"?{query}" if query else "")

    window = range(max(1, page - 2), min(pages, page + 2) + 1)
    return {"page": page, "pages": pages, "total": total, "per_page": per_page,
            "prev_url": url(page - 1) if page > 1 else None, "next_url": url(page + 1) if page < pages else None,
            "urls": [{"page": n, "url": url(n), "current": n == page} for n in window]}


def product_route(conn: Connection, *, handle: str, variant_id: str | None) -> dict[str, Any] | None:
    """The product at /products/HANDLE and its selected variant; None when there is none."""
    pid = catalog.get_product_id_by_handle(conn, handle)
    if pid is None:
        return None
    product = load_product_views(conn, [pid])[pid]
    variants = product["variants"]
    chosen = next((v for v in variants if v["id"] == variant_id), None)
    chosen = chosen or next((v for v in variants if v["available"]), None) or (variants[0] if variants else None)
    return {"type": "product", "product": product, "variant": chosen}


def _collection_filter(params: Params, currency: str) -> browse.ProductFilter:
    options: dict[str, tuple[str, ...]] = {}
    for key, value in params:
        if key.startswith("option.") and len(options) < 5:
            name = key[len("option."):][:60]
            if len(options.get(name, ())) < _MAX_FILTER_VALUES:
                options[name] = (*options.get(name, ()), value[:100])
    return browse.ProductFilter(price_from=_money(_first(params, "price_min"), currency, rounding=ROUND_CEILING),
                                price_to=_money(_first(params, "price_max"), currency, rounding=ROUND_FLOOR),
                                options=options, tags=tuple(_values(params, "tag")),
                                in_stock_only=_first(params, "available") == "1")


# Facets and price bounds depend on the collection only, not on the shopper's filters: computed once
# per content version (they scan the whole collection, ~0.3 s at 50,000 products) and kept here.
_FACETS: OrderedDict[tuple[str, str | None, int], tuple[Any, Any, Any]] = OrderedDict()
_FACETS_LOCK = threading.Lock()
_FACETS_KEPT = 256


def _facets(conn: Connection, scope: str | None) -> tuple[Any, Any, Any]:
    key = (conn.database_key, scope, versions.content_version(conn))
    with _FACETS_LOCK:
        found = _FACETS.get(key)
        if found is not None:
            _FACETS.move_to_end(key)
            return found
    value = (browse.price_bounds(conn, collection_id=scope), browse.option_facets(conn, collection_id=scope),
             browse.tag_facets(conn, collection_id=scope))
    with _FACETS_LOCK:
        _FACETS[key] = value
        while len(_FACETS) > _FACETS_KEPT:
            _FACETS.popitem(last=False)
    return value


def collection_route(conn: Connection, *, handle: str, params: Params, path: str, currency: str,
                     per_page: int = PER_PAGE) -> dict[str, Any] | None:
    """A collection page (or /collections/all): filtered, sorted, paginated; None when unknown."""
    if handle == "all":
        collection = Collection("all", "all", "All products", "Everything in the shop.", sort_order="newest")
    else:
        collection = catalog.get_collection_by_handle(conn, handle)
        if collection is None:
            return None
    scope = None if handle == "all" else collection.id
    flt = _collection_filter(params, currency)
    sort = _first(params, "sort")
    sort = sort if sort in _SORTS else collection.sort_order
    page = _page_number(params)
    listing = browse.list_products(conn, collection_id=scope, flt=flt, sort=sort, limit=per_page,
                                   offset=(page - 1) * per_page)
    views = load_product_views(conn, listing.product_ids)
    bounds, option_facets, tag_facets = _facets(conn, scope)
    media = content.get_media_many(conn, [collection.image_id] if collection.image_id else [])
    filters = {
        "price": {"min": bounds[0] if bounds else 0, "max": bounds[1] if bounds else 0, "from": flt.price_from,
                  "to": flt.price_to, "currency": currency},
        "options": [{"name": name, "values": [{"value": v, "count": c, "active": v in flt.options.get(name, ())}
                                              for v, c in values.items()]}
                    for name, values in option_facets.items()],
        "availability": {"in_stock_only": flt.in_stock_only},
        "tags": [{"value": t, "count": c, "active": t in flt.tags}
                 for t, c in tag_facets.items()],
    }
    return {"type": "collection", "collection": collection_view(collection, media, listing.total),
            "products": [views[i] for i in listing.product_ids if i in views], "filters": filters, "sort": sort,
            "sort_options": SORT_OPTIONS,
            "pagination": pagination(path, params, page=page, total=listing.total, per_page=per_page)}


def blog_route(conn: Connection, *, params: Params, path: str, now: str, per_page: int = 12) -> dict[str, Any]:
    """The journal: published posts, newest first, paginated."""
    page = _page_number(params)
    total = content.count_visible_posts(conn, now=now)
    posts = content.list_visible_posts(conn, now=now, limit=per_page, offset=(page - 1) * per_page)
    media = content.get_media_many(conn, [p.image_id for p in posts if p.image_id])
    return {"type": "blog", "posts": [post_view(p, media, body=False) for p in posts],
            "pagination": pagination(path, params, page=page, total=total, per_page=per_page)}


def article_route(conn: Connection, *, slug: str, now: str, drafts: bool = False) -> dict[str, Any] | None:
    """One published post (a scheduled post only once its time has come); None otherwise. With
    `drafts` (the studio's draft preview) any post is shown."""
    post = content.get_post_by_slug(conn, slug)
    if post is None:
        return None
    if not drafts and (post.status == "draft" or not post.published_at or post.published_at > now):
        return None
    media = content.get_media_many(conn, [post.image_id] if post.image_id else [])
    return {"type": "article", "post": post_view(post, media, body=True)}


def fts_query(conn: Connection, text: str) -> str | None:
    """An FTS5 query from what a shopper typed: every word must match as a prefix; a word the index
    does not know is replaced by the closest indexed word (typo tolerance). None for no words.
    Compares inside the caller's read: `spelled_words` does it after the read instead."""
    words = _search_words(text)
    return fts_match(_corrected(words, _candidates(conn, words)))


def spelled_words(db: Database, text: str) -> list[str]:
    """What a shopper typed as search words, each misspelt one replaced by the closest indexed term.
    The terms are read in one short read; the comparison (difflib over up to 5,000 terms, about a
    tenth of a second) runs after it, holding no lock, so the store's other reads go on."""
    words = _search_words(text)
    if not words:
        return []
    return _corrected(words, db.read(lambda conn: _candidates(conn, words)))


def fts_match(words: Sequence[str]) -> str | None:
    """The FTS5 query for search words: every word must match as a prefix. None for no words."""
    return " ".join('"' + word.replace('"', "") + '"*' for word in words) or None


def _search_words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)][:8]


def _candidates(conn: Connection, words: Sequence[str]) -> dict[str, list[str]]:
    """For each word that starts no indexed term (probably misspelt: "hodie"), the indexed terms with
    its first letter."""
    return {word: browse.known_terms(conn, prefix=word[0]) for word in words
            if len(word) >= 4 and not browse.known_terms(conn, prefix=word, limit=1)}


def _corrected(words: Sequence[str], candidates: dict[str, list[str]]) -> list[str]:
    corrected = []
    for word in words:
        if word in candidates:
            close = difflib.get_close_matches(word, candidates[word], n=1, cutoff=0.75)
            word = close[0] if close else word
        corrected.append(word)
    return corrected


def search_route(conn: Connection, *, params: Params, path: str, per_page: int = PER_PAGE,
                 words: Sequence[str] | None = None) -> dict[str, Any]:
    """Search results for ?q=, best match first (`words`: the query's words already spelled by
    `spelled_words`; without them the spelling is done here, inside the caller's read)."""
    query = (_first(params, "q") or "").strip()[:200]
    page = _page_number(params)
    match = (fts_match(words) if words is not None else fts_query(conn, query)) if query else None
    listing = (browse.search_products(conn, match=match, limit=per_page, offset=(page - 1) * per_page)
               if match else browse.Listing([], 0))
    views = load_product_views(conn, listing.product_ids)
    return {"type": "search", "query": query, "products": [views[i] for i in listing.product_ids if i in views],
            "total": listing.total, "pagination": pagination(path, params, page=page, total=listing.total,
                                                             per_page=per_page)}


def search(db: Database, *, params: Params, path: str, per_page: int = PER_PAGE) -> dict[str, Any]:
    """search_route with the spelling done between two reads, outside both."""
    words = spelled_words(db, (_first(params, "q") or "").strip()[:200])
    return db.read(lambda conn: search_route(conn, params=params, path=path, per_page=per_page, words=words))


def not_found_route(path: str) -> dict[str, Any]:
    """The route of an address nothing answers."""
    return {"type": "not_found", "path": path[:500]}
