"""A worker stopped (SIGTERM, as a deployment does) while shoppers and a studio hold streams open:
`vibeshop cloud serve` ends the streams and exits well before aiohttp's 60 s shutdown timeout, says
nothing about unclosed tasks or errors, and every client sees its stream end."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from live_support import EventReader, LiveSetup
from shared.accounts.service import create_token
from shared.storefront.service import DataDir
from support import VIBESHOP, free_port, wait_for_async

HOST = "demo.localhost"
NOISE = ("Traceback", "Task was destroyed", "Unclosed", "never awaited", "Error handling request", "Exception")


def _orders_token(data: Path) -> str:
    catalog = DataDir(data).catalog()
    try:
        store_id = catalog.read(lambda conn: conn.scalar("SELECT id FROM stores WHERE slug = 'demo'"))
        return create_token(catalog, store_id=store_id, name="orders", scopes=["orders:read"])
    finally:
        catalog.close()


async def _until_healthy(base: str, proc: subprocess.Popen) -> None:
    async def healthy() -> bool:
        assert proc.poll() is None, "the cloud stopped"
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                return (await client.get(f"{base}/_health")).status_code == 200
        except httpx.HTTPError:
            return False
    await wait_for_async(healthy, "the cloud to answer", timeout=60)


async def _drain(response: httpx.Response) -> None:
    """Read until the server ends the stream (a hang here is caught by the caller's timeout)."""
    async for _chunk in response.aiter_bytes():
        pass


@pytest.mark.parametrize("workers", [1, 2])
async def test_open_streams_end_and_the_server_exits_cleanly(live_setup: LiveSetup, tmp_path: Path,
                                                             workers: int) -> None:
    token, port = _orders_token(live_setup.data), free_port()
    base, log = f"http://127.0.0.1:{port}", tmp_path / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen([VIBESHOP, "cloud", "serve", "--data", str(live_setup.data), "--host", "127.0.0.1",
                                 "--port", str(port), "--workers", str(workers)],
                                stdout=err, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        await _until_healthy(base, proc)
        limits = httpx.Limits(max_connections=40)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            async with client.stream("GET", f"/live/stock?product={live_setup.product_id}",
                                     headers={"Host": HOST}) as shopper, \
                    client.stream("GET", "/api/admin/orders/stream",
                                  headers={"Host": HOST, "Authorization": f"Bearer {token}"}) as studio:
                assert shopper.status_code == 200 and studio.status_code == 200
                await EventReader(shopper).next()
                os.killpg(proc.pid, signal.SIGTERM)
                await asyncio.wait_for(asyncio.gather(_drain(shopper), _drain(studio), return_exceptions=True), 45)
        code = await asyncio.wait_for(asyncio.to_thread(proc.wait), 45)     # 60 s would be aiohttp waiting
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert code in (0, -signal.SIGTERM), text
    assert not [line for line in text.splitlines() if any(word in line for word in NOISE)], text
