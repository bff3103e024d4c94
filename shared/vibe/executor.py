"""Runs vibe blocks: all blocks of a page in one call to a hardened, per-store V8 context.

Guarantees (each has a test in tests/vibe/test_executor_limits.py):
- contexts belong to one store and are never shared between stores; each lives in its own worker
  process (worker.py), so a block that crashes V8 or wedges it in a builtin only loses that process;
- every context runs js/harden.js first and has a hard memory limit; every call has a time limit;
- a block's output is capped inside JS, before it crosses into Python;
- no state survives from one render to the next: block code runs in a fresh closure each render, and
  everything it could reach otherwise is frozen;
- a context that timed out, ran out of memory or crashed is killed and replaced; the page is then
  rendered block by block, so only the guilty block fails and the rest of the page still renders.
  (Nothing can leave work queued past a call: Promise, queueMicrotask, timers, weak references,
  Atomics.waitAsync, WebAssembly and Array.fromAsync are gone and async syntax is refused. Should a
  route appear anyway, the next call on that context overruns its deadline and the worker is killed.)
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from shared.vibe.errors import BlockErrorCode
from shared.vibe.validator import check_block
from shared.vibe.worker import PRODUCT_SETS, DeadContext, WorkerContext

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Limits:
    """Sandbox limits for one store's contexts."""

    time_limit: float = 1.0                 # seconds for one page's call
    memory_limit: int = 128 * 1024 * 1024   # bytes, V8 hard limit per context
    max_block_chars: int = 512 * 1024       # characters of HTML from one block
    max_page_chars: int = 8 * 1024 * 1024   # characters of HTML from one page
    compiled_per_context: int = 512         # compiled block versions kept warm per context
    quarantine_seconds: float = 60.0        # a block that hit time/memory is skipped this long


