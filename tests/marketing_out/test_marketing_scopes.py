"""A studio paired today gets the marketing scopes; one paired before them gets them from catalog migration
0006, while a token made by hand keeps exactly what it was given."""

from __future__ import annotations

import json
from pathlib import Path

from shared.accounts.pairing import create_pairing_code, redeem_pairing_code
from shared.accounts.service import create_token
from shared.storefront.service import DataDir, open_store

MIGRATION = Path(__file__).parents[2] / "shared/db/migrations/catalog/0006_device_marketing_scopes.sql"


def scopes_of(catalog, token_id: str) -> list[str]:  # noqa: ANN001
    return json.loads(catalog.read(lambda conn: conn.one("SELECT scopes FROM api_tokens WHERE id = ?", (token_id,))[0]))


def test_paired_studios_get_the_marketing_scopes(demo_dir: Path) -> None:
    store = open_store(DataDir(demo_dir), "demo")
    store.close()
    catalog = DataDir(demo_dir).catalog()
    try:
        device = redeem_pairing_code(catalog, code=create_pairing_code(catalog, store_id=store.record.id),
                                     device_name="Laptop")
        assert {"marketing:read", "marketing:write"} <= set(scopes_of(catalog, device.device_id))
        # A studio paired before: its token lacked them. A hand-made token never gets them.
        catalog.write(lambda conn: conn.execute("UPDATE api_tokens SET scopes = '[\"sync\", \"orders:read\"]' "
                                                "WHERE id = ?", (device.device_id,)))
        made = create_token(catalog, store_id=store.record.id, name="script", scopes=["orders:read"])
        manual_id = made.split("_")[1]
        catalog.write(lambda conn: conn.execute(MIGRATION.read_text()))
        assert set(scopes_of(catalog, device.device_id)) == {"sync", "orders:read", "marketing:read", "marketing:write"}
        assert scopes_of(catalog, manual_id) == ["orders:read"]
    finally:
        catalog.close()
