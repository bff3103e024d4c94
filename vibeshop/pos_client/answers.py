"""The parts of the POS API's answers the client acts on, checked before it acts (docs/pos-api.md).

An answer of another shape (a proxy's page, another service on that port, a newer API) raises
BadAnswer naming the field; it is never read as an acknowledgement, so no queued change is marked
sent on its word. Only the fields the client uses are declared; others are ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import msgspec

from vibeshop.pos_client.client import BadAnswer

Units = Annotated[int, msgspec.Meta(ge=0)]
T = TypeVar("T")


class ChangesAnswer(msgspec.Struct):
    """POST /inventory/changes: new changes, changes recorded before, the stock lines touched."""

    applied: Units
    duplicates: Units
    stock: list[dict[str, Any]]


class CountLine(msgspec.Struct):
    """One variant's on hand at the device's location."""

    sku: str
    on_hand: int


class CountsPage(msgspec.Struct):
    """GET /inventory/counts: a page and the cursor of the next (null on the last)."""

    counts: list[CountLine]
    next_cursor: str | None = None


class FeedEvent(msgspec.Struct):
    """An order feed event: what the till prints needs a seq and the order object."""

    seq: Units
    order: dict[str, Any]


class FeedPage(msgspec.Struct):
    """GET /orders/feed: the events, the seq to ask after next, whether more wait."""

    events: list[FeedEvent]
    next_after: Units
    has_more: bool


class Order(msgspec.Struct):
    """GET /orders/{id} and the fulfilment answer's order: what a hand-over acts on."""

    id: str
    number: int
    version: Annotated[int, msgspec.Meta(ge=1)]
    pickup_status: str
    payment_status: str = ""


class FulfilmentAnswer(msgspec.Struct):
    """POST /orders/{id}/fulfilment."""

    order: Order


def read_answer(body: Any, kind: type[T], *, call: str) -> T:
    """`body` as `kind`, or BadAnswer naming `call` and the field that does not fit."""
    try:
        return msgspec.convert(body, kind)
    except msgspec.ValidationError as exc:
        raise BadAnswer(f"{call} answered in a shape the client does not know ({exc}): is --remote the "
                        "address of a Vibeshop store?") from None


def changes_answer(body: Any, *, size: int) -> ChangesAnswer:
    """The answer to a batch of `size` changes: every change is either applied or a duplicate."""
    answer = read_answer(body, ChangesAnswer, call="POST /pos/v1/inventory/changes")
    if answer.applied + answer.duplicates != size:
        raise BadAnswer(f"POST /pos/v1/inventory/changes answered {answer.applied} applied and "
                        f"{answer.duplicates} duplicates for a batch of {size}: not taken as an acknowledgement")
    return answer
