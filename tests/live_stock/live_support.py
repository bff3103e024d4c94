"""Helpers of the live stock tests: POS calls over real HTTP and a small Server-Sent Events reader."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

CHANGES = "/pos/v1/inventory/changes"


@dataclass(frozen=True)
class LiveSetup:
    """The demo data folder, one POS token per location, and a one-variant product."""

    data: Path
    tokens: tuple[str, ...]
    product_id: str
    handle: str
    variant_id: str
    sku: str


async def pos_changes(base: str, host: str, token: str, changes: list[dict]) -> dict:
    """POST /pos/v1/inventory/changes on a new connection (with workers, the kernel picks one)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await client.post(CHANGES, json={"changes": changes}, headers={
            "Host": host, "Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 200, answer.text
    return answer.json()


def change(setup: LiveSetup, **fields) -> dict:
    """One change of the setup's variant, occurring now (a count: quantity=; a sale: delta=)."""
    kind = "count" if "quantity" in fields else "adjust"
    reason = fields.pop("reason", "correction" if kind == "count" else "sale")
    return {"change_id": str(uuid.uuid4()), "type": kind, "sku": setup.sku, "reason": reason,
            "occurred_at": datetime.now(UTC).isoformat(), "reference": "live-stock-test", **fields}


async def set_stock(base: str, host: str, setup: LiveSetup, quantity: int) -> None:
    """Count `quantity` at the first location and 0 at every other one."""
    for index, token in enumerate(setup.tokens):
        await pos_changes(base, host, token, [change(setup, quantity=quantity if index == 0 else 0)])


async def sell(base: str, host: str, setup: LiveSetup, units: int = 1) -> None:
    """A POS sale at the first location."""
    await pos_changes(base, host, setup.tokens[0], [change(setup, delta=-units)])


class EventReader:
    """Reads `event: stock` messages from an open text/event-stream response."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()

    async def next(self, timeout: float = 30) -> tuple[str, dict]:
        """(id, data) of the next stock event."""
        return await asyncio.wait_for(self._next(), timeout)

    async def _next(self) -> tuple[str, dict]:
        event, event_id, data = "", "", ""
        async for line in self._lines:
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("id:"):
                event_id = line[3:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif line == "" and data:
                if event == "stock":
                    return event_id, json.loads(data)
                event, event_id, data = "", "", ""
        raise AssertionError("the stream ended")
