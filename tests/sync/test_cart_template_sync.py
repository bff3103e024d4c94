"""The cart template syncs and publishes like the other templates: a device's arrangement (a banner above
main-cart) is accepted by the cloud's push, reaches the other device, and a publish puts it live."""

from __future__ import annotations

from pathlib import Path

from shared.db import connect
from shared.db.repositories import pages as page_repo
from shared.pages.service import add_block
from shared.pages.templates import customize_template
from shared.releases import publish
from shared.sync.rules import validate_row
from tests.sync.conftest import World, copy_db, cycle, pull, store_db


def _cart(db) -> tuple[str | None, list[tuple[str, dict]]]:
    def read(conn):
        page = page_repo.get_template_page(conn, "cart")
        if page is None:
            return None, []
        return page.id, [(b.kind, b.settings) for b in page_repo.list_blocks(conn, page.id)]
    return db.read(read)


def test_the_cart_template_pushes_pulls_and_publishes(world: World, demo_source: Path, tmp_path: Path) -> None:
    a, b = world.devices
    page = customize_template(a.db, template="cart")
    add_block(a.db, page_id=page.id, kind="rich-text", position=0, settings={"heading": "Free shipping over $50"})
    arranged = _cart(a.db)
    assert arranged == (page.id, [("rich-text", {"heading": "Free shipping over $50"}), ("main-cart", {})])

    cycle(a, world.cloud)                      # refused rows would raise RowRefused here
    assert _cart(world.cloud) == arranged
    pull(b, world.cloud)
    assert _cart(b.db) == arranged

    live = connect(copy_db(store_db(demo_source), tmp_path / "live.db"))
    try:
        assert _cart(live) == (None, [])
        release = publish(world.cloud, live, device_id=a.device_id, note="Cart banner")
        assert _cart(live) == arranged
        assert {"pages", "blocks"} <= set(release.summary["tables"])
    finally:
        live.close()


def test_the_cart_templates_address_is_reserved_for_it() -> None:
    assert validate_row("pages", {"slug": "template-cart", "template": "cart"}) == []
    taken = validate_row("pages", {"slug": "template-cart", "template": None})
    assert taken and taken[0].field == "slug"
    unknown = validate_row("pages", {"slug": "template-checkout", "template": "checkout"})
    assert unknown and unknown[0].field == "template"
