"""Executor limits and isolation: each limit fails only its block, the rest of the page renders, and
the next render on the same executor works; no state survives a render; stores never share."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from shared.vibe import BlockJob, ExecutorPool, Limits, PageData, StoreExecutor
from shared.vibe.errors import BlockErrorCode
from shared.vibe.worker import GRACE_SECONDS

from .support import (FAST, GOOD, GOOD_HTML, HANG, PAGE, PRODUCT, assert_recovers, body, job, render, timed,
                      worker_calls)

OTHER = 'function render(ctx, h) { return "<p>other</p>"; }'


def assert_isolated(executor: StoreExecutor, hostile: str, code: BlockErrorCode, text: str) -> None:
    """The hostile block fails with `code`; the blocks around it render; the next render works."""
    first, bad, last = render(executor, GOOD, hostile, OTHER)
    assert bad.code is code, bad.error
    assert text in (bad.error or "")
    assert (first.html, last.html) == (GOOD_HTML, "<p>other</p>")
    assert_recovers(executor)


# ---------------------------------------------------------------------------------------------
# Each limit
# ---------------------------------------------------------------------------------------------

def test_time_limit_stops_an_infinite_loop(executor: StoreExecutor) -> None:
    assert_isolated(executor, body("while (true) {}"), BlockErrorCode.TIMEOUT, "0.3 s time limit")


def test_time_limit_counts_the_whole_page(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two blocks of 0.2 s each fit alone but not together: the page call is stopped, and the block by
    # block pass then renders both (neither is guilty on its own).
    slow = body("const end = Date.now() + 200; while (Date.now() < end) {} return 'slow';")
    ex = StoreExecutor("store-slow", limits=FAST)
    try:
        calls = worker_calls(monkeypatch)
        results = render(ex, slow, slow + " ")
        assert [r.html for r in results] == ["slow", "slow"]
        assert [codes for _worker, codes in calls] == [[slow, slow + " "], [slow], [slow + " "]]
    finally:
        ex.close()


def test_a_block_that_hit_a_limit_is_quarantined(executor: StoreExecutor, monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = body("for (;;) {} // quarantine me")
    render(executor, hostile)
    calls = worker_calls(monkeypatch)
    again, good = render(executor, hostile, GOOD)
    assert again.code is BlockErrorCode.TIMEOUT
    assert good.html == GOOD_HTML
    assert [codes for _worker, codes in calls] == [[GOOD]]   # not run again: answered from the quarantine


@pytest.fixture(scope="module")
def small_memory() -> Iterator[StoreExecutor]:
    ex = StoreExecutor("store-memory", limits=Limits(time_limit=3.0, memory_limit=64 * 2**20))
    yield ex
    ex.close()


@pytest.mark.parametrize("grow", [
    "const a = []; while (true) a.push(new Array(10000).fill(a.length));",
    "const a = []; while (true) a.push({ n: a.length, s: 'x' + a.length });",
    "const m = new Map(); for (let i = 0; ; i++) m.set(i, [i, String(i)]);",
])
def test_memory_limit_stops_growing_structures(small_memory: StoreExecutor, grow: str) -> None:
    assert_isolated(small_memory, body(grow), BlockErrorCode.MEMORY, "64 MB memory limit")


@pytest.mark.parametrize("giant", [
    # One string, built by doubling (cheap: V8 makes a rope), then flattened in one allocation.
    "let s = 'ab'; while (s.length < 2 ** 26) s += s; return s.toUpperCase().slice(0, 5);",
    "let s = '\\u20ac'; while (s.length < 2 ** 27) s += s; return s.toLowerCase().slice(0, 5);",
])
def test_memory_limit_stops_one_giant_string(small_memory: StoreExecutor, giant: str) -> None:
    assert_isolated(small_memory, body(giant), BlockErrorCode.MEMORY, "Stopped:")


def test_repeat_refuses_a_giant_string_up_front(executor: StoreExecutor) -> None:
    assert_isolated(executor, body("return 'x'.repeat(2 ** 28);"), BlockErrorCode.ERROR, "over the size limit")


def test_output_limit_per_block(executor: StoreExecutor) -> None:
    limit = FAST.max_block_chars
    exact, over = render(executor, body(f"return 'x'.repeat({limit});"), body(f"return 'y'.repeat({limit + 1});"))
    assert exact.ok and len(exact.html or "") == limit
    assert over.code is BlockErrorCode.OUTPUT
    assert f"over the {limit} limit" in (over.error or "")
    assert_isolated(executor, body(f"return h.raw('z'.repeat({limit + 1}));"), BlockErrorCode.OUTPUT, "for one block")


def test_output_limit_per_page() -> None:
    ex = StoreExecutor("store-page-cap", limits=Limits(time_limit=0.3, max_block_chars=1000, max_page_chars=2500))
    try:
        kilo = body("return 'k'.repeat(1000);")
        results = render(ex, kilo, kilo + " ", kilo + "  ", GOOD)
        assert [r.ok for r in results] == [True, True, False, False]
        assert results[2].code is BlockErrorCode.OUTPUT and "page's output" in (results[2].error or "")
        assert_recovers(ex)
    finally:
        ex.close()


def test_stack_depth_limit_is_a_range_error_for_that_block_only(executor: StoreExecutor) -> None:
    assert_isolated(executor, body("function f(n) { return f(n + 1) + 1; } return String(f(0));"),
                    BlockErrorCode.ERROR, "Maximum call stack size exceeded")
    # Mutual recursion through a helper and a getter.
    assert_isolated(executor, body("const o = { get x() { return h.escapeHtml(o.x); } }; return o.x;"),
                    BlockErrorCode.ERROR, "RangeError")


def test_error_reports_the_blocks_own_line_and_column(executor: StoreExecutor) -> None:
    (result,) = render(executor, "function render(ctx, h) {\n  const a = 1;\n  return ctx.nope.deeper;\n}")
    assert result.code is BlockErrorCode.ERROR
    assert result.error == "TypeError: Cannot read properties of undefined (reading 'deeper') (line 3, column 19)"


def test_invalid_blocks_are_reported_without_running(executor: StoreExecutor, monkeypatch: pytest.MonkeyPatch) -> None:
    # Were it run, it would hang until the time limit; refused blocks are never sent to a worker.
    invalid = "eval('1');\nfunction render() { while (true) {} }"
    calls = worker_calls(monkeypatch)
    bad, good = render(executor, invalid, GOOD)
    assert bad.code is BlockErrorCode.INVALID
    assert bad.error == "line 1, column 1: `eval` is not allowed in a block: code generation is not allowed"
    assert good.html == GOOD_HTML
    assert [codes for _worker, codes in calls] == [[GOOD]]


def test_code_v8_refuses_after_acorn_accepted_it_fails_alone(executor: StoreExecutor) -> None:
    # acorn has no limit on arguments; V8 refuses more than 65525 in one call at compile time.
    many = "function f() { return ''; }\nfunction render() { return f(" + ",".join(["0"] * 70_000) + "); }"
    first, bad, last = render(executor, GOOD, many, OTHER)
    assert bad.code is BlockErrorCode.ERROR
    assert "V8 could not compile the block: SyntaxError: Too many arguments" in (bad.error or "")
    assert "(line 2)" in (bad.error or "")
    assert (first.html, last.html) == (GOOD_HTML, "<p>other</p>")
    (again,) = render(executor, many)   # remembered as refused, not compiled again
    assert again.error == bad.error
    assert_recovers(executor)


def test_a_worker_that_stops_answering_is_killed_at_the_deadline() -> None:
    # mini-racer's own timeout normally answers even when V8 is stuck in a builtin; should the worker
    # not answer at all, the host kills it once the time limit plus the grace period has passed.
    ex = StoreExecutor("store-stuck", limits=FAST)
    try:
        render(ex, GOOD)
        (worker,) = ex._idle
        os.kill(worker._proc.pid, signal.SIGSTOP)
        (result,), seconds = timed(render, ex, GOOD)
        assert result.html == GOOD_HTML        # the block-by-block pass ran in a fresh worker
        assert FAST.time_limit + GRACE_SECONDS <= seconds < HANG   # it waited for the deadline, then gave up
        assert not worker.alive
        assert_recovers(ex)
    finally:
        ex.close()


def test_a_worker_that_died_while_idle_is_replaced_before_use(monkeypatch: pytest.MonkeyPatch) -> None:
    ex = StoreExecutor("store-died", limits=FAST)
    try:
        render(ex, GOOD)
        (worker,) = ex._idle
        os.kill(worker._proc.pid, signal.SIGKILL)
        worker._proc.join(5)
        calls = worker_calls(monkeypatch)
        (result,) = render(ex, GOOD)
        assert result.html == GOOD_HTML
        assert [w for w, _codes in calls] == [ex._idle[0]]   # one call, to the new worker: no failed call first
        assert ex._idle and ex._idle[0] is not worker
    finally:
        ex.close()


# ---------------------------------------------------------------------------------------------
# Order, and no state surviving a render
# ---------------------------------------------------------------------------------------------

def test_results_come_back_in_order(executor: StoreExecutor) -> None:
    codes = []
    for i in range(12):
        if i % 4 == 1:
            codes.append(f"eval({i});\nfunction render() {{ return ''; }}")            # invalid
        elif i % 4 == 2:
            codes.append(body(f"throw new Error('no {i}');"))                          # error
        else:
            codes.append(body(f"return '<i>{i}</i>';"))
    jobs = [job(code, i) for i, code in enumerate(codes)]
    results = executor.render_page(jobs, PAGE)
    assert [r.block_id for r in results] == [j.block_id for j in jobs]
    for i, result in enumerate(results):
        if i % 4 == 1:
            assert result.code is BlockErrorCode.INVALID
        elif i % 4 == 2:
            assert result.error == f"Error: no {i} (line 2, column 7)"
        else:
            assert result.html == f"<i>{i}</i>"


def test_closure_state_does_not_survive(executor: StoreExecutor) -> None:
    counter = ("let n = 0;\nconst seen = [];\n"
               "function render(ctx) { n += 1; seen.push(ctx.block.id); return `${n}:${seen}`; }")
    assert [r.html for r in render(executor, counter, counter)] == ["1:block-0", "1:block-1"]
    assert [r.html for r in render(executor, counter)] == ["1:block-0"]


@pytest.mark.parametrize(("attempt", "check"), [
    ("ctx.settings.x = 1;", "ctx.settings.x === undefined"),
    ("ctx.storefront.name = 'pwned';", "ctx.storefront.name === 'Lumen & Co'"),
    ("ctx.products.push({});", "ctx.products.length === 1"),
    ("ctx.products[0].title = 'pwned';", "ctx.products[0].title === 'Linen shirt'"),
    ("h.html = () => 'pwned';", "h.html`a` + '' === 'a'"),
    ("h.escapeHtml.stash = 'secret';", "h.escapeHtml.stash === undefined"),
    ("h.escapeHtml.prototype.stash = 'secret';", "h.escapeHtml.prototype.stash === undefined"),
    ("Object.getPrototypeOf(h.html`x`).stash = 'secret';", "h.html`x`.stash === undefined"),
    ("Object.getPrototypeOf(h.raw('')).toString.stash = 'secret';", "h.raw('').toString.stash === undefined"),
    ("Object.prototype.polluted = 'yes';", "({}).polluted === undefined"),
    ("Array.prototype.map = () => 'pwned';", "[1].map((x) => x + 1)[0] === 2"),
    ("String.prototype.trim = () => 'pwned';", "' a '.trim() === 'a'"),
    ("JSON.stringify = () => 'pwned';", "JSON.stringify(1) === '1'"),
    ("Math.random = () => 4;", "Math.random() < 1"),
    ("Object.defineProperty(Error, 'prepareStackTrace', { value: () => 'pwned' });",
     "new Error('e').stack.startsWith('Error: e')"),
    ("Object.getPrototypeOf(function* () {}).stash = 'secret';",
     "Object.getPrototypeOf(function* () {}).stash === undefined"),
    ("Object.getPrototypeOf([].values()).stash = 'secret';", "[].values().stash === undefined"),
    ("Object.getPrototypeOf([].values().map((x) => x)).stash = 'secret';",
     "[].values().map((x) => x).stash === undefined"),
    ("Object.getPrototypeOf(new Intl.Segmenter().segment('')).stash = 'secret';",
     "new Intl.Segmenter().segment('').stash === undefined"),
    ("Object.getPrototypeOf(Int8Array).stash = 'secret';", "Int8Array.stash === undefined"),
    ("Iterator.prototype.stash = 'secret';", "[].values().stash === undefined"),
    ("Temporal.Now.stash = 'secret';", "Temporal.Now.stash === undefined"),
    ("Symbol.prototype.stash = 'secret';", "Symbol('s').stash === undefined"),
])
def test_shared_objects_cannot_be_changed(executor: StoreExecutor, attempt: str, check: str) -> None:
    tamper = body(f"try {{ {attempt} }} catch (e) {{ return 'refused: ' + e.name; }} return 'changed';")
    verify = body(f"return String({check});")
    tampered, same_page = render(executor, tamper, verify)
    assert tampered.html == "refused: TypeError"
    assert same_page.html == "true"
    (next_render,) = render(executor, verify + " ")
    assert next_render.html == "true"


def test_a_block_cannot_redefine_another_block(executor: StoreExecutor) -> None:
    # Everything a block declares is local to its own closure; the runner's tables are unreachable.
    attacker = (
        "var render = () => 'attacker';\nvar helper = () => 'hijacked';\n"
        "function victim() { return 'hijacked'; }\n"
        "try { Object.defineProperty(Object.prototype, 'render', { get() { return () => 'hijacked'; } }); }"
        " catch (e) {}\n"
    )
    victim = "function helper() { return 'victim'; }\nfunction render() { return helper(); }"
    assert [r.html for r in render(executor, attacker, victim)] == ["attacker", "victim"]
    assert [r.html for r in render(executor, victim)] == ["victim"]


# ---------------------------------------------------------------------------------------------
# Stores never share contexts
# ---------------------------------------------------------------------------------------------

def _products_page(title: str) -> PageData:
    product = {**PRODUCT, "title": title}
    return PageData(env=PAGE.env, shared=PAGE.shared, products={"p1": product}, catalog_version="v1")


def test_stores_never_see_each_others_data() -> None:
    # Same catalog version and product ids in both stores: a shared context would hand store B the
    # product snapshot cached for store A.
    show = BlockJob("grid", "grid", "function render(ctx) { return ctx.products.map((p) => p.title).join(); }",
                    product_ids=("p1",))
    pool = ExecutorPool(limits=FAST)
    try:
        a, b = pool.for_store("store-a"), pool.for_store("store-b")
        assert a is not b and pool.for_store("store-a") is a
        assert a.render_page([show], _products_page("A's secret"))[0].html == "A's secret"
        assert b.render_page([show], _products_page("B's shirt"))[0].html == "B's shirt"
        assert a.render_page([show], _products_page("ignored: cached"))[0].html == "A's secret"
        pids_a = {ctx._proc.pid for ctx in a._idle}
        pids_b = {ctx._proc.pid for ctx in b._idle}
        assert pids_a and pids_b and not pids_a & pids_b
    finally:
        pool.close()


def test_a_store_killed_by_a_limit_leaves_other_stores_alone() -> None:
    pool = ExecutorPool(limits=FAST)
    try:
        a, b = pool.for_store("store-a"), pool.for_store("store-b")
        render(b, GOOD)
        (worker_b,) = b._idle
        assert render(a, body("while (true) {}"))[0].code is BlockErrorCode.TIMEOUT
        assert b._idle == [worker_b] and worker_b._proc.is_alive()
        assert render(b, GOOD)[0].html == GOOD_HTML
    finally:
        pool.close()


def test_evicted_and_closed_stores_release_their_workers() -> None:
    pool = ExecutorPool(limits=FAST, max_stores=1)
    a = pool.for_store("store-a")
    render(a, GOOD)
    (worker,) = a._idle
    pool.for_store("store-b")
    assert not worker._proc.is_alive()
    b = pool.for_store("store-b")
    render(b, GOOD)
    (worker_b,) = b._idle
    pool.close()
    assert not worker_b._proc.is_alive()
