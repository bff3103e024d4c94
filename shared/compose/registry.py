"""The built-in blocks: one JS file each in shared/compose/blocks, kind = file name without `.js`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from shared.vibe.validator import check_block


@dataclass(frozen=True)
class BuiltinBlock:
    """A shipped block: its source (which a merchant can copy and change) and its static schema."""

    kind: str
    source: str
    schema: dict[str, Any]

    @property
    def name(self) -> str:
        """The name shown in the gallery and in error boxes."""
        return str(self.schema.get("name") or self.kind.replace("-", " ").capitalize())


@cache
def _all() -> dict[str, BuiltinBlock]:
    out = {}
    for entry in sorted(resources.files("shared.compose").joinpath("blocks").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".js"):
            continue
        source = entry.read_text(encoding="utf-8")
        check = check_block(source)
        check.raise_for_errors()
        kind = entry.name[:-3]
        out[kind] = BuiltinBlock(kind, source, check.schema)
    return out


def builtin_kinds() -> list[str]:
    """Every built-in block kind, sorted."""
    return list(_all())


def builtin_block(kind: str) -> BuiltinBlock:
    """A built-in block by kind; KeyError when there is none."""
    return _all()[kind]
