"""The static validator: modern syntax is accepted, every deny-list item is refused at its own 1-based
line and column, the schema is read from the AST without running anything."""

from __future__ import annotations

import re

import pytest

from shared.vibe import BlockError, StoreExecutor, check_block
from shared.vibe.errors import BlockErrorCode, Diagnostic
from shared.vibe.validator import MAX_SOURCE_CHARS

from .support import FAST, PAGE, job

# ---------------------------------------------------------------------------------------------
# Modern syntax: accepted by the validator AND run by V8 with the expected result
# ---------------------------------------------------------------------------------------------

MODERN = {
    "optional chaining": (
        'const o = { a: { b: 1 }, f: null }; return `${o?.a?.b}${o.x?.y}${o.f?.()}${o?.["a"]?.b}`;',
        "1undefinedundefined1"),
    "nullish coalescing": ('const v = null ?? "d"; const z = 0 ?? 9; return v + z;', "d0"),
    "logical assignment": (
        'let a = null; a ??= "x"; let b = 0; b ||= 2; let c = 1; c &&= 3; return `${a}${b}${c}`;', "x23"),
    "class fields, private members, static block": (
        "class Counter {\n"
        "  #n = 1; static base = 10; static #secret = 5; static total;\n"
        "  static { Counter.total = Counter.base + Counter.#secret; }\n"
        "  get n() { return this.#n; } set n(v) { this.#n = v; }\n"
        "  #double() { return this.#n * 2; } twice() { return this.#double(); }\n"
        "  static has(o) { return #n in o; }\n"
        "}\n"
        "const c = new Counter(); c.n = 4;\n"
        "return `${c.n}:${c.twice()}:${Counter.total}:${Counter.has(c)}:${Counter.has({})}`;",
        "4:8:15:true:false"),
    "spread": (
        'const a = [1, 2]; const o = { ...{ x: 1 }, y: 2 };\n'
        'return [...a, ..."ab"].join("") + Math.max(...a) + Object.keys(o).join("");', "12ab2xy"),
    "destructuring with defaults and rest": (
        "const { a = 1, b: { c = 2 } = {}, ...rest } = { d: 4 }; const [x = 5, , z = 6, ...tail] = [];\n"
        "return [a, c, x, z, rest.d, tail.length].join();", "1,2,5,6,4,0"),
    "template and tagged template literals": (
        'const tag = (s, ...v) => s.raw.join("|") + v.join();\n'
        'return tag`a${1}b${2}c` + `x${`y${1 + 1}`}` + String.raw`\\n`;', "a|b|c1,2xy2\\n"),
    "numeric separators, hex, binary, exponent": (
        "let e = 2; e **= 3; return [1_000_000, 0xff_ff, 0b1010_1010, 2 ** 10, e, 1e3].join();",
        "1000000,65535,170,1024,8,1000"),
    "optional catch binding": ('try { throw new Error("x"); } catch { return "caught"; }', "caught"),
    "arrow functions with default parameters": (
        "const add = (a, b = a + 1) => a + b; const id = x => x; return String(add(1) + id(1));", "4"),
    "getters and setters": (
        "const o = { _v: 1, get v() { return this._v; }, set v(x) { this._v = x * 2; } };\n"
        "class T { static get k() { return 7; } }\n"
        "o.v = 5; return `${o.v}/${T.k}`;", "10/7"),
    "for...of over Map, string, entries": (
        'let s = ""; for (const [k, v] of new Map([["a", 1]])) s += k + v;\n'
        'for (const ch of "xy") s += ch; for (const [i, v] of ["p"].entries()) s += i + v; return s;',
        "a1xy0p"),
    "generators and yield*": (
        "function* g() { yield 1; yield* [2, 3]; return 4; }\n"
        "const it = g(); it.next(); return [...g()].join() + it.next().value;", "1,2,32"),
    "labelled loops": (
        "let n = 0;\n"
        "outer: for (let i = 0; i < 3; i++) {\n"
        "  for (let j = 0; j < 3; j++) { if (j === 1) continue outer; if (i === 2) break outer; n++; }\n"
        "}\nreturn String(n);", "2"),
    "regex named groups, lookbehind, flags": (
        'const m = /(?<y>\\d{4})-(?<mo>\\d{2})/d.exec("2024-05");\n'
        'return [m.groups.y, m.groups.mo, "$42".match(/(?<=\\$)\\d+/)[0], /a.b/s.test("a\\nb"),\n'
        '  /[\\p{L}--[a-z]]/v.test("A"), /(?i:a)b/.test("Ab"), m.indices[1][0]].join();',
        "2024,05,42,true,true,true,0"),
    "BigInt literals": ("return String(2n ** 64n) + typeof 1n;", "18446744073709551616bigint"),
    "Object.groupBy and Map.groupBy": (
        'const g = Object.groupBy([1, 2, 3, 4], (n) => (n % 2 ? "odd" : "even"));\n'
        "const m = Map.groupBy([1, 2, 3], (n) => n > 1);\n"
        'return `${g.odd.join()};${g.even.join()};${m.get(true).length}`;', "1,3;2,4;2"),
    "modern array, string and set methods": (
        "const a = [3, 1, 2];\n"
        "return [a.at(-1), a.toSorted().join(\"\"), a.toReversed().join(\"\"), a.with(0, 9).join(\"\"),\n"
        "  a.findLast((x) => x < 3), a.findLastIndex((x) => x > 5), [[1], [2]].flatMap((x) => x).join(\"\"),\n"
        '  Object.hasOwn({ k: 1 }, "k"), "a-a".replaceAll("a", "b"), new Set([1, 2]).union(new Set([3])).size,\n'
        '  Object.fromEntries([["k", 1]]).k, "x".at(0)].join();',
        "2,123,213,912,2,-1,12,true,b-b,3,1,x"),
    "iterator helpers": (
        "return [1, 2, 3].values().map((x) => x * 2).filter((x) => x > 2).toArray().join();", "4,6"),
    "classes with extends and super": (
        'class A { hi() { return "a"; } } class B extends A { hi() { return super.hi() + "b"; } }\n'
        "return new B().hi();", "ab"),
    "computed keys, shorthand and methods": (
        'const k = "x"; const y = 1; const o = { [k + 1]: 1, y, m() { return 2; } };\n'
        "return Object.keys(o).join() + o.m();", "x1,y,m2"),
    "new.target and this inside functions": (
        "function F() { this.ok = new.target === F; } return String(new F().ok);", "true"),
    "using declarations (synchronous)": (
        'let log = ""; { using r = { [Symbol.dispose]() { log += "disposed"; } }; log += "used,"; }\n'
        "return log;", "used,disposed"),
    "unicode identifiers and trailing commas": (
        "const café = (a, b,) => a + b; return String(café(1, 2,));", "3"),
    "error cause and Error.isError": (
        'const e = new Error("x", { cause: 7 }); return `${e.cause}${Error.isError(e)}`;', "7true"),
    "the h helpers": (
        'return h.html`<b>${ctx.request.query.q}</b>${h.raw("<i>ok</i>")}` + h.formatPrice({ amount: 1999, '
        'currency: "EUR" }) + h.pluralize(2, "item");', "<b>&lt;script&gt;</b><i>ok</i>€19.992 items"),
}


