"""A linked studio follows the catalogue live: `vibeshop cloud serve` (two workers) on loopback, a studio
data folder linked with a real pairing code, its SyncController started, and the Products browser.
POS stock changes over HTTP reach the browser without reopening it (the poke socket's {"catalog": N},
then GET /_sync/catalog), the selection and scroll stay, a threshold set in the variants table goes to
the cloud, and a fall to the threshold is announced once per crossing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog_live_support import DEMO, CatalogSetup, count_change, link_studio_folder, sale_change
from shared.db.repositories import catalog_changes
from shared.db.stamps import utc_now
from shared.storefront.service import DataDir, open_store
from support import serving

WAIT = 30_000        # ms: only catches a hang
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TOOLTIP = 3          # Qt.ItemDataRole.ToolTipRole


@pytest.fixture
def cloud(catalog_setup: CatalogSetup) -> Iterator[str]:
    with serving(catalog_setup.data, workers=2) as server:
        yield server.url


@pytest.fixture
def studio(cloud: str, catalog_setup: CatalogSetup, tmp_path: Path, qtbot, studio_look) -> Iterator:
    """(session, sync, browser): a studio linked to the cloud, syncing, with the Products browser."""
    from studio.editor.products_browser import ProductsBrowser
    from studio.publish.controller import SyncController
    from studio.session import StudioSession

    folder = link_studio_folder(catalog_setup, tmp_path / "studio", cloud)
    session = StudioSession(DataDir(folder), open_store(DataDir(folder), "demo"))
    sync = SyncController(session, backoff=(0.05, 0.2))
    browser = ProductsBrowser(session, sync)
    qtbot.addWidget(browser)
    browser.resize(1400, 700)
    browser.show()
    with qtbot.waitSignal(sync.catalog.refreshed, timeout=WAIT):
        sync.start()                                   # the first catalogue pull brings every row
    yield session, sync, browser
    sync.stop()
    session.close()


class _At(list):
    """The notices about one location, read live from the list of every notice."""

    def __init__(self, source: list[str], location: str):
        super().__init__()
        self._source, self._location = source, location

    def _now(self) -> list[str]:
        return [n for n in self._source if n.endswith(f"at {self._location}")]

    def __eq__(self, other: object) -> bool:
        return self._now() == other

    def __len__(self) -> int:
        return len(self._now())

    def __repr__(self) -> str:
        return repr(self._now())


def _pos(cloud: str, setup: CatalogSetup, body: dict) -> None:
    answer = httpx.post(f"{cloud}/pos/v1/inventory/changes", json=body, timeout=30,
                        headers={**setup.pos_headers(), **DEMO})
    assert answer.status_code == 200, answer.text


def _shop_cell(browser, setup: CatalogSetup) -> str:
    table = browser.variants
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    row = next(r for r in range(table.rowCount()) if table.item(r, headers.index("SKU")).text() == setup.sku)
    return table.item(row, headers.index("Pine Street shop")).text()


def _variant_row(browser, setup: CatalogSetup) -> int:
    table = browser.variants
    sku = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("SKU")
    return next(r for r in range(table.rowCount()) if table.item(r, sku).text() == setup.sku)


def test_pos_changes_reach_the_browser_in_place_and_low_stock_is_announced_once_per_crossing(
        cloud: str, studio, catalog_setup: CatalogSetup, qtbot, tmp_path: Path) -> None:
    session, sync, browser = studio
    everything: list[str] = []
    browser.notified.connect(lambda title, _text: everything.append(title))
    notices = _At(everything, "Pine Street shop")
    browser.select_handle("harbor-classic-tee")
    browser.table.verticalScrollBar().setValue(browser.table.verticalScrollBar().maximum())
    scroll = browser.table.verticalScrollBar().value()
    row = _variant_row(browser, catalog_setup)
    browser.variants.setCurrentCell(row, 0)

    # The merchant sets "Alert at" 3 in the variants table: stored in the cloud, pulled back here.
    _pos(cloud, catalog_setup, count_change(catalog_setup, 5))
    qtbot.waitUntil(lambda: _shop_cell(browser, catalog_setup) == "5", timeout=WAIT)
    with qtbot.waitSignal(browser.refreshed, timeout=WAIT):
        browser.variants.item(row, browser.variants.alert_column).setText("3")
    # The warehouse holds 2: already low when the alert was set, so that is announced at once (once).
    # Waited for: it comes with the cloud's answer, which a refresh of another pull may precede.
    warehouse = ["Low stock: Harbor Classic Tee / Navy / M — 2 left at Harbor warehouse"]
    qtbot.waitUntil(lambda: len(everything) > 0, timeout=WAIT)
    cloud_store = open_store(DataDir(catalog_setup.data), "demo")
    try:
        assert cloud_store.db.read(lambda c: catalog_changes.thresholds(c, [catalog_setup.variant_id])) == {
            catalog_setup.variant_id: 3}
    finally:
        cloud_store.close()
    assert notices == []                              # 5 is above 3
    assert everything == warehouse

    # A POS sale leaves 2: shown in place, the product marked, one notification.
    _pos(cloud, catalog_setup, sale_change(catalog_setup, 3))
    qtbot.waitUntil(lambda: _shop_cell(browser, catalog_setup) == "⚠ 2", timeout=WAIT)
    qtbot.waitUntil(lambda: len(notices) == 1, timeout=WAIT)
    assert notices == ["Low stock: Harbor Classic Tee / Navy / M — 2 left at Pine Street shop"]
    assert browser.table.currentIndex().data(0x0100) == "harbor-classic-tee"      # HANDLE: still selected
    assert browser.table.verticalScrollBar().value() == scroll
    assert browser.variants.currentRow() == row
    stock = browser.table.currentIndex().siblingAtColumn(2)
    assert stock.data().startswith("⚠ Low")
    assert "Navy / M at Pine Street shop (2 left)" in stock.data(TOOLTIP)

    # Still low: no second notification. Back above, then down again: a new crossing, announced.
    _pos(cloud, catalog_setup, sale_change(catalog_setup, 1))
    qtbot.waitUntil(lambda: _shop_cell(browser, catalog_setup) == "⚠ 1", timeout=WAIT)
    _pos(cloud, catalog_setup, count_change(catalog_setup, 10, minutes_ago=0))
    qtbot.waitUntil(lambda: _shop_cell(browser, catalog_setup) == "10", timeout=WAIT)
    assert "Pine Street" not in browser.table.currentIndex().siblingAtColumn(2).data(TOOLTIP)   # the warehouse is still low
    assert len(notices) == 1
    _pos(cloud, catalog_setup, sale_change(catalog_setup, 8))
    qtbot.waitUntil(lambda: len(notices) == 2, timeout=WAIT)
    assert _shop_cell(browser, catalog_setup) == "⚠ 2"
    assert browser.table.currentIndex().data(0x0100) == "harbor-classic-tee"
    assert [n for n in everything if n.endswith("warehouse")] == warehouse

    # For the screenshot, a product that is not selected gets a mark too (its scarcest variant's stock).
    towel, fewest = session.db.read(lambda conn: conn.one(
        "SELECT s.variant_id, s.on_hand FROM location_stock s JOIN variants v ON v.id = s.variant_id "
        "JOIN products p ON p.id = v.product_id WHERE p.title = 'Waffle Bath Towel' ORDER BY s.on_hand LIMIT 1"))
    towel_row = next(r for r in range(browser.model.rowCount()) if browser.model.rows[r].title == "Waffle Bath Towel")
    with qtbot.waitSignal(browser.refreshed, timeout=WAIT):
        assert sync.catalog.set_threshold(towel, fewest, lambda error: None)
    qtbot.waitUntil(lambda: bool(browser.model.rows[towel_row].low), timeout=WAIT)
    _screenshot(browser, tmp_path)


def _screenshot(browser, tmp_path: Path) -> None:
    """docs/screenshots/studio-products-live.png with VIBESHOP_DOCS_SCREENSHOTS=1 (always into tmp_path)."""
    path = tmp_path / "studio-products-live.png"
    assert browser.grab().save(str(path), "PNG")
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if os.environ.get("VIBESHOP_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, DOCS / path.name)


def test_a_product_edited_in_the_cloud_refreshes_the_list(cloud: str, studio, catalog_setup, qtbot) -> None:
    session, sync, browser = studio
    browser.select_handle("harbor-classic-tee")
    cloud_store = open_store(DataDir(catalog_setup.data), "demo")
    try:
        cloud_store.db.write(lambda conn: conn.execute(
            "UPDATE products SET title = 'Harbor Classic Tee (new run)' WHERE id = ?", (catalog_setup.product_id,)))
    finally:
        cloud_store.close()
    qtbot.waitUntil(lambda: browser.title.text() == "Harbor Classic Tee (new run)", timeout=WAIT)
    assert browser.table.currentIndex().data() == "Harbor Classic Tee (new run)"

    # A new product changes the list itself (the model resets): the selection is found again.
    before = browser.model.rowCount()
    cloud_store = open_store(DataDir(catalog_setup.data), "demo")
    try:
        def add(conn) -> None:
            now = utc_now()
            conn.execute("INSERT INTO products (id, handle, title, created_at, updated_at) "
                         "VALUES ('p-live', 'live-tee', 'Live Tee', ?, ?)", (now, now))
            conn.execute("INSERT INTO variants (id, product_id, title, sku, price_amount, currency, created_at, "
                         "updated_at) VALUES ('v-live', 'p-live', 'Default', 'LIVE-1', 1500, 'USD', ?, ?)", (now, now))

        cloud_store.db.write(add)
    finally:
        cloud_store.close()
    qtbot.waitUntil(lambda: browser.model.rowCount() == before + 1, timeout=WAIT)
    assert browser.table.currentIndex().data(0x0100) == "harbor-classic-tee"
    assert browser.title.text() == "Harbor Classic Tee (new run)"
