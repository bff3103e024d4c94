"""The real `vibeshop` console script, run as a subprocess: block check/render, demo, render."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from shared.compose import render_page
from shared.compose.stylesheet import current_stylesheet
from shared.db import connect
from shared.storefront.service import DataDir, create_store, open_store
from shared.vibe.executor import StoreExecutor
from shared.vibe.validator import check_block
from support import VIBESHOP, parse_strict, stylesheet_href

GOOD = """const schema = { name: "Greeting", settings: [{ id: "who", type: "text", default: "world" }] };
function render(ctx, h) {
  return h.html`<p class="greeting">Hello ${ctx.settings.who} from ${ctx.storefront.name}</p>`;
}
"""
PRODUCTS = """const schema = { name: "Product names" };
function render(ctx, h) {
  return h.html`<ul>${ctx.products.map((p) => h.html`<li>${p.title} ${h.formatPrice(p.price)}</li>`)}</ul>`;
}
"""
SEVERAL_ERRORS = """function render(ctx, h) {
  const a = eval("1");
  const b = globalThis;
  return a + b + ctx.constructor;
}
"""
SYNTAX_ERROR = "function render(ctx, h) {\n  return h.html`<p>`;\n}}\n"
THROWS = 'function render(ctx, h) {\n  throw new Error("the shelf collapsed");\n}\n'
LOOPS = "function render(ctx, h) {\n  while (true) {}\n}\n"
# Reaches for the Function constructor by a computed name the static check cannot see.
HOSTILE = ('function render(ctx, h) {\n  const F = [].map["constr" + "uctor"];\n'
           '  return String(F("return this")());\n}\n')


def vibeshop(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the installed console script."""
    return subprocess.run([VIBESHOP, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def write(folder: Path, files: dict[str, str]) -> None:
    """Write block files into folder."""
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def failures(stderr: str) -> list[tuple[str, str]]:
    """The `FILE: reason` lines of stderr, in order."""
    return [(m[1], m[2]) for m in re.finditer(r"^([\w.-]+\.js): (.*)$", stderr, re.M)]


# block check -------------------------------------------------------------------------------------------

def test_block_check_passes_good_files(tmp_path: Path):
    write(tmp_path, {"good.js": GOOD, "products.js": PRODUCTS})
    result = vibeshop("block", "check", "good.js", "products.js", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_block_check_reports_every_problem_as_file_line_col(tmp_path: Path):
    write(tmp_path, {"good.js": GOOD, "several.js": SEVERAL_ERRORS, "syntax.js": SYNTAX_ERROR})
    result = vibeshop("block", "check", "several.js", "good.js", "syntax.js", "missing.js", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "several.js:2:13", "several.js:3:13", "several.js:4:22", "syntax.js:3:2", "missing.js:1:1"]
    assert "eval" in lines[0] and "globalThis" in lines[1] and "constructor" in lines[2]
    assert "SyntaxError" in lines[3] and "cannot read" in lines[4]
    assert not any(line.startswith("good.js") for line in lines)


# block render ------------------------------------------------------------------------------------------

def test_block_render_prints_each_block_in_order_with_the_context(tmp_path: Path):
    write(tmp_path, {"a.js": GOOD, "b.js": PRODUCTS, "c.js": GOOD.replace("Hello", "Bye")})
    ctx = {"storefront": {"name": "Fjord & Co", "currency": "EUR", "locale": "en-IE"},
           "settings": {"who": "Ada"},
           "products": [{"id": "p1", "title": "Wool Hat", "price": {"amount": 2450, "currency": "EUR"}},
                        {"id": "p2", "title": "Oak Spoon", "price": {"amount": 900, "currency": "EUR"}}]}
    (tmp_path / "ctx.json").write_text(json.dumps(ctx), encoding="utf-8")
    result = vibeshop("block", "render", "a.js", "b.js", "c.js", "--ctx", "ctx.json", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        '<p class="greeting">Hello Ada from Fjord &amp; Co</p>',
        "<ul><li>Wool Hat €24.50</li><li>Oak Spoon €9.00</li></ul>",
        '<p class="greeting">Bye Ada from Fjord &amp; Co</p>',
    ]


def test_block_render_reports_failing_blocks_and_still_prints_the_others(tmp_path: Path):
    write(tmp_path, {"a.js": GOOD, "throws.js": THROWS, "b.js": GOOD.replace("Hello", "Hi"), "loops.js": LOOPS,
                     "hostile.js": HOSTILE, "c.js": GOOD.replace("Hello", "Bye")})
    result = vibeshop("block", "render", "a.js", "throws.js", "b.js", "loops.js", "hostile.js", "c.js",
                      cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        '<p class="greeting">Hello world from My store</p>',
        '<p class="greeting">Hi world from My store</p>',
        '<p class="greeting">Bye world from My store</p>',
    ]
    reported = failures(result.stderr)
    assert [name for name, _reason in reported] == ["throws.js", "loops.js", "hostile.js"]
    reasons = dict(reported)
    assert "the shelf collapsed" in reasons["throws.js"] and "line 2" in reasons["throws.js"]
    assert "time limit" in reasons["loops.js"]
    assert "not allowed" in reasons["hostile.js"]


def test_block_render_names_an_unreadable_file(tmp_path: Path):
    write(tmp_path, {"a.js": GOOD})
    (tmp_path / "latin1.js").write_bytes(b"// caf\xe9\nfunction render(ctx, h) { return ''; }\n")
    result = vibeshop("block", "render", "missing.js", "a.js", "latin1.js", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ['<p class="greeting">Hello world from My store</p>']
    (missing, why_missing), (latin1, why_latin1) = failures(result.stderr)
    assert (missing, latin1) == ("missing.js", "latin1.js")
    assert why_missing.startswith("cannot read:") and "No such file" in why_missing
    assert why_latin1.startswith("cannot read:") and "utf-8" in why_latin1


@pytest.mark.parametrize("content, message", [
    ('{"storefront": {"name": "Broken"', "Expecting"),
    ("[1, 2, 3]", "must hold a JSON object"),
    (None, "No such file"),
    ('{"settings": "loud", "storefront": 5}', '"storefront" must be an object; "settings" must be an object'),
    ('{"products": [1, 2]}', '"products" must be a list of objects'),
    ('{"blocks": {"a.js": []}}', '"blocks.a.js" must be an object'),
])
def test_block_render_refuses_a_bad_context_file_clearly(tmp_path: Path, content: str | None, message: str):
    write(tmp_path, {"a.js": GOOD})
    if content is not None:
        (tmp_path / "ctx.json").write_text(content, encoding="utf-8")
    result = vibeshop("block", "render", "a.js", "--ctx", "ctx.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("ctx.json: cannot use the context file:")
    assert message in result.stderr


# demo --------------------------------------------------------------------------------------------------

TABLES = ("products", "variants", "product_options", "collections", "collection_products", "locations", "pages",
          "blocks", "block_revisions", "posts", "media", "stock_movements", "menus", "themes", "checkout_settings",
          "pickup_locations", "discounts")


def _counts(data: Path) -> dict[str, int]:
    store = open_store(DataDir(data), "demo")
    try:
        return {t: store.db.read(lambda conn, t=t: conn.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}
    finally:
        store.close()


@pytest.fixture(scope="module")
def cli_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A data folder seeded by `vibeshop demo --no-serve`, and that first run."""
    cwd = tmp_path_factory.mktemp("cli-demo")
    return cwd / "D", vibeshop("demo", "--data", "D", "--no-serve", cwd=cwd, timeout=180)


def test_demo_twice_adds_no_duplicates(cli_demo: tuple[Path, subprocess.CompletedProcess[str]]):
    data, first = cli_demo
    assert first.returncode == 0, first.stderr
    assert "Created the demo store 'Harbor & Pine'" in first.stdout
    before = _counts(data)
    media_files = sorted(p.name for p in (data / "media").iterdir())

    second = vibeshop("demo", "--data", str(data), "--no-serve", cwd=data.parent, timeout=180)
    assert second.returncode == 0, second.stderr
    assert "Found the demo store 'Harbor & Pine'" in second.stdout
    assert _counts(data) == before
    assert sorted(p.name for p in (data / "media").iterdir()) == media_files
    assert len(list((data / "stores").glob("*.db"))) == 1


def test_the_demo_store_has_everything_it_promises(cli_demo: tuple[Path, subprocess.CompletedProcess[str]]):
    data, first = cli_demo
    assert first.returncode == 0, first.stderr
    db_file = next((data / "stores").glob("*.db"))
    db = connect(db_file)
    try:
        def q(sql: str) -> list[tuple]:
            return db.read(lambda conn: conn.all(sql))

        assert q("SELECT count(*) FROM products WHERE status = 'active'")[0][0] >= 30
        with_both = q("SELECT count(*) FROM products p WHERE "
                      "EXISTS (SELECT 1 FROM product_options o WHERE o.product_id = p.id AND o.name = 'Size') AND "
                      "EXISTS (SELECT 1 FROM product_options o WHERE o.product_id = p.id AND o.name = 'Color')")
        assert with_both[0][0] >= 5
        assert q("SELECT count(*) FROM variants WHERE option1 IS NOT NULL AND option2 IS NOT NULL")[0][0] >= 20
        assert q("SELECT count(*) FROM products p WHERE NOT EXISTS "
                 "(SELECT 1 FROM variants v WHERE v.product_id = p.id)")[0][0] == 0

        assert q("SELECT count(*) FROM locations")[0][0] == 2
        assert q("SELECT count(DISTINCT location_id) FROM stock_movements")[0][0] == 2
        stocked = q("SELECT location_id, sum(delta) FROM stock_movements GROUP BY location_id")
        assert all(total > 0 for _loc, total in stocked)

        assert q("SELECT count(*) FROM collections")[0][0] == 4
        assert q("SELECT count(*) FROM collections c WHERE NOT EXISTS "
                 "(SELECT 1 FROM collection_products cp WHERE cp.collection_id = c.id)")[0][0] == 0
        assert q("SELECT slug, status FROM pages ORDER BY position") == [
            ("home", "published"), ("about", "published"), ("faq", "published"), ("contact", "published")]
        assert q("SELECT count(*) FROM posts WHERE status = 'published'")[0][0] == 2

        blocks = q("SELECT kind, code FROM blocks")
        kinds = {kind for kind, _code in blocks}
        assert len(blocks) >= 6 and len(kinds) >= 6
        assert "custom" in kinds                      # a merchant-written block, not only built-ins
        assert all(check_block(code).ok for _kind, code in blocks if code is not None)

        media = q("SELECT hash, widths, format FROM media")
        assert len(media) >= 30
        for digest, widths, fmt in media:
            for width in json.loads(widths):
                file = data / "media" / f"{digest}-{width}.{fmt}"
                head = file.read_bytes()[:12]
                assert head[:4] == b"RIFF" and head[8:12] == b"WEBP", file
        assert not list((data / "media").glob("*.tmp"))
    finally:
        db.close()


# render ------------------------------------------------------------------------------------------------

def test_render_prints_the_home_page_as_the_storefront_serves_it(demo_dir: Path, tmp_path: Path):
    result = vibeshop("render", "--data", str(demo_dir), "/", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    parse_strict(result.stdout)
    store = open_store(DataDir(demo_dir), "demo")
    executor = StoreExecutor(store.record.id)
    try:
        assert result.stdout == render_page(store.db, executor=executor, slug="home", path="/").html
    finally:
        executor.close()
        store.close()


def test_render_prints_the_stylesheet_the_page_links(demo_dir: Path, tmp_path: Path):
    page = vibeshop("render", "--data", str(demo_dir), "/", cwd=tmp_path).stdout
    href = stylesheet_href(page)
    result = subprocess.run([VIBESHOP, "render", "--data", str(demo_dir), href], capture_output=True, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    store = open_store(DataDir(demo_dir), "demo")
    try:
        assert result.stdout == current_stylesheet(store.db).body
    finally:
        store.close()
    assert href == "/assets/theme-" + hashlib.blake2b(result.stdout, digest_size=10).hexdigest() + ".css"
    stale = vibeshop("render", "--data", str(demo_dir), "/assets/theme-0123456789abcdef0123.css", cwd=tmp_path)
    assert stale.returncode == 1 and "is not the current theme stylesheet" in stale.stderr


def test_render_prints_other_pages(demo_dir: Path, tmp_path: Path):
    result = vibeshop("render", "--data", str(demo_dir), "/pages/about", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert "Made to last, sold with care" in result.stdout
    assert "<title>About us – Harbor &amp; Pine</title>" in result.stdout
    parse_strict(result.stdout)


def test_render_of_an_unknown_page_fails_with_a_message(demo_dir: Path, tmp_path: Path):
    result = vibeshop("render", "--data", str(demo_dir), "/pages/no-such-page", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert "nothing is published at '/pages/no-such-page'" in result.stderr


def test_render_prints_template_addresses_too(demo_dir: Path, tmp_path: Path):
    result = vibeshop("render", "--data", str(demo_dir), "/collections/apparel?sort=price-asc", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    parse_strict(result.stdout)
    assert 'data-block-kind="main-collection"' in result.stdout
    assert 'value="price-asc" selected' in result.stdout


def test_render_with_an_unknown_store_names_the_stores(demo_dir: Path, tmp_path: Path):
    create_store(DataDir(demo_dir), slug="second-shop", name="Second Shop").close()
    result = vibeshop("render", "--data", str(demo_dir), "--store", "nope", "/", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert "nope" in result.stderr and "demo, second-shop" in result.stderr
    several = vibeshop("render", "--data", str(demo_dir), "/", cwd=tmp_path)
    assert several.returncode == 2 and "--store" in several.stderr
    chosen = vibeshop("render", "--data", str(demo_dir), "--store", "second-shop", "/", cwd=tmp_path)
    assert chosen.returncode == 0 and "Second Shop" in chosen.stdout
