"""Loads everything one page needs, in one read: the storefront, theme, blocks, and the data each block
declared in its schema (products, collections, posts). Blocks never call back into the host."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.catalog.views import collection_view, post_view, product_view
from shared.compose.registry import builtin_block, builtin_kinds
from shared.compose.schema import with_defaults
from shared.compose.theme import DEFAULT_THEME, layout_options
from shared.db import Connection, Database
from shared.db.repositories import catalog, content, inventory, stock_changes, vectors, versions
from shared.db.repositories import pages as page_repo
from shared.db.repositories.storefront import get_storefront
from shared.db.stamps import utc_now
from shared.models import Block, Page, Post, Storefront, Theme
from shared.vibe.executor import BlockJob, PageData
from shared.vibe.validator import check_block

MAX_DECLARED = 50
HEADER, FOOTER = "header", "footer"


@dataclass(frozen=True)
class PlannedBlock:
    """One block to render: the sandbox job, a display name and its region of the document."""

    job: BlockJob
    name: str
    region: str          # header | main | footer


@dataclass(frozen=True)
class PagePlan:
    """Everything the composer needs for one page."""

    storefront: Storefront
    theme: Theme
    page: Page
    blocks: tuple[PlannedBlock, ...]
    data: PageData
    social_image: dict[str, Any] | None = None


def _resolve(value: Any, settings: Mapping[str, Any]) -> Any:
    """'$name' in a data declaration means the value of setting `name`."""
    if isinstance(value, str) and value.startswith("$"):
        return settings.get(value[1:])
    return value


def _limit(value: Any, default: int = 8) -> int:
    try:
        return max(1, min(int(value), MAX_DECLARED))
    except (TypeError, ValueError):
        return default


def _declared_products(conn: Connection, decl: Mapping[str, Any], settings: Mapping[str, Any],
                       route: Mapping[str, Any] | None = None) -> list[str]:
    limit = _limit(_resolve(decl.get("limit"), settings))
    if _resolve(decl.get("related"), settings):
        product = (route or {}).get("product") if (route or {}).get("type") == "product" else None
        if product is None:            # a template previewed without a product: show the newest
            return catalog.list_product_ids(conn, limit=limit)
        related = vectors.related_ids(conn, product_id=product["id"], limit=limit)
        return related or vectors.same_type_ids(conn, product_id=product["id"], limit=limit)
    handles = _resolve(decl.get("handles"), settings)
    if isinstance(handles, str):
        handles = [handles]
    if isinstance(handles, list) and handles:
        return catalog.product_ids_by_handles(conn, handles)[:limit]
    collection_handle = _resolve(decl.get("collection"), settings)
    if isinstance(collection_handle, str) and collection_handle:
        collection = catalog.get_collection_by_handle(conn, collection_handle)
        return catalog.collection_product_ids(conn, collection, limit=limit) if collection else []
    return catalog.list_product_ids(conn, limit=limit)


def _block_source(block: Block) -> tuple[str, dict[str, Any], str]:
    """(code, schema, display name) of a stored block."""
    if block.code is not None:
        schema = check_block(block.code).schema
        return block.code, schema, str(schema.get("name") or "Custom block")
    if block.kind in builtin_kinds():
        builtin = builtin_block(block.kind)
        return builtin.source, builtin.schema, builtin.name
    missing = f'function render(ctx, h) {{ throw new Error("Unknown block kind {block.kind}"); }}'
    return missing, {}, block.kind


def _image_settings(schema: Mapping[str, Any], settings: Mapping[str, Any], media: Mapping[str, Any] | None,
                    found: list[str]) -> dict[str, Any]:
    """Image settings hold media ids; blocks get Image objects. Collects ids into `found` when media is None."""
    out = dict(settings)
    for spec in schema.get("settings", []):
        if not isinstance(spec, Mapping):
            continue
        key, kind = spec.get("id"), spec.get("type")
        if kind == "image" and isinstance(out.get(key), str):
            if media is None:
                found.append(out[key])
            else:
                image = media.get(out[key])
                out[key] = image.to_image() if image else None
        elif kind == "list" and isinstance(out.get(key), list):
            sub = {"settings": spec.get("fields", [])}
            out[key] = [_image_settings(sub, item, media, found) if isinstance(item, Mapping) else item
                        for item in out[key]]
    return out


def _storefront_view(store: Storefront, media: Mapping[str, Any]) -> dict[str, Any]:
    s = store.settings
    logo = media.get(s.get("logo_id")) if s.get("logo_id") else None
    return {"name": store.name, "slug": store.slug, "tagline": s.get("tagline", ""), "currency": store.currency,
            "locale": store.locale, "email": s.get("email", ""), "phone": s.get("phone", ""),
            "address": s.get("address", ""), "social": dict(s.get("social") or {}),
            "logo": logo.to_image() if logo else None}


def load_page_plan(db: Database, *, page: Page, path: str, query: Mapping[str, str] | None = None,
                   cart: Mapping[str, Any] | None = None, media_base: str = "", now: str | None = None,
                   route: Mapping[str, Any] | None = None, blocks: list[Block] | None = None) -> PagePlan:
    """Read the store, theme and blocks of `page` and every block's declared data, in one read.

    `blocks` overrides the page's stored blocks (default templates); `route` becomes ctx.route."""
    now = now or utc_now()

    def read(conn: Connection) -> PagePlan:
        # The page again, in this read: looked up in an earlier one, it could be a release older
        # than the blocks below (a publish committing in between).
        current = page_repo.get_page(conn, page.id) if blocks is None else None
        page_now = current or page
        store = get_storefront(conn)
        theme = content.get_active_theme(conn) or DEFAULT_THEME
        sections = theme.settings.get("sections", {}) if isinstance(theme.settings, Mapping) else {}
        page_blocks = blocks if blocks is not None else page_repo.list_blocks(conn, page_now.id, include_hidden=False)
        stored = [(b, "main") for b in page_blocks if not b.hidden]
        header = Block(HEADER, page_now.id, HEADER, None, dict(sections.get(HEADER) or {}), -1)
        footer = Block(FOOTER, page_now.id, FOOTER, None, dict(sections.get(FOOTER) or {}), 1 << 30)
        planned: list[tuple[Block, str, str, dict[str, Any], dict[str, Any], str]] = []
        for block, region in [(header, HEADER), *stored, (footer, FOOTER)]:
            code, schema, name = _block_source(block)
            planned.append((block, region, code, schema, with_defaults(schema, block.settings), name))

        wanted_products: dict[str, list[str]] = {}
        wanted_collections: dict[str, list[Any]] = {}
        wanted_posts: dict[str, list[Post]] = {}
        for block, _region, _code, schema, settings, _name in planned:
            decl = schema.get("data") if isinstance(schema.get("data"), Mapping) else {}
            if isinstance(decl.get("products"), Mapping):
                wanted_products[block.id] = _declared_products(conn, decl["products"], settings, route)
            if isinstance(decl.get("collections"), Mapping):
                cdecl = decl["collections"]
                handles = _resolve(cdecl.get("handles"), settings)
                wanted_collections[block.id] = (catalog.collections_by_handles(conn, handles)
                                                if isinstance(handles, list) and handles
                                                else catalog.list_collections(conn, limit=_limit(_resolve(cdecl.get("limit"), settings))))
            if isinstance(decl.get("posts"), Mapping):
                limit = _limit(_resolve(decl["posts"].get("limit"), settings), 3)
                wanted_posts[block.id] = content.list_visible_posts(conn, now=now, limit=limit)

        product_ids = list(dict.fromkeys(pid for ids in wanted_products.values() for pid in ids))
        products = catalog.get_products(conn, product_ids)
        variant_ids = [v.id for p in products.values() for v in p.variants]
        stock = inventory.stock_levels(conn, variant_ids)
        all_collections = [c for cs in wanted_collections.values() for c in cs]
        counts = catalog.count_collection_products(conn, [c.id for c in all_collections])
        media_ids = [m for p in products.values() for m in p.media_ids]
        media_ids += [c.image_id for c in all_collections if c.image_id]
        media_ids += [p.image_id for ps in wanted_posts.values() for p in ps if p.image_id]
        media_ids += [x for x in (store.settings.get("logo_id"), page_now.social_image_id) if x]
        for _block, _region, _code, schema, settings, _name in planned:
            _image_settings(schema, settings, None, media_ids)
        media = content.get_media_many(conn, media_ids)
        planned = [(b, r, c, sc, _image_settings(sc, st, media, []), n) for b, r, c, sc, st, n in planned]

        jobs = tuple(PlannedBlock(BlockJob(
            block_id=block.id, kind=block.kind, code=code, settings=settings,
            product_ids=tuple(wanted_products.get(block.id, ())),
            collections=tuple(collection_view(c, media, counts.get(c.id, 0)) for c in wanted_collections.get(block.id, ())),
            posts=tuple(post_view(p, media) for p in wanted_posts.get(block.id, ())),
        ), name, region) for block, region, code, _schema, settings, name in planned)

        nav = {"main": list(content.get_menu(conn, "main").items), "footer": list(content.get_menu(conn, "footer").items)}
        shared = {
            "storefront": _storefront_view(store, media),
            "page": {"id": page_now.id, "slug": page_now.slug, "title": page_now.title, "path": page_now.path},
            "request": {"path": path, "query": dict(query or {})},
            "cart": dict(cart) if cart else {"count": 0, "items": [],
                                             "subtotal": {"amount": 0, "currency": store.currency}},
            "nav": nav,
            "theme": layout_options(theme),
            "route": dict(route) if route else {"type": "page"},
        }
        env = {"locale": store.locale, "currency": store.currency, "mediaBase": media_base, "timeZone": store.timezone}
        data = PageData(env=env, shared=shared,
                        products={pid: product_view(p, media, stock) for pid, p in products.items()},
                        # Stock changes that no page shows leave the content version (migration 0030)
                        # but not the products' data: the sandbox's snapshot is keyed by both.
                        catalog_version=f"{versions.content_version(conn)}.{stock_changes.latest_seq(conn)}")
        social = media.get(page_now.social_image_id) if page_now.social_image_id else None
        return PagePlan(store, theme, page_now, jobs, data, social.to_image() if social else None)

    return db.read(read)
