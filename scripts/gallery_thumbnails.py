"""Makes the block gallery's thumbnails: every gallery entry rendered alone from the demo store by the
shared composer (production mode, the storefront's bytes), screenshotted in a real browser at desktop
width and scaled to studio/gallery/<key>.png.

    .venv/bin/python scripts/gallery_thumbnails.py [--only KEY ...]

Sections get a draft page of their own holding just that block, with the settings the demo store uses
for it (so a product grid shows a collection, a hero its picture). Template sections need a route (a
product, a collection, ...), so they are captured from the demo address that renders them. Pictures
are served from the data folder by Playwright's request routing: no server, no network.
"""

from __future__ import annotations

import argparse
import io
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from PIL import Image, ImageChops, ImageFilter
from playwright.sync_api import Locator, Page, Route, sync_playwright

from shared.compose import PRODUCTION, Stylesheet, render_page
from shared.db.repositories import pages as page_repo
from shared.db.stamps import utc_now
from shared.demo import catalog_data
from shared.demo.pages import POSTS
from shared.demo.seed import seed_demo
from shared.pages.service import add_block, create_page, slugify
from shared.storefront.addresses import render_address, resolve
from shared.storefront.service import DataDir, Store
from shared.vibe.executor import StoreExecutor
from studio.editor.block_gallery import GalleryEntry, gallery_entries

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "studio" / "gallery"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]
ORIGIN = "http://gallery.invalid"      # never resolved: every request is answered by the route handler
VIEWPORT = {"width": 1280, "height": 900}
SIZE = (440, 276)                      # twice the gallery's THUMB, for high-density screens
MAX_BYTES = 120_000
MARGIN = 64                            # CSS pixels kept around a block's content
MIN_FRAME = 720                        # the closest a small block is shown (CSS pixels across)
ANCHORS = {"header": "top", "announcement-bar": "top", "footer": "bottom"}
IN_CONTEXT = set(ANCHORS)              # thin bars read better with the (faded) home page around them

# Template sections and the demo address that shows each one with real route data.
TEMPLATE_ADDRESSES = {
    "main-product": "/products/{product}",
    "related-products": "/products/{product}",
    "main-collection": "/collections/all",
    "main-blog": "/blog",
    "main-article": "/blog/{post}",
    "main-search": "/search?q=mug",
    "main-not-found": "/nope",
}
# Settings beyond the demo's own (which come from the demo store's pages): what reads best small.
OVERRIDES: dict[str, dict[str, Any]] = {
    "collection-list": {"columns": "3", "limit": 3},
    "product-grid": {"limit": 4},
    "hero": {"alignment": "center"},          # a hero is a picture: its sides may be trimmed
}


@dataclass(frozen=True)
class Shot:
    """One document to capture and the element in it that is the entry's picture."""

    entry: GalleryEntry
    html: str
    kind: str                          # the data-block-kind of the element to capture
    stylesheet: Stylesheet             # the theme stylesheet the document links
    in_context: bool = False           # show the page around it, faded, instead of the element alone


def _demo_settings(store: Store) -> dict[str, dict[str, Any]]:
    """Block kind -> the settings the demo store's pages give it (first use wins)."""
    def read(conn) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for page in page_repo.list_pages(conn):
            for block in page_repo.list_blocks(conn, page.id, include_hidden=False):
                if block.code is None:
                    out.setdefault(block.kind, dict(block.settings))
        return out

    return store.db.read(read)


def _section_shot(store: Store, executor: StoreExecutor, entry: GalleryEntry,
                  settings: Mapping[str, Any]) -> Shot:
    """A draft page holding only this block, rendered as the storefront would."""
    page = create_page(store.db, title=f"Gallery {entry.key}", slug=f"gallery-{entry.key}")
    add_block(store.db, page_id=page.id, kind=entry.kind, code=entry.code, settings=settings)
    rendered = render_page(store.db, executor=executor, slug=page.slug, drafts=True, mode=PRODUCTION)
    _check(entry, rendered.failures)
    return Shot(entry, rendered.html, entry.kind, rendered.stylesheet)


def _template_shot(store: Store, executor: StoreExecutor, entry: GalleryEntry, address: str) -> Shot:
    """The demo address that renders this template section, with its route data."""
    path, _, query = address.partition("?")
    params = parse_qsl(query)
    resolved = resolve(path, params, currency=store.storefront().currency, now=utc_now())
    _status, rendered = render_address(store.db, executor, resolved, path=path, query=dict(params),
                                       mode=PRODUCTION)
    _check(entry, rendered.failures)
    return Shot(entry, rendered.html, entry.kind, rendered.stylesheet)


def _check(entry: GalleryEntry, failures: tuple) -> None:
    """Stop: a thumbnail of a page that left a block out (production mode does) would be a lie."""
    if failures:
        errors = "; ".join(f"{block.name}: {result.error}" for block, result in failures)
        raise SystemExit(f"{entry.key}: a block failed to render ({errors})")


