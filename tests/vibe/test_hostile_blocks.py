"""A catalogue of escape attempts. Each one is refused by the validator, stopped by a limit, or renders
harmlessly, and a normal block renders beside it and right after it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from shared.models.money import MINOR_UNITS
from shared.vibe import Limits, StoreExecutor, check_block
from shared.vibe.errors import BlockErrorCode
from shared.vibe.worker import _Sandbox

from .support import FAST, GOOD, GOOD_HTML, HANG, assert_recovers, body, render, timed, worker_calls

COMPUTED = "const c = 'constr' + 'uctor';\n"
POISONED = "Creating functions from strings is not allowed in vibe blocks"


# V8 aborts or stalls on these; whether the time limit or the crash comes first depends on the load.
STOPPED = frozenset({BlockErrorCode.TIMEOUT, BlockErrorCode.MEMORY})


@dataclass(frozen=True)
class Attempt:
    """A hostile block and what must become of it."""

    code: str
    outcome: BlockErrorCode | frozenset[BlockErrorCode] | None   # None: it renders (harmlessly)
    text: str = ""                      # in the HTML (rendered) or the error (failed)


ATTEMPTS: dict[str, Attempt] = {
    # --- constructor / Function, by any route the AST check cannot see ------------------------
    "computed constructor of a string is just String": Attempt(
        body(COMPUTED + "return String(''[c]);"), None, "function String() { [native code] }"),
    "computed Function constructor is poisoned": Attempt(
        body(COMPUTED + "return String((() => 0)[c]('return globalThis')());"), BlockErrorCode.ERROR, POISONED),
    "Reflect.get of the constructor": Attempt(
        body(COMPUTED + "return String(Reflect.get(() => 0, c)('return 1')());"), BlockErrorCode.ERROR, POISONED),
    "getOwnPropertyDescriptor of the constructor": Attempt(
        body(COMPUTED + "const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(() => 0), c);\n"
             "return String(d.value('return 1')());"), BlockErrorCode.ERROR, POISONED),
    "destructuring with a computed key": Attempt(
        body(COMPUTED + "const { [c]: F } = () => 0; return String(F('return 1')());"), BlockErrorCode.ERROR, POISONED),
    "generator function constructor via getPrototypeOf": Attempt(
        body(COMPUTED + "const G = Object.getPrototypeOf(function* () {})[c]; return String(G('yield 1'));"),
        BlockErrorCode.ERROR, POISONED),
    "helper function's constructor": Attempt(
        body(COMPUTED + "return String(Reflect.getPrototypeOf(h.html)[c]('return 1')());"),
        BlockErrorCode.ERROR, POISONED),
    "the constructor of the constructor of a string": Attempt(
        "function render() { return ''.constructor.constructor('return this')(); }", BlockErrorCode.INVALID,
        "constructor"),
    "the caller/arguments accessors are the frozen %ThrowTypeError%": Attempt(
        body("const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(() => 0), 'call' + 'er');\n"
             "try { d.get(); } catch (e) { return `${e.name}:${Object.isFrozen(d.get)}:${Object.isFrozen(d.set)}`; }"),
        None, "TypeError:true:true"),
    # --- legacy RegExp statics and stack trace hooks -----------------------------------------
    "RegExp legacy statics are gone": Attempt(
        body("/secret-(\\d+)/.exec('secret-42');\n"
             "return ['last' + 'Match', '$' + '1', 'inp' + 'ut', '$' + '_', 'left' + 'Context']"
             ".map((k) => String(RegExp[k])).join();"),
        None, "undefined,undefined,undefined,undefined,undefined"),
    "Error.prepareStackTrace cannot be set": Attempt(
        body("try { Error.prepareStackTrace = (e, s) => s; } catch (e) { return 'refused ' + e.name; }"),
        None, "refused TypeError"),
    "Error.stackTraceLimit cannot be raised": Attempt(
        body("try { Error.stackTraceLimit = 1e9; } catch (e) { return 'refused ' + e.name; }"),
        None, "refused TypeError"),
    "Error.captureStackTrace only describes the call": Attempt(
        body("const o = {}; Error.captureStackTrace(o); return o.stack.split('\\n')[0];"), None, "Error"),
    # --- traps during output conversion and error description --------------------------------
    "Symbol.species getter that never returns": Attempt(
        body("class X extends Array { static get [Symbol.species]() { while (true) {} } }\n"
             "return String(new X(1, 2).map((x) => x));"), BlockErrorCode.TIMEOUT, "time limit"),
    "toString that loops during h.html": Attempt(
        body("return h.html`${{ toString() { while (true) {} } }}`;"), BlockErrorCode.TIMEOUT, "time limit"),
    "toString that throws during h.html": Attempt(
        body("return h.html`${{ toString() { throw new Error('during output'); } }}`;"),
        BlockErrorCode.ERROR, "Error: during output"),
    "Symbol.toPrimitive returning a huge string into h.html": Attempt(
        body("return h.html`${{ [Symbol.toPrimitive]() { return 'x'.repeat(4e6) + 'y'.repeat(4e6); } }}`;"),
        BlockErrorCode.OUTPUT, "over the 524288 limit"),
    "an object returned with looping converters is never converted": Attempt(
        body("return { [Symbol.toPrimitive]() { while (true) {} }, toString() { while (true) {} } };"),
        BlockErrorCode.ERROR, "must return a string"),
    "a thrown object whose getters throw": Attempt(
        body("throw { get name() { throw 1; }, get message() { throw 2; }, get [Symbol.toStringTag]() { throw 3; } };"),
        BlockErrorCode.ERROR, "Uncaught exception"),
    "an Error whose name getter throws": Attempt(
        body("class E extends Error { get name() { throw new Error('again'); } } throw new E('m');"),
        BlockErrorCode.ERROR, "Uncaught exception"),
    "an Error whose name getter never returns": Attempt(
        body("class E extends Error { get name() { while (true) {} } } throw new E('m');"),
        BlockErrorCode.TIMEOUT, "time limit"),
    "a thrown Proxy whose getPrototypeOf throws": Attempt(
        body("throw new Proxy({}, { getPrototypeOf() { throw 1; } });"), BlockErrorCode.ERROR, "Uncaught exception"),
    "a thrown Proxy of an Error answering every get": Attempt(
        body("throw new Proxy(new Error('x'),\n"
             "  { get(t, k) { return typeof k === 'string' ? 'trap:' + k : undefined; } });"),
        BlockErrorCode.ERROR, "trap:name: trap:message"),
    "a thrown huge string is clipped": Attempt(
        body("let s = 'x'; while (s.length < 2 ** 20) s += s; throw s;"), BlockErrorCode.ERROR, "Uncaught xxx"),
    "a huge error message is clipped": Attempt(
        body("let s = 'x'; while (s.length < 2 ** 20) s += s; throw new Error(s);"),
        BlockErrorCode.ERROR, "Error: xxx"),
    "a huge Symbol.toStringTag on a thrown object is clipped": Attempt(
        body("let s = 'x'; while (s.length < 2 ** 20) s += s;\n"
             "throw { get [Symbol.toStringTag]() { return s; } };"), BlockErrorCode.ERROR, "Uncaught [object xxx"),
    "a fake block.js location in the message is not the location": Attempt(
        "function render() {\n  throw new Error('at x (block.js:99:1)');\n}", BlockErrorCode.ERROR,
        "Error: at x (block.js:99:1) (line 2, column 9)"),
    # --- returning things that are not HTML ---------------------------------------------------
    "a Proxy around SafeHtml renders as the string it converts to": Attempt(
        body("return new Proxy(h.raw('safe'), { get(t, k) { return k === Symbol.toPrimitive ? () => '<b>p</b>' : "
             "Reflect.get(t, k); } });"), None, "<b>p</b>"),
    "a forged SafeHtml without the private field": Attempt(
        body("return Object.create(Object.getPrototypeOf(h.raw('')));"), BlockErrorCode.ERROR, "private member"),
    "a number": Attempt(body("return 42;"), BlockErrorCode.ERROR, "must return a string"),
    "a Symbol": Attempt(body("return Symbol('s');"), BlockErrorCode.ERROR, "must return a string"),
    "a BigInt": Attempt(body("return 10n;"), BlockErrorCode.ERROR, "must return a string"),
    "an object with toString": Attempt(
        body("return { toString() { return '<p>obj</p>'; } };"), BlockErrorCode.ERROR, "must return a string"),
    "an array of strings": Attempt(body("return ['<p>', '</p>'];"), BlockErrorCode.ERROR, "must return a string"),
    "null renders nothing": Attempt(body("return null;"), None, ""),
    # --- ReDoS ---------------------------------------------------------------------------------
    "catastrophic backtracking falls back to the linear engine": Attempt(
        body("return String(/(a+)+$/.test('a'.repeat(5000) + '!'));"), None, "false"),
    "a backreference (no linear engine) is stopped by the time limit": Attempt(
        body("return String(/^(a+)+\\1$/.test('a'.repeat(40) + '!'));"), BlockErrorCode.TIMEOUT, "time limit"),
    # --- huge strings --------------------------------------------------------------------------
    "repeat over the cap": Attempt(body("return 'x'.repeat(2 ** 25);"), BlockErrorCode.ERROR, "over the size limit"),
    "padStart over the cap": Attempt(
        body("return 'x'.padStart(2 ** 28);"), BlockErrorCode.ERROR, "over the size limit"),
    "padEnd over the cap": Attempt(
        body("return 'x'.padEnd(2 ** 28, 'ab');"), BlockErrorCode.ERROR, "over the size limit"),
    "repeat count that grows between check and use": Attempt(
        body("let calls = 0;\n"
             "const n = { valueOf() { calls += 1; return calls === 1 ? 1 : 2 ** 28; } };\n"
             "return `${'x'.repeat(n).length}:${calls}`;"), None, "1:1"),
    "repeat receiver that grows between check and use": Attempt(
        body("let calls = 0;\n"
             "const t = { toString() { calls += 1; return calls === 1 ? 'x' : 'x'.repeat(1000); } };\n"
             "return `${String.prototype.repeat.call(t, 4e6).length}:${calls}`;"), None, "4000000:1"),
    "String.prototype.concat doubling": Attempt(
        body("let s = 'x'; for (let i = 0; i < 40; i++) s = s.concat(s); return s;"),
        BlockErrorCode.ERROR, "Invalid string length"),
    "Array(1e9).join": Attempt(body("return Array(1e9).join('x');"), BlockErrorCode.ERROR, "Invalid string length"),
    "Array(2**29 - 30).join returned": Attempt(
        body("return Array(2 ** 29 - 30).join('x');"), BlockErrorCode.OUTPUT, "over the 524288 limit"),
    # --- V8 builtins that abort the process or ignore interrupts: contained by the worker ------
    "filling a sparse array of length 2**32-1 (V8: fatal 'invalid table size')": Attempt(
        body("const a = []; a[2 ** 32 - 2] = 1; a.fill(0); return 'filled';"), STOPPED, "Stopped:"),
    "indexOf over a sparse array of length 2**32-1 (no interrupt check for minutes)": Attempt(
        body("const a = []; a[2 ** 32 - 2] = 1; return String(a.indexOf(5));"), STOPPED, "Stopped:"),
    "splitting a 2**28-character rope (V8: fatal 'invalid size')": Attempt(
        body("let s = 'x'; while (s.length < 2 ** 28) s += s; return String(s.split('').length);"),
        STOPPED, "Stopped:"),
    "flattening a 256 M rope into an error message": Attempt(
        body("let s = 'x'; while (s.length < 2 ** 28) s += s; throw new Error(s);"), STOPPED, "Stopped:"),
    "upper-casing a 1 GB rope (V8: fatal heap limit)": Attempt(
        body("let s = '\\u20ac'; while (s.length < 2 ** 28) s += s; s = s + s.slice(0, 2 ** 28 - 30);\n"
             "return s.toUpperCase().slice(0, 3);"), STOPPED, "Stopped:"),
    "ArrayBuffers outside V8's heap limit": Attempt(
        # No fill: the process's address-space cap refuses the allocation itself, so the outcome does
        # not depend on how fast the machine writes 128 MB pages under the 0.3 s test limit.
        body("const bufs = [];\n"
             "for (let i = 0; i < 64; i++) { const b = new Uint8Array(2 ** 27); b[0] = 1; bufs.push(b); }\n"
             "return 'held 8 GB';"), BlockErrorCode.ERROR, "Array buffer allocation failed"),
    # --- no Promise, nothing queued ------------------------------------------------------------
    "a thenable is never resolved by anything": Attempt(
        body("let called = false; const t = { then(r) { called = true; r(1); } };\n"
             "return `${typeof t.then}:${called}`;"), None, "function:false"),
    "DisposableStack callbacks run only when disposed, synchronously": Attempt(
        body("const d = new DisposableStack(); d.defer(() => { while (true) {} }); return 'never disposed';"),
        None, "never disposed"),
    "Promise by name": Attempt("function render() { return typeof Promise; }", BlockErrorCode.INVALID, "Promise"),
    "async generator": Attempt(
        "async function* g() {}\nfunction render() { return ''; }", BlockErrorCode.INVALID, "async"),
    "dynamic import": Attempt("function render() { import('data:text/javascript,1'); return ''; }",
                              BlockErrorCode.INVALID, "import()"),
    "WebAssembly by name": Attempt(
        "function render() { return typeof WebAssembly; }", BlockErrorCode.INVALID, "WebAssembly"),
    "SharedArrayBuffer by name": Attempt(
        "function render() { return typeof SharedArrayBuffer; }", BlockErrorCode.INVALID, "SharedArrayBuffer"),
    # --- this / with / arguments ---------------------------------------------------------------
    "this in a plain function is undefined (strict)": Attempt(
        body("return String(function () { return this; }()) + String(Reflect.apply(function () { return this; }, "
             "undefined, []));"), None, "undefinedundefined"),
    "a 'use strict' or sloppy directive changes nothing": Attempt(
        "'use sloppy';\nfunction render() { return String(function () { return this; }()); }", None, "undefined"),
    "with": Attempt("function render(ctx) { with (ctx) { return storefront.name; } }", BlockErrorCode.INVALID, "with"),
    "arguments": Attempt("function render() { return String(arguments.length); }", BlockErrorCode.INVALID, "arguments"),
    "top-level this": Attempt("const g = this;\nfunction render() { return ''; }", BlockErrorCode.INVALID, "this"),
    # --- breaking out of the compile wrapper ---------------------------------------------------
    # The executor compiles (function () { "use strict";\n<code>\n;return render; })
    "closing the wrapper": Attempt(
        "function render() { return 'a'; }\n})(); (function () {", BlockErrorCode.INVALID, "SyntaxError"),
    "closing the wrapper after an extra brace": Attempt(
        "function render() { return 'a'; }; }; (function () {", BlockErrorCode.INVALID, "SyntaxError"),
    "a top-level return out of the wrapper": Attempt(
        "return () => 'early';\nfunction render() { return 'h'; }", BlockErrorCode.INVALID, "'return' outside"),
    "an HTML open comment hides the rest of line 1 in both parsers": Attempt(
        "<!-- })(); eval('1')\nfunction render() { return 'b'; }", None, "b"),
    "an HTML close comment at a line start hides the rest of the line in both": Attempt(
        "function render() { return 'c'; }\n--> })(); eval('1')", None, "c"),
    "an HTML close comment after a multi-line comment": Attempt(
        "function render() { return 'd'; } /*\n*/ --> })(); eval('1')", None, "d"),
    "an HTML close comment on line 1 (code in the validator, so refused)": Attempt(
        "--> })(); eval('1')\nfunction render() { return 'e'; }", BlockErrorCode.INVALID, "SyntaxError"),
    "a U+2028 line separator ends a line comment in both parsers": Attempt(
        "function render() { return 'f'; }\n// \u2028 })(); (function () {", BlockErrorCode.INVALID, "SyntaxError"),
    "wrapper text inside a string": Attempt(
        'function render() { return "})(); eval(1); (function () {"; }', None, "})(); eval(1); (function () {"),
    "wrapper text inside a template across lines": Attempt(
        "function render() { return `})\n;return 1; })`; }", None, "})\n;return 1; })"),
    "ending in a line comment": Attempt("function render() { return 'g'; } // the end", None, "g"),
    "ending in an HTML open comment": Attempt("function render() { return 'i'; } <!--", None, "i"),
    "ending in a backslash": Attempt("function render() { return 'j'; }\n\\", BlockErrorCode.INVALID, "SyntaxError"),
    "an unterminated block comment": Attempt(
        "function render() { return 'k'; } /* })(); (function () {", BlockErrorCode.INVALID, "SyntaxError"),
    # --- sourceURL comments --------------------------------------------------------------------
    "sourceURL comments of its own": Attempt(
        "//# sourceURL=runner.js\nfunction render() {\n  throw new Error('where');\n}\n//# sourceURL=evil.js",
        BlockErrorCode.ERROR, "Error: where (line 3, column 9)"),
    "a byte order mark": Attempt("\ufefffunction render() { return 'bom'; }", None, "bom"),
}


@pytest.fixture(scope="module")
def hostile_executor() -> Iterator[StoreExecutor]:
    ex = StoreExecutor("store-hostile", limits=FAST)
    yield ex
    ex.close()


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_hostile_block_is_contained(hostile_executor: StoreExecutor, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    attempt = ATTEMPTS[name]
    calls = worker_calls(monkeypatch)
    (hostile, good), seconds = timed(render, hostile_executor, attempt.code, GOOD)
    if attempt.outcome is None:
        assert hostile.ok, hostile.error
        assert attempt.text in (hostile.html or "") if attempt.text else hostile.html == ""
    else:
        expected = attempt.outcome if isinstance(attempt.outcome, frozenset) else {attempt.outcome}
        assert hostile.code in expected, hostile.error
        assert attempt.text in (hostile.error or "")
        assert len(hostile.error or "") < 2100   # error texts are clipped before they leave V8
    assert good.ok and good.html == GOOD_HTML
    # Two passes at most: the page, then (after a limit) block by block, one call each.
    assert len(calls) in (1, 3) and seconds < HANG
    assert_recovers(hostile_executor)


def test_catalogue_covers_every_outcome() -> None:
    outcomes = {a.outcome for a in ATTEMPTS.values()}
    assert outcomes == {None, BlockErrorCode.INVALID, BlockErrorCode.ERROR, BlockErrorCode.TIMEOUT,
                        BlockErrorCode.OUTPUT, STOPPED}
    for name, attempt in ATTEMPTS.items():
        assert check_block(attempt.code).ok is (attempt.outcome is not BlockErrorCode.INVALID), name


def test_regexp_statics_do_not_carry_data_to_the_next_render(hostile_executor: StoreExecutor) -> None:
    secret = "function render(ctx) { /token=(\\w+)/.exec('token=' + ctx.request.query.q); return 'ok'; }"
    spy = body("return ['last' + 'Match', '$' + '1', 'inp' + 'ut'].map((k) => String(RegExp[k])).join();")
    assert render(hostile_executor, secret)[0].html == "ok"
    assert render(hostile_executor, spy)[0].html == "undefined,undefined,undefined"


def test_price_formats_cache_stays_bounded_and_correct(hostile_executor: StoreExecutor) -> None:
    # Every code of the currency table (more than the cache keeps) goes through the bounded cache;
    # 300 codes the table lacks throw before any formatter is built (Intl would accept them).
    codes = json.dumps(sorted(MINOR_UNITS))
    sweep = body(f"const out = []; let refused = 0;\n"
                 f"for (const code of {codes}) out.push(h.formatPrice({{ amount: 100, currency: code }}));\n"
                 "for (let i = 0; i < 300; i++) {\n"
                 "  const code = 'Q' + String.fromCharCode(65 + (i % 26))\n"
                 "    + String.fromCharCode(65 + Math.floor(i / 26));\n"
                 "  try { h.formatPrice({ amount: 100, currency: code }); } catch (err) { refused += 1; }\n"
                 "}\n"
                 "return out.length + ' ' + refused + ' ' + h.formatPrice({ amount: 1999, currency: 'EUR' });")
    assert render(hostile_executor, sweep)[0].html == f"{len(MINOR_UNITS)} 300 €19.99"


# ---------------------------------------------------------------------------------------------
# Intrinsics a block can reach without a global name, all frozen
# ---------------------------------------------------------------------------------------------

FROZEN_WALK = body("""
const seeds = [function* () {}, [].values(), new Map().values(), new Set().values(), ''[Symbol.iterator](),
  'a'.matchAll(/a/g), [].values().map((x) => x), Iterator.from({ next() { return { done: true }; } }),
  new Intl.Segmenter().segment(''), new Intl.Segmenter().segment('')[Symbol.iterator](), new Uint8Array(1),
  new Float16Array(1), new Error('e'), new RangeError('e'), new AggregateError([]), new SuppressedError(1, 2),
  Object.groupBy([], (x) => x), new Map(), new Set(), new WeakMap(), /x/, new Date(0), 1n, Symbol('s'),
  new Proxy({}, {}), [].entries(), Temporal.Now.instant(), new Intl.DateTimeFormat(), new DisposableStack(),
  new Intl.v8BreakIterator(), h.html`x`, (() => 0).bind(null), class {}, new ArrayBuffer(1),
  new DataView(new ArrayBuffer(1))];
