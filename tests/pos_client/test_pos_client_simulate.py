"""`vibeshop pos simulate`: offline for 30 s (the issue's figure), SIGKILLed in the middle of its late
upload (right after the cloud applied a batch, before the till heard of it), started again on the same
queue file: the cloud's stock equals the till's own ledger, each sale is recorded once, none is lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
from collections import Counter

import aiohttp
from aiohttp import web
from support_pos_client import Device, device_args, run_pos, start_pos

OFFLINE = "30s"
SALES_PER_SECOND = "20"             # 600 sales offline: a backlog of six or seven batches of 100
KILL_AT_POST = 3                    # the probe after the network is back, one chunk of 100, then this one


class KillingProxy:
    """Forwards every request to the cloud; when the cloud has answered the KILL_AT_POST-th POST it
    SIGKILLs the till before passing the answer on. Counts the change_ids each POST carried."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.victim: int | None = None
        self.posts = 0
        self.sent: Counter[str] = Counter()
        self.killed = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.forward)

    async def forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "transfer-encoding")}
        async with aiohttp.ClientSession(auto_decompress=False) as session, session.request(
                request.method, self.upstream + request.path_qs, data=body, headers=headers) as answer:
            payload = await answer.read()
            status, content_type = answer.status, answer.headers.get("Content-Type", "application/json")
        if request.method == "POST" and status == 200:
            self.posts += 1
            self.sent.update(change["change_id"] for change in json.loads(body)["changes"])
            if self.posts == KILL_AT_POST and self.victim is not None:
                os.kill(self.victim, signal.SIGKILL)
                self.killed.set()
        return web.Response(status=status, body=payload, headers={"Content-Type": content_type})


def _queue(device: Device) -> tuple[list[tuple], list[tuple]]:
    """(change_id, sku, delta, sent_at, rejected) of every change and (key, change_ids, outcome, duplicates)
    of every attempt, read from the till's queue file."""
    with sqlite3.connect(device.queue) as conn:
        changes = conn.execute("SELECT change_id, sku, delta, sent_at, rejected FROM changes ORDER BY seq").fetchall()
        attempts = conn.execute("SELECT key, change_ids, outcome, duplicates FROM attempts ORDER BY rowid").fetchall()
    return changes, [(key, json.loads(ids), outcome, dup) for key, ids, outcome, dup in attempts]


async def test_offline_then_killed_mid_upload_then_restarted_loses_and_duplicates_nothing(
        aiohttp_server, cloud: str, device: Device) -> None:
    before = device.on_hand()
    proxy = KillingProxy("http://127.0.0.1:" + cloud.rsplit(":", 1)[1])
    through = f"http://demo.localhost:{(await aiohttp_server(proxy.app)).port}"
    till = await start_pos("simulate", *device_args(device, through), "--sales-per-second", SALES_PER_SECOND,
                           "--offline-for", OFFLINE, "--duration", "60s", "--seed", "13")
    proxy.victim = till.pid
    out, err = await asyncio.wait_for(till.communicate(), 120)
    assert till.returncode == -signal.SIGKILL, (out.decode(), err.decode())
    assert "offline for 30s" in out.decode() and "no answer for a batch" in out.decode()
    changes, attempts = _queue(device)
    assert len(changes) >= 300 and any(sent is None for *_, sent, _ in changes)
    assert [a for a in attempts if a[2] is None], "the batch the cloud applied is still unacknowledged"

    code, out2, err2 = await run_pos("simulate", *device_args(device, through), "--sales-per-second", "5",
                                     "--duration", "1s")
    assert code == 0, (out2, err2)
    assert "changes from an earlier run are queued" in out2

    changes, attempts = _queue(device)
    ids = [change_id for change_id, *_ in changes]
    assert all(sent is not None and rejected is None for *_, sent, rejected in changes)
    # The cloud: each change once, none lost, and the shop's stock equals its ledger.
    recorded = device.query(f"SELECT id FROM stock_movements WHERE id IN ({', '.join('?' * len(ids))})", tuple(ids))
    assert sorted(r[0] for r in recorded) == sorted(ids)
    ours = device.query("SELECT count(*) FROM stock_movements WHERE location_id = ? AND reference LIKE 'pos-sim %'",
                        (device.location_id,))[0][0]
    assert ours == len(ids)
    ledger = Counter()
    for _, sku, delta, *_ in changes:
        ledger[sku] += delta
    after = device.on_hand()
    assert {sku: after[sku] - before[sku] for sku in ledger} == dict(ledger)
    # Re-batched: the offline tries got no answer; the backlog went out in other batches, new keys.
    failed = [set(ids) for _, ids, outcome, _ in attempts if outcome == "failed"]
    sent = [set(ids) for _, ids, outcome, _ in attempts if outcome == "sent"]
    assert failed and len({key for key, *_ in attempts}) == len(attempts)
    assert any(sum(bool(batch & tried) for tried in failed) >= 2 for batch in sent)
    assert max(len(batch) for batch in sent) == 100 and all(len(ids) <= 100 for _, ids, *_ in attempts)
    # The killed batch reached the cloud and was sent again after the restart: recorded once.
    assert any(count > 1 for count in proxy.sent.values())
    assert any((dup or 0) > 0 for *_, outcome, dup in attempts if outcome == "sent")


async def test_selling_chosen_skus_stops_at_their_last_unit(cloud: str, device: Device) -> None:
    sku = sorted(device.on_hand())[0]
    code, _, err = await run_pos("count", sku, "3", *device_args(device, cloud))
    assert code == 0, err
    code, out, err = await run_pos("simulate", *device_args(device, cloud), "--skus", sku, "--sales-per-second", "10")
    assert code == 0, err
    assert f"sold the last unit of {sku}" in out and "sold out of every SKU" in out and "done: sold 3 units" in out
    assert device.on_hand()[sku] == 0
    code, _, err = await run_pos("simulate", *device_args(device, cloud), "--skus", "NO-SUCH-SKU")
    assert code == 2 and "not stocked" in err
