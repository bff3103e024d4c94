"""Hostile and edge inputs against the real /_sync/ API: every refusal is a 4xx with a JSON body
{"error", "message"} (never a 500, never an HTML page), and a refused request changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sync_http_support import SCHEMA, hlc, pair, pairing_code, refused, sync_headers
from shared.accounts import pairing
from shared.accounts.service import create_token, revoke_token
from shared.db.migrate import latest_version
from shared.storefront.service import DataDir, open_store

DEVICE_GETS = ("/_sync/releases", "/_sync/publish/preview", "/_sync/snapshot", "/_sync/poke")
DEVICE_POSTS = ("/_sync/pull", "/_sync/push", "/_sync/publish", "/_sync/rollback", "/_sync/resolve")


async def _everywhere(cloud, headers: dict[str, str], status: int, code: str) -> None:
    for path in DEVICE_GETS:
        await refused(await cloud.get(path, headers=headers), status, code)
    for path in DEVICE_POSTS:
        await refused(await cloud.post(path, json={}, headers=headers), status, code)


async def _state(cloud, device) -> tuple[int, int]:
    """(newest change-log position, the device's ledger): what any applied push would move."""
    cursor = 0
    while True:
        page = await (await cloud.post("/_sync/pull", json={"cursor": cursor, "limit": 5000},
                                       headers=device.headers)).json()
        cursor = page["cursor"]
        if not page["more"]:
            break
    empty = await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": []}, headers=device.headers)
    return cursor, (await empty.json())["last_op"]


async def test_protocol_and_schema_headers_are_checked_before_anything_else(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    good = device.headers
    for protocol in (None, "0", "2", "1.0", ""):
        headers = {k: v for k, v in good.items() if k != "Vibeshop-Protocol"}
        if protocol is not None:
            headers["Vibeshop-Protocol"] = protocol
        await _everywhere(cloud, headers, 426, "protocol")
        await refused(await cloud.post("/_sync/pair", json={"code": "x"}, headers=headers), 426, "protocol")
    for schema in (None, "", "abc", "-1", "1.5", "²", "١", "9" * 5000):
        headers = {k: v for k, v in good.items() if k != "Vibeshop-Schema"}
        if schema is not None:
            headers["Vibeshop-Schema"] = schema
        await _everywhere(cloud, headers, 400, "schema")
    newer = await cloud.post("/_sync/pull", json={}, headers={**good, "Vibeshop-Schema": str(int(SCHEMA) + 1)})
    assert (await refused(newer, 409, "schema"))["cloud_schema"] == latest_version("store")
    assert (await cloud.post("/_sync/pull", json={}, headers=good)).status == 200


async def test_tokens_must_be_live_sync_tokens_and_device_ids_their_own(cloud, demo_dir: Path) -> None:
    device, other = await pair(cloud, demo_dir, name="A"), await pair(cloud, demo_dir, name="B")
    await _everywhere(cloud, sync_headers(), 401, "unauthorized")
    for bad in ("nope", "Bearer", f"vs_{device.device_id}_" + "x" * 43, device.token[:-1] + "Z",
                device.token + "x", other.token.replace(other.device_id, device.device_id)):
        await _everywhere(cloud, {**sync_headers(), "Authorization": f"Bearer {bad}"}, 401, "unauthorized")
    await _everywhere(cloud, {**sync_headers(), "Authorization": device.token}, 401, "unauthorized")  # no scheme

    store = open_store(DataDir(demo_dir), "demo")
    store.close()
    catalog = DataDir(demo_dir).catalog()
    try:
        admin = create_token(catalog, store_id=store.record.id, name="admin", scopes=["store:read", "store:write"])
        revoke_token(catalog, token_id=other.device_id)
    finally:
        catalog.close()
    await _everywhere(cloud, sync_headers(admin), 401, "unauthorized")       # no "sync" scope
    await _everywhere(cloud, other.headers, 401, "unauthorized")             # revoked
    media = await cloud.get("/_sync/media/" + "a" * 64 + "-640.webp", headers=other.headers)
    await refused(media, 401, "unauthorized")

    before = await _state(cloud, device)
    op = {"op_id": f"{other.device_id}:1", "hlc": hlc(other.device_id), "table": "pages", "key": "k",
          "fields": {"title": "x"}, "base": {"title": None}}
    for path, body in (("/_sync/push", {"device_id": other.device_id, "ops": [op]}),
                       ("/_sync/push", {"ops": []}),
                       ("/_sync/publish", {"device_id": other.device_id, "note": "not mine"}),
                       ("/_sync/publish", {"device_id": None})):
        await refused(await cloud.post(path, json=body, headers=device.headers), 403, "device")
    # Ops of another device under one's own device_id are refused too (the op_id names the device).
    crossed = await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": [op]},
                               headers=device.headers)
    assert (await refused(crossed, 400, "op"))["op_id"] == op["op_id"]
    assert await _state(cloud, device) == before
    assert (await (await cloud.get("/_sync/releases", headers=device.headers)).json())["releases"] == []


async def test_malformed_bodies_and_ops_are_refused_whole_and_change_nothing(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    headers, me = device.headers, device.device_id
    before = await _state(cloud, device)
    for raw in (b"", b"{", b"[1, 2]", b'"text"', b"null", b"\xff\xfe{}", b'{"cursor": NaN}',
                b'{"cursor": Infinity}', b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000):
        for path in DEVICE_POSTS:
            await refused(await cloud.post(path, data=raw, headers=headers), 400, "json")
    await refused(await cloud.post("/_sync/pull", data=b"{}", headers={
        **headers, "Content-Type": "application/json; charset=no-such-charset"}), 400, "json")

    for ops in (None, {}, "ops", 3, {"0": {}}):
        await refused(await cloud.post("/_sync/push", json={"device_id": me, "ops": ops}, headers=headers), 400, "op")

    good = {"op_id": f"{me}:1", "hlc": hlc(me), "table": "pages", "key": "new-page",
            "fields": {"title": "Never applied"}, "base": {"title": None}}
    bad_ops = [
        {**good, "table": "orders"},
        {**good, "table": "products"},
        {**good, "table": "pages; DROP TABLE blocks; --"},
        {**good, "table": "sqlite_master"},
        {**good, "table": ["pages"]},
        {**good, "fields": {"title; DROP TABLE pages": "x"}, "base": {}},
        {**good, "fields": {"no_such_field": "x"}, "base": {}},
        {**good, "base": {"id": None}},
        {**good, "fields": {"id": "another-key"}, "base": {}},
        {**good, "fields": {"title": ["a", "list"]}},
        {**good, "fields": {"title": {"an": "object"}}},
        {**good, "fields": {"position": True}},
        {**good, "fields": {"position": 10**30}},
        {**good, "fields": {"position": -(2**63) - 1}},
        {**good, "base": {"title": "not an hlc"}},
        {**good, "delete": True},
        {**good, "delete": "yes"},
        {**good, "key": ""},
        {**good, "key": 5},
        {**good, "key": "k" * 201},
        {**good, "key": "lone \ud800 surrogate"},
        {**good, "fields": {"title": "lone \udfff surrogate"}},
        {**good, "op_id": f"{me}:0"},
        {**good, "op_id": f"{me}:01"},
        {**good, "op_id": f"{me}:²"},
        {**good, "op_id": f"{me}:" + "9" * 5000},
        {**good, "op_id": f"{me}:-1"},
        {**good, "op_id": "someone-else:1"},
        {**good, "op_id": 1},
        {**good, "hlc": "yesterday"},
        {**good, "hlc": hlc("cloud")},
        "not an op",
        None,
    ]
    for bad in bad_ops:
        if isinstance(bad, dict) and bad["op_id"] == good["op_id"]:
            bad = {**bad, "op_id": f"{me}:2"}
        # A good op first: a push is refused whole, so that one is not applied either.
        response = await cloud.post("/_sync/push", json={"device_id": me, "ops": [good, bad]}, headers=headers)
        sent = bad.get("op_id") if isinstance(bad, dict) else None
        echoed = sent[:100] if isinstance(sent, str) else sent      # a hostile id is not echoed whole
        assert (await refused(response, 400, "op"))["op_id"] == echoed
    assert await _state(cloud, device) == before

    # A number literal too large for a double parses as infinity: no column can hold it.
    raw = json.dumps({"device_id": me, "ops": [{**good, "fields": {"position": 0}}]}).replace('"position": 0',
                                                                                           '"position": 1e999')
    await refused(await cloud.post("/_sync/push", data=raw, headers=headers), 400, "op")
    assert await _state(cloud, device) == before

    applied = await cloud.post("/_sync/push", json={"device_id": me, "ops": [good]}, headers=headers)
    assert applied.status == 200 and (await applied.json())["applied"] == 1      # the ledger never moved


async def test_bodies_over_16_mib_are_refused_with_413(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    big = b'{"cursor": 0, "pad": "' + b"a" * (16 * 1024 * 1024) + b'"}'
    await refused(await cloud.post("/_sync/push", data=big, headers=device.headers), 413, "too_large")

    async def chunked():            # no Content-Length: the limit is found while reading
        for _ in range(17):
            yield b" " * (1024 * 1024)
    await refused(await cloud.post("/_sync/pull", data=chunked(), headers=device.headers), 413, "too_large")
    # Just under the limit is read (and answered on its merits).
    fits = b'{"cursor": 0, "limit": 1, "pad": "' + b"a" * (15 * 1024 * 1024) + b'"}'
    assert (await cloud.post("/_sync/pull", data=fits, headers=device.headers)).status == 200


async def test_cursor_limit_and_release_numbers_are_bounded(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    for body in ({"cursor": -1}, {"cursor": 2**62 + 1}, {"cursor": "5"}, {"cursor": 1.5}, {"cursor": True},
                 {"limit": 0}, {"limit": 5001}, {"limit": -5}, {"limit": "10"}, {"limit": None, "cursor": []}):
        await refused(await cloud.post("/_sync/pull", json=body, headers=device.headers), 400, "input")
    top = await cloud.post("/_sync/pull", json={"cursor": 2**62, "limit": 5000}, headers=device.headers)
    assert top.status == 200 and (await top.json())["changes"] == []
    first = await (await cloud.post("/_sync/pull", json={"limit": 1}, headers=device.headers)).json()
    assert len(first["changes"]) == 1 and first["more"] is True and first["cursor"] == first["changes"][0]["seq"]

    for number in (0, -1, "1", 1.0, True, 2**31 + 1):
        await refused(await cloud.post("/_sync/rollback", json={"release": number}, headers=device.headers), 400,
                      "input")
    await refused(await cloud.post("/_sync/rollback", json={}, headers=device.headers), 404, "not_found")
    await refused(await cloud.post("/_sync/rollback", json={"release": 7}, headers=device.headers), 404, "not_found")

    for body in ({}, {"conflict_id": 5, "keep": "current"}, {"conflict_id": "x", "keep": "mine"}):
        await refused(await cloud.post("/_sync/resolve", json=body, headers=device.headers), 400, "input")
    unknown = await cloud.post("/_sync/resolve", json={"conflict_id": "nope", "keep": "theirs"}, headers=device.headers)
    await refused(unknown, 404, "not_found")


async def test_unknown_routes_methods_and_media_names_answer_json(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    await refused(await cloud.get("/_sync/nope", headers=device.headers), 404)
    await refused(await cloud.get("/_sync/push", headers=device.headers), 405)
    await refused(await cloud.delete("/_sync/pull", headers=device.headers), 405)
    for name in ("..%2F..%2Fcatalog.db", "..%2F..%2Fmedia%2F" + "a" * 64 + "-640.webp", "a" * 64 + "-640.webp", "A" * 64 + "-640.webp",
                 "a" * 64 + "-640.png", "a" * 64 + "-99999.webp", "x.webp"):
        await refused(await cloud.get(f"/_sync/media/{name}", headers=device.headers), 404)


async def test_pairing_codes_work_once_expire_and_are_rate_limited(cloud, demo_dir: Path, monkeypatch) -> None:
    code = pairing_code(demo_dir, "demo")
    typed = f"{code[:5].lower()}-{code[5:]}"            # as typed by hand: any case, dashes
    first = await cloud.post("/_sync/pair", json={"code": typed, "device_name": "Laptop"}, headers=sync_headers())
    assert first.status == 200 and (await first.json())["store"]["slug"] == "demo"
    again = await cloud.post("/_sync/pair", json={"code": code, "device_name": "Thief"}, headers=sync_headers())
    await refused(again, 400, "pairing_code")

    monkeypatch.setattr(pairing, "VALID_FOR", timedelta(seconds=-1))
    expired = pairing_code(demo_dir, "demo")
    monkeypatch.undo()
    await refused(await cloud.post("/_sync/pair", json={"code": expired}, headers=sync_headers()), 400, "pairing_code")
    for body in ({"code": 12345}, {"code": None}, {}, {"code": "ABCDEFGHJK", "device_name": ["x"]}):
        await refused(await cloud.post("/_sync/pair", json=body, headers=sync_headers()), 400, "pairing_code")
    await refused(await cloud.post("/_sync/pair", data=b"[]", headers=sync_headers()), 400, "json")

    # Ten attempts a minute per address (the ones above count): then even a good code waits.
    valid = pairing_code(demo_dir, "demo")
    allowed = 0                         # 8 attempts above: 2 more are answered, the 11th is not
    while (guess := await cloud.post("/_sync/pair", json={"code": "ABCDEFGHJK"}, headers=sync_headers())).status != 429:
        await refused(guess, 400, "pairing_code")
        allowed += 1
        assert allowed <= 2
    assert allowed == 2
    assert int(guess.headers["Retry-After"]) >= 1
    await refused(guess, 429, "rate_limited")
    await refused(await cloud.post("/_sync/pair", json={"code": valid}, headers=sync_headers()), 429)


def _code(device_id: str) -> str:
    """Block code that passes the validator (the cloud runs every op's code through it)."""
    return f'function render(ctx, h) {{ return "<section>from {device_id}</section>"; }}'


async def test_publish_is_refused_while_conflicts_are_open(cloud, demo_dir: Path) -> None:
    a, b = await pair(cloud, demo_dir, name="A"), await pair(cloud, demo_dir, name="B")
    page = await (await cloud.post("/_sync/pull", json={"cursor": 0, "limit": 5000}, headers=a.headers)).json()
    block = next(c for c in page["changes"] if c["table"] == "blocks" and c["row"])
    base = block["clocks"]["code"]
    for n, device in enumerate((a, b)):
        op = {"op_id": f"{device.device_id}:1", "hlc": hlc(device.device_id, n), "table": "blocks",
              "key": block["key"], "fields": {"code": _code(device.device_id)}, "base": {"code": base}}
        pushed = await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": [op]},
                                  headers=device.headers)
        assert pushed.status == 200 and (await pushed.json())["applied"] == 1

    preview = await (await cloud.get("/_sync/publish/preview", headers=a.headers)).json()
    assert preview["live"] is None and preview["conflicts"] == 1
    changed = preview["summary"]["tables"]["blocks"]["changed"]
    assert [(row["key"], row["fields"]) for row in changed] == [(block["key"], ["code"])]
    refusal = await refused(await cloud.post("/_sync/publish", json={"device_id": a.device_id, "note": "x"},
                                             headers=a.headers), 409, "conflicts")
    [conflict] = refusal["conflicts"]
    assert conflict["key"] == block["key"] and conflict["field"] == "code"
    assert conflict["value"] == _code(a.device_id)           # the older version lost
    assert (await (await cloud.get("/_sync/releases", headers=a.headers)).json())["releases"] == []

    settled = await cloud.post("/_sync/resolve", json={"conflict_id": conflict["id"], "keep": "theirs"},
                               headers=b.headers)
    cursor = (await settled.json())["cursor"]
    kept = await (await cloud.post("/_sync/pull", json={"cursor": cursor - 1}, headers=a.headers)).json()
    assert kept["changes"][-1]["row"]["code"] == _code(a.device_id)
    assert kept["conflicts"][-1]["resolved"] in (True, 1)
    published = await cloud.post("/_sync/publish", json={"device_id": a.device_id, "note": "After"}, headers=a.headers)
    assert published.status == 200 and (await published.json())["release"]["number"] == 1
    listed = await (await cloud.get("/_sync/releases", headers=b.headers)).json()
    assert listed["live"] == 1 and [r["note"] for r in listed["releases"]] == ["After"]
    after = await (await cloud.get("/_sync/publish/preview", headers=b.headers)).json()
    assert after == {"summary": {**after["summary"], "no_changes": True}, "live": 1, "conflicts": 0}
    assert after["summary"]["tables"] == {}