@dataclass(frozen=True)
class BlockJob:
    """One block instance to render: its code, its settings and the data it declared."""

    block_id: str
    kind: str
    code: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    product_ids: Sequence[str] = ()
    collections: Sequence[Mapping[str, Any]] = ()
    posts: Sequence[Mapping[str, Any]] = ()

    @property
    def code_key(self) -> str:
        """Content hash of the code: the compile-cache and quarantine key."""
        return hashlib.sha256(self.code.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class PageData:
    """Data shared by every block of a page (frozen inside V8 before any block sees it)."""

    env: Mapping[str, Any]                  # locale, currency, mediaBase, timeZone for the helpers
    shared: Mapping[str, Any]               # storefront, page, request, cart, nav
    products: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The catalog's content version. When set, product snapshots are reused (host and V8 side) for
    # the same version and product ids instead of being encoded and parsed again on every render.
    catalog_version: str | None = None


@dataclass(frozen=True)
class BlockResult:
    """A block's HTML, or why it has none."""

    block_id: str
    html: str | None
    error: str | None = None
    code: BlockErrorCode | None = None

    @property
    def ok(self) -> bool:
        """True when the block rendered."""
        return self.error is None


class StoreExecutor:
    """The warm contexts of ONE store (never shared with another store) and the page-render entry."""

    def __init__(self, store_id: str, *, limits: Limits | None = None, pool_size: int = 2):
        self.store_id = store_id
        self.limits = limits or Limits()
        self._idle: list[WorkerContext] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._quarantine: dict[str, tuple[float, BlockErrorCode, str]] = {}
        self._products_json: OrderedDict[str, str] = OrderedDict()
        self._closed = False

    @contextmanager
    def _context(self) -> Iterator[WorkerContext]:
        self._slots.acquire()
        try:
            ctx = None
            while ctx is None:
                with self._lock:
                    ctx = self._idle.pop() if self._idle else None
                if ctx is None:
                    ctx = WorkerContext(self.limits)
                elif not ctx.alive:   # died while idle: replace it rather than fail a page with it
                    ctx.close()
                    ctx = None
            try:
                yield ctx
            except DeadContext:
                ctx.close()
                raise
            except BaseException:
                ctx.close()
                raise
            else:
                with self._lock:
                    if self._closed:
                        ctx.close()
                    else:
                        self._idle.append(ctx)
        finally:
            self._slots.release()

    def render_page(self, blocks: Sequence[BlockJob], page: PageData) -> list[BlockResult]:
        """Render every block of a page, in order. Never raises for a block's fault."""
        results: dict[int, BlockResult] = {}
        runnable: list[tuple[int, BlockJob]] = []
        for index, job in enumerate(blocks):
            refused = self._refusal(job)
            if refused is not None:
                results[index] = refused
            else:
                runnable.append((index, job))
        if runnable:
            try:
                results.update(self._render_together(runnable, page))
            except DeadContext as dead:
                log.warning("store %s: page render stopped (%s); isolating blocks", self.store_id, dead)
                results.update(self._render_apart(runnable, page))
        return [results[i] for i in range(len(blocks))]

    def _refusal(self, job: BlockJob) -> BlockResult | None:
        """A result for a block that must not run: invalid code, or quarantined after a limit."""
        check = check_block(job.code)
        if not check.ok:
            first = check.diagnostics[0]
            return BlockResult(job.block_id, None, f"line {first.line}, column {first.column}: {first.message}",
                               BlockErrorCode.INVALID)
        held = self._quarantine.get(job.code_key)
        if held is not None:
            until, code, message = held
            if time.monotonic() < until:
                return BlockResult(job.block_id, None, message, code)
            self._quarantine.pop(job.code_key, None)
        return None

    def _render_together(self, jobs: Sequence[tuple[int, BlockJob]], page: PageData) -> dict[int, BlockResult]:
        code = {job.code_key: job.code for _, job in jobs}   # each code version once per page
        key, products = self._products([job for _, job in jobs], page)
        payload = self._payload([job for _, job in jobs], page)
        with self._context() as ctx:
            raw = ctx.render(list(code.items()), payload, key, products)
        return {index: self._result(job, item) for (index, job), item in zip(jobs, raw, strict=True)}

    def _render_apart(self, jobs: Sequence[tuple[int, BlockJob]], page: PageData) -> dict[int, BlockResult]:
        """After a limit killed a page call: one call per block, so only the guilty block fails."""
        out: dict[int, BlockResult] = {}
        for index, job in jobs:
            try:
                out.update(self._render_together([(index, job)], page))
            except DeadContext as dead:
                self._quarantine[job.code_key] = (time.monotonic() + self.limits.quarantine_seconds,
                                                  dead.code, str(dead))
                out[index] = BlockResult(job.block_id, None, str(dead), dead.code)
        return out

    def _products(self, jobs: Sequence[BlockJob], page: PageData) -> tuple[str, str]:
        """(snapshot key, JSON of the products these blocks use); the key is "" when uncacheable."""
        wanted = sorted({pid for job in jobs for pid in job.product_ids})
        if page.catalog_version is None:
            return "", _dumps({pid: page.products[pid] for pid in wanted if pid in page.products})
        key = hashlib.sha256("\0".join([page.catalog_version, *wanted]).encode()).hexdigest()[:32]
        with self._lock:
            text = self._products_json.get(key)
        if text is None:
            text = _dumps({pid: page.products[pid] for pid in wanted if pid in page.products})
            with self._lock:
                self._products_json[key] = text
                while len(self._products_json) > 4 * PRODUCT_SETS:
                    self._products_json.popitem(last=False)
        return key, text

    def _payload(self, jobs: Sequence[BlockJob], page: PageData) -> str:
        return _dumps({
            "env": page.env,
            "shared": page.shared,
            "limits": {"maxBlockChars": self.limits.max_block_chars, "maxPageChars": self.limits.max_page_chars},
            "blocks": [{
                "id": job.block_id, "key": job.code_key, "kind": job.kind, "settings": job.settings,
                "products": list(job.product_ids), "collections": list(job.collections), "posts": list(job.posts),
            } for job in jobs],
        })

    @staticmethod
    def _result(job: BlockJob, item: Mapping[str, Any]) -> BlockResult:
        if item.get("ok"):
            return BlockResult(job.block_id, item["html"])
        return BlockResult(job.block_id, None, str(item.get("error")), BlockErrorCode(item.get("kind", "error")))

    def close(self) -> None:
        """Close every idle context; contexts in use close when they are given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for ctx in idle:
            ctx.close()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class ExecutorPool:
    """Store id -> StoreExecutor, keeping the most recently used stores warm."""

    def __init__(self, *, limits: Limits | None = None, pool_size: int = 1, max_stores: int = 32):
        self.limits = limits or Limits()
        self.pool_size = pool_size
        self.max_stores = max_stores
        self._stores: OrderedDict[str, StoreExecutor] = OrderedDict()
        self._lock = threading.Lock()

    def for_store(self, store_id: str) -> StoreExecutor:
        """The executor of one store, created on first use."""
        with self._lock:
            executor = self._stores.get(store_id)
            if executor is None:
                executor = StoreExecutor(store_id, limits=self.limits, pool_size=self.pool_size)
                self._stores[store_id] = executor
            self._stores.move_to_end(store_id)
            evicted = []
            while len(self._stores) > self.max_stores:
                evicted.append(self._stores.popitem(last=False)[1])
        for old in evicted:
            old.close()
        return executor

    def close(self) -> None:
        """Close every store's contexts."""
        with self._lock:
            stores, self._stores = list(self._stores.values()), OrderedDict()
        for executor in stores:
            executor.close()
