"""Related products from libSQL's vector index: similar products first, kept current, on the page."""

from __future__ import annotations

from shared.catalog.vectors import DIMENSIONS, embed, index_products
from shared.compose import render_template
from shared.db.repositories import catalog, vectors
from shared.storefront import routes
from shared.vibe.executor import StoreExecutor


def _related(store, handle: str, limit: int = 3) -> list[str]:
    def read(conn):
        pid = catalog.get_product_id_by_handle(conn, handle)
        ids = vectors.related_ids(conn, product_id=pid, limit=limit)
        products = catalog.get_products(conn, ids)
        return [products[i].title for i in ids]
    return store.db.read(read)


def test_vectors_are_normalised_float32_of_the_declared_size() -> None:
    blob = embed("Stoneware Mug", "Mugs", "Harbor & Pine", ["ceramic"], "<p>Thrown by hand.</p>")
    assert len(blob) == DIMENSIONS * 4


def test_similar_products_come_first(demo_store) -> None:
    assert {"Enamel Camp Mug", "Harbor Espresso Cups (Set of 2)"} <= set(_related(demo_store, "stoneware-mug"))
    assert {"Lavender Fog Candle", "Cedar & Sea Salt Candle"} <= set(_related(demo_store, "pine-forest-candle"))
    assert "Harbor Classic Tee" not in _related(demo_store, "harbor-classic-tee", 10)


def test_vectors_follow_product_changes(demo_store) -> None:
    assert index_products(demo_store.db) == 0          # the demo is indexed when seeded
    demo_store.db.write(lambda c: c.execute(
        "UPDATE products SET title = 'Stoneware Candle Holder', product_type = 'Candles' WHERE handle = 'stoneware-mug'"))
    assert index_products(demo_store.db) == 1
    assert "Harbor Espresso Cups (Set of 2)" not in _related(demo_store, "stoneware-mug", 2)


def test_the_product_page_shows_related_products(demo_store) -> None:
    executor = StoreExecutor("related")
    try:
        route = demo_store.db.read(lambda c: routes.product_route(c, handle="stoneware-mug", variant_id=None))
        page = render_template(demo_store.db, executor=executor, template="product", route=route,
                               path="/products/stoneware-mug")
    finally:
        executor.close()
    related = page.html.split('data-block-kind="related-products"', 1)[1]
    assert "Enamel Camp Mug" in related and "You may also like" in related
    assert not page.failures
