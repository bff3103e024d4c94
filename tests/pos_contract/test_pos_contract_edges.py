"""What schemathesis found on the POS API, pinned as plain tests against the real server: each of these
answered a storefront page, a 200 or a 400 where the document declares otherwise."""

from __future__ import annotations

import uuid

import requests

from cloud.server.app import create_app
from cloud.server.config import ServeConfig

COUNTS = "/pos/v1/inventory/counts"
CHANGES = "/pos/v1/inventory/changes"


def _problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["error"]


def test_an_undeclared_method_is_a_405_problem_with_allow(live_server) -> None:
    for method, path, allow in [("GET", CHANGES, "POST"), ("TRACE", COUNTS, "GET, HEAD"),
                                ("DELETE", "/pos/v1/openapi.json", "GET, HEAD")]:
        answer = requests.request(method, live_server.url + path, headers=live_server.headers, timeout=30)
        _problem(answer, 405)
        assert answer.headers["Allow"] == allow
    _problem(requests.get(live_server.url + "/pos/v1/nowhere", headers=live_server.headers, timeout=30), 404)


def test_on_an_address_naming_no_store_the_tokens_store_answers(live_server) -> None:
    assert requests.get(live_server.url + COUNTS, headers=live_server.headers, timeout=30).status_code == 200
    by_host = requests.get(live_server.url + COUNTS, headers={**live_server.headers, "Host": "demo.localhost"},
                           timeout=30)
    assert by_host.status_code == 200
    anonymous = requests.get(live_server.url + COUNTS, timeout=30)
    _problem(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    _problem(requests.get(live_server.url + COUNTS, headers={"Authorization": "Bearer vs_nope"}, timeout=30), 401)


def test_query_parameters_are_decoded_strictly(live_server) -> None:
    for query in ["updated_after=null", "updated_after=0.5", "updated_after=", "limit=3",
                  "cursor=abc&cursor=abc", "cursor=@@"]:
        answer = requests.get(f"{live_server.url}{COUNTS}?{query}", headers=live_server.headers, timeout=30)
        assert _problem(answer, 400)["field"] == query.split("=")[0], query
    answer = requests.get(f"{live_server.url}{COUNTS}?cursor=abc", headers=live_server.headers, timeout=30)
    assert _problem(answer, 422)["field"] == "cursor"       # well formed, but not one this API gave
    answer = requests.get(f"{live_server.url}{COUNTS}?updated_after=0001-01-01T00:00:00%2B01:00",
                          headers=live_server.headers, timeout=30)
    assert _problem(answer, 422)["field"] == "updated_after"


def test_the_feed_refuses_unknown_and_repeated_parameters(live_server) -> None:
    """ST201: the feed took any query parameter (msgspec.convert over the whole query); now spec.decode_query."""
    for query, field in [("after=0&q=1", "q"), ("after=1&after=2", "after"), ("limit=", "limit")]:
        answer = requests.get(f"{live_server.url}/pos/v1/orders/feed?{query}", headers=live_server.headers, timeout=30)
        assert _problem(answer, 400)["field"] == field, query


def test_bodies_and_keys_out_of_bounds_are_problems(live_server) -> None:
    post = lambda body, key: requests.post(  # noqa: E731
        live_server.url + CHANGES, data=body, timeout=30,
        headers={**live_server.headers, "Idempotency-Key": key, "Content-Type": "application/json"})
    _problem(post(b" " * (300 * 1024), str(uuid.uuid4())), 413)
    _problem(post(b" " * (2 * 1024 * 1024), str(uuid.uuid4())), 413)     # over the app's client_max_size
    _problem(post(b"{", str(uuid.uuid4())), 400)
    assert _problem(post(b'{"changes": [{"type": "adjust", "delta": 1.5}]}', str(uuid.uuid4())), 422)["index"] == 0
    for key in ["x" * 256, "caf\u00e9".encode().decode("latin-1"), ""]:
        _problem(post(b"{}", key), 400)


async def test_the_rate_limit_answers_a_json_problem_on_the_pos_api(aiohttp_client, demo_dir) -> None:
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_per_second=0.001, rate_burst=1)))
    answers = [await client.get(COUNTS, headers={"Host": "demo.localhost"}) for _ in range(3)]
    limited = answers[-1]
    assert limited.status == 429 and limited.headers["Retry-After"]
    assert (await limited.json())["error"]["status"] == 429


def test_a_busy_database_or_a_bug_answers_a_json_problem_on_the_pos_api() -> None:
    """5xx are never declared successes, but a POS client still gets JSON (and Retry-After on 503)."""
    from aiohttp.test_utils import make_mocked_request

    from cloud.server.pages import page_for_busy_database, page_for_unexpected_error
    from shared.db import DatabaseBusyError

    request = make_mocked_request("POST", CHANGES)
    busy = page_for_busy_database(request, DatabaseBusyError("file:x", 2.0))
    assert busy.status == 503 and busy.content_type == "application/json" and busy.headers["Retry-After"] == "2"
    assert page_for_unexpected_error(request).content_type == "application/json"
