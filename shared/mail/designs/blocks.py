"""The built-in e-mail blocks: one JS file each in shared/mail/designs/blocks, kind = file name without
`.js`. They are vibe blocks (docs/vibe-blocks.md) run by the same sandbox as the storefront's, with the
message as `ctx.email`; their markup is table-based and styled by classes that the document's stylesheet
gives (inlined into style attributes before sending)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from shared.compose.registry import BuiltinBlock
from shared.vibe.validator import check_block

CUSTOM = "custom"


@cache
def _all() -> dict[str, BuiltinBlock]:
    out = {}
    folder = resources.files("shared.mail.designs").joinpath("blocks")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".js"):
            source = entry.read_text(encoding="utf-8")
            check = check_block(source)
            check.raise_for_errors()
            out[entry.name[:-3]] = BuiltinBlock(entry.name[:-3], source, check.schema)
    return out


def email_block_kinds() -> list[str]:
    """Every built-in e-mail block kind, sorted."""
    return list(_all())


def email_block(kind: str) -> BuiltinBlock:
    """A built-in e-mail block by kind; KeyError when there is none."""
    return _all()[kind]
