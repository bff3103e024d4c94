"""Handing an online pickup order over at the counter: GET /pos/v1/orders/{id} for its version, then
POST /pos/v1/orders/{id}/fulfilment {"action": "picked_up", "version": v}. An order not yet marked ready
is marked ready first, as a clerk would. A 409 stale_version (someone else changed the order meanwhile)
reads the order again and tries once more."""

from __future__ import annotations

from urllib.parse import quote

from vibeshop.pos_client.answers import FulfilmentAnswer, Order, read_answer
from vibeshop.pos_client.client import PosApiError, PosClient
from vibeshop.pos_client.upload import Report


async def hand_over(client: PosClient, order_ref: str, *, report: Report) -> tuple[dict, bool]:
    """The order after it is picked up, and whether this call did it (False: it was picked up
    already). Raises PosApiError (404 unknown
    or another location's order, 409 illegal_transition with the lifecycle's reason)."""
    path = f"/orders/{quote(order_ref, safe='')}"
    for attempt in range(2):
        order = _order((await client.get(path)).body, call=f"GET /pos/v1{path}")
        try:
            return await _complete(client, order, report)
        except PosApiError as exc:
            if exc.status != 409 or exc.code != "stale_version" or attempt:
                raise
            report(f"order #{order.get('number')} changed meanwhile: reading it again")
    raise AssertionError("unreachable")


async def _complete(client: PosClient, order: dict, report: Report) -> tuple[dict, bool]:
    if order.get("pickup_status") == "picked_up":
        report(f"order #{order.get('number')} was picked up already")
        return order, False
    if order.get("pickup_status") == "none":
        order = await _act(client, order, "ready")
        report(f"order #{order.get('number')} marked ready for pickup")
    return await _act(client, order, "picked_up"), True


async def _act(client: PosClient, order: dict, action: str) -> dict:
    path = f"/orders/{quote(str(order.get('id')), safe='')}/fulfilment"
    answer = await client.post(path, {"action": action, "version": order.get("version")})
    read_answer(answer.body, FulfilmentAnswer, call=f"POST /pos/v1{path}")
    return answer.body["order"]


def _order(body: object, *, call: str) -> dict:
    """The order as the API gave it, once its id, number, version and pickup status are checked."""
    read_answer(body, Order, call=call)
    return body  # type: ignore[return-value] - read_answer checked it is an object of that shape
