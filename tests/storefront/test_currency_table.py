"""One currency table (shared/models/iso4217.json): the price a page shows (the V8 helper formatPrice),
the JSON-LD price and the collection price filter agree for every ISO 4217 currency, including those
where ICU's digits differ from ISO's (IQD, RSD, YER, ...); Money refuses to compare currencies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR
from importlib import resources
from typing import Any

import pytest

from shared.db.repositories import catalog
from shared.db.stamps import new_id, utc_now
from shared.models import Money, Product, Variant
from shared.models.money import (MINOR_UNITS, STORE_CURRENCIES, TABLE_SOURCE, MoneyError, MoneyErrorCode,
                                 from_major, major_text, minor_digits)
from shared.storefront.addresses import render_address, resolve
from shared.storefront.service import DataDir, Store, create_store
from shared.storefront.validation import currency_problem
from shared.vibe import BlockJob, PageData
from shared.vibe.executor import StoreExecutor
from support import parse

# Seven significant digits, none of them zero at the end: any digit lost or added shows.
AMOUNT = 1234567
HANDLE = "every-currency"
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _table() -> dict[str, Any]:
    return json.loads(resources.files("shared.models").joinpath("iso4217.json").read_text("utf-8"))


# The table itself ----------------------------------------------------------------------------------------------

def test_the_table_is_iso_4217_list_one_and_says_where_it_came_from() -> None:
    assert "ISO 4217" in TABLE_SOURCE and "iso4217 1.16.20260101" in TABLE_SOURCE
    # ISO's digits, where ICU (Intl) disagrees: IQD 3 (ICU 0), the others 2 (ICU 0).
    assert {c: MINOR_UNITS[c] for c in ("IQD", "ALL", "RSD", "IRR", "LAK", "MGA", "SOS", "YER")} == {
        "IQD": 3, "ALL": 2, "RSD": 2, "IRR": 2, "LAK": 2, "MGA": 2, "SOS": 2, "YER": 2}
    assert (MINOR_UNITS["JPY"], MINOR_UNITS["USD"], MINOR_UNITS["KWD"], MINOR_UNITS["CLF"]) == (0, 2, 3, 4)
    currencies = _table()["currencies"]
    assert len(currencies) >= 178
    # ISO's "N.A." codes have no minor unit: no amount in minor units means anything in them.
    assert {"XAU", "XXX", "XDR", "XTS"} <= {c for c, e in currencies.items() if e["minor_units"] is None}
    assert not {"XAU", "XXX"} & set(MINOR_UNITS)
    # Funds are money, not a store's currency; a withdrawn code (Bulgaria joined the euro) stays usable.
    assert currencies["CLF"]["fund"] and "CLF" in MINOR_UNITS and "CLF" not in STORE_CURRENCIES
    assert currencies["BGN"]["withdrawn"] == "2026-01-01" and "BGN" in STORE_CURRENCIES


def test_store_currency_validation_reads_the_same_table() -> None:
    assert currency_problem("IQD") is None and currency_problem("XCG") is None
    assert currency_problem("XAU") and currency_problem("CLF") and currency_problem("usd")


# Every currency: page, JSON-LD and filters agree ----------------------------------------------------------

@pytest.fixture(scope="module")
def priced_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, StoreExecutor]]:
    store = create_store(DataDir(tmp_path_factory.mktemp("currencies")), slug="every-currency",
                         name="Every Currency")
    pid, now = new_id(), utc_now()
    product = Product(pid, HANDLE, "Counted Thing", created_at=now, updated_at=now, variants=(
        Variant(new_id(), pid, "Default", "SKU-1", Money(AMOUNT, "USD"), None, (None, None, None)),))
    store.db.write(lambda conn: catalog.insert_product(conn, product))
    executor = StoreExecutor("every-currency")
    yield store, executor
    executor.close()
    store.close()


def _switch_currency(store: Store, code: str) -> None:
    # Plain SQL: funds such as CLF are valid money but not a store currency the services accept.
    def write(conn):
        conn.execute("UPDATE storefront SET currency = ?", (code,))
        conn.execute("UPDATE variants SET currency = ?", (code,))
    store.db.write(write)


def _render(store: Store, executor: StoreExecutor, path: str, params: list[tuple[str, str]], code: str):
    address = resolve(path, params, currency=code, now=utc_now())
    status, page = render_address(store.db, executor, address, path=path, query=dict(params),
                                  site_url="http://every.localhost")
    assert status == 200, (code, path)
    assert not page.failures, (code, path, [r.error for _b, r in page.failures])
    return parse(page.html)


def _shown(element) -> str:
    """The number in a price as shown (en-US: "," groups thousands), grouping removed."""
    text = "".join(element.itertext())
    found = _NUMBER.findall(text)
    assert len(found) == 1, text
    return found[0].replace(",", "")


def _by_class(tree, cls: str) -> list:
    return [el for el in tree.iter() if cls in (el.get("class") or "").split()]


def _check_product_page(store: Store, executor: StoreExecutor, code: str, decimal: str) -> None:
    tree = _render(store, executor, f"/products/{HANDLE}", [], code)
    shown = {_shown(el) for el in _by_class(tree, "vs-price__current")}
    assert shown == {decimal}, (code, shown)
    ld = [json.loads(el.text) for el in tree.iter("script") if el.get("type") == "application/ld+json"]
    offers = next(item for item in ld if item.get("@type") == "Product")["offers"]
    assert [(o["price"], o["priceCurrency"]) for o in offers] == [(decimal, code)]
    meta = {el.get("property"): el.get("content") for el in tree.iter("meta") if el.get("property")}
    assert meta["product:price:amount"] == decimal and meta["product:price:currency"] == code


def _check_collection_filter(store: Store, executor: StoreExecutor, code: str, decimal: str) -> None:
    # The bounds the filter form writes for exactly this price keep the product ...
    bounds = [("price_min", decimal), ("price_max", decimal)]
    tree = _render(store, executor, "/collections/all", bounds, code)
    inputs = {el.get("name"): el for el in tree.iter("input") if el.get("name") in ("price_min", "price_max")}
    assert inputs["price_min"].get("value") == inputs["price_max"].get("value") == decimal, code
    assert inputs["price_max"].get("step") == major_text(1, code)
    cards = {_shown(el) for el in _by_class(tree, "vs-price__current")}
    assert cards == {decimal}, (code, cards)
    hint = next(el for el in _by_class(tree, "vs-facets__hint"))
    assert _shown(hint) == decimal
    # ... and one minor unit either way leaves it out: the filter reads the table's digits too.
    above = [("price_min", major_text(AMOUNT + 1, code))]
    below = [("price_max", major_text(AMOUNT - 1, code))]
    for params in (above, below):
        tree = _render(store, executor, "/collections/all", params, code)
        assert not _by_class(tree, "vs-price__current"), (code, params)


def test_every_iso_4217_currency_shows_one_price_on_the_page_in_json_ld_and_in_the_filters(priced_store) -> None:
    store, executor = priced_store
    assert len(MINOR_UNITS) > 150
    for code in sorted(MINOR_UNITS):
        digits = MINOR_UNITS[code]
        decimal = major_text(AMOUNT, code)
        assert decimal == (f"{AMOUNT // 10 ** digits}.{AMOUNT % 10 ** digits:0{digits}d}" if digits else str(AMOUNT))
        _switch_currency(store, code)
        _check_product_page(store, executor, code, decimal)
        _check_collection_filter(store, executor, code, decimal)


def test_a_currency_without_a_minor_unit_is_never_formatted(priced_store) -> None:
    store, executor = priced_store
    job = BlockJob("b1", "custom", "function render(ctx, h) { return h.formatPrice({ amount: 1, currency: 'XAU' }); }")
    (result,) = executor.render_page([job], PageData(env={"locale": "en-US", "currency": "USD"}, shared={}))
    assert not result.ok and "XAU is not an ISO 4217 currency with a minor unit" in result.error
    with pytest.raises(MoneyError) as caught:
        Money(1, "XAU")
    assert caught.value.code == MoneyErrorCode.UNKNOWN_CURRENCY
    with pytest.raises(MoneyError):
        minor_digits("QQQ")


# Conversions ------------------------------------------------------------------------------------------------

def test_major_units_convert_exactly_and_filter_bounds_round_inwards() -> None:
    assert major_text(2400, "JPY") == "2400" and major_text(123456, "IQD") == "123.456"
    assert major_text(5, "USD") == "0.05" and major_text(-5, "KWD") == "-0.005"
    assert from_major("0.1", "USD") + from_major("0.2", "USD") == from_major("0.3", "USD") == 30
    assert from_major("24.999", "USD", rounding=ROUND_CEILING) == 2500      # a lower bound rounds up
    assert from_major("24.999", "USD", rounding=ROUND_FLOOR) == 2499        # an upper bound down
    assert from_major("1.5", "JPY", rounding=ROUND_FLOOR) == 1
    with pytest.raises(MoneyError):
        from_major("NaN", "USD")


# Money across currencies ---------------------------------------------------------------------------------

def test_money_in_two_currencies_is_never_equal_and_never_ordered() -> None:
    usd, eur = Money(100, "USD"), Money(100, "EUR")
    assert usd != eur and not usd == eur           # noqa: SIM201 - both operators are the point
    assert usd == Money(100, "USD") and len({usd, eur, Money(100, "USD")}) == 2
    for compare in (lambda: usd < eur, lambda: usd <= eur, lambda: usd > eur, lambda: usd >= eur,
                    lambda: sorted([usd, eur]), lambda: max(usd, eur), lambda: usd + eur, lambda: usd - eur):
        with pytest.raises(MoneyError) as caught:
            compare()
        assert caught.value.code == MoneyErrorCode.CURRENCY_MISMATCH
    assert Money(1, "JPY") < Money(2, "JPY") <= Money(2, "JPY") and sorted([Money(3, "JPY"), Money(1, "JPY")])[0].amount == 1
    with pytest.raises(TypeError):
        usd < 100  # noqa: B015 - a number has no currency
    assert usd != 100
