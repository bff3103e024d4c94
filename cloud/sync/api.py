"""The /_sync/* HTTP API (docs/sync-protocol.md): pairing, push, pull, catalogue, publish, rollback,
releases, and the poke WebSocket. Handlers check the protocol headers and the device token, parse
and bound their input, call the shared sync and release services off the event loop, and answer
errors as {"error": CODE, "message": TEXT, ...} with a 4xx status."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from cloud.server.keys import STORES, WORKING_COPIES
from cloud.server.ratelimit import RateLimiter, retry_after
from cloud.sync.pokes import PokeHub
from cloud.sync.working_copy import Snapshots
from shared.accounts.errors import AuthError
from shared.accounts.pairing import redeem_pairing_code
from shared.accounts.service import authorize
from shared.db import Database, DatabaseBusyError
from shared.db.migrate import latest_version
from shared.db.repositories.catalog_changes import latest_seq
from shared.db.repositories.content import get_media_by_hash
from shared.media.names import is_rendition_name
from shared.releases import service as releases
from shared.releases.errors import ReleaseError
from shared.storefront.service import Store
from shared.sync import merge
from shared.sync.errors import SyncError
from shared.sync.protocol import PROTOCOL, PROTOCOL_HEADER, SCHEMA_HEADER

log = logging.getLogger(__name__)
_SCHEMA = re.compile(r"[0-9]{1,9}")       # ASCII digits only: str.isdigit() admits '²', which int() refuses
MAX_BODY = 16 * 1024 * 1024
MAX_PULL = 5_000
POKES = web.AppKey("sync_pokes", PokeHub)
PAIR_LIMIT = web.AppKey("sync_pair_limit", RateLimiter)
OPEN_SOCKETS = web.AppKey("sync_open_sockets", set)
SNAPSHOTS = web.AppKey("sync_snapshots", Snapshots)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class SyncProblem(Exception):
    """An answer other than 200: status, error code, message and extra fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.extra = status, code, extra


def _answer(problem: SyncProblem) -> web.Response:
    return web.json_response({"error": problem.code, "message": str(problem), **problem.extra}, status=problem.status)


@dataclass(frozen=True)
class Caller:
    """An authenticated device and its store."""

    device_id: str
    store: Store


def _check_versions(request: web.Request) -> None:
    if request.headers.get(PROTOCOL_HEADER) != PROTOCOL:
        raise SyncProblem(426, "protocol", f"This cloud speaks sync protocol {PROTOCOL}; update the studio")
    schema = request.headers.get(SCHEMA_HEADER, "")
    if not _SCHEMA.fullmatch(schema):
        raise SyncProblem(400, "schema", "The Vibeshop-Schema header must be a number")
    if int(schema) > latest_version("store"):
        raise SyncProblem(409, "schema", "This device's data is newer than the cloud's", cloud_schema=latest_version("store"))


async def _caller(request: web.Request) -> Caller:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not token:
        raise SyncProblem(401, "unauthorized", "This request needs the device's token: Authorization: Bearer <token>")
    stores = request.config_dict[STORES]
    try:
        grant = await authorize(stores.catalog, token)
        grant.require("sync")
    except AuthError as exc:
        raise SyncProblem(401, "unauthorized", str(exc)) from exc
    store = await stores.store_by_id(grant.store_id)
    if store is None:
        raise SyncProblem(404, "store", "The store of this device no longer exists")
    return Caller(grant.token_id, store)


