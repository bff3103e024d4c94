"""Helpers for the vibe sandbox tests: real V8 in real worker processes, no mocks."""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared.vibe import BlockJob, BlockResult, Limits, PageData, StoreExecutor
from shared.vibe.worker import WorkerContext

# Tests that only need to trip the time limit use a short one; everything else is the default.
FAST = Limits(time_limit=0.3)
# A bound on a test's own wait that only catches a hang: never a speed claim, which a loaded 2-core machine
# breaks. What a limit test shows, it shows by what was sent to the workers (worker_calls).
HANG = 30.0

GOOD = 'function render(ctx, h) { return h.html`<p class="good">${ctx.storefront.name}</p>`; }'
GOOD_HTML = '<p class="good">Lumen &amp; Co</p>'

PRODUCT = {
    "id": "p1", "handle": "linen-shirt", "title": "Linen shirt", "description": "<p>Soft</p>",
    "vendor": "Lumen", "product_type": "Shirt", "tags": ["summer"], "url": "/products/linen-shirt",
    "price": {"amount": 4900, "currency": "EUR"}, "compare_at_price": None, "available": True,
    "images": [], "featured_image": None, "options": [], "variants": [],
}

PAGE = PageData(
    env={"locale": "en-US", "currency": "EUR", "mediaBase": "https://cdn.example", "timeZone": "UTC"},
    shared={
        "storefront": {"name": "Lumen & Co", "slug": "lumen", "currency": "EUR", "locale": "en-US"},
        "page": {"id": "home", "slug": "home", "title": "Home", "path": "/"},
        "request": {"path": "/", "query": {"q": "<script>"}},
        "cart": {"count": 1, "subtotal": {"amount": 4900, "currency": "EUR"}, "items": []},
        "nav": {"main": [{"title": "Shop", "url": "/collections/all"}], "footer": []},
        "theme": {"header": "left", "footer": "simple", "max_width": 1200},
    },
    products={"p1": PRODUCT},
)


def job(code: str, index: int = 0) -> BlockJob:
    """A block instance with an id derived from its position; it declared product p1."""
    return BlockJob(f"block-{index}", "custom", code, product_ids=("p1",))


def render(executor: StoreExecutor, *codes: str, page: PageData = PAGE) -> list[BlockResult]:
    """Render one page made of these blocks, in order."""
    return executor.render_page([job(code, i) for i, code in enumerate(codes)], page)


def body(js: str) -> str:
    """A block whose render(ctx, h) runs `js`."""
    return f"function render(ctx, h) {{\n{js}\n}}"


def timed(fn, *args, **kwargs):  # noqa: ANN001, ANN201 - a tiny test helper
    """(result, seconds) of one call."""
    start = time.monotonic()
    out = fn(*args, **kwargs)
    return out, time.monotonic() - start


def worker_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, list[str]]]:
    """From now on, every page call sent to a sandbox worker: (the worker, the block codes it was sent)."""
    calls: list[tuple[Any, list[str]]] = []
    original = WorkerContext.render

    def spy(self, blocks, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - same as the original
        calls.append((self, [code for _key, code in blocks]))
        return original(self, blocks, *args, **kwargs)

    monkeypatch.setattr(WorkerContext, "render", spy)
    return calls


def assert_recovers(executor: StoreExecutor) -> None:
    """The next render on the same executor works (a killed context was replaced)."""
    (result,), seconds = timed(render, executor, GOOD)
    assert result.ok, result.error
    assert result.html == GOOD_HTML
    assert seconds < HANG
