"""Lean pages on the wire: the theme stylesheet is one immutable, content-hashed file; cached pages and
the stylesheet are compressed once (gzip and brotli) and sent in the encoding the client accepts,
with an ETag per encoding and If-None-Match answered 304."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest

from cloud.render import cache as render_cache
from cloud.render import pages as render_pages
from cloud.render.encoding import preferred_encodings
from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.compose.stylesheet import current_stylesheet
from shared.storefront.service import DataDir, open_store
from shared.themes.service import update_theme_settings
from support import stylesheet_href

DEMO = {"Host": "demo.localhost"}
BROWSER = "gzip, deflate, br"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


@pytest.fixture
def store(demo_dir: Path):
    opened = open_store(DataDir(demo_dir), "demo")
    yield opened
    opened.close()


async def _get(client, path: str, encoding: str, **headers: str):
    """A response whose body is read as sent (not decompressed by the client)."""
    response = await client.get(path, headers={**DEMO, "Accept-Encoding": encoding, **headers},
                                auto_decompress=False)
    return response, await response.read()


def _decoded(body: bytes, coding: str | None) -> bytes:
    return {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[coding](body)


async def test_pages_link_the_theme_stylesheet_served_immutable_with_the_renderers_bytes(client, store) -> None:
    _response, page = await _get(client, "/", "identity")
    href = stylesheet_href(page.decode())
    sheet = current_stylesheet(store.db)
    assert href == sheet.path and href.startswith("/assets/theme-") and href.endswith(".css")
    assert b"<style" not in page and b"--vs-color-accent" not in page
    response, body = await _get(client, href, "identity")
    assert response.status == 200 and body == sheet.body
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    # The CSP lets the page use it: styles from the store's own origin.
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


async def test_an_unknown_or_malformed_stylesheet_name_is_404(client) -> None:
    for path in ("/assets/theme-0123456789abcdef0123.css", "/assets/theme-zz.css", "/assets/../media/x",
                 "/assets/theme-0123456789abcdef0123.css.map"):
        response = await client.get(path, headers=DEMO)
        assert response.status == 404, path


async def test_after_a_theme_change_pages_link_a_new_name_and_the_old_one_keeps_its_bytes(client, store,
                                                                                          monkeypatch) -> None:
    _r, before = await _get(client, "/", BROWSER)
    old_href = stylesheet_href(brotli.decompress(before).decode())
    _r, old_css = await _get(client, old_href, "identity")
    update_theme_settings(store.db, changes={"colors": {"accent": "#abcdef"}})
    monkeypatch.setattr(render_cache, "VERSION_TTL", 0)     # the worker re-reads the version at once
    _r, after = await _get(client, "/", BROWSER)
    new_href = stylesheet_href(brotli.decompress(after).decode())
    assert new_href != old_href
    _r, new_css = await _get(client, new_href, "identity")
    assert b"--vs-color-accent: #abcdef;" in new_css
    # A page a shopper loaded just before the change still gets its own stylesheet, unchanged.
    response, still = await _get(client, old_href, "identity")
    assert response.status == 200 and still == old_css


@pytest.mark.parametrize("path", ["/", "/assets/"])
async def test_bodies_in_each_accepted_encoding_with_their_own_etag_and_304(client, path: str) -> None:
    if path == "/assets/":
        _r, page = await _get(client, "/", "identity")
        path = stylesheet_href(page.decode())
    plain_response, plain = await _get(client, path, "identity")
    etags = set()
    for accept, coding in ((BROWSER, "br"), ("gzip, deflate", "gzip"), ("br;q=0, gzip", "gzip"),
                           ("gzip;q=0.5, br;q=0.8", "br"), ("identity", None), ("", None), ("*", "br"),
                           ("br;q=0, gzip;q=0, *;q=0", None), ("compress", None)):
        response, body = await _get(client, path, accept)
        assert response.status == 200
        assert response.headers.get("Content-Encoding") == coding, accept
        assert response.headers["Vary"] == "Accept-Encoding"
        assert _decoded(body, coding) == plain
        if coding is not None:
            assert len(body) < len(plain) / 3
        etags.add((coding, response.headers["ETag"]))
        again = await client.get(path, headers={**DEMO, "Accept-Encoding": accept,
                                                "If-None-Match": response.headers["ETag"]}, auto_decompress=False)
        assert again.status == 304 and await again.read() == b""
        assert again.headers["ETag"] == response.headers["ETag"] and again.headers["Vary"] == "Accept-Encoding"
    assert len({etag for _coding, etag in etags}) == len({coding for coding, _etag in etags}) == 3
    # A validator names exact bytes: the brotli ETag does not revalidate a gzip answer.
    br_etag = next(etag for coding, etag in etags if coding == "br")
    other = await client.get(path, headers={**DEMO, "Accept-Encoding": "gzip", "If-None-Match": br_etag},
                             auto_decompress=False)
    assert other.status == 200 and other.headers["Content-Encoding"] == "gzip"
    assert plain_response.headers["ETag"] == next(etag for coding, etag in etags if coding is None)
    weak_gzip = f'"x", W/{br_etag[:-4]}-gzip"'
    weak = await client.get(path, headers={**DEMO, "Accept-Encoding": "gzip", "If-None-Match": weak_gzip})
    anything = await client.get(path, headers={**DEMO, "If-None-Match": "*"})
    assert weak.status == 304 and anything.status == 304


async def test_a_cached_page_is_compressed_once_per_version_not_per_request(client, store, monkeypatch) -> None:
    calls = []
    real = render_pages.encode_body

    def counting(body: bytes, **options):
        calls.append(options["content_type"])
        return real(body, **options)

    monkeypatch.setattr(render_pages, "encode_body", counting)
    bodies = {(await _get(client, "/pages/faq", BROWSER))[1] for _ in range(5)}
    assert len(bodies) == 1 and calls.count("text/html; charset=utf-8") == 1
    update_theme_settings(store.db, changes={"colors": {"accent": "#123456"}})
    monkeypatch.setattr(render_cache, "VERSION_TTL", 0)     # the worker re-reads the version at once
    for _ in range(3):
        await _get(client, "/pages/faq", BROWSER)
    assert calls.count("text/html; charset=utf-8") == 2


async def test_not_found_pages_are_sent_uncompressed(client) -> None:
    response, body = await _get(client, "/no-such-page", BROWSER)
    assert response.status == 404 and "Content-Encoding" not in response.headers
    assert body.startswith(b"<!doctype html>")


@pytest.mark.parametrize("header, expected", [
    ("gzip, deflate, br", ("br", "gzip")), ("gzip, deflate, br, zstd", ("br", "gzip")), ("gzip", ("gzip",)),
    ("x-gzip", ("gzip",)), ("br;q=0.1, gzip;q=0.9", ("gzip", "br")), ("BR", ("br",)), ("*;q=0.5", ("br", "gzip")),
    ("br;q=0, *", ("gzip",)), ("gzip;q=nonsense", ()), ("gzip;q=2", ()), ("", ()), (" , ;;, =", ()),
])
def test_accept_encoding_is_read_as_rfc_9110_says(header: str, expected: tuple[str, ...]) -> None:
    assert preferred_encodings(header) == expected