async def _json(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise SyncProblem(413, "too_large", f"A request can be at most {MAX_BODY // 2**20} MiB")
    try:
        # aiohttp reads a body with the limit of the application that made the request (the root's
        # 1 MiB), never a sub-application's: the sync limit holds only when it is applied here.
        body = await request.clone(client_max_size=MAX_BODY).json(loads=_strict_loads)
    except web.HTTPRequestEntityTooLarge as exc:     # a chunked body has no Content-Length to check first
        raise SyncProblem(413, "too_large", f"A request can be at most {MAX_BODY // 2**20} MiB") from exc
    # LookupError: an unknown charset in Content-Type; RecursionError: arrays nested 100,000 deep.
    except (ValueError, UnicodeDecodeError, LookupError, RecursionError) as exc:
        raise SyncProblem(400, "json", "The body must be a JSON object") from exc
    if not isinstance(body, dict):
        raise SyncProblem(400, "json", "The body must be a JSON object")
    return body


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_loads(text: str) -> Any:
    """json.loads without NaN and Infinity, which are not JSON and which no stored value can be."""
    return json.loads(text, parse_constant=_refuse_constant)


def device_api(handler: Callable[[web.Request, Caller, dict[str, Any]], Awaitable[web.StreamResponse]]) -> Handler:
    """Versions, token and JSON body checked; sync and release errors mapped to JSON answers."""
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            _check_versions(request)
            caller = await _caller(request)
            body = await _json(request) if request.method in ("POST", "PUT") else {}
            return await handler(request, caller, body)
        except SyncProblem as problem:
            return _answer(problem)
        except SyncError as exc:
            status = {"gap": 409, "conflicts": 409, "not_found": 404, "refused": 422}.get(exc.code, 400)
            return _answer(SyncProblem(status, exc.code, str(exc), **exc.details))
        except ReleaseError as exc:
            status = {"not_found": 404, "broken_snapshot": 409, "refused": 409}.get(str(exc.code), 400)
            return _answer(SyncProblem(status, str(exc.code), str(exc), problems=list(exc.problems)))
    return guarded


async def pair(request: web.Request) -> web.StreamResponse:
    """POST /_sync/pair {code, device_name}: a one-time code for a device token."""
    try:
        _check_versions(request)
        wait = request.config_dict[PAIR_LIMIT].take((request.remote or "", "pair"))
        if wait:
            return web.json_response({"error": "rate_limited", "message": "Too many attempts; wait a minute"},
                                     status=429, headers={"Retry-After": retry_after(wait)})
        body = await _json(request)
        catalog = request.config_dict[STORES].catalog
        paired = await catalog.call(redeem_pairing_code, catalog, code=body.get("code"),
                                    device_name=body.get("device_name"))
    except SyncProblem as problem:
        return _answer(problem)
    except AuthError as exc:
        return _answer(SyncProblem(400, "pairing_code", str(exc)))
    store = await request.config_dict[STORES].store_by_id(paired.store_id)
    if store is None:
        return _answer(SyncProblem(404, "store", "The store no longer exists"))
    work = await request.config_dict[WORKING_COPIES].open(store)
    await work.call(merge.ensure_device, work, paired.device_id, str(body.get("device_name") or "Studio")[:80])
    return web.json_response({"device_id": paired.device_id, "device_token": paired.token,
                              "store": {"id": store.record.id, "slug": store.record.slug, "name": store.record.name}})


def release_json(release: releases.Release) -> dict[str, Any]:
    """A release as the API shows it."""
    return {"number": release.number, "created_at": release.created_at, "device_id": release.device_id,
            "note": release.note, "summary": release.summary, "summary_text": release.summary.get("text", ""),
            "restored_from": release.restored_from}


async def _working_copy(request: web.Request, caller: Caller) -> Database:
    """The store's working copy; made off the event loop the first time (it copies the database)."""
    return await request.config_dict[WORKING_COPIES].open(caller.store)


def _device_id(caller: Caller, body: dict[str, Any]) -> None:
    if body.get("device_id") != caller.device_id:
        raise SyncProblem(403, "device", "device_id is not the device of this token")


@device_api
async def push(request: web.Request, caller: Caller, body: dict[str, Any]) -> web.StreamResponse:
    """POST /_sync/push {device_id, ops}: apply a batch in one transaction (section 4)."""
    _device_id(caller, body)
    ops = body.get("ops")
    if not isinstance(ops, list):
        raise SyncProblem(400, "op", "ops must be a list")
    work = await _working_copy(request, caller)
    result = await work.call(merge.apply_push, work, caller.device_id, ops)
    request.config_dict[POKES].poke(caller.store.record.id, result.cursor)
    return web.json_response({"applied": result.applied, "last_op": result.last_op, "cursor": result.cursor})


def _bounded_int(value: Any, name: str, *, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SyncProblem(400, "input", f"{name} must be a whole number from {low} to {high}")
    return value


@device_api
async def pull(request: web.Request, caller: Caller, body: dict[str, Any]) -> web.StreamResponse:
    """POST /_sync/pull {cursor, limit}: changes since the cursor (section 5)."""
    cursor = _bounded_int(body.get("cursor"), "cursor", low=0, high=2**62, default=0)
    limit = _bounded_int(body.get("limit"), "limit", low=1, high=MAX_PULL, default=1_000)
    work = await _working_copy(request, caller)

    page = await work.call_read(merge.pull_page, work, cursor, limit)
    return web.json_response({"changes": page.changes, "cursor": page.cursor, "more": page.more,
                              "conflicts": page.conflicts})


@device_api
async def publish(request: web.Request, caller: Caller, body: dict[str, Any]) -> web.StreamResponse:
    """POST /_sync/publish {device_id, note}: make the working copy live as a new release (section 7)."""
    _device_id(caller, body)
    note = body.get("note") if isinstance(body.get("note"), str) else ""
    work = await _working_copy(request, caller)

    def run() -> Any:
        open_conflicts = merge.unresolved_conflicts(work)
        if open_conflicts:
            raise SyncProblem(409, "conflicts", "Resolve the conflicts before publishing",
                              conflicts=open_conflicts)
        return releases.publish(work, caller.store.db, device_id=caller.device_id, note=note[:500])

    release = await caller.store.db.call(run)       # it writes the live database
    return web.json_response({"release": release_json(release)})


@device_api
async def publish_preview(request: web.Request, caller: Caller, _body: dict[str, Any]) -> web.StreamResponse:
    """GET /_sync/publish/preview: what a publish now would change (a release summary), the live
    release, and the open conflicts that would refuse it. Changes nothing."""
    work = await _working_copy(request, caller)

    def read() -> dict[str, Any]:
        live = releases.live_release(caller.store.db)
        return {"summary": releases.changes_to_publish(work, caller.store.db),
                "live": live.number if live is not None else None,
                "conflicts": len(merge.unresolved_conflicts(work))}

    return web.json_response(await caller.store.db.call_read(read))


@device_api
async def rollback(request: web.Request, caller: Caller, body: dict[str, Any]) -> web.StreamResponse:
    """POST /_sync/rollback {release}: make an earlier release live again (recorded as a new one)."""
    number = _bounded_int(body.get("release"), "release", low=1, high=2**31, default=0)
    db = caller.store.db
    release = await db.call(releases.rollback, db, number=number, device_id=caller.device_id)
    return web.json_response({"release": release_json(release)})


@device_api
async def list_releases(request: web.Request, caller: Caller, _body: dict[str, Any]) -> web.StreamResponse:
    """GET /_sync/releases: every release, newest first, and which one is live."""
    db = caller.store.db
    found = await db.call_read(releases.list_releases, db)
    live = await db.call_read(releases.live_release, db)
    return web.json_response({"releases": [release_json(r) for r in found],
                              "live": live.number if live is not None else None})


@device_api
async def resolve(request: web.Request, caller: Caller, body: dict[str, Any]) -> web.StreamResponse:
    """POST /_sync/resolve {conflict_id, keep: "current" | "theirs"}: settle a conflict record. Keeping
    "theirs" makes the kept version the field's value again, as a new change every device pulls."""
    conflict_id, keep = body.get("conflict_id"), body.get("keep")
    if not isinstance(conflict_id, str) or keep not in ("current", "theirs"):
        raise SyncProblem(400, "input", 'conflict_id must be text and keep "current" or "theirs"')
    work = await _working_copy(request, caller)
    settled = await work.call(merge.resolve_conflict, work, conflict_id, keep)
    cursor = settled["cursor"]
    request.config_dict[POKES].poke(caller.store.record.id, cursor)
    return web.json_response({"resolved": conflict_id, "cursor": cursor})


@device_api
async def snapshot(request: web.Request, caller: Caller, _body: dict[str, Any]) -> web.StreamResponse:
    """GET /_sync/snapshot: a consistent copy of the store's live database (catalogue, stock, media
    rows) without shoppers' data, which a newly linked device starts from before its first pull;
    made once per version of the live database, not per request."""
    db = caller.store.db
    file = await db.call_read(request.config_dict[SNAPSHOTS].open_for, caller.store)
    try:
        response = web.StreamResponse(headers={"Content-Type": "application/vnd.sqlite3",
                                               "Cache-Control": "no-store"})
        await response.prepare(request)
        while chunk := await asyncio.to_thread(file.read, 256 * 1024):
            await response.write(chunk)
    finally:
        file.close()
    await response.write_eof()
    return response


@device_api
async def media_file(request: web.Request, caller: Caller, _body: dict[str, Any]) -> web.StreamResponse:
    """GET /_sync/media/{name}: one rendition of an image the store has (for a device's previews)."""
    name = request.match_info["name"]
    if not is_rendition_name(name):
        raise SyncProblem(404, "media", "No such image")
    digest = name.split("-", 1)[0]
    known = await caller.store.db.run_read(lambda conn: get_media_by_hash(conn, digest))
    path = caller.store.data_dir.media_dir / name
    if known is None or not path.is_file():
        raise SyncProblem(404, "media", "No such image")
    return web.FileResponse(path, headers={"Content-Type": "image/webp"})


async def poke_socket(request: web.Request) -> web.StreamResponse:
    """GET /_sync/poke (WebSocket): {"cursor": N} whenever another device pushed to the store, and
    {"catalog": N} whenever its catalogue changed (section 5.3.1)."""
    try:
        _check_versions(request)
        caller = await _caller(request)
    except SyncProblem as problem:
        return _answer(problem)
    hub, copies = request.config_dict[POKES], request.config_dict[WORKING_COPIES]
    # Subscribed with the cursor as of now, before the handshake ends: a push the device makes once
    # connected is then always announced, even when another worker handles it before this worker's
    # watcher has looked at the store once.
    work = await copies.open(caller.store)
    since = await work.call_read(merge.latest_cursor, work)
    catalog_since = await caller.store.db.run_read(latest_seq)
    queue = hub.subscribe(caller.store.record.id, since=since, catalog_since=catalog_since)
    socket = web.WebSocketResponse(heartbeat=30)
    sender: asyncio.Future | None = None
    sockets = request.config_dict[OPEN_SOCKETS]
    sockets.add(socket)
    try:
        await socket.prepare(request)
        sender = asyncio.ensure_future(_forward(queue, socket))
        async for message in socket:        # the device sends nothing; this ends when it goes away
            if message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                break
    finally:
        if sender is not None:
            sender.cancel()
        sockets.discard(socket)
        hub.unsubscribe(caller.store.record.id, queue)
    return socket


async def _forward(queue: asyncio.Queue, socket: web.WebSocketResponse) -> None:
    while True:
        await socket.send_json(await queue.get())     # {"cursor": N} or {"catalog": N}


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own refusals under /_sync/ (no such route, wrong method, body too large) and anything
    unexpected answered as the protocol's JSON errors, not as the storefront's HTML pages."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = {404: "not_found", 405: "method", 413: "too_large"}.get(exc.status, "http")
        return _answer(SyncProblem(exc.status, code, exc.reason))
    except DatabaseBusyError as exc:      # another connection held the lock too long: nothing was done
        response = _answer(SyncProblem(503, "busy", str(exc)))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _answer(SyncProblem(500, "internal", "Something went wrong on the cloud's side; try again"))


def add_sync_routes(app: web.Application) -> None:
    """Mount /_sync/ as a sub-application: its own body limit (pushes are larger than any form), the
    storefront's middleware around it. Call before the storefront's catch-all route."""
    sync = web.Application(client_max_size=MAX_BODY, middlewares=[json_errors])
    # The store directory exists once the service starts: looked up then, not now.
    sync[POKES] = PokeHub(app[WORKING_COPIES], lambda store_id: app[STORES].store_by_id(store_id))   # awaited
    sync[PAIR_LIMIT] = RateLimiter(rate=10 / 60, burst=10)
    sync[SNAPSHOTS] = Snapshots(app[WORKING_COPIES].data_dir)
    sync.router.add_post("/pair", pair)
    sync.router.add_post("/push", push)
    sync.router.add_post("/pull", pull)
    sync.router.add_post("/publish", publish)
    sync.router.add_get("/publish/preview", publish_preview)
    sync.router.add_post("/rollback", rollback)
    sync.router.add_post("/resolve", resolve)
    sync.router.add_get("/releases", list_releases)
    sync.router.add_get("/snapshot", snapshot)
    sync.router.add_get("/media/{name}", media_file)
    sync.router.add_get("/poke", poke_socket)
    from cloud.sync.catalog_feed import add_catalog_routes     # it imports this module's device_api
    add_catalog_routes(sync)

    async def start(_app: web.Application) -> None:
        sync[POKES].start()

    async def stop(_app: web.Application) -> None:
        await sync[POKES].stop()

    async def close_sockets(_app: web.Application) -> None:
        # A shutdown must not wait for devices to hang up: tell them the server is going away.
        for socket in list(sync[OPEN_SOCKETS]):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

    sync[OPEN_SOCKETS] = set()
    sync.on_startup.append(start)
    sync.on_shutdown.append(close_sockets)
    sync.on_cleanup.append(stop)
    app.add_subapp("/_sync/", sync)
