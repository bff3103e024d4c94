"""New orders reach a stream held by one worker process when other workers took them: `vibeshop cloud
serve --workers 2`, the studio's own listener (studio/orders/live.py, no Qt) on the stream, and
shoppers each on a new connection (the kernel spreads connections over the two workers)."""

from __future__ import annotations

from pathlib import Path

from orders_support import place_pickup_order, stock_up
from shared.accounts.service import create_token
from shared.storefront.service import DataDir
from studio.orders.live import OrdersListener
from support import serving, wait_for


def test_every_order_is_streamed_whichever_worker_took_it(demo_dir: Path) -> None:
    catalog = DataDir(demo_dir).catalog()
    try:
        store_id = catalog.read(lambda conn: conn.scalar("SELECT id FROM stores WHERE slug = 'demo'"))
        token = create_token(catalog, store_id=store_id, name="orders", scopes=["orders:read"])
    finally:
        catalog.close()
    stock_up(demo_dir)
    with serving(demo_dir, workers=2) as server:
        host = f"demo.localhost:{server.port}"
        seen: list[dict] = []
        listener = OrdersListener(f"{server.url}/api/admin/orders/stream",
                                  {"Authorization": f"Bearer {token}", "Host": host}, on_order=seen.append)
        listener.start()
        try:
            wait_for(lambda: listener.connected, "the stream to connect")
            for index in range(4):
                place_pickup_order(server.url, host, email=f"shopper{index}@example.com")
            wait_for(lambda: len(seen) >= 4, "four orders on the stream", timeout=60)
        finally:
            listener.stop()
    numbers = [event["number"] for event in seen]
    assert numbers == sorted(set(numbers)) and len(numbers) == 4 and all(event["id"] for event in seen)
