"""What the code editor offers after `ctx.`, `ctx.<field>.`, `ctx.settings.` and `h.`.

The lists follow docs/vibe-blocks.md (the ctx fields) and shared/vibe/js/helpers.js (the helpers);
tests/studio/test_code_editor.py fails when a helper is added to helpers.js without a hint here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Completion:
    """One name the popup offers, with a short hint (a signature or what the field holds)."""

    name: str
    hint: str


def _items(pairs: str) -> tuple[Completion, ...]:
    """Parse "name: hint" lines into completions, sorted by name."""
    out = []
    for line in pairs.strip().splitlines():
        name, _, hint = line.strip().partition(": ")
        out.append(Completion(name, hint))
    return tuple(sorted(out, key=lambda c: c.name.lower()))


CTX_FIELDS = _items("""
    settings: this block's settings, defaults filled in
    block: { id, kind }
    storefront: { name, currency, locale, logo, ... }
    page: { id, slug, title, path }
    request: { path, query }: always escape it
    cart: { count, subtotal, items }
    nav: { main, footer }
    theme: { header, footer, max_width }
    products: declared products
    collections: declared collections
    posts: declared posts
    route: { type, ... } of this address
""")

H_HELPERS = _items("""
    html: h.html`…` escapes every ${value}
    raw: raw(markup) trusted HTML
    escapeHtml: escapeHtml(s)
    safeUrl: safeUrl(url) "#" when unsafe
    formatPrice: formatPrice(money)
    formatAmount: formatAmount(money) "24.00", no symbol
    formatDate: formatDate(iso, style)
    pluralize: pluralize(n, one, many)
    truncate: truncate(s, n)
    url: url(path, query)
    productUrl: productUrl(product)
    collectionUrl: collectionUrl(collection)
    postUrl: postUrl(post)
    pageUrl: pageUrl(page)
    imageUrl: imageUrl(image, width)
    srcset: srcset(image)
    image: image(img, {sizes, class, eager, alt, width})
    classes: classes(...names)
    productCard: productCard(p, {sizes, showVendor})
    productPrice: productPrice(p)
    pagination: pagination(ctx.route.pagination)
""")

# One level further down: `ctx.storefront.` and friends.
CTX_NESTED: dict[str, tuple[Completion, ...]] = {
    "block": _items("id: this instance's id\nkind: the block type"),
    "storefront": _items("""
        name: store name
        slug: store slug
        tagline: short tagline
        currency: ISO code, e.g. EUR
        locale: e.g. en-US
        email: contact e-mail
        phone: contact phone
        address: postal address (text)
        social: { instagram, facebook, ... }
        logo: Image | null
    """),
    "page": _items("id: page id\nslug: page slug\ntitle: page title\npath: page path"),
    "request": _items("path: shopper-controlled path\nquery: { name: value }, escape it"),
    "cart": _items("count: number of items\nsubtotal: Money\nitems: [{ title, quantity, price, url, image }]"),
    "nav": _items("main: [{ title, url }]\nfooter: [{ title, url }]"),
    "theme": _items("header: \"left\" | \"center\"\nfooter: \"columns\" | \"simple\"\nmax_width: layout width"),
    "route": _items("""
        type: page, product, collection, blog, article, search, not_found, cart
        product: Product (product template)
        variant: the selected Variant
        collection: Collection (collection template)
        products: [Product]
        filters: { price, options, availability, tags }
        sort: the active sort key
        sort_options: [{ value, label }]
        pagination: { page, pages, prev_url, next_url, urls }
        posts: [Post] (blog template)
        post: Post with body_html (article template)
        query: the search text
        total: number of results
        path: the missing address (not_found)
    """),
}

TOP_LEVEL = _items("ctx: the render context (read-only)\nh: the helpers")

# A dotted chain of names right before the cursor, then the partial name being typed:
# "ctx.settings.hea" -> chain "ctx.settings", prefix "hea". Not after another "." or a name character.
_CHAIN_RE = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*\.\s*([\w$]*)$")
_WORD_RE = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)$")


@dataclass(frozen=True)
class CompletionContext:
    """What to offer at the cursor: the items, and the partial name already typed."""

    items: tuple[Completion, ...]
    prefix: str


def completion_context(before_cursor: str, *, setting_names: Sequence[str] = (),
                       explicit: bool = False) -> CompletionContext | None:
    """The completions for the text left of the cursor, or None when there is nothing to offer.

    Only chains rooted at `ctx` or `h` complete; `explicit` (Ctrl+Space) also offers `ctx` and `h`
    themselves at the start of a name.
    """
    match = _CHAIN_RE.search(before_cursor)
    if match is not None:
        chain = tuple(part.strip() for part in match.group(1).split("."))
        items = _items_for(chain, setting_names)
        return CompletionContext(items, match.group(2)) if items else None
    if explicit:
        word = _WORD_RE.search(before_cursor)
        return CompletionContext(TOP_LEVEL, word.group(1) if word else "")
    return None


def _items_for(chain: tuple[str, ...], setting_names: Sequence[str]) -> tuple[Completion, ...]:
    if chain == ("h",):
        return H_HELPERS
    if chain == ("ctx",):
        return CTX_FIELDS
    if chain == ("ctx", "settings"):
        return tuple(Completion(name, "setting") for name in setting_names)
    if len(chain) == 2 and chain[0] == "ctx":
        return CTX_NESTED.get(chain[1], ())
    return ()
