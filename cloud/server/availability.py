"""GET /live/stock?product=ID : live availability of the products a storefront page shows (SSE).

The product page's script (shared/compose/scripts/stock.js) opens this stream and flips the page's
"Add to cart" / "Sold out" markers as stock changes. Each event is

    event: stock
    id: SEQ                      the store's stock change sequence (migration 0030) as of this state
    data: {"variants": {"VARIANT_ID": {"available": true, "inventory": 3}, ...}}

carrying the variants of the asked products that changed (on the first event: all of them), with
availability computed as the pages compute it (on hand summed over locations; available = on hand > 0;
shared/catalog/views.py). A client that reconnects with `Last-Event-ID` equal to the current sequence
is sent nothing until the next change; any other (older, missed changes, or none) is sent the current
state first, so a reconnect never needs the changes it missed. A malformed product list is a 400
problem, products none of which is in the store a 404 (an unknown one among known ones is left out:
a page may show a product deleted since), a method other than GET a 405.

A sale lands on whichever worker process took the POS's request: the stream's worker learns of it
through cloud/server/store_watch.py (one MAX(seq) read per store per WATCH_INTERVAL while shoppers
listen), so a change reaches every open page within about WATCH_INTERVAL plus one send; a write this
worker answered nudges the watch to look at once.
"""

from __future__ import annotations

import json
import re

from aiohttp import web

from cloud.server.admin import problem
from cloud.server.middlewares import STORE
from cloud.server.store_watch import StoreWatch, last_event_id
from cloud.server.stream_hub import Listener, StreamHub
from shared.db import Connection
from shared.db.repositories import stock_changes
from shared.storefront.service import Store

WATCH_INTERVAL = 0.1        # seconds between looks while somebody listens (well inside the one-second promise)
MAX_PER_LOOK = 1000         # changes read per look; beyond that subscribers re-read their products' state
MAX_PRODUCTS = 20           # products one stream may follow
PING_SECONDS = 15           # keeps proxies from closing an idle stream
RETRY_MS = 1000             # how soon a browser reconnects after the stream drops
PATH = "/live/stock"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


def _changes(conn: Connection, after: int | None) -> tuple[int, dict[str, int] | None]:
    """(newest seq, variant id -> on hand as of it for the changes after `after`; None when too many
    happened, or some were pruned, for the list to be whole)."""
    newest = stock_changes.latest_seq(conn)
    if after is None or newest <= after:
        return newest, {}
    if newest - after > MAX_PER_LOOK or stock_changes.oldest_seq(conn) > after + 1:
        return newest, None
    return newest, {variant_id: on_hand for _seq, variant_id, on_hand
                    in stock_changes.changes_between(conn, after, newest)}


async def look(store: Store, after: int | None) -> tuple[int, dict[str, int] | None]:
    """The StoreWatch look: the store's newest stock change and what changed after `after`."""
    return await store.db.run_read(lambda conn: _changes(conn, after))


def _state(conn: Connection, product_ids: list[str]) -> tuple[int, dict[str, int]]:
    return stock_changes.latest_seq(conn), stock_changes.product_variants_on_hand(conn, product_ids)


def _event(on_hand: dict[str, int]) -> str:
    return json.dumps({"variants": {variant_id: {"available": n > 0, "inventory": max(n, 0)}
                                    for variant_id, n in on_hand.items()}}, separators=(",", ":"))


LIVE_STOCK = web.AppKey("live_stock", StreamHub)


def _product_ids(request: web.Request) -> list[str] | None:
    wanted = list(dict.fromkeys(request.query.getall("product", [])))
    if not wanted or len(wanted) > MAX_PRODUCTS or not all(_ID.match(p) for p in wanted):
        return None
    return wanted


async def live_stock(request: web.Request) -> web.StreamResponse:
    """GET /live/stock?product=ID[&product=ID2...] : text/event-stream of `stock` events."""
    product_ids = _product_ids(request)
    if product_ids is None:
        return problem(400, f"Name 1 to {MAX_PRODUCTS} products: ?product=ID (letters, digits, - and _).")
    store = request[STORE]
    async with request.app[LIVE_STOCK].listening(store.record.id, store) as listener:
        position, on_hand = await store.db.run_read(lambda conn: _state(conn, product_ids))
        if not on_hand:
            return problem(404, "None of these products is in this store.")
        stream = await listener.open(request, PING_SECONDS)
        if last_event_id(request) != position and not await listener.send(
                _event(on_hand), event="stock", id=position, retry=RETRY_MS):
            return stream
        await _forward(store, product_ids, set(on_hand), position, listener)
    return stream


async def _forward(store: Store, product_ids: list[str], variants: set[str], position: int,
                   listener: Listener) -> None:
    """Send what changes for these variants until the shopper leaves."""
    while (seen := await listener.next()) is not None:
        if seen.position <= position:
            continue
        if seen.items is None:          # too much happened at once: send the whole state
            position, changed = await store.db.run_read(lambda conn: _state(conn, product_ids))
        else:
            position = seen.position
            changed = {v: n for v, n in seen.items.items() if v in variants}
        if changed and not await listener.send(_event(changed), event="stock", id=position):
            return


def add_live_stock(app: web.Application) -> None:
    """Register GET /live/stock and its watcher: before the storefront's catch-all address, and after
    the resources' cleanup_ctx (the watcher stops before the stores close)."""
    StreamHub(StoreWatch(look, interval=WATCH_INTERVAL)).install(app, LIVE_STOCK, PATH, live_stock)
    app.on_response_prepare.append(_nudge_after_writes)


_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _nudge_after_writes(request: web.Request, response: web.StreamResponse) -> None:
    """A write this worker answered (a POS change, an order, a sync push) may have moved stock: the
    store is looked at now when somebody here listens to it (one MAX read), so the sale reaches the
    pages without waiting for the next round. Writes answered by other workers wait for the round."""
    store = request.get(STORE) if request.method in _WRITES and response.status < 400 else None
    if store is not None:
        request.app[LIVE_STOCK].watch.nudge(store.record.id)
