"""The catalogue feed for linked devices (docs/sync-protocol.md section 5.3.1): `GET /_sync/catalog`
pages the catalogue rows changed after a cursor, and `PUT /_sync/catalog/alerts` sets a variant's
low-stock threshold. Both authenticate like every /_sync/ request (device token with scope `sync`,
protocol headers) and read or write the store's live database, where the catalogue lives. The poke
socket tells devices when the catalogue moved (cloud/sync/pokes.py, `{"catalog": N}`)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from cloud.sync.api import POKES, Caller, SyncProblem, device_api
from shared.sync import catalog_refresh
from shared.sync.catalog_refresh import PAGE_DEFAULT, PAGE_MAX
from shared.sync.errors import SyncError

_NUMBER = re.compile(r"[0-9]{1,19}")
MAX_CURSOR = 2**62


_FEED_PARAMETERS = ("after", "limit")


def _query_int(request: web.Request, name: str, *, low: int, high: int, default: int) -> int:
    """A whole-number parameter given at most once: ASCII digits only (str.isdigit takes '²', which
    int() refuses), within [low, high]; anything else is 400 "input", never a 500."""
    given = request.query.getall(name, [])
    if len(given) > 1:
        raise SyncProblem(400, "input", f"{name} was given {len(given)} times; give it once")
    if not given:
        return default
    text = given[0]
    if not _NUMBER.fullmatch(text) or not low <= int(text) <= high:
        raise SyncProblem(400, "input", f"{name} must be a whole number from {low} to {high}")
    return int(text)


def _refuse_unknown(request: web.Request) -> None:
    """A misspelt parameter (`?afer=5`) would otherwise silently page from 0."""
    unknown = sorted(set(request.query) - set(_FEED_PARAMETERS))
    if unknown:
        raise SyncProblem(400, "input", f"Unknown parameter {', '.join(repr(n[:40]) for n in unknown[:5])}: "
                                         "the feed takes after and limit")


@device_api
async def catalog_changes(request: web.Request, caller: Caller, _body: dict[str, Any]) -> web.StreamResponse:
    """GET /_sync/catalog?after=SEQ&limit=L: the catalogue rows changed after SEQ, in order."""
    _refuse_unknown(request)
    after = _query_int(request, "after", low=0, high=MAX_CURSOR, default=0)
    limit = _query_int(request, "limit", low=1, high=PAGE_MAX, default=PAGE_DEFAULT)
    db = caller.store.db
    try:
        page = await db.run_read(lambda conn: catalog_refresh.catalog_page(conn, after, limit))
    except SyncError as exc:
        raise SyncProblem(409, exc.code, str(exc), **exc.details) from exc
    return web.json_response(page)


@device_api
async def set_alert(request: web.Request, caller: Caller, body: dict[str, Any]) -> web.StreamResponse:
    """PUT /_sync/catalog/alerts {variant_id, threshold}: a variant's low-stock threshold (null removes it)."""
    db = caller.store.db
    answer = await db.call(catalog_refresh.set_threshold_in_cloud, db, body.get("variant_id"), body.get("threshold"))
    request.config_dict[POKES].poke_catalog(caller.store.record.id, answer["cursor"])
    return web.json_response(answer)


def add_catalog_routes(sync: web.Application) -> None:
    """Mount the feed on the /_sync/ sub-application."""
    sync.router.add_get("/catalog", catalog_changes)
    sync.router.add_put("/catalog/alerts", set_alert)
