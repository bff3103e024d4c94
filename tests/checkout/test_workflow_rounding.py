"""The rounding table through the whole workflow: for every case the amount localstripe is asked to
charge is the table's provider amount, and the order's total is the quote's total (what the shopper saw
is what is charged, in integer minor units)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from shared.checkout.attempt import CheckoutRequest
from shared.checkout.finalize import OutcomeStatus
from shared.checkout.workflow import place_order
from shared.db.repositories import catalog
from shared.db.stamps import new_id
from shared.inventory import record_movement
from shared.models import Collection, Money, Product, Variant
from shared.payments import SecretBox
from support_checkout import T0, intents, make_shop
from support_stripe import LocalStripe
from tests.checkout.cases import NOW, TABLE, build_destination, build_setup

CASES = TABLE["cases"]


def _stock_case(shop, case: dict) -> list[str]:
    """One product per line of the case, priced as the case says, in stock; its collections made."""
    ids = []

    def write(conn) -> None:
        for index, line in enumerate(case["lines"]):
            pid = new_id()
            variant = Variant(new_id(), pid, "Default", f"SKU-{index}", Money(line["unit_price"], case["currency"]),
                              None, (None, None, None), 0)
            catalog.insert_product(conn, Product(pid, f"item-{index}", f"Item {index}", variants=(variant,),
                                                 created_at=T0.isoformat(), updated_at=T0.isoformat()))
            for collection_id in line.get("collection_ids", ()):
                if conn.scalar("SELECT count(*) FROM collections WHERE id = ?", (collection_id,)) == 0:
                    catalog.insert_collection(conn, Collection(collection_id, collection_id, collection_id))
                catalog.add_to_collection(conn, collection_id, [pid])
            record_movement(conn, change_id=new_id(), variant_id=variant.id, location_id=shop.shop_location,
                            delta=line["quantity"], reason="received", occurred_at=T0, now=T0)
            ids.append(variant.id)

    shop.db.write(write)
    return ids


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
async def test_the_charge_is_the_quote_total(case: dict, tmp_path: Path, localstripe: LocalStripe) -> None:
    shop = make_shop(tmp_path / "store.db", box=SecretBox(os.urandom(32)), api_base=localstripe.url,
                     currency=case["currency"], stock=0)
    try:
        variants = _stock_case(shop, case)
        setup = build_setup(case)
        ctx = dataclasses.replace(shop.context(), load_setup=lambda conn: setup, clock=lambda: NOW)
        req = CheckoutRequest(lines=tuple((v, line["quantity"]) for v, line in zip(variants, case["lines"])),
                              email="ada@example.com", payment_method="stripe",
                              shipping_option_id=case.get("shipping_option_id"),
                              destination=build_destination(case), discount_code=case.get("code"))
        outcome = await place_order(ctx, req, card="pm_card_visa")
        assert outcome.status is OutcomeStatus.COMPLETED
        [intent] = intents(localstripe)
        assert (intent["amount"], intent["currency"]) == (case["provider_amount"], case["currency"].lower())
        assert outcome.order.total == Money(case["expect"]["total"], case["currency"])
        assert outcome.order.tax.amount == case["expect"]["tax"]
    finally:
        shop.db.close()
