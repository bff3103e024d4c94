"""The form of a media file name is defined once (shared/media/names.py) and every place that accepts one
uses that definition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.media.names import is_rendition_name, rendition_name

ROOT = Path(__file__).resolve().parents[2]
DIGEST = "0123456789abcdef" * 4


def test_the_names_rendition_name_makes_are_the_names_accepted() -> None:
    assert is_rendition_name(rendition_name(DIGEST, 320))
    assert is_rendition_name(rendition_name(DIGEST, 1920))


@pytest.mark.parametrize("name", [
    f"{DIGEST}-320.webp\n",              # `$` let a trailing newline through
    f"../{DIGEST}-320.webp", f"/media/{DIGEST}-320.webp", f"{DIGEST.upper()}-320.webp",
    f"{DIGEST}-320.png", f"{DIGEST}-32000.webp", f"{DIGEST[:-1]}-320.webp", "",
])
def test_anything_else_is_refused(name: str) -> None:
    assert not is_rendition_name(name)


def test_no_other_module_defines_the_pattern_again() -> None:
    pattern = re.compile(r"\{64\}-\\d")
    sources = [p for folder in ("shared", "cloud", "studio", "vibeshop") for p in (ROOT / folder).rglob("*.py")]
    defining = sorted(str(p.relative_to(ROOT)) for p in sources if pattern.search(p.read_text(encoding="utf-8")))
    assert defining == ["shared/media/names.py"]