const todo = [h, ctx];
for (const seed of seeds) {
  const object = Object(seed);
  todo.push(Object.getPrototypeOf(object));
  for (const key of Reflect.ownKeys(object)) {
    const d = Reflect.getOwnPropertyDescriptor(object, key);
    if (d.get) todo.push(d.get);
    if (d.set) todo.push(d.set);
  }
}
const seen = new Set();
const open = [];
while (todo.length > 0) {
  const value = todo.pop();
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
  seen.add(value);
  if (!Object.isFrozen(value)) open.push(String(value.name || Object.prototype.toString.call(value)));
  todo.push(Object.getPrototypeOf(value));
  for (const key of Reflect.ownKeys(value)) {
    const d = Reflect.getOwnPropertyDescriptor(value, key);
    if ('value' in d) todo.push(d.value);
    if (d.get) todo.push(d.get);
    if (d.set) todo.push(d.set);
  }
}
return `${seen.size} ${open.join(',') || 'all frozen'}`;
""")


def test_intrinsics_without_a_global_name_are_frozen(hostile_executor: StoreExecutor) -> None:
    (result,) = render(hostile_executor, FROZEN_WALK)
    assert result.ok, result.error
    count, verdict = (result.html or "").split(" ", 1)
    assert verdict == "all frozen"
    assert int(count) > 300


@pytest.fixture(scope="module")
def hardened() -> Iterator[_Sandbox]:
    """A hardened context in this process, to inspect it with more reach than any block has."""
    sandbox = _Sandbox(Limits())
    yield sandbox
    sandbox.mr.close()


WALK_GLOBAL = """
(() => {
  const todo = [globalThis];
  const seen = new Set();
  const open = [];
  const names = new Set();
  const tags = new Set();
  while (todo.length > 0) {
    const value = todo.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    if (!Object.isFrozen(value)) open.push(String(value.name || Object.prototype.toString.call(value)));
    if (typeof value === "function") names.add(value.name);
    const tag = Object.getOwnPropertyDescriptor(value, Symbol.toStringTag);
    if (tag && typeof tag.value === "string") tags.add(tag.value);
    todo.push(Object.getPrototypeOf(value));
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      // A name counts when something is behind it (mini-racer's `var setTimeout` is left undefined).
      if (typeof key === "string" && (d.get || d.set || d.value !== undefined)) names.add(key);
      if ("value" in d) todo.push(d.value);
      if (d.get) todo.push(d.get);
      if (d.set) todo.push(d.set);
    }
  }
  return JSON.stringify({ count: seen.size, open, names: [...names], tags: [...tags] });
})()
"""


def test_everything_reachable_from_the_global_is_frozen(hardened: _Sandbox) -> None:
    found = json.loads(hardened.mr.eval(WALK_GLOBAL))
    assert found["open"] == []
    assert found["count"] > 500


def test_nothing_that_queues_work_is_reachable(hardened: _Sandbox) -> None:
    # Every function and property name reachable from the hardened global object: none of them can
    # queue work that outlives a call (microtasks, timers, finalizers, async waits, async compiles).
    found = json.loads(hardened.mr.eval(WALK_GLOBAL))
    names, tags = set(found["names"]), set(found["tags"])
    queueing = {"Promise", "queueMicrotask", "setTimeout", "setInterval", "setImmediate", "waitAsync", "fromAsync",
                "WeakRef", "FinalizationRegistry", "AsyncDisposableStack", "disposeAsync", "toAsync",
                "compileStreaming", "instantiateStreaming", "instantiate", "Atomics", "SharedArrayBuffer",
                "WebAssembly", "eval", "AsyncFunction", "AsyncGeneratorFunction"}
    assert names & queueing == set()
    assert tags & {"Promise", "AsyncFunction", "AsyncGeneratorFunction", "AsyncGenerator", "WebAssembly",
                   "Atomics", "AsyncIterator", "AsyncDisposableStack"} == set()


def test_the_global_cannot_be_reached_from_block_code(hardened: _Sandbox) -> None:
    # `Function("return this")()` is the classic way back to the global object: it is poisoned.
    assert hardened.mr.eval(
        '(() => { try { return typeof Function("return this")(); } catch (e) { return e.name; } })()') == "TypeError"
    assert hardened.mr.eval("Object.isFrozen(globalThis) && typeof eval") == "undefined"


def test_nothing_is_left_queued_after_a_render(hostile_executor: StoreExecutor) -> None:
    # A block tries every way left to schedule work for later; the same worker then answers at once.
    scheduler = body("""
const g = (function* () { while (true) yield 1; })();
const thenable = { then(resolve) { resolve(thenable); } };
const stack = new DisposableStack();
stack.defer(() => { while (true) {} });
Iterator.from(g).take(3).toArray();
return [typeof g.next, typeof thenable.then, typeof stack.dispose].join();
""")
    render(hostile_executor, GOOD)
    (worker,) = hostile_executor._idle
    assert render(hostile_executor, scheduler)[0].html == "function,function,function"
    for _ in range(3):
        (result,), seconds = timed(render, hostile_executor, GOOD)
        assert result.html == GOOD_HTML and seconds < HANG
    # Queued work would have run into the time limit, and the worker would have been killed and replaced.
    assert hostile_executor._idle == [worker] and worker._proc.is_alive()
