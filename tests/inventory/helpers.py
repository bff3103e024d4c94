"""What the inventory tests share: a product with variants, two locations, stock put in."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.db import Connection, Database
from shared.db.repositories import catalog
from shared.db.repositories import inventory as repo
from shared.db.stamps import new_id
from shared.inventory import record_movement
from shared.models import Location, Money, Product, Variant

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def make_product(db: Database, *, variants: int = 2) -> list[str]:
    """A product with `variants` variants; returns their ids."""
    pid, now = new_id(), T0.isoformat()
    product = Product(pid, f"tee-{pid[:8]}", "Tee", variants=tuple(
        Variant(new_id(), pid, f"V{i}", f"SKU-{pid[:4]}-{i}", Money(2500, "USD"), None, (f"V{i}", None, None), i)
        for i in range(variants)), created_at=now, updated_at=now)
    db.write(lambda conn: catalog.insert_product(conn, product))
    return [v.id for v in product.variants]


def make_locations(db: Database) -> tuple[str, str]:
    """A default shop and a warehouse; returns (shop id, warehouse id)."""
    shop = Location(new_id(), "Pine Street shop", is_default=True, created_at=T0.isoformat())
    warehouse = Location(new_id(), "Harbor warehouse", created_at=T0.isoformat())

    def write(conn: Connection) -> None:
        repo.insert_location(conn, shop)
        repo.insert_location(conn, warehouse)

    db.write(write)
    return shop.id, warehouse.id


def receive(db: Database, variant_id: str, location_id: str, quantity: int, *, at: datetime = T0) -> None:
    """Put stock in."""
    db.write(lambda conn: record_movement(conn, change_id=new_id(), variant_id=variant_id, location_id=location_id,
                                          delta=quantity, reason="received", occurred_at=at, now=at))


def summary(db: Database, variant_id: str) -> int | None:
    """What the storefront's summary says is on hand for a variant (None: no row)."""
    return db.read(lambda conn: conn.scalar("SELECT on_hand FROM variant_stock WHERE variant_id = ?", (variant_id,)))
