"""A 10-section page of real product data (the demo catalogue), 20 products per section, rendered
through the vibe executor and, with the same data and the same output, by Jinja2 and python-liquid.

Warm: the engine is ready (V8 context warm with the block compiled; templates compiled).
Cold: everything from nothing (a new V8 context with hardening; a new template environment).
Vibe "warm" comes in two kinds: the catalogue unchanged since the last render (the product snapshot
is reused inside V8, the production case) and fresh data moved into V8 on every call.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import jinja2
import liquid

from bench.timing import median_ms, table
from shared.catalog.views import product_view
from shared.db.repositories import catalog, content, inventory
from shared.demo.seed import seed_demo
from shared.models.money import minor_digits
from shared.storefront.service import DataDir
from shared.vibe.executor import BlockJob, PageData, StoreExecutor

SECTIONS, PER_SECTION = 10, 20
SIZES = "(min-width: 750px) 25vw, 50vw"

BLOCK = """function render(ctx, h) {
  return h.html`<section class="vs-grid"><h2>${ctx.settings.heading}</h2><ul class="vs-grid__list">${ctx.products.map((p) =>
    h.html`<li class="vs-card"><a href="${h.productUrl(p)}">${p.featured_image ? h.image(p.featured_image, { sizes: "SIZES" }) : ""}<h3>${p.title}</h3><p class="vs-card__price">${h.formatPrice(p.price)}${p.compare_at_price ? h.html` <s>${h.formatPrice(p.compare_at_price)}</s>` : ""}</p>${p.available ? "" : h.html`<span class="vs-badge">Sold out</span>`}</a></li>`)}</ul></section>`;
}""".replace("SIZES", SIZES)

JINJA = ("{% for s in sections %}<section class=\"vs-grid\"><h2>{{ s.heading }}</h2><ul class=\"vs-grid__list\">"
         "{% for p in s.products %}<li class=\"vs-card\"><a href=\"/products/{{ p.handle }}\">"
         "{% if p.featured_image %}{% set i = p.featured_image %}<img src=\"{{ i|img_url(640) }}\" "
         "srcset=\"{{ i|srcset }}\" sizes=\"" + SIZES + "\" alt=\"{{ i.alt }}\" loading=\"lazy\" decoding=\"async\" "
         "width=\"{{ i.width }}\" height=\"{{ i.height }}\">{% endif %}<h3>{{ p.title }}</h3>"
         "<p class=\"vs-card__price\">{{ p.price|money }}{% if p.compare_at_price %} <s>{{ p.compare_at_price|money }}"
         "</s>{% endif %}</p>{% if not p.available %}<span class=\"vs-badge\">Sold out</span>{% endif %}</a></li>"
         "{% endfor %}</ul></section>{% endfor %}")

LIQUID = ("{% for s in sections %}<section class=\"vs-grid\"><h2>{{ s.heading }}</h2><ul class=\"vs-grid__list\">"
          "{% for p in s.products %}<li class=\"vs-card\"><a href=\"/products/{{ p.handle }}\">"
          "{% if p.featured_image %}{% assign i = p.featured_image %}<img src=\"{{ i | img_url: 640 }}\" "
          "srcset=\"{{ i | srcset }}\" sizes=\"" + SIZES + "\" alt=\"{{ i.alt }}\" loading=\"lazy\" decoding=\"async\" "
          "width=\"{{ i.width }}\" height=\"{{ i.height }}\">{% endif %}<h3>{{ p.title }}</h3>"
          "<p class=\"vs-card__price\">{{ p.price | money }}{% if p.compare_at_price %} <s>{{ p.compare_at_price | money }}"
          "</s>{% endif %}</p>{% unless p.available %}<span class=\"vs-badge\">Sold out</span>{% endunless %}</a></li>"
          "{% endfor %}</ul></section>{% endfor %}")


def money(value: dict[str, Any]) -> str:
    """USD in en-US, as Intl.NumberFormat writes it (the digits from the one currency table)."""
    digits = minor_digits(value["currency"])
    return f"${value['amount'] / 10 ** digits:,.{digits}f}"


def img_url(image: dict[str, Any], width: int) -> str:
    """The rendition URL helpers.js would pick for `width`."""
    best = next((w for w in image["widths"] if w >= width), image["widths"][-1])
    return f"/media/{image['hash']}-{best}.{image['format']}"


def srcset(image: dict[str, Any]) -> str:
    """The srcset helpers.js writes."""
    return ", ".join(f"{img_url(image, w)} {w}w" for w in image["widths"])


def load_products() -> list[dict[str, Any]]:
    """Real product views from the demo catalogue, repeated (with new ids) to 200 products."""
    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-"))
    try:
        store = seed_demo(DataDir(folder)).store

        def read(conn):
            ids = catalog.list_product_ids(conn, limit=100)
            products = catalog.get_products(conn, ids)
            media = content.get_media_many(conn, [m for p in products.values() for m in p.media_ids])
            stock = inventory.stock_levels(conn, [v.id for p in products.values() for v in p.variants])
            return [product_view(products[i], media, stock) for i in ids]

        base = store.db.read(read)
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out = []
    for n in range(SECTIONS * PER_SECTION):
        p = json.loads(json.dumps(base[n % len(base)]))
        p["id"] = f"{p['id']}-{n}"
        out.append(p)
    return out


def main() -> None:
    """Print warm and cold medians and the ratios."""
    products = load_products()
    sections = [{"heading": f"Collection {s + 1}", "products": products[s * PER_SECTION:(s + 1) * PER_SECTION]}
                for s in range(SECTIONS)]
    by_id = {p["id"]: p for p in products}
    jobs = [BlockJob(f"b{s}", "grid", BLOCK, {"heading": sec["heading"]},
                     product_ids=tuple(p["id"] for p in sec["products"])) for s, sec in enumerate(sections)]
    env = {"locale": "en-US", "currency": "USD"}
    cached = PageData(env=env, shared={}, products=by_id, catalog_version="bench")
    fresh = PageData(env=env, shared={}, products=by_id)

    jinja_env = jinja2.Environment(autoescape=True)
    jinja_env.filters.update(money=money, img_url=img_url, srcset=srcset)
    jinja_template = jinja_env.from_string(JINJA)
    liquid_env = liquid.Environment(autoescape=True)
    liquid_env.filters.update(money=money, img_url=img_url, srcset=srcset)
    liquid_template = liquid_env.from_string(LIQUID)

    executor = StoreExecutor("bench")
    vibe_html = "".join(r.html for r in executor.render_page(jobs, cached))
    jinja_html = jinja_template.render(sections=sections)
    liquid_html = liquid_template.render(sections=sections)
    same = vibe_html == jinja_html == str(liquid_html)
    if not same:
        raise SystemExit("bench/render_page: the three engines disagree on the output; fix the templates first")

    runs = 200
    warm = median_ms(lambda: executor.render_page(jobs, cached), runs=runs)
    warm_fresh = median_ms(lambda: executor.render_page(jobs, fresh), runs=runs)
    jinja_warm = median_ms(lambda: jinja_template.render(sections=sections), runs=runs)
    liquid_warm = median_ms(lambda: liquid_template.render(sections=sections), runs=runs)

    def vibe_cold() -> None:
        cold = StoreExecutor("bench-cold")
        cold.render_page(jobs, fresh)
        cold.close()

    def jinja_cold() -> None:
        e = jinja2.Environment(autoescape=True)
        e.filters.update(money=money, img_url=img_url, srcset=srcset)
        e.from_string(JINJA).render(sections=sections)

    def liquid_cold() -> None:
        e = liquid.Environment(autoescape=True)
        e.filters.update(money=money, img_url=img_url, srcset=srcset)
        e.from_string(LIQUID).render(sections=sections)

    cold_runs = 30
    vibe_c = median_ms(vibe_cold, runs=cold_runs, warmup=2)
    jinja_c = median_ms(jinja_cold, runs=cold_runs, warmup=2)
    liquid_c = median_ms(liquid_cold, runs=cold_runs, warmup=2)
    executor.close()

    size = len(vibe_html.encode())
    print(table(f"Page render: {SECTIONS} sections x {PER_SECTION} products, {size / 1024:.0f} KB, identical output "
                "from all three", [
                    ("vibe warm (catalogue unchanged)", warm, f"{warm / jinja_warm:.2f}x Jinja2, "
                                                              f"{warm / liquid_warm:.2f}x python-liquid"),
                    ("vibe warm (fresh data each call)", warm_fresh, f"{warm_fresh / jinja_warm:.2f}x Jinja2, "
                                                                     f"{warm_fresh / liquid_warm:.2f}x python-liquid"),
                    ("Jinja2 warm", jinja_warm, ""),
                    ("python-liquid warm", liquid_warm, ""),
                    ("vibe cold (new hardened context)", vibe_c, f"{vibe_c / jinja_c:.2f}x Jinja2, "
                                                                  f"{vibe_c / liquid_c:.2f}x python-liquid"),
                    ("Jinja2 cold (new environment)", jinja_c, ""),
                    ("python-liquid cold (new environment)", liquid_c, ""),
                ]))
    print()
