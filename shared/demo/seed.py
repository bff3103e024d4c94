"""`vibeshop demo`: seeds a believable store, slug `demo`, into a data folder. Idempotent: images are
content-addressed and deduplicated, and all other content is written in ONE transaction that also
marks the store as seeded, so a second run (or a run after a crash) adds no duplicates."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from datetime import UTC, datetime, timedelta

from shared.catalog.vectors import index_products
from shared.compose.registry import builtin_block
from shared.compose.schema import clean_settings
from shared.db import Connection
from shared.db.repositories import catalog, content, inventory
from shared.db.repositories import pages as page_repo
from shared.db.repositories.storefront import get_storefront, update_storefront
from shared.db.stamps import new_id, utc_now
from shared.demo import catalog_data as data
from shared.demo.checkout_setup import seed_checkout
from shared.demo.images import banner_image, product_image
from shared.demo.pages import CUSTOM_BLOCKS, PAGES, POSTS, footer_settings
from shared.media.service import import_image
from shared.models import Block, BlockRevision, Collection, Location, Menu, Money, Page, Post, Product, \
    ProductOption, StockMovement, Variant
from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, Store, create_store, open_store
from shared.vibe.validator import check_block

DEMO_SLUG = "demo"
SETTINGS = {
    "tagline": "Everyday goods, made to last, from our little shop on Pine Street.",
    "email": "hello@harborandpine.example",
    "phone": "+1 (207) 555-0142",
    "address": "14 Pine Street, Port Clyde, ME 04855",
    "social": {"instagram": "https://instagram.com/harborandpine", "facebook": "https://facebook.com/harborandpine"},
    "seo_description": "Harbor & Pine: organic cotton tees, stoneware mugs, hand-poured candles and waxed canvas "
                       "bags from a small shop on the Maine coast.",
}


@dataclass(frozen=True)
class SeedResult:
    """The demo store and whether this run created its content."""

    store: Store
    created: bool


def seed_demo(data_dir: DataDir) -> SeedResult:
    """Create the demo store in `data_dir`, or leave an already seeded one untouched."""
    try:
        store = open_store(data_dir, DEMO_SLUG)
    except StoreError:
        store = create_store(data_dir, slug=DEMO_SLUG, name="Harbor & Pine", currency="USD", locale="en-US",
                             timezone="America/New_York", settings=SETTINGS, theme_preset="harbor")
    if store.storefront().settings.get("demo_seeded"):
        store.db.write(_checkout_if_missing)       # a demo seeded before checkout existed gets its setup
        return SeedResult(store, False)
    rng = random.Random(42)
    media = _import_images(store)
    store.db.write(lambda conn: _seed(conn, rng, media))
    index_products(store.db)
    return SeedResult(store, True)


def _checkout_if_missing(conn: Connection) -> None:
    shop = next((loc for loc in inventory.list_locations(conn) if loc.is_default), None)
    if shop is not None:
        seed_checkout(conn, shop)


def _import_images(store: Store) -> dict[str, str]:
    """Every picture the demo uses, imported once: key -> media id."""
    media_dir = store.data_dir.media_dir
    out: dict[str, str] = {}
    jobs: list[tuple[str, Callable[[], bytes], str]] = []

    def add(key: str, draw: Callable[[], bytes], alt: str) -> None:
        jobs.append((key, draw, alt))

    def run(job: tuple[str, Callable[[], bytes], str]) -> tuple[str, str]:
        key, draw, alt = job
        return key, import_image(store.db, media_dir, data=draw(), filename=f"{key}.png", alt=alt).id

    add("hero", lambda: banner_image(["#cfe0e8", "#f3e9dc", "#7f9fb0", "#4d6f80", "#2f4b5a"], seed=1),
        "Hills rolling down to the harbour at sunrise")
    add("story", lambda: banner_image(["#f3e9dc", "#e8d5bd", "#b4553c", "#8c6a43", "#3f5e4a"], width=1200,
                                      height=1500, seed=3),
        "Warm evening light over the pine hills behind the shop")
    add("journal", lambda: banner_image(["#dfe8e4", "#f1efe9", "#7fa8a4", "#5a7d8c", "#2f4b6e"], width=1600,
                                        height=1000, seed=5),
        "The bay on a calm morning")
    for index, (title, kind, *_rest) in enumerate(data.PRODUCTS):
        colors = _rest[4]
        for c_index, color in enumerate(colors[:2]):
            name = data.COLOR_NAMES.get(color, "")
            add(f"p{index}-{c_index}", partial(product_image, kind, color, seed=index + c_index),
                f"{title} in {name}".strip())
    # Pillow releases the GIL while it encodes: use every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        out.update(pool.map(run, jobs))
    return out


def _slug(text: str) -> str:
    from shared.pages.service import slugify

    return slugify(text)


def _seed(conn: Connection, rng: random.Random, media: dict[str, str]) -> None:
    now = datetime.now(UTC)
    shop = Location(new_id(), "Pine Street shop", "14 Pine Street, Port Clyde, ME", True, utc_now())
    warehouse = Location(new_id(), "Harbor warehouse", "2 Wharf Road, Port Clyde, ME", False, utc_now())
    for location in (shop, warehouse):
        inventory.insert_location(conn, location)
    seed_checkout(conn, shop)
    products = _seed_products(conn, rng, media, now, (shop, warehouse))
    _seed_collections(conn, products, media, now)
    _seed_pages(conn, media)
    _seed_posts(conn, media, now)
    stamp = utc_now()
    content.save_menu(conn, Menu("main", (
        {"title": "New arrivals", "url": "/collections/new-arrivals"},
        {"title": "Apparel", "url": "/collections/apparel"},
        {"title": "Home & kitchen", "url": "/collections/home-kitchen"},
        {"title": "About", "url": "/pages/about"},
        {"title": "Journal", "url": "/blog"},
    ), stamp))
    content.save_menu(conn, Menu("footer", (
        {"title": "About us", "url": "/pages/about"}, {"title": "FAQ", "url": "/pages/faq"},
        {"title": "Contact", "url": "/pages/contact"}, {"title": "Journal", "url": "/blog"},
        {"title": "Search", "url": "/search"},
    ), stamp))
    theme = content.get_active_theme(conn)
    settings = dict(theme.settings)
    settings["sections"] = {"header": {"show_search": True, "sticky": True}, "footer": footer_settings()}
    content.update_theme(conn, type(theme)(**{**theme.__dict__, "settings": settings, "updated_at": stamp}))
    store = get_storefront(conn)
    update_storefront(conn, type(store)(**{**store.__dict__, "settings": {**store.settings, "demo_seeded": True},
                                           "updated_at": stamp}))


def _seed_products(conn: Connection, rng: random.Random, media: dict[str, str], now: datetime,
                   locations: tuple[Location, Location]) -> list[Product]:
    products = []
    for index, (title, _kind, ptype, price, compare, option_key, colors, tags, text) in enumerate(data.PRODUCTS):
        created = (now - timedelta(days=len(data.PRODUCTS) - index, hours=rng.randint(0, 20))).isoformat()
        pid = new_id()
        axes: list[tuple[str, list[tuple[str, int]]]] = []
        if len(colors) > 1 or option_key is None:
            axes.append(("Color", [(data.COLOR_NAMES.get(c, c), 0) for c in colors]))
        if option_key:
            axes.append(data.OPTION_SETS[option_key])
        options = tuple(ProductOption(new_id(), pid, name, i, tuple(v for v, _ in values))
                        for i, (name, values) in enumerate(axes))
        combos: list[list[tuple[str, int]]] = [[]]
        for _name, values in axes:
            combos = [c + [v] for c in combos for v in values]
        variants = []
        for position, combo in enumerate(combos):
            names = [v for v, _ in combo]
            amount = price + sum(extra for _, extra in combo)
            sku = f"HP-{index + 1:03d}-" + "-".join(n.replace(" ", "").replace("$", "")[:4].upper() for n in names)
            variants.append(Variant(new_id(), pid, " / ".join(names) or "Default", sku, Money(amount, "USD"),
                                    Money(compare + (amount - price), "USD") if compare else None,
                                    (*names, None, None, None)[:3], position))
        media_ids = tuple(media[k] for k in (f"p{index}-0", f"p{index}-1") if k in media)
        description = f"<p>{text}</p><ul><li>Designed on the Maine coast</li><li>Free returns within 30 days</li></ul>"
        product = Product(pid, _slug(title), title, description, "Harbor & Pine", ptype, tuple(tags), "active",
                          options, tuple(variants), media_ids, created, created)
        catalog.insert_product(conn, product)
        sold_out = title == "Lavender Fog Candle"
        for variant in variants:
            for location in locations:
                qty = 0 if sold_out else rng.choice([0, 2, 4, 6, 8, 12, 15, 20, 24])
                if qty:
                    inventory.insert_movement(conn, StockMovement(new_id(), variant.id, location.id, qty, "received",
                                                                  "Opening stock", created))
                    sold = rng.randint(0, qty // 3)
                    if sold:
                        inventory.insert_movement(conn, StockMovement(new_id(), variant.id, location.id, -sold,
                                                                      "sold", "POS", created))
        products.append(product)
    return products


def _seed_collections(conn: Connection, products: list[Product], media: dict[str, str], now: datetime) -> None:
    stamp = utc_now()
    firsts = {"apparel": "p4-0", "home-kitchen": "p11-0", "accessories": "p22-0", "new-arrivals": "p2-0"}
    for position, (handle, title, description, sort) in enumerate(data.COLLECTIONS):
        collection = Collection(new_id(), handle, title, description, media.get(firsts[handle]), sort, position,
                                stamp, stamp)
        catalog.insert_collection(conn, collection)
        if handle == "new-arrivals":
            members = products[-10:]
        elif handle == "apparel":
            members = [p for p in products if p.product_type in data.APPAREL_TYPES]
        elif handle == "home-kitchen":
            members = [p for p in products if p.product_type in data.HOME_TYPES]
        else:
            members = [p for p in products if p.product_type not in data.APPAREL_TYPES | data.HOME_TYPES]
        catalog.add_to_collection(conn, collection.id, [p.id for p in members])


def _seed_pages(conn: Connection, media: dict[str, str]) -> None:
    stamp = utc_now()
    home = page_repo.get_page_by_slug(conn, "home")
    for position, (slug, title, seo, blocks) in enumerate(PAGES):
        if slug == "home":
            page = home
            page_repo.update_page(conn, page.id, seo_description=seo, social_image_id=media["hero"], updated_at=stamp)
        else:
            page = Page(new_id(), slug, title, "published", position, seo_description=seo, created_at=stamp,
                        updated_at=stamp, published_at=stamp)
            page_repo.insert_page(conn, page)
        for block_position, (kind, settings) in enumerate(blocks):
            resolved = {k: (media[v[6:]] if isinstance(v, str) and v.startswith("media:") else v)
                        for k, v in settings.items()}
            code = CUSTOM_BLOCKS.get(kind)
            schema = check_block(code).schema if code else builtin_block(kind).schema
            resolved = clean_settings(schema, resolved)   # the demo's settings obey the schemas too
            block = Block(new_id(), page.id, "custom" if code else kind, code, resolved, block_position,
                          created_at=stamp, updated_at=stamp)
            page_repo.insert_block(conn, block)
            if code:
                page_repo.insert_revision(conn, BlockRevision(new_id(), block.id, code, "Harbor & Pine",
                                                              "First version", stamp))


def _seed_posts(conn: Connection, media: dict[str, str], now: datetime) -> None:
    for index, (slug, title, excerpt, body, days_ago, image) in enumerate(POSTS):
        when = (now - timedelta(days=days_ago)).isoformat()
        content.insert_post(conn, Post(new_id(), slug, title, excerpt, body, "Maya Lindqvist", "published", when,
                                       media.get(image), created_at=when, updated_at=when))
        del index
