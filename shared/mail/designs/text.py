"""The text part of a designed e-mail, derived from its HTML: what a text-only client or a screen reader
gets. Headings and paragraphs become lines, table cells of one row are joined on one line, links keep
their address ("View your order: https://..."), images and the hidden preheader are left out."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "tr", "table", "li", "ul", "ol", "hr", "section"}
_SKIP = {"style", "head", "title", "script"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.hidden = 0
        self.links: list[tuple[str | None, int]] = []     # (address, where its text starts in out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in _SKIP:
            self.skip += 1
        elif tag == "div" and "em-preheader" in (found.get("class") or ""):
            self.hidden = 1         # the preheader holds text only: its own </div> ends it
            return
        if tag in _BLOCK and tag != "tr":
            self.out.append("\n")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "td":
            self.out.append("  ")
        elif tag == "a":
            href = found.get("href") or ""
            self.links.append((href if href.startswith(("http://", "https://", "mailto:")) else None, len(self.out)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "div" and self.hidden:
            self.hidden = 0
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            shown = "".join(self.out[start:]).strip()
            address = (href or "").removeprefix("mailto:")
            if href and address != shown and not self.hidden and not self.skip:
                self.out.append(f": {address}")
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip and not self.hidden:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML e-mail, lines trimmed, at most one blank line in a row."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines: list[str] = []
    for raw in "".join(parser.out).splitlines():
        line = re.sub(r" {2,}", "  ", raw).strip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip() + "\n"
