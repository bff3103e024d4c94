"""Schemathesis on the order paths with real orders: the fuzzer cannot know an order id or its version, so
its valid requests are pointed at the pickup orders of the test data (conftest.py) and at a step the
order's state allows, and the 200 answers (and their schemas) are checked with every check, as often
as the refusals."""

from __future__ import annotations

import uuid

import requests
from hypothesis import HealthCheck, settings

from pos_contract_support import ALL_CHECKS, EXAMPLES, SCHEMA

ORDER = SCHEMA.include(path="/pos/v1/orders/{order_id}", method="GET")
FULFILMENT = SCHEMA.include(path="/pos/v1/orders/{order_id}/fulfilment", method="POST")
FEED = SCHEMA.include(path="/pos/v1/orders/feed", method="GET")


def _order(live_server, order_id: str) -> dict:
    answer = requests.get(f"{live_server.url}/pos/v1/orders/{order_id}", headers=live_server.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _allows(order: dict, action: str) -> bool:
    """Whether the lifecycle lets the counter take `action` on `order` now (a conservative reading)."""
    if order["status"] != "open":
        return False
    return {"accept": True, "ready": order["pickup_status"] == "none",
            "picked_up": order["pickup_status"] == "ready", "cancel": order["pickup_status"] == "none"}[action]


@ORDER.parametrize()
@settings(max_examples=max(20, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_a_real_order_is_answered_in_the_declared_schema(case, live_server) -> None:
    if not case.meta.generation.mode.is_positive:
        return
    case.path_parameters = {"order_id": live_server.orders[0]}
    response = case.call_and_validate(base_url=live_server.url, headers=live_server.headers, checks=ALL_CHECKS,
                                      timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == live_server.orders[0]


@FULFILMENT.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_valid_steps_on_real_orders_are_taken_and_answer_the_declared_schema(case, live_server) -> None:
    if not (case.meta.generation.mode.is_positive and isinstance(case.body, dict)):
        return
    action = case.body["action"]
    # Orders further along first, so that ready orders get picked up and cancels take fresh ones.
    orders = sorted((_order(live_server, order_id) for order_id in live_server.orders),
                    key=lambda o: (o["pickup_status"] != "ready", o["accepted"] is False))
    order = next((o for o in orders if _allows(o, action)), None)
    if order is None:       # every order is past this step: nothing legal to aim at
        return
    case.path_parameters = {"order_id": order["id"]}
    case.body["version"] = order["version"]
    case.headers = {**(case.headers or {}), "Idempotency-Key": str(uuid.uuid4())}
    response = case.call_and_validate(base_url=live_server.url, headers=live_server.headers, checks=ALL_CHECKS,
                                      timeout=30)
    assert response.status_code == 200, (action, order, response.text)
    after = response.json()["order"]
    assert after["id"] == order["id"] and after["version"] >= order["version"]


@FEED.parametrize()
@settings(max_examples=max(20, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_the_feed_of_the_shop_has_its_orders_in_the_declared_schema(case, live_server) -> None:
    if not case.meta.generation.mode.is_positive:
        return
    case.query = {"after": 0, "limit": 500}
    response = case.call_and_validate(base_url=live_server.url, headers=live_server.headers, checks=ALL_CHECKS,
                                      timeout=30)
    assert response.status_code == 200, response.text
    assert set(live_server.orders) <= {event["order"]["id"] for event in response.json()["events"]}
