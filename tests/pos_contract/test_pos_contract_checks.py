"""Schemathesis over /pos/v1/openapi.json against a real server, with every check: each operation's
examples, coverage scenarios and fuzzed inputs (valid and invalid) must get a declared status and a body
of the declared schema, never a 5xx; unsupported methods a 405 with Allow; no token a 401."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import jsonschema_rs
import requests
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.definitions import OPENAPI_31

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.pos import OPERATIONS
from cloud.server.pos.openapi import OPENAPI_PATH
from pos_contract_support import ALL_CHECKS, DOCUMENT, EXAMPLES, SCHEMA
from shared.inventory.pos_changes import REASONS


def test_the_document_is_valid_openapi_3_1() -> None:
    jsonschema_rs.validate(OPENAPI_31, DOCUMENT)
    SCHEMA.validate()
    for name, schema in DOCUMENT["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_the_served_document_is_this_one_without_a_token_and_cacheable(live_server) -> None:
    served = requests.get(live_server.url + OPENAPI_PATH, timeout=30)
    assert served.status_code == 200 and served.json() == DOCUMENT
    assert "max-age" in served.headers["Cache-Control"] and served.headers["ETag"]
    again = requests.get(live_server.url + OPENAPI_PATH, headers={"If-None-Match": served.headers["ETag"]},
                         timeout=30)
    assert again.status_code == 304


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_passes_every_check(case, live_server) -> None:
    case.call_and_validate(base_url=live_server.url, headers=live_server.headers, checks=ALL_CHECKS, timeout=30)


CHANGES = SCHEMA.include(path="/pos/v1/inventory/changes", method="POST")


def _make_acceptable(body: dict, sku: str) -> None:
    """A generated batch, kept schema-valid, made to pass the domain's rules too: a real SKU, a time of
    now, the device's own location, the sign its reason asks for, whole numbers as ints (JSON Schema's
    integer admits 2.0; msgspec, and so the API, wants 2), a change_id of its own for each change (one id
    for two different changes of a batch is refused)."""
    now = datetime.now(UTC)
    for change in body["changes"]:
        change["change_id"] = str(uuid.uuid4())
        change.pop("variant_id", None)
        change.pop("location_id", None)
        change["sku"] = sku
        change["occurred_at"] = now.isoformat()
        if change["type"] == "adjust":
            sign = REASONS[change["reason"]][1] or 1
            change["delta"] = sign * (abs(int(change["delta"])) or 1)
        else:
            change["quantity"] = int(change["quantity"])


@CHANGES.parametrize()
@settings(max_examples=max(30, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_valid_batches_of_a_real_sku_are_applied_and_answer_the_declared_schema(case, live_server) -> None:
    """The fuzzer cannot know the store's SKUs or the time: its valid batches are made acceptable, so the
    200 answer (and its schema) is checked as often as the refusals."""
    if not (case.meta.generation.mode.is_positive and isinstance(case.body, dict)):
        return
    _make_acceptable(case.body, live_server.sku)
    case.headers = {**(case.headers or {}), "Idempotency-Key": str(uuid.uuid4())}
    response = case.call_and_validate(base_url=live_server.url, headers=live_server.headers, checks=ALL_CHECKS,
                                      timeout=30)
    assert response.status_code == 200, response.text
    assert {line["sku"] for line in response.json()["stock"]} == {live_server.sku}


def test_every_pos_route_is_a_documented_operation_and_the_fallbacks_come_last(tmp_path: Path) -> None:
    """A route left out of OPERATIONS would be missing from the document (and from schemathesis' run); one
    added after add_fallbacks would be shadowed by the /pos/ catch-all."""
    app = create_app(ServeConfig(data_dir=tmp_path))
    routes = [(route.method, route.resource.canonical) for route in app.router.routes()
              if route.resource is not None and route.resource.canonical.startswith("/pos/")]
    served = {(method, path) for method, path in routes if method not in ("*", "HEAD")}
    assert served == {(op.method.upper(), op.path) for op in OPERATIONS} | {("GET", OPENAPI_PATH)}
    assert routes[-1] == ("*", "/pos/{tail}")
    assert all(method == "*" for method, _ in routes[routes.index(("*", OPENAPI_PATH)):])


def test_links_lead_from_the_feed_to_an_order_and_on_to_its_fulfilment_and_problems_carry_current_version() -> None:
    """The links take schemathesis' stateful phase (and a reader) from data the server has to the order paths;
    a stale version's 409 says the version there is now."""
    operations = {op["operationId"]: op for path in DOCUMENT["paths"].values() for op in path.values()}
    feed = operations["getOrderFeed"]["responses"]["200"]["links"]["getOrder"]
    assert feed["operationId"] == "getOrder" and feed["parameters"] == {"order_id": "$response.body#/events/0/order/id"}
    accept = operations["getOrder"]["responses"]["200"]["links"]["acceptOrder"]
    assert accept["operationId"] == "postOrderFulfilment"
    assert accept["requestBody"]["version"] == "$response.body#/version"
    assert {"current_version", "index", "field", "code"} <= set(DOCUMENT["components"]["schemas"]["ProblemDetail"]
                                                               ["properties"])
    fulfilment = operations["postOrderFulfilment"]["responses"]
    assert {"404", "409", "502", "503"} <= set(fulfilment)