@pytest.mark.parametrize("name", list(MODERN))
def test_modern_syntax_is_accepted(name: str) -> None:
    js, _ = MODERN[name]
    check = check_block(f"function render(ctx, h) {{\n{js}\n}}")
    assert check.ok, check.diagnostics


def test_modern_syntax_runs_in_v8_as_the_validator_parsed_it() -> None:
    executor = StoreExecutor("store-modern", limits=FAST)
    try:
        jobs = [job(f"function render(ctx, h) {{\n{js}\n}}", i) for i, (js, _) in enumerate(MODERN.values())]
        results = executor.render_page(jobs, PAGE)
    finally:
        executor.close()
    for (name, (_, expected)), result in zip(MODERN.items(), results, strict=True):
        assert result.ok, f"{name}: {result.error}"
        assert result.html == expected, name


def test_top_level_block_forms_are_accepted() -> None:
    for source in [
        'const render = (ctx, h) => "<p>arrow</p>";',
        'let render = function (ctx, h) { return ""; };',
        '"use strict";\nfunction helper(x) { return x; }\nfunction render(ctx, h) { return helper(""); }',
        '// Accepts: nothing. Usage: tests.\nconst schema = { name: "x" };\nfunction render() { return ""; }',
    ]:
        assert check_block(source).ok, source


