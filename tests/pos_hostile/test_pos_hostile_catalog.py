"""POST /pos/v1/catalog/batch-upsert with what a POS might send by mistake: a 4xx JSON problem naming the
product's index and the field (or a correct 2xx), never a 500, and a refused batch writes nothing."""

from __future__ import annotations

import json

import pytest

from pos_hostile_support import UPSERT, Hostile, problem_of


def _variant(sku: str, amount: int = 100, currency: str = "USD", **extra) -> dict:
    return {"sku": sku, "price": {"amount": amount, "currency": currency}, **extra}


def _product(title: str, *variants: dict, **extra) -> dict:
    return {"title": title, "variants": list(variants) or [_variant(f"{title[:20]}-1")], **extra}


def _rows(hostile: Hostile) -> tuple[int, int]:
    return hostile.read(lambda conn: (conn.scalar("SELECT count(*) FROM products"),
                                      conn.scalar("SELECT count(*) FROM variants")))


async def _refused(hostile: Hostile, products: list[dict], *, index: int | None, field: str,
                   status: int = 422) -> dict:
    before = _rows(hostile)
    got, body = await hostile.post(UPSERT, {"products": products})
    error = problem_of(got, body)
    assert (got, error["index"], error["field"]) == (status, index, field), body
    assert _rows(hostile) == before
    return error


@pytest.mark.parametrize(("variant", "field"), [
    (_variant("a\x00b"), "variants[0].sku"),
    (_variant("TAB\tSKU"), "variants[0].sku"),
    (_variant("x" * 10_240), "variants[0].sku"),
    (_variant("BC-1", barcode="123\n456"), "variants[0].barcode"),
    (_variant("PR-1", amount=-1), "variants[0].price.amount"),
    (_variant("PR-2", amount=2 ** 63), "variants[0].price.amount"),
    (_variant("PR-3", amount="100"), "variants[0].price.amount"),
    (_variant("PR-4", currency="usd"), "variants[0].price.currency"),
    (_variant("PR-5", currency="EUR"), "variants[0].price.currency"),
    (_variant("WG-1", weight_grams=-(2 ** 63)), "variants[0].weight_grams"),
    (_variant("ID-1", id="\x00"), "variants[0].id"),
    (_variant("EX-1", external_id="ext\x1b[31m"), "variants[0].external_id"),
])
async def test_bad_variants_are_refused_naming_the_field(hostile: Hostile, variant: dict, field: str) -> None:
    await _refused(hostile, [_product("Fine", _variant("FINE-1")), _product("Bad", variant)], index=1, field=field)


@pytest.mark.parametrize(("extra", "field"), [
    ({"title": "Mug\x00"}, "title"),
    ({"title": " "}, "title"),
    ({"version": 2 ** 63}, "version"),
    ({"version": -(2 ** 63)}, "version"),
    ({"version": "1"}, "version"),
    ({"handle": "-x-"}, "handle"),
    ({"status": "deleted"}, "status"),
    ({"options": [{"name": "Size\x00", "values": ["S"]}]}, "options[0].name"),
    ({"options": [{"name": "Size", "values": ["S\n"]}]}, "options[0].values[0]"),
    ({"options": [{"name": f"O{i}", "values": ["S"]} for i in range(4)]}, "options"),
])
async def test_bad_products_are_refused_naming_the_field(hostile: Hostile, extra: dict, field: str) -> None:
    await _refused(hostile, [_product("Fine"), _product("Bad") | extra], index=1, field=field)


async def test_option_values_that_do_not_match_the_options_are_refused(hostile: Hostile) -> None:
    sized = {"options": [{"name": "Size", "values": ["S", "M"]}]}
    await _refused(hostile, [_product("Sized", _variant("SZ-1")) | sized], index=0, field="variants[0].option_values")
    await _refused(hostile, [_product("Sized", _variant("SZ-1", option_values=["L"])) | sized], index=0,
                   field="variants[0].option_values")
    await _refused(hostile, [_product("Sized", _variant("SZ-1", option_values=["S", "M"])) | sized], index=0,
                   field="variants[0].option_values")
    await _refused(hostile, [_product("Two", _variant("TW-1"), _variant("TW-2"))], index=0, field="options")


async def test_two_products_sharing_a_sku_are_refused(hostile: Hostile) -> None:
    error = await _refused(hostile, [_product("A", _variant("SHARED-1")), _product("B", _variant("SHARED-1"))],
                           index=1, field="variants[0].sku")
    assert error["code"] == "duplicate"


async def test_a_variant_cannot_be_moved_to_another_product(hostile: Hostile) -> None:
    """By our id, by the POS's external id or by its SKU: a variant keeps its product (its stock and
    orders refer to it); the move is refused and neither product changes."""
    status, made = await hostile.post(UPSERT, {"products": [
        _product("Source", _variant("MOVE-1", external_id="ext-move-1"), external_id="ext-source"),
        _product("Target", _variant("STAY-1"), external_id="ext-target")]})
    assert status == 200
    moved_id = made["products"][0]["variants"][0]["id"]
    target = {"title": "Target", "external_id": "ext-target", "version": 1}
    await _refused(hostile, [target | {"variants": [_variant("MOVE-1", id=moved_id)]}], index=0,
                   field="variants[0].id")
    await _refused(hostile, [target | {"variants": [_variant("NEW-SKU", external_id="ext-move-1")]}], index=0,
                   field="variants[0].external_id")
    await _refused(hostile, [target | {"variants": [_variant("MOVE-1")]}], index=0, field="variants[0].sku")
    owner = hostile.read(lambda conn: conn.scalar("SELECT product_id FROM variants WHERE id = ?", (moved_id,)))
    assert owner == made["products"][0]["id"]


@pytest.mark.parametrize(("title", "handle"), [
    ("Café Crème", "cafe-creme"), ("Über Mug", "uber-mug"), ("😀😀", "product"), ("  --Mug--  ", "mug"),
])
async def test_a_new_products_handle_is_made_from_its_title(hostile: Hostile, title: str, handle: str) -> None:
    status, body = await hostile.post(UPSERT, {"products": [_product(title, _variant(f"H-{handle}"))]})
    assert status == 200 and body["products"][0]["handle"] == handle


async def test_bytes_that_are_not_utf8_are_a_400(hostile: Hostile) -> None:
    raw = json.dumps({"products": [_product("Mug", _variant("UTF-1"))]}).encode().replace(b"Mug", b"M\xffg")
    status, body = await hostile.post(UPSERT, data=raw)
    assert status == 400 and problem_of(status, body)["code"] == "malformed"


@pytest.mark.parametrize(("raw", "status"), [
    (b'{"products": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 422), (b'{"products": {}}', 422),
    (b"[]", 422), (b"\x00", 400), (b" " * (2 * 1024 * 1024), 413),
])
async def test_bodies_that_are_not_a_batch(hostile: Hostile, raw: bytes, status: int) -> None:
    got, body = await hostile.post(UPSERT, data=raw)
    assert got == status and problem_of(got, body)["status"] == status
