"""Process-wide V8 set-up: flags go in once, before the first context, and every context is made here.

mini-racer reads V8 flags only at initialisation, so both the validator's context and every rendering
context come through `new_context()`, which makes sure the flags were applied first.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from importlib import resources

from py_mini_racer import LibAlreadyInitializedError, MiniRacer, init_mini_racer

V8_FLAGS = (
    "--single-threaded",
    # eval, new Function and the async/generator function constructors throw.
    "--disallow-code-generation-from-strings",
    # Catastrophic-backtracking regular expressions fall back to a linear-time engine (ReDoS).
    "--enable-experimental-regexp-engine-on-excessive-backtracks",
)

_lock = threading.Lock()
_initialised = False
# Every live context, so they can be closed before interpreter shutdown: mini-racer frees a context
# from __del__, and at shutdown that waits forever on its (already stopped) event-loop thread.
_live: weakref.WeakSet[MiniRacer] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for ctx in list(_live):
        try:
            ctx.close()
        except Exception:  # noqa: BLE001,S110 - best effort at exit
            pass


def ensure_v8() -> None:
    """Initialise V8 with the sandbox flags once per process."""
    global _initialised
    with _lock:
        if _initialised:
            return
        try:
            init_mini_racer(flags=list(V8_FLAGS))
        except LibAlreadyInitializedError:
            # Someone made a MiniRacer before us: flags cannot be applied any more. Refuse to run
            # merchant code in a context without them rather than run it unprotected.
            raise RuntimeError("V8 was initialised without the vibe sandbox flags") from None
        _initialised = True


def new_context(memory_limit: int) -> MiniRacer:
    """A fresh V8 context with a hard memory limit (without one V8 can abort the whole process)."""
    ensure_v8()
    ctx = MiniRacer()
    ctx.set_hard_memory_limit(memory_limit)
    _live.add(ctx)
    return ctx


def js_source(name: str) -> str:
    """The text of a JS asset shipped in shared/vibe/js."""
    return resources.files("shared.vibe").joinpath("js", name).read_text(encoding="utf-8")
