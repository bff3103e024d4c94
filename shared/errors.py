"""The one base class of every domain error: a refusal meant for the person who asked.

Each domain keeps its own class and its codes (a StrEnum in its `errors.py`, e.g. `PageErrorCode`), and
every such class derives from `VibeshopError`: the studio shows a dialog for a `VibeshopError` and for
nothing else, and the CLI and the cloud turn the ones they expect into a message or a 4xx by code.

Anything else raised is a bug and is never caught to show a message: it propagates to a logged traceback.
The data layer's `DatabaseError` is deliberately not one: a statement that fails is a bug or a broken
machine; a service turns the failures it expects (a UNIQUE race on a slug) into its domain's error.
"""

from __future__ import annotations


class VibeshopError(Exception):
    """A refused request or operation; nothing it would have written was written. `code` says why (a
    domain's StrEnum member or a plain string), `str(error)` is the message for the merchant or client."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