# ---------------------------------------------------------------------------------------------
# The deny list (docs/vibe-blocks.md), each item at its own line and column
# ---------------------------------------------------------------------------------------------

RENDER = '\nfunction render(ctx, h) { return ""; }'

# (snippet, the text the diagnostic must point at, a word its message must contain)
DENIED = [
    ('eval("1");', "eval", "eval"),
    ('new Function("return 1");', "Function", "Function"),
    ("const F = AsyncFunction;", "AsyncFunction", "AsyncFunction"),
    ("const F = GeneratorFunction;", "GeneratorFunction", "GeneratorFunction"),
    ("const F = AsyncGeneratorFunction;", "AsyncGeneratorFunction", "AsyncGeneratorFunction"),
    ("globalThis.x = 1;", "globalThis", "globalThis"),
    ("const g = global;", "global", "global"),
    ("const w = window;", "window", "window"),
    ("const s = self;", "self", "self"),
    ("const f = frames;", "frames", "frames"),
    ("const p = parent;", "parent", "parent"),
    ("const t = top;", "top", "top"),
    ("function f() { return arguments[0]; }", "arguments", "arguments"),
    ("const P = Promise;", "Promise", "Promise"),
    ("queueMicrotask(() => 1);", "queueMicrotask", "queueMicrotask"),
    ("setTimeout(() => 1, 0);", "setTimeout", "setTimeout"),
    ("setInterval(() => 1, 0);", "setInterval", "setInterval"),
    ("async function f() {}", "async", "async"),
    ("const f = async () => 1;", "async", "async"),
    ("const f = async function () {};", "async", "async"),
    ("const o = { async m() {} };", "async", "async"),
    ("class C { static async *g() {} }", "async", "async"),
    ("async function f() { await null; }", "await", "await"),
    ("function f() { for await (const x of []) {} }", "await", "Unexpected"),
    ("const w = WebAssembly;", "WebAssembly", "WebAssembly"),
    ("const b = new SharedArrayBuffer(8);", "SharedArrayBuffer", "SharedArrayBuffer"),
    ("Atomics.wait;", "Atomics", "Atomics"),
    ("const r = new WeakRef({});", "WeakRef", "WeakRef"),
    ("const r = new FinalizationRegistry(() => 1);", "FinalizationRegistry", "FinalizationRegistry"),
    ('const fs = require("fs");', "require", "require"),
    ("module.x = 1;", "module", "module"),
    ("exports.x = 1;", "exports", "exports"),
    ("process.exit();", "process", "process"),
    ('importScripts("x.js");', "importScripts", "importScripts"),
    ('fetch("/x");', "fetch", "fetch"),
    ("new XMLHttpRequest();", "XMLHttpRequest", "XMLHttpRequest"),
    ("const __secret = 1;", "__secret", "__"),
    ("new __TimerManager();", "__TimerManager", "__"),
    ("x.constructor;", "constructor", "constructor"),
    ('x["constructor"];', '"constructor"', "constructor"),
    ("x[`constructor`];", "`constructor`", "constructor"),
    ("x?.constructor;", "constructor", "constructor"),
    ("const { constructor: c } = x;", "constructor", "constructor"),
    ('const { "constructor": c } = x;', '"constructor"', "constructor"),
    ("let c; ({ constructor: c } = x);", "constructor", "constructor"),
    ("function f({ caller }) { return caller; }", "caller", "caller"),
    ("x.__proto__;", "__proto__", "__proto__"),
    ("const o = { __proto__: null };", "__proto__", "__proto__"),
    ('const o = { "__proto__": null };', '"__proto__"', "__proto__"),
    ("x.__defineGetter__;", "__defineGetter__", "__defineGetter__"),
    ("x.__defineSetter__;", "__defineSetter__", "__defineSetter__"),
    ("x.__lookupGetter__;", "__lookupGetter__", "__lookupGetter__"),
    ("x.__lookupSetter__;", "__lookupSetter__", "__lookupSetter__"),
    ("x.caller;", "caller", "caller"),
    ("x.callee;", "callee", "callee"),
    ("this.x = 1;", "this", "this"),
    ("const f = () => this;", "this", "this"),
    ('import x from "y";', "import", "import"),
    ('const m = import("x");', "import", "import"),
    ("const u = import.meta;", "import", "import.meta"),
    ("export const a = 1;", "export", "export"),
    ("with (x) {}", "with", "with"),
    ("debugger;", "debugger", "debugger"),
    # Unicode escapes decode to the same names: `\u0065val` IS eval.
    ('\\u0065val("1");', "\\u0065val", "eval"),
    ('\\u{65}val("1");', "\\u{65}val", "eval"),
    ("glob\\u0061lThis.x;", "glob\\u0061lThis", "globalThis"),
    ("x.\\u0063onstructor;", "\\u0063onstructor", "constructor"),
    ('x["\\u0063onstructor"];', '"\\u0063onstructor"', "constructor"),
    ("x['\\x63onstructor'];", "'\\x63onstructor'", "constructor"),
    ("const { \\u0063aller: c } = x;", "\\u0063aller", "caller"),
    ("x.__pro\\u0074o__;", "__pro\\u0074o__", "__proto__"),
]

