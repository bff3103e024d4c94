"""sitemap.xml (a sitemap index past 50,000 addresses) and robots.txt for a store."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

SITEMAP_LIMIT = 50_000
_XMLNS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _date(stamp: str) -> str:
    return stamp[:10]


def sitemap_xml(base_url: str, entries: Sequence[tuple[str, str]], *, part: int | None = None) -> str | None:
    """The sitemap (or, with more than SITEMAP_LIMIT entries, the index when part is None, or the
    numbered part). None for a part that does not exist."""
    base = base_url.rstrip("/")
    chunks = max(1, -(-len(entries) // SITEMAP_LIMIT))
    if part is None and chunks > 1:
        newest = [max((e[1] for e in entries[i * SITEMAP_LIMIT:(i + 1) * SITEMAP_LIMIT]), default="")
                  for i in range(chunks)]
        items = "".join(f"<sitemap><loc>{escape(base)}/sitemap-{i + 1}.xml</loc><lastmod>{_date(newest[i])}</lastmod>"
                        "</sitemap>" for i in range(chunks))
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_XMLNS}>{items}</sitemapindex>\n'
    if part is not None and not 1 <= part <= chunks or part is not None and chunks == 1:
        return None
    chosen = entries if part is None else entries[(part - 1) * SITEMAP_LIMIT:part * SITEMAP_LIMIT]
    items = "".join(f"<url><loc>{escape(base + path)}</loc><lastmod>{_date(lastmod)}</lastmod></url>"
                    for path, lastmod in chosen)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_XMLNS}>{items}</urlset>\n'


def robots_txt(base_url: str) -> str:
    """Crawl everything public; not the cart, checkout or search results."""
    return ("User-agent: *\nAllow: /\nDisallow: /cart\nDisallow: /checkout\nDisallow: /search\n"
            f"\nSitemap: {base_url.rstrip('/')}/sitemap.xml\n")