def render_shots(store: Store, entries: list[GalleryEntry]) -> list[Shot]:
    """Every entry's document, rendered by the shared composer in production mode."""
    demo = _demo_settings(store)
    # The demo's first product (a tee in three colours and four sizes) and its newest journal post.
    fill = {"product": slugify(catalog_data.PRODUCTS[0][0]), "post": POSTS[0][0]}
    executor = StoreExecutor(store.record.id)
    try:
        shots = []
        for entry in entries:
            if entry.kind in IN_CONTEXT:
                rendered = render_page(store.db, executor=executor, slug="home", mode=PRODUCTION)
                _check(entry, rendered.failures)
                shots.append(Shot(entry, rendered.html, entry.kind, rendered.stylesheet, in_context=True))
            elif entry.kind in TEMPLATE_ADDRESSES:
                shots.append(_template_shot(store, executor, entry, TEMPLATE_ADDRESSES[entry.kind].format(**fill)))
            else:
                settings = {**(demo.get(entry.kind, {}) if entry.code is None else {}),
                            **OVERRIDES.get(entry.key, {})}
                shots.append(_section_shot(store, executor, entry, settings))
        return shots
    finally:
        executor.close()


# In the page: hide every other block (and a sticky header that would cover the target), or only fade
# them for a block shown in context; load every picture now rather than lazily, and wait until all of
# them are decoded. Returns the page's background colour.
_ISOLATE = """([kind, inContext]) => {
  for (const el of document.querySelectorAll('[data-block-kind]')) {
    if (el.dataset.blockKind === kind) continue;
    if (inContext) el.style.opacity = '0.3'; else el.style.display = 'none';
  }
  const skip = document.querySelector('.vs-skip');
  if (skip) skip.style.display = 'none';
  const images = [...document.images];
  for (const img of images) img.loading = 'eager';
  return Promise.all(images.map(img => img.decode().catch(() => null)))
    .then(() => getComputedStyle(document.body).backgroundColor);
}"""


def _context_screenshot(page: Page, element: Locator, kind: str) -> bytes:
    """A tile-shaped stretch of the page starting at the element (ending at it, for the footer)."""
    top, bottom, page_height = element.evaluate(
        "el => { const r = el.getBoundingClientRect(); "
        "return [r.top + scrollY, r.bottom + scrollY, document.documentElement.scrollHeight]; }")
    height = round(VIEWPORT["width"] * SIZE[1] / SIZE[0])
    y = bottom - height if ANCHORS.get(kind) == "bottom" else top
    y = max(0, min(y, page_height - height))
    return page.screenshot(clip={"x": 0, "y": y, "width": VIEWPORT["width"], "height": height}, full_page=True,
                           animations="disabled", caret="hide")


