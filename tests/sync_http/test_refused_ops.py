"""A push holding values the table rules refuse (shared/sync/rules.py), through the real /_sync/ API:
a 422 naming the op id, table, field and reason, and nothing of the push is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sync_http_support import hlc, pair, pull_all, refused

TRAVERSAL = "../../../../tmp/x"


def _row(changes, table: str, **match):
    return next(c["row"] for c in changes if c["table"] == table and c["row"]
                and all(c["row"].get(k) == v for k, v in match.items()))


@pytest.mark.parametrize(("table", "match", "fields", "field"), [
    ("pages", {"slug": "about"}, {"slug": TRAVERSAL}, "slug"),
    ("storefront", {}, {"locale": "en_US"}, "locale"),
    ("posts", {}, {"body_html": "<p>x</p><script>alert(document.cookie)</script>"}, "body_html"),
    ("media", {}, {"hash": "../" * 8 + "etc/passwd"}, "hash"),
    ("blocks", {"kind": "hero"}, {"kind": "../../x"}, "kind"),
    # The checkout setup: the table rules run shared/checkout's validation on what a device pushes.
    ("discounts", {"code": "WELCOME10"}, {"percent": "150"}, "percent"),
    ("discounts", {"code": "WELCOME10"}, {"code": "WELCOME 10%"}, "code"),
    ("checkout_settings", {}, {"tax_rates": json.dumps([{"country": "US", "region": "ZZ", "rate": "5"}])},
     "tax_rates[0].region"),
    ("checkout_settings", {}, {"shipping_zones": json.dumps([{"id": "z", "name": "Z", "areas": [{"country": "US"}],
                                                               "rates": [{"id": "r", "name": "R", "price": -5}]}])},
     "shipping_zones[0].rates[0].price"),
    ("checkout_settings", {}, {"hold_minutes": 0}, "hold_minutes"),
    ("checkout_settings", {}, {"ship_from": "../../x"}, "ship_from"),
    ("pickup_locations", {"enabled": 1}, {"country": "XX"}, "country"),
])
async def test_a_push_with_refused_values_is_a_422_naming_the_op_and_stores_nothing(
        cloud, demo_dir: Path, table: str, match: dict, fields: dict, field: str) -> None:
    device = await pair(cloud, demo_dir)
    before = await pull_all(cloud, device)
    row = _row(before, table, **match)
    key = row["id"]
    first = {"op_id": f"{device.device_id}:1", "hlc": hlc(device.device_id), "table": "pages",
             "key": _row(before, "pages", slug="home")["id"], "fields": {"title": "Harmless"},
             "base": {"title": None}, "delete": False}
    hostile = {"op_id": f"{device.device_id}:2", "hlc": hlc(device.device_id, 1), "table": table, "key": key,
               "fields": fields, "base": dict.fromkeys(fields), "delete": False}
    answer = await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": [first, hostile]},
                              headers=device.headers)
    body = await refused(answer, 422, "refused")
    assert body["op_id"] == hostile["op_id"]
    assert (body["table"], body["key"], body["field"]) == (table, key, field)
    assert body["reason"] and body["errors"][0]["field"] == field
    assert hostile["op_id"] in body["message"]
    assert await pull_all(cloud, device) == before          # not even the harmless op before it
    empty = await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": []}, headers=device.headers)
    assert (await empty.json())["last_op"] == 0


async def test_the_refusal_names_only_a_bounded_key(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    op = {"op_id": f"{device.device_id}:1", "hlc": hlc(device.device_id), "table": "menus", "key": "x" * 200,
          "fields": {"items": json.dumps([{"title": "x", "url": "javascript:alert(1)"}]), "updated_at": "2026-01-01"},
          "base": {}, "delete": False}
    body = await refused(await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": [op]},
                                          headers=device.headers), 422, "refused")
    assert body["field"] in ("handle", "items") and len(body["key"]) <= 100
