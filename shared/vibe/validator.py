"""Static validation of vibe blocks: modern-syntax parsing (vendored acorn in its own V8 context) plus
the deny list in js/validate.js.

The validator's context only ever parses merchant code as a string; it never runs it. It is separate
from every rendering context, so acorn itself is not reachable from a block.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from py_mini_racer._exc import MiniRacerBaseException

from shared.vibe.engine import js_source, new_context
from shared.vibe.errors import BlockError, BlockErrorCode, Diagnostic

MAX_SOURCE_CHARS = 256 * 1024
_VALIDATOR_MEMORY = 256 * 1024 * 1024
_VALIDATOR_SECONDS = 10.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BlockCheck:
    """What the validator found: diagnostics (empty when the block is fine) and the static schema."""

    diagnostics: tuple[Diagnostic, ...]
    schema: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the block may be rendered."""
        return not self.diagnostics

    def raise_for_errors(self) -> None:
        """Raise BlockError(INVALID) carrying the diagnostics, if there are any."""
        if self.diagnostics:
            first = self.diagnostics[0]
            raise BlockError(BlockErrorCode.INVALID, f"line {first.line}, column {first.column}: {first.message}",
                             self.diagnostics)


class _Validator:
    """One V8 context holding acorn and the checker; calls are serialised (a context is single-threaded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        self._ctx = new_context(_VALIDATOR_MEMORY)
        self._ctx.eval(js_source("vendor/acorn/acorn.js"))
        self._validate = self._ctx.eval(js_source("validate.js"))

    def run(self, source: str) -> dict[str, Any]:
        with self._lock:
            try:
                return json.loads(self._validate(source, timeout_sec=_VALIDATOR_SECONDS))
            except MiniRacerBaseException as exc:
                # Over the time or memory limit (or V8 gave up): this source is refused, and the context
                # is replaced, because a context that hit a limit is not to be trusted with the next one.
                log.warning("validator context replaced after %s", type(exc).__name__)
                old = self._ctx
                self._start()
                old.close()
                return {"errors": [{"line": 1, "column": 1,
                                    "message": f"the block could not be checked ({type(exc).__name__})"}]}


_instance: _Validator | None = None
_instance_lock = threading.Lock()


def _validator() -> _Validator:
    global _instance
    with _instance_lock:
        if _instance is None:
            _instance = _Validator()
        return _instance


def check_block(source: str) -> BlockCheck:
    """Validate a block's source. Never raises for bad code: the problems come back as diagnostics."""
    if not isinstance(source, str):
        return BlockCheck((Diagnostic(1, 1, "block source must be text"),))
    return _check_cached(hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest(), source)


@lru_cache(maxsize=2048)
def _check_cached(_digest: str, source: str) -> BlockCheck:
    if len(source) > MAX_SOURCE_CHARS:
        return BlockCheck((Diagnostic(1, 1, f"block source is over {MAX_SOURCE_CHARS // 1024} KB"),))
    if "\x00" in source:
        return BlockCheck((Diagnostic(1, 1, "block source contains a NUL character"),))
    found = _validator().run(source)
    diagnostics = tuple(Diagnostic(e["line"], e["column"], e["message"]) for e in found["errors"])
    if not diagnostics and not found.get("hasRender"):
        diagnostics = (Diagnostic(1, 1, "a block must declare function render(ctx, h)"),)
    schema = found.get("schema") or {}
    if not isinstance(schema, dict):
        diagnostics += (Diagnostic(1, 1, "schema must be an object literal"),)
        schema = {}
    return BlockCheck(diagnostics, schema)
