"""Which store's designs the render functions of shared/mail/templates.py and account_mail.py use.

Their signatures take no database (they are plain functions of the order and the branding), so the
store is named around the call instead:

    with using_designs(conn):          # inside the order's write, or with the Database
        email = render_shipping_confirmation(summary, branding, shipped=...)

Outside such a block (or for a kind the store did not design) they send the built-in template."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_source: ContextVar[tuple[Any, list[Any] | None]] = ContextVar("email_design_source", default=(None, None))


@contextmanager
def using_designs(source: Any, *, failures: list[Any] | None = None) -> Iterator[None]:
    """Within the block, render_* functions use the designs stored in `source` (a Connection or a
    Database of the store). A design that fails (and so falls back to the built-in template) is
    appended to `failures` as its DesignError, for the studio to show."""
    token = _source.set((source, failures))
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> Any:
    """The Connection or Database named by the innermost `using_designs`, or None."""
    return _source.get()[0]


def note_failure(error: Any) -> None:
    """Keep a design's failure for the innermost `using_designs` that asked for them."""
    failures = _source.get()[1]
    if failures is not None:
        failures.append(error)
