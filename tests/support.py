"""Helpers the test modules share (tests/ is on sys.path because conftest.py lives there)."""

from __future__ import annotations

import sys
from pathlib import Path

import html5lib

# The console script installed next to the interpreter running the tests (.venv/bin/vibeshop).
VIBESHOP = str(Path(sys.executable).with_name("vibeshop"))


def parse_strict(document: str):
    """The document parsed by html5lib in strict mode (raises ParseError on any HTML5 parse error)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(document)


def parse(document: str):
    """The document parsed leniently, for looking things up in it."""
    return html5lib.HTMLParser(namespaceHTMLElements=False).parse(document)


def block_ids(document: str) -> list[str]:
    """The data-block-id of every block wrapper, in document order."""
    return [el.get("data-block-id") for el in parse(document).iter() if el.get("data-block-id") is not None]