LAYOUTS = {
    "line 1": lambda snippet: snippet + RENDER,   # shifted internally by the "use strict" prefix
    "line 3": lambda snippet: "// a comment\nconst pad = 1;\n    " + snippet + RENDER,
}


def _position(source: str, needle: str) -> tuple[int, int]:
    match = re.search(r"(?<![\w$])" + re.escape(needle), source)
    assert match is not None, needle
    before = source[:match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize(("snippet", "needle", "word"), DENIED, ids=[d[0] for d in DENIED])
def test_denied_construct_is_refused_at_its_line_and_column(snippet: str, needle: str, word: str,
                                                            layout: str) -> None:
    source = LAYOUTS[layout](snippet)
    check = check_block(source)
    assert not check.ok, source
    where = _position(source, needle)
    found = [(d.line, d.column) for d in check.diagnostics]
    assert where in found, (source, check.diagnostics)
    message = next(d.message for d in check.diagnostics if (d.line, d.column) == where)
    assert word in message


def test_every_finding_is_reported_in_source_order() -> None:
    source = 'eval("x");\nfunction render(ctx, h) {\n  return globalThis.a + x.constructor;\n}'
    check = check_block(source)
    assert [(d.line, d.column) for d in check.diagnostics] == [(1, 1), (3, 10), (3, 27)]


def test_allowed_lookalikes_are_not_refused() -> None:
    # Names as property keys or member names are not references; `this` in a function is fine.
    source = (
        'const o = { eval: 1, top: 2, constructor: 3, get caller() { return 4; } };\n'
        "class K { f = this; static { this.g = 1; } m() { return this.f; } }\n"
        'function render(ctx, h) { return String(o.eval + o.top + x.self + x.window); }'
    )
    assert check_block(source).ok


def test_a_block_without_render_is_refused() -> None:
    for source in ["function draw(ctx, h) { return ''; }", "const render = 5;", "class render {}", ""]:
        check = check_block(source)
        assert [(d.line, d.column) for d in check.diagnostics] == [(1, 1)], source
        assert "render" in check.diagnostics[0].message


# ---------------------------------------------------------------------------------------------
# Syntax errors, size, NUL
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "needle"), [
    ("function render() { return 1 +; }", ";"),
    ("function render(ctx, h) {\n  const a = 1;\n  return a +;\n}", ";"),
    ("function render() {\n  return `unterminated\n}", None),
    ("function render() { return 1 }\n})//", "}"),
])
def test_syntax_errors_point_at_line_and_column(source: str, needle: str | None) -> None:
    check = check_block(source)
    assert not check.ok
    first = check.diagnostics[0]
    assert first.message.startswith("SyntaxError")
    if needle is not None:
        index = source.rindex(needle)
        line = source[:index].count("\n") + 1
        assert (first.line, first.column) == (line, index - (source[:index].rfind("\n") + 1) + 1)


def test_html_comment_on_line_one_cannot_hide_code_from_the_validator() -> None:
    # `-->` opens a comment only at the start of a line. In the executor's wrapper the block's line 1
    # starts a line; in the validator it follows the "use strict" prefix. Acorn refuses it there, so
    # the two parses can never disagree about what is code.
    check = check_block("--> eval('x')\nfunction render() { return ''; }")
    assert not check.ok
    assert check.diagnostics[0].line == 1