def capture(shots: list[Shot], media_dir: Path) -> dict[str, tuple[bytes, str]]:
    """key -> (a PNG of the entry's element at desktop width, the page's CSS background colour)."""
    documents = {f"/{shot.entry.key}": shot.html for shot in shots}
    stylesheets = {shot.stylesheet.path: shot.stylesheet.body for shot in shots}

    def answer(route: Route) -> None:
        path = urlsplit(route.request.url).path
        if path in documents:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=documents[path])
        elif path in stylesheets:
            route.fulfill(status=200, content_type="text/css; charset=utf-8", body=stylesheets[path])
        elif path.startswith("/media/") and (file := media_dir / path.removeprefix("/media/")).is_file() \
                and file.parent == media_dir:
            route.fulfill(status=200, content_type="image/webp", body=file.read_bytes())
        else:
            route.fulfill(status=404, body="")

    out: dict[str, tuple[bytes, str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.route("**/*", answer)
        for shot in shots:
            page.goto(f"{ORIGIN}/{shot.entry.key}", wait_until="load")
            page_colour = page.evaluate(_ISOLATE, [shot.kind, shot.in_context])
            element = page.locator(f'[data-block-kind="{shot.kind}"]').first
            if shot.in_context:
                out[shot.entry.key] = (_context_screenshot(page, element, shot.kind), page_colour)
            else:
                out[shot.entry.key] = (element.screenshot(animations="disabled", caret="hide"), page_colour)
        browser.close()
    return out


def _rgb(css: str) -> tuple[int, int, int]:
    """'rgb(1, 2, 3)' -> (1, 2, 3); white for a transparent or unreadable colour."""
    numbers = css[css.find("(") + 1:css.rfind(")")].replace("/", ",").split(",")
    try:
        values = [float(v) for v in numbers]
    except ValueError:
        return (255, 255, 255)
    if len(values) < 3 or (len(values) == 4 and values[3] == 0):
        return (255, 255, 255)
    return (round(values[0]), round(values[1]), round(values[2]))


def _ink(picture: Image.Image, background: tuple[int, int, int], *,
         tolerance: int = 16) -> tuple[int, int, int, int] | None:
    """The box around every pixel that is not (nearly) the background colour; None when there is none."""
    difference = ImageChops.difference(picture, Image.new("RGB", picture.size, background)).convert("L")
    return difference.point(lambda v: 255 if v > tolerance else 0).getbbox()


def _is_plain(picture: Image.Image, background: tuple[int, int, int]) -> bool:
    """Whether the picture's edges are all its background colour (so more of it can be added)."""
    w, h = picture.size
    edges = ((0, 0, w, 1), (0, h - 1, w, h), (0, 0, 1, h), (w - 1, 0, w, h))
    return all(_ink(picture.crop(edge), background) is None for edge in edges)


def frame(picture: Image.Image, *, anchor: str = "center") -> tuple[int, int, int, int]:
    """The part of a block's screenshot to show, at the tile's aspect. On a plain background that is
    its content with a margin, at least MIN_FRAME wide (a small centred block is shown closer); a
    block with a picture or border at its edges is shown whole. A frame taller than the tile keeps its
    top; a wider one gets more background above or below (`anchor`: top, center or bottom), except a
    picture only a little too wide, which loses some of each side instead."""
    aspect = SIZE[0] / SIZE[1]
    background = picture.getpixel((0, 0))
    plain = _is_plain(picture, background)
    left, top, right, bottom = (_ink(picture, background) if plain else None) or (0, 0, *picture.size)
    left, top = max(0, left - MARGIN), max(0, top - MARGIN)
    right, bottom = min(picture.width, right + MARGIN), min(picture.height, bottom + MARGIN)
    width = min(picture.width, max(right - left, MIN_FRAME))
    middle = (left + right) / 2
    height = bottom - top
    if width / height < aspect:                    # tall: widen as far as the picture goes, keep the top
        width = min(picture.width, round(height * aspect))
        height = round(width / aspect)
    elif not plain and height * aspect >= width * 0.85:
        width = round(height * aspect)             # a picture a little too wide: trim its sides
    else:                                          # wide: add more of the background above or below
        height = round(width / aspect)
        top = {"top": top, "bottom": bottom - height}.get(anchor, round((top + bottom - height) / 2))
    left = round(min(max(middle - width / 2, 0), picture.width - width))
    return left, top, left + width, top + height


def fit(picture: Image.Image, *, page: tuple[int, int, int], anchor: str = "center") -> Image.Image:
    """The framed part of the picture at SIZE. Where the frame leaves the picture it shows the block's
    own background colour when that runs to every edge, else the page's."""
    corner = picture.getpixel((0, 0))
    if corner != page:                   # a block with its own background: drop the page's around it
        picture = picture.crop(_ink(picture, page, tolerance=2) or (0, 0, picture.width, picture.height))
    box = frame(picture, anchor=anchor)
    fill = corner if _is_plain(picture, corner) else page
    framed = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), fill)
    framed.paste(picture, (-box[0], -box[1]))
    small = framed.resize(SIZE, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return small.filter(ImageFilter.UnsharpMask(radius=0.8, percent=40, threshold=2))


def encode(picture: Image.Image) -> bytes:
    """An optimised PNG; down to a 256-colour palette when the full-colour one is too big."""
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    if buffer.tell() <= MAX_BYTES:
        return buffer.getvalue()
    buffer = io.BytesIO()
    picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG) \
        .save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Render, capture and write every thumbnail (or the --only ones); print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="gallery keys to remake (default: all)")
    args = parser.parse_args(argv)
    entries = [e for e in gallery_entries() if args.only is None or e.key in args.only]
    unknown = set(args.only or ()) - {e.key for e in entries}
    if unknown:
        parser.error(f"not in the gallery: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="vibeshop-gallery-") as tmp:
        store = seed_demo(DataDir(Path(tmp))).store
        try:
            shots = render_shots(store, entries)
            pictures = capture(shots, store.data_dir.media_dir)
        finally:
            store.close()
    OUT.mkdir(parents=True, exist_ok=True)
    total = 0
    for entry in entries:
        png, page_colour = pictures[entry.key]
        with Image.open(io.BytesIO(png)) as shot:
            picture = fit(shot.convert("RGB"), page=_rgb(page_colour), anchor=ANCHORS.get(entry.kind, "center"))
        data = encode(picture)
        target = OUT / f"{entry.key}.png"
        target.write_bytes(data)
        total += len(data)
        print(f"wrote {target.relative_to(ROOT)} ({len(data) / 1000:.0f} KB)")
    print(f"{len(entries)} thumbnails, {total / 1000:.0f} KB in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
