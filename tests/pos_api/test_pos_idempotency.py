"""Idempotency-Key on the POS API's POSTs: missing, replay, another body, still running, in parallel."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from aiohttp import web

from cloud.server.pos.auth import pos
from cloud.server.pos.idempotency import idempotent
from shared.storefront.service import DataDir, open_store

CHANGES = "/pos/v1/inventory/changes"


def _sale(setup, change_id: str | None = None) -> dict:
    return {"changes": [{"change_id": change_id or str(uuid.uuid4()), "type": "adjust", "sku": setup.sku,
                         "delta": -1, "reason": "sale", "occurred_at": datetime.now(UTC).isoformat(),
                         "reference": "receipt 1"}]}


def _movements(setup) -> int:
    store = open_store(DataDir(setup.data), "demo")
    try:
        return store.db.read(lambda conn: conn.scalar(
            "SELECT count(*) FROM stock_movements WHERE reference = 'receipt 1'"))
    finally:
        store.close()


async def test_a_post_without_a_key_is_refused(pos_client, pos_setup) -> None:
    response = await pos_client.post(CHANGES, json=_sale(pos_setup), headers=pos_setup.headers())
    assert response.status == 400 and "Idempotency-Key" in (await response.json())["error"]["message"]
    assert _movements(pos_setup) == 0


async def test_a_replay_returns_the_stored_answer_and_writes_nothing_more(pos_client, pos_setup) -> None:
    body = _sale(pos_setup)
    first = await pos_client.post(CHANGES, json=body, headers=pos_setup.headers("k-1"))
    assert first.status == 200 and "Idempotent-Replayed" not in first.headers
    again = await pos_client.post(CHANGES, json=body, headers=pos_setup.headers('"k-1"'))
    assert again.status == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert await again.json() == await first.json()
    assert _movements(pos_setup) == 1
    other_device = await pos_client.post(CHANGES, json=body, headers=pos_setup.headers("k-1", pos_setup.other_token))
    # keys are per device: the other device's request runs (its change id is already recorded: no new movement)
    assert other_device.status == 200 and "Idempotent-Replayed" not in other_device.headers
    assert (await other_device.json())["duplicates"] == 1 and _movements(pos_setup) == 1


async def test_the_same_key_with_another_body_is_422(pos_client, pos_setup) -> None:
    assert (await pos_client.post(CHANGES, json=_sale(pos_setup), headers=pos_setup.headers("k-2"))).status == 200
    other = await pos_client.post(CHANGES, json=_sale(pos_setup), headers=pos_setup.headers("k-2"))
    assert other.status == 422 and "another request" in (await other.json())["error"]["message"]
    assert _movements(pos_setup) == 1


async def test_two_identical_requests_in_parallel_give_one_movement(pos_client, pos_setup) -> None:
    body = _sale(pos_setup)
    answers = await asyncio.gather(*(pos_client.post(CHANGES, json=body, headers=pos_setup.headers("k-3"))
                                     for _ in range(2)))
    assert sorted(a.status for a in answers) in ([200, 200], [200, 409])
    assert _movements(pos_setup) == 1


async def test_a_key_whose_original_is_still_running_is_409(aiohttp_client, pos_app, pos_setup) -> None:
    release, started, calls = asyncio.Event(), asyncio.Event(), []

    @pos
    @idempotent
    async def slow(request: web.Request) -> web.Response:
        calls.append(1)
        started.set()
        await release.wait()
        return web.json_response({"done": True}, status=201)

    pos_app.router.add_post("/pos/v1/test-slow", slow)
    client = await aiohttp_client(pos_app)
    first = asyncio.ensure_future(client.post("/pos/v1/test-slow", json={"a": 1}, headers=pos_setup.headers("k-4")))
    await started.wait()
    second = await client.post("/pos/v1/test-slow", json={"a": 1}, headers=pos_setup.headers("k-4"))
    assert second.status == 409 and second.headers["Retry-After"] == "1"
    release.set()
    assert (await first).status == 201
    replay = await client.post("/pos/v1/test-slow", json={"a": 1}, headers=pos_setup.headers("k-4"))
    assert replay.status == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert await replay.json() == {"done": True} and len(calls) == 1


async def test_a_failed_original_forgets_its_key_so_a_retry_runs(aiohttp_client, pos_app, pos_setup) -> None:
    calls = []

    @pos
    @idempotent
    async def flaky(request: web.Request) -> web.Response:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        if len(calls) == 2:
            return web.json_response({"error": "busy"}, status=503)
        return web.json_response({"ok": True})

    pos_app.router.add_post("/pos/v1/test-flaky", flaky)
    client = await aiohttp_client(pos_app)
    statuses = [(await client.post("/pos/v1/test-flaky", json={}, headers=pos_setup.headers("k-5"))).status
                for _ in range(4)]
    assert statuses == [500, 503, 200, 200] and len(calls) == 3
