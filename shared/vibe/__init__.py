"""Vibe blocks: merchant JavaScript validated by AST and run in hardened, per-store V8 contexts."""

from shared.vibe.errors import BlockError, Diagnostic
from shared.vibe.executor import BlockJob, BlockResult, ExecutorPool, Limits, PageData, StoreExecutor
from shared.vibe.validator import BlockCheck, check_block

__all__ = [
    "BlockCheck", "BlockError", "BlockJob", "BlockResult", "Diagnostic", "ExecutorPool", "Limits", "PageData",
    "StoreExecutor", "check_block",
]
