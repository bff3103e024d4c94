"""The POS client's retries against a real aiohttp server on loopback: network errors, 5xx, 429 and a
409 whose key is still running are retried with the same Idempotency-Key (Retry-After honoured); a
domain conflict (409 with a code) and 4xx are not; a POST without an answer gives up as Unreachable."""

from __future__ import annotations

import socket

import pytest
from aiohttp import web

from vibeshop.pos_client.client import PosApiError, PosClient, Remote, RetryPolicy, Unreachable

FAST = RetryPolicy(attempts=5, first_wait=0.01, max_wait=0.05)


def _server(answers: list[tuple[int, dict, dict]], seen: list[dict]) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        seen.append({"key": request.headers.get("Idempotency-Key"), "host": request.headers.get("Host"),
                     "auth": request.headers.get("Authorization")})
        status, body, headers = answers.pop(0)
        return web.json_response(body, status=status, headers=headers)

    app = web.Application()
    app.router.add_post("/pos/v1/inventory/changes", handler)
    return app


async def test_transient_answers_are_retried_with_the_same_key(aiohttp_server) -> None:
    seen: list[dict] = []
    answers = [(503, {"error": {"status": 503, "message": "busy"}}, {}),
               (409, {"error": {"status": 409, "message": "still being processed"}}, {"Retry-After": "0"}),
               (429, {}, {"Retry-After": "0"}),
               (200, {"applied": 1, "duplicates": 0, "stock": []}, {})]
    server = await aiohttp_server(_server(answers, seen))
    client = PosClient(Remote(f"http://shop.localhost:{server.port}", "vs_t"), policy=FAST)
    try:
        answer = await client.post("/inventory/changes", {"changes": []}, key="k-1")
    finally:
        await client.close()
    assert answer.body["applied"] == 1 and len(seen) == 4
    assert {s["key"] for s in seen} == {"k-1"}
    assert {s["host"] for s in seen} == {f"shop.localhost:{server.port}"} and seen[0]["auth"] == "Bearer vs_t"


@pytest.mark.parametrize("status, error", [(409, {"code": "stale_version", "current_version": 3}), (422, {}),
                                           (401, {}), (403, {})])
async def test_refusals_are_not_retried(aiohttp_server, status: int, error: dict) -> None:
    seen: list[dict] = []
    server = await aiohttp_server(_server([(status, {"error": {"status": status, "message": "no", **error}}, {})],
                                          seen))
    client = PosClient(Remote(f"http://127.0.0.1:{server.port}", "vs_t", host="shop.localhost"), policy=FAST)
    try:
        with pytest.raises(PosApiError) as refused:
            await client.post("/inventory/changes", {"changes": []})
    finally:
        await client.close()
    assert len(seen) == 1 and refused.value.status == status and str(refused.value) == "no"
    assert seen[0]["host"] == "shop.localhost" and refused.value.code == error.get("code")


async def test_no_answer_gives_up_after_every_try() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = PosClient(Remote(f"http://127.0.0.1:{port}", "vs_t"),
                       policy=RetryPolicy(attempts=4, first_wait=0.25, max_wait=5, jitter=0, sleep=sleep))
    try:
        with pytest.raises(Unreachable):
            await client.post("/inventory/changes", {"changes": []})
    finally:
        await client.close()
    assert waits == [0.25, 0.5, 1.0]
