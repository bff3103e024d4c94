"""`vibeshop pos` pointed at servers that are not a Vibeshop store: a web page answering 200, JSON of
another shape, a server answering 500, TLS to a plain port. Each command ends in one `vibeshop pos:` line
and exit 1, and no queued change is marked sent on such an answer: the next upload to the real cloud
sends it, once."""

from __future__ import annotations

import sqlite3

import aiohttp
import pytest
from aiohttp import web
from support_pos_client import Device, device_args, run_pos


def _answering(status: int, body: str, content_type: str) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=status, text=body, content_type=content_type)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


def _unsent(device: Device) -> int:
    with sqlite3.connect(device.queue) as conn:
        return conn.execute("SELECT count(*) FROM changes WHERE sent_at IS NULL AND rejected IS NULL").fetchone()[0]


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("vibeshop pos:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("status, body, content_type, says", [
    (200, "<html><body>Welcome to nginx</body></html>", "text/html", "with text/html, not the POS API's JSON"),
    (200, '["not", "an", "object"]', "application/json", "with application/json, not the POS API's JSON"),
    (200, '{"events": "x", "counts": 5, "order": null, "applied": "all"}', "application/json",
     "in a shape the client does not know"),
])
async def test_an_answer_that_is_not_the_pos_apis_acknowledges_nothing(
        aiohttp_server, cloud: str, device: Device, status: int, body: str, content_type: str, says: str) -> None:
    other = f"http://127.0.0.1:{(await aiohttp_server(_answering(status, body, content_type))).port}"
    sku = sorted(device.on_hand())[0]
    code, out, err = await run_pos("count", sku, "6", *device_args(device, other), "--host", "demo.localhost")
    assert code == 1 and says in _one_line(err) and "1 changes stay queued" in err, (out, err)
    assert _unsent(device) == 1
    for action in (["feed"], ["pickup", "1001"], ["simulate", "--duration", "1s"], ["upload"]):
        code, out, err = await run_pos(*action, *device_args(device, other))
        assert code == 1 and says in _one_line(err), (action, out, err)
    assert _unsent(device) == 1
    code, out, err = await run_pos("upload", *device_args(device, cloud))
    assert code == 0 and "sent 1 changes: 1 applied" in out, (out, err)
    assert device.on_hand()[sku] == 6 and _unsent(device) == 0


async def test_a_server_answering_500_or_tls_to_a_plain_port_is_unreachable(aiohttp_server, device: Device) -> None:
    failing = (await aiohttp_server(_answering(500, "boom", "text/plain"))).port
    code, _, err = await run_pos("feed", *device_args(device, f"http://127.0.0.1:{failing}"))
    assert code == 1 and "cannot reach" in _one_line(err) and "500" in err
    code, _, err = await run_pos("count", "SKU-1", "2", *device_args(device, f"http://127.0.0.1:{failing}"))
    assert code == 1 and "no answer from the cloud" in _one_line(err) and "1 changes stay queued" in err
    code, _, err = await run_pos("pickup", "1001", *device_args(device, f"https://127.0.0.1:{failing}"))
    assert code == 1 and "cannot reach" in _one_line(err) and "not https://" in err
    assert _unsent(device) == 1


def test_a_feed_line_is_printed_whatever_an_order_carries() -> None:
    from vibeshop.pos_commands import feed_line

    odd = {"seq": 7, "type": "order.created", "order": {"number": 1001, "lines": "x", "customer": "Ada", "total": 5}}
    assert feed_line(odd).split()[:3] == ["7", "order.created", "#1001"]
    assert feed_line({"seq": 8, "order": None}).startswith("     8")


async def test_a_simulator_whose_uploads_get_a_web_page_stops_selling_and_keeps_its_sales(
        aiohttp_server, cloud: str, device: Device) -> None:
    """The shelf is read from the cloud, but every upload is answered by a web page (a captive portal):
    the simulator, told to sell without end, stops at once with one line; its sales wait in the queue
    and the next upload to the cloud sends each once."""
    upstream = "http://127.0.0.1:" + cloud.rsplit(":", 1)[1]

    async def portal(request: web.Request) -> web.Response:
        body = await request.read()
        if request.method == "POST":
            return web.Response(text="<html>Sign in to the Wi-Fi</html>", content_type="text/html")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "transfer-encoding")}
        async with aiohttp.ClientSession() as session, session.request(
                request.method, upstream + request.path_qs, data=body, headers=headers) as answer:
            return web.Response(status=answer.status, body=await answer.read(), content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", portal)
    through = f"http://demo.localhost:{(await aiohttp_server(app)).port}"
    sku = sorted(device.on_hand())[0]
    code, _, err = await run_pos("count", sku, "100000", *device_args(device, cloud))
    assert code == 0, err
    code, out, err = await run_pos("simulate", "--skus", sku, "--sales-per-second", "20",
                                   *device_args(device, through), timeout=60)
    assert code == 1 and "not the POS API's JSON" in _one_line(err) and "changes stay queued" in err, (out, err)
    queued = _unsent(device)
    assert queued >= 1
    code, out, err = await run_pos("upload", *device_args(device, cloud))
    assert code == 0 and f"{queued} applied" in out.replace("changes: ", ""), (out, err)
    assert device.on_hand()[sku] == 100000 - queued and _unsent(device) == 0
