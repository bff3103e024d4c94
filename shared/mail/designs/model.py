"""A message's design as the merchant arranged it: blocks in order (built-in e-mail blocks or the
merchant's own code), each with its settings, and an optional subject. Stored as one `email_designs` row
(migration 0023); `design_problems` is the table rule every write and every sync op passes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.compose.schema import SettingsError, clean_settings, richtext_problems, with_defaults
from shared.mail.designs.blocks import CUSTOM, email_block, email_block_kinds
from shared.mail.designs.errors import DesignError, DesignErrorCode
from shared.mail.designs.kinds import KINDS
from shared.vibe.validator import check_block

MAX_BLOCKS = 40
MAX_SUBJECT = 250


@dataclass(frozen=True)
class DesignBlock:
    """One block of a design: a built-in e-mail block (`code` None) or the merchant's own code."""

    kind: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    code: str | None = None
    hidden: bool = False

    @property
    def source(self) -> str:
        """The JS the sandbox runs for this block."""
        return self.code if self.code is not None else email_block(self.kind).source

    @property
    def schema(self) -> dict[str, Any]:
        """The block's static schema (its code's, or its built-in kind's)."""
        return check_block(self.code).schema if self.code is not None else email_block(self.kind).schema

    @property
    def name(self) -> str:
        """The block's name in the studio."""
        return str(self.schema.get("name") or self.kind)


@dataclass(frozen=True)
class Design:
    """The design of one message kind."""

    kind: str
    blocks: tuple[DesignBlock, ...]
    subject: str = ""
    enabled: bool = True

    def to_row(self) -> dict[str, Any]:
        """The stored form (without the stamps)."""
        blocks = [{"kind": b.kind, "code": b.code, "settings": dict(b.settings), "hidden": int(b.hidden)}
                  for b in self.blocks]
        return {"id": self.kind, "subject": self.subject, "enabled": int(self.enabled),
                "blocks": json.dumps(blocks, ensure_ascii=False, separators=(",", ":"))}


def default_design(kind: str) -> Design:
    """The built-in arrangement of a message kind; DesignError(UNKNOWN_KIND) for another name."""
    spec = KINDS.get(kind)
    if spec is None:
        raise DesignError(DesignErrorCode.UNKNOWN_KIND, f"{kind!r} is not an e-mail the shop sends")
    return Design(kind, tuple(DesignBlock(k, dict(s)) for k, s in spec.blocks))


def _block_problems(index: int, item: Any) -> list[str]:
    where = f"block {index + 1}"
    if not isinstance(item, Mapping) or not {"kind", "settings"} <= item.keys():
        return [f"{where} must be an object with kind and settings"]
    kind, code = item.get("kind"), item.get("code")
    if set(item) - {"kind", "code", "settings", "hidden"}:
        return [f"{where} has unknown fields"]
    if item.get("hidden", 0) not in (0, 1) or isinstance(item.get("hidden"), float):
        return [f"{where}: hidden must be 0 or 1"]
    if kind == CUSTOM:
        if not isinstance(code, str):
            return [f"{where}: a custom block needs code"]
        check = check_block(code)
        if not check.ok:
            first = check.diagnostics[0]
            return [f"{where}: line {first.line}, column {first.column}: {first.message}"]
        schema = check.schema
    elif kind in email_block_kinds() and code is None:
        schema = email_block(kind).schema
    else:
        return [f"{where}: {kind!r} is not an e-mail block"]
    try:
        clean_settings(schema, item["settings"])
    except SettingsError as exc:
        return [f"{where}: setting {exc.setting} {exc.detail}"]
    return [f"{where}: setting {name} is not sanitised rich text"
            for name in richtext_problems(schema, item["settings"])]


def blocks_problem(value: Any) -> str | None:
    """The table rule of `email_designs.blocks` (JSON text already parsed): None when it may be stored."""
    if not isinstance(value, list) or len(value) > MAX_BLOCKS:
        return f"must be a list of at most {MAX_BLOCKS} blocks"
    problems = [p for i, item in enumerate(value) for p in _block_problems(i, item)]
    return problems[0] if problems else None


def design_from_row(row: Mapping[str, Any]) -> Design:
    """A stored row as a Design (the row passed the table rules when written)."""
    items = json.loads(row["blocks"] or "[]")
    blocks = tuple(DesignBlock(i["kind"], i.get("settings") or {}, i.get("code"), bool(i.get("hidden")))
                   for i in items)
    return Design(row["id"], blocks, row.get("subject") or "", bool(row.get("enabled", 1)))


def block_settings(block: DesignBlock) -> dict[str, Any]:
    """What the block sees as ctx.settings: the schema's defaults, then the saved values, rich text
    sanitised (as storefront blocks get them)."""
    return with_defaults(block.schema, block.settings)
