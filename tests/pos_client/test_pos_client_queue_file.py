"""The till's queue file under abuse: a file that is not a queue (corrupt, another database, a folder),
a queue in use by a running simulator, and Ctrl-C in the middle of an upload. Each ends in one
`vibeshop pos:` line and a non-zero exit; no sale is lost or recorded twice by the cloud."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web
from support_pos_client import Device, device_args, run_pos, start_pos

TOKEN = "vs_0123456789abcdef_" + "x" * 43


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("vibeshop pos:")]
    assert len(lines) == 1, err
    return lines[0]


async def test_a_file_that_is_not_a_queue_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"SQLite format 3\0" + bytes(range(256)) * 16)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE changes (x)")
    folder = tmp_path / "folder"
    folder.mkdir()
    for path, says in ((corrupt, "file is not a database"), (other, "no such column"),
                       (folder, "unable to open"), (corrupt / "below", "")):
        before = corrupt.read_bytes()
        for action in (["count", "SKU-1", "3"], ["feed"]):
            code, _, err = await run_pos(*action, "--remote", "http://demo.localhost:1", "--token", TOKEN,
                                         "--queue", str(path))
            line = _one_line(err)
            assert code == 1 and f"cannot use {path} as the queue file" in line and says in line, err
        assert corrupt.read_bytes() == before


async def _until_line(stream: asyncio.StreamReader, text: str) -> list[str]:
    seen = []
    while True:
        line = (await stream.readline()).decode()
        assert line, f"ended before {text!r}: {seen}"
        seen.append(line)
        if text in line:
            return seen


async def test_a_queue_in_use_by_a_running_simulator_is_refused_to_other_senders(cloud: str, device: Device) -> None:
    sku = sorted(device.on_hand())[0]
    code, _, err = await run_pos("count", sku, "100000", *device_args(device, cloud))  # never sold out meanwhile
    assert code == 0, err
    till = await start_pos("simulate", *device_args(device, cloud), "--sales-per-second", "2", "--skus", sku)
    try:
        assert till.stdout is not None and till.stderr is not None
        await asyncio.wait_for(_until_line(till.stdout, "selling"), 60)     # it holds the queue now
        for action in (["count", sku, "5"], ["upload"], ["simulate", "--duration", "1s"]):
            code, _, err = await run_pos(*action, *device_args(device, cloud))
            assert code == 1 and f"in use by another `vibeshop pos` (process {till.pid})" in _one_line(err), err
        code, _, err = await run_pos("feed", *device_args(device, cloud))        # reading the feed needs no lock
        assert code == 0, err
    finally:
        till.send_signal(signal.SIGINT)         # stop selling, send what is queued
        out, err = await asyncio.wait_for(till.communicate(), 60)
    assert till.returncode == 0, (out, err)
    code, out, err = await run_pos("count", sku, "5", *device_args(device, cloud))
    assert code == 0 and device.on_hand()[sku] == 5, err


class HoldingProxy:
    """Forwards GETs to the cloud; holds every POST until `release` is set, then forwards it."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.forward)

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.method == "POST":
            self.held.set()
            await self.release.wait()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "transfer-encoding")}
        async with aiohttp.ClientSession() as session, session.request(
                request.method, self.upstream + request.path_qs, data=body, headers=headers) as answer:
            payload, status = await answer.read(), answer.status
        return web.Response(status=status, body=payload, content_type="application/json")


def _changes(device: Device) -> list[tuple[str, str, int, str | None]]:
    with sqlite3.connect(device.queue) as conn:
        return conn.execute("SELECT change_id, sku, delta, sent_at FROM changes ORDER BY seq").fetchall()


async def test_ctrl_c_in_the_middle_of_an_upload_keeps_the_change_queued(aiohttp_server, cloud: str,
                                                                         device: Device) -> None:
    proxy = HoldingProxy("http://127.0.0.1:" + cloud.rsplit(":", 1)[1])
    through = f"http://demo.localhost:{(await aiohttp_server(proxy.app)).port}"
    sku = sorted(device.on_hand())[0]
    counting = await start_pos("count", sku, "8", *device_args(device, through))
    await asyncio.wait_for(proxy.held.wait(), 60)
    counting.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(counting.communicate(), 60)
    assert counting.returncode == 130 and "interrupted; 1 changes stay queued" in _one_line(err.decode())
    assert [sent for *_, sent in _changes(device)] == [None]
    code, out2, err2 = await run_pos("upload", *device_args(device, cloud))
    assert code == 0 and "sent 1 changes: 1 applied" in out2, err2
    assert device.on_hand()[sku] == 8


async def test_ctrl_c_twice_while_the_simulator_uploads_loses_and_doubles_nothing(aiohttp_server, cloud: str,
                                                                                   device: Device) -> None:
    """The first Ctrl-C stops the selling and waits on the held upload; the second leaves at once. The
    held batch then reaches the cloud (as one the till never heard back from). An upload sends the rest:
    each sale is recorded once and the cloud's stock moved by exactly the till's ledger."""
    before = device.on_hand()
    proxy = HoldingProxy("http://127.0.0.1:" + cloud.rsplit(":", 1)[1])
    through = f"http://demo.localhost:{(await aiohttp_server(proxy.app)).port}"
    till = await start_pos("simulate", *device_args(device, through), "--sales-per-second", "20")
    assert till.stdout is not None
    await asyncio.wait_for(proxy.held.wait(), 60)
    till.send_signal(signal.SIGINT)
    await asyncio.wait_for(_until_line(till.stdout, "stopping"), 60)
    till.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(till.communicate(), 60)
    assert till.returncode == 130, (out, err)
    assert "left at once:" in out.decode() and "changes stay queued" in out.decode() and b"Traceback" not in err
    proxy.release.set()
    code, out2, err2 = await run_pos("upload", *device_args(device, cloud))
    assert code == 0, (out2, err2)
    changes = _changes(device)
    assert changes and all(sent is not None for *_, sent in changes)
    ids = [change_id for change_id, *_ in changes]
    recorded = device.query(f"SELECT id FROM stock_movements WHERE id IN ({', '.join('?' * len(ids))})", tuple(ids))
    assert sorted(r[0] for r in recorded) == sorted(ids) and len(set(ids)) == len(ids)
    ledger: Counter[str] = Counter()
    for _, sku, delta, _ in changes:
        ledger[sku] += delta
    after = device.on_hand()
    assert {sku: after[sku] - before[sku] for sku in ledger} == dict(ledger)


async def test_a_simulator_with_nothing_to_sell_says_so_and_exits_1(cloud: str, device: Device) -> None:
    sku = sorted(device.on_hand())[0]
    code, _, err = await run_pos("count", sku, "0", *device_args(device, cloud))
    assert code == 0, err
    code, out, err = await run_pos("simulate", "--skus", sku, *device_args(device, cloud))
    assert code == 1 and "nothing to sell" in _one_line(err), (out, err)


async def test_a_queued_change_edited_into_something_else_is_named_and_nothing_is_sent(cloud: str,
                                                                                       device: Device) -> None:
    sku = sorted(device.on_hand())[0]
    code, _, err = await run_pos("count", sku, "7", *device_args(device, "http://demo.localhost:1"))
    assert code == 1, err
    with sqlite3.connect(device.queue) as conn:
        conn.execute("UPDATE changes SET body = '{broken'")
    code, _, err = await run_pos("upload", *device_args(device, cloud))
    assert code == 1 and "the change at seq 1" in _one_line(err) and "is not a JSON object" in err, err
    assert device.on_hand()[sku] != 7
    assert [sent for *_, sent in _changes(device)] == [None]
