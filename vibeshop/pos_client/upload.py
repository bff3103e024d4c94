"""Sending the queue's changes to POST /pos/v1/inventory/changes in batches of at most 100.

Each batch gets a new Idempotency-Key, noted in the queue before the request leaves. A batch that gets
no answer (offline, the retries exhausted) is given up: its changes stay unsent and go out later in
other batches under other keys; their change_ids make the cloud record each change once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from vibeshop.pos_client.answers import changes_answer
from vibeshop.pos_client.client import BadAnswer, PosApiError, PosClient, RetryPolicy, Unreachable
from vibeshop.pos_client.queue import Queue, QueuedChange

CHANGES = "/inventory/changes"
MAX_BATCH = 100
Report = Callable[[str], None]


@dataclass
class BatchOutcome:
    """What one batch did. `failed`: no answer (the changes stay queued); `stock`: the answer's lines."""

    size: int
    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: bool = False
    stock: list[dict] = field(default_factory=list)
    reason: str = ""            # why it failed: the last error of the last try


async def send_batch(client: PosClient, queue: Queue, changes: Sequence[QueuedChange], *, report: Report,
                     policy: RetryPolicy | None = None) -> BatchOutcome:
    """POST one batch under a new key and record the outcome in the queue. A 422 naming one change
    marks that change refused (kept, never re-sent) and leaves the others queued; any other refusal
    (401, 403, ...) raises PosApiError, and an answer that is not the POS API's raises BadAnswer: in
    both cases the batch's changes stay queued."""
    key = str(uuid.uuid4())
    queue.begin_attempt(key, changes)
    try:
        answer = await client.post(CHANGES, {"changes": [c.body for c in changes]}, key=key, policy=policy)
    except Unreachable as exc:
        queue.fail_attempt(key)
        return BatchOutcome(len(changes), failed=True, reason=str(exc))
    except BadAnswer:
        queue.fail_attempt(key)            # not the POS API's word: the changes stay queued
        raise
    except PosApiError as exc:
        if exc.status == 422 and isinstance(exc.index, int) and 0 <= exc.index < len(changes):
            bad = changes[exc.index]
            queue.reject(key, bad, str(exc))
            report(f"the cloud refused change {bad.change_id} ({bad.sku}): {exc.status} {exc}; "
                   "kept in the queue, not sent again")
            return BatchOutcome(len(changes), rejected=1)
        queue.fail_attempt(key)
        raise
    try:
        body = changes_answer(answer.body, size=len(changes))
    except BadAnswer:
        queue.fail_attempt(key)
        raise
    queue.acknowledge(key, changes, applied=body.applied, duplicates=body.duplicates)
    return BatchOutcome(len(changes), body.applied, body.duplicates, stock=body.stock)


async def drain(client: PosClient, queue: Queue, *, report: Report, policy: RetryPolicy | None = None
                ) -> list[BatchOutcome]:
    """Send every unsent change, oldest first, 100 a batch, until none is left or a batch gets no
    answer (then the rest waits in the queue for the next run)."""
    outcomes = []
    while batch := queue.unsent(limit=MAX_BATCH):
        outcome = await send_batch(client, queue, batch, report=report, policy=policy)
        outcomes.append(outcome)
        if outcome.failed:
            break
        if not outcome.rejected:
            report(describe(outcome))
    return outcomes


def describe(outcome: BatchOutcome) -> str:
    """One line about an acknowledged batch."""
    return f"sent {outcome.size} changes: {outcome.applied} applied, {outcome.duplicates} already recorded"