def test_oversize_source_is_refused() -> None:
    ok = "function render() { return ''; }\n//" + "x" * (MAX_SOURCE_CHARS - 35)
    assert len(ok) <= MAX_SOURCE_CHARS and check_block(ok).ok
    big = ok + "x" * (MAX_SOURCE_CHARS - len(ok) + 1)
    check = check_block(big)
    assert not check.ok and "KB" in check.diagnostics[0].message


def test_nul_and_non_text_sources_are_refused() -> None:
    assert "NUL" in check_block("function render() { return ''; }\x00").diagnostics[0].message
    assert "text" in check_block(b"function render() {}").diagnostics[0].message  # type: ignore[arg-type]


def test_pathological_nesting_is_a_diagnostic_not_a_crash() -> None:
    check = check_block("function render() { return " + "[" * 100_000 + "]" * 100_000 + "; }")
    assert not check.ok
    assert check.diagnostics[0].line == 1


def test_diagnostics_format_and_raise() -> None:
    check = check_block("function render() {\n  eval('x');\n}")
    assert check.diagnostics[0].format("hero.js") == (
        "hero.js:2:3: `eval` is not allowed in a block: code generation is not allowed")
    with pytest.raises(BlockError) as caught:
        check.raise_for_errors()
    assert caught.value.code is BlockErrorCode.INVALID
    assert caught.value.diagnostics == check.diagnostics
    assert Diagnostic(1, 2, "m").format("f") == "f:1:2: m"


# ---------------------------------------------------------------------------------------------
# The schema: read from the AST, never run
# ---------------------------------------------------------------------------------------------

def test_literal_schema_is_extracted() -> None:
    source = """// Accepts: a heading. Usage: tests.
const schema = {
  name: "Product grid",
  "description": `Products in a grid`,
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Featured" },
    { id: "limit", type: "number", default: 8, min: -1, max: 2.5, optional: null, on: true },
  ],
  data: { products: { collection: "$collection", limit: "$limit" } },
};
function render(ctx, h) { return ""; }
"""
    check = check_block(source)
    assert check.ok, check.diagnostics
    assert check.schema == {
        "name": "Product grid",
        "description": "Products in a grid",
        "settings": [
            {"id": "heading", "type": "text", "label": "Heading", "default": "Featured"},
            {"id": "limit", "type": "number", "default": 8, "min": -1, "max": 2.5, "optional": None, "on": True},
        ],
        "data": {"products": {"collection": "$collection", "limit": "$limit"}},
    }


@pytest.mark.parametrize(("schema", "needle", "word"), [
    ("{ name: getName() }", "getName()", "literal"),
    ("{ name: (() => { while (true) {} })() }", "(() =>", "literal"),
    ("{ name: `x${1}` }", "`x${1}`", "interpolate"),
    ("{ ...base }", "...base", "key: value"),
    ("{ [k]: 1 }", "k]", "plain names"),
    ("{ m() { return 1; } }", "m()", "key: value"),
    ("{ get x() { return 1; } }", "get x", "key: value"),
    ("{ a }", "a }", "key: value"),
    ("{ re: /x/ }", "/x/", "JSON"),
    ("{ big: 1n }", "1n", "JSON"),
    ("{ list: [1, , 2] }", "[1, , 2]", "holes"),
    ("{ n: -x }", "-x", "JSON"),
    ("{ __proto__: 1 }", "__proto__", "__proto__"),
])
def test_code_in_schema_is_refused(schema: str, needle: str, word: str) -> None:
    source = f"function render() {{ return ''; }}\nconst schema = {schema};"
    check = check_block(source)
    assert not check.ok
    index = source.index(needle, source.index("schema"))
    where = (2, index - source.index("\n") )
    assert where in [(d.line, d.column) for d in check.diagnostics], (check.diagnostics, where)
    assert any(word in d.message for d in check.diagnostics)


def test_schema_must_be_a_const_object() -> None:
    let = check_block("let schema = {};\nfunction render() { return ''; }")
    assert [(d.line, d.column) for d in let.diagnostics] == [(1, 1)]
    assert "const" in let.diagnostics[0].message
    array = check_block("const schema = [1];\nfunction render() { return ''; }")
    assert not array.ok and "object" in array.diagnostics[0].message
