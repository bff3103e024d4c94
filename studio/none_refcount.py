"""A stopgap for a PySide6 6.12 bug on Python 3.11: every PySide call that returns nothing drops one
reference to None (`QObject().setObjectName("x")` 1,000 times lowers sys.getrefcount(None) by 1,000).
A long studio session would drive None's count to zero and abort the process ("none_dealloc").
Python 3.12+ makes None immortal, so there the bug is harmless and this does nothing.

On 3.11 we give None a reference count no session can exhaust. Remove this once PySide6 is fixed
or the project requires Python 3.12."""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40


def guard_none_refcount() -> None:
    """Raise None's reference count once per process (Python < 3.12 only)."""
    if sys.version_info >= (3, 12) or getattr(guard_none_refcount, "done", False):
        return
    ctypes.c_ssize_t.from_address(id(None)).value += _HEADROOM   # ob_refcnt is the first field
    guard_none_refcount.done = True  # type: ignore[attr-defined]
