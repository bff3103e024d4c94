"""One open store in the studio: its database, its sandbox, the undo stack and change signals.

Every edit goes through `StudioSession.edit`: the change is written to the store's database at once
(through the shared services, which validate it), then recorded on the undo stack with the call that
reverses it. A refused change stores nothing and is reported through `problem`, which the main window
shows as a dialog. Views listen to `changed` and reload what they show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from shared.errors import VibeshopError
from shared.storefront.service import DataDir, Store
from shared.vibe.executor import StoreExecutor

log = logging.getLogger(__name__)
T = TypeVar("T")

# What a refused change raises: a domain error, whose message is meant for the merchant. Anything else is a
# bug: it is not shown as a dialog but propagates to the studio's excepthook, which logs the traceback.
REFUSALS: tuple[type[Exception], ...] = (VibeshopError,)

# What changed, for views to reload: pages (tree), blocks (the block list and its page), theme,
# posts, media, store (settings, menus), checkout (its setup).
PAGES, BLOCKS, THEME, POSTS, MEDIA, STORE = "pages", "blocks", "theme", "posts", "media", "store"
CHECKOUT = "checkout"      # the checkout setup (taxes, shipping, pickup, discounts)


class _Edit(QUndoCommand):
    """An edit already applied; undo/redo call the given functions. `merge_key` lets consecutive
    edits of one field (typing) become one step."""

    def __init__(self, session: StudioSession, text: str, redo: Callable[[], Any], undo: Callable[[], Any],
                 scopes: tuple[str, ...], merge_key: str | None):
        super().__init__(text)
        self._session, self._redo, self._undo, self._scopes = session, redo, undo, scopes
        self._merge_key = merge_key
        self._applied = True      # pushed after it was done: the stack's first redo() is a no-op

    def id(self) -> int:  # noqa: A003 - Qt's name
        return hash(self._merge_key) & 0x7FFFFFFF if self._merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, _Edit) or other._merge_key != self._merge_key:
            return False
        self._redo = other._redo    # keep our undo (the state before the first keystroke)
        return True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._session.apply(self._redo, self._scopes)

    def undo(self) -> None:
        self._session.apply(self._undo, self._scopes)


class StudioSession(QObject):
    """The store being edited, shared by every view of the main window."""

    changed = Signal(str)              # one of PAGES, BLOCKS, THEME, POSTS, MEDIA, STORE
    problem = Signal(str, str)         # title, message: a refused change, shown to the merchant
    block_selected = Signal(str)       # a block id (from the list or a click in the preview)

    def __init__(self, data_dir: DataDir, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.store = store
        self.executor = StoreExecutor(store.record.id)
        self.undo_stack = QUndoStack(self)

    @property
    def db(self):
        """The store's database."""
        return self.store.db

    def attempt(self, title: str, action: Callable[[], T]) -> T | None:
        """Run a change; a refusal is reported (nothing was stored) and gives None."""
        return self._attempt(title, action)[1]

    def _attempt(self, title: str, action: Callable[[], T]) -> tuple[bool, T | None]:
        try:
            return True, action()
        except REFUSALS as exc:
            self.problem.emit(title, str(exc))
            return False, None

    def edit(self, text: str, do: Callable[[], T], undo: Callable[[T], Any], *, scopes: tuple[str, ...],
             redo: Callable[[], Any] | None = None, merge_key: str | None = None) -> T | None:
        """Apply an edit now and put it on the undo stack; None (and a dialog) if it was refused.

        `undo` receives what `do` returned; `redo` defaults to `do`."""
        done, result = self._attempt(text, do)
        if not done:
            return None
        self.undo_stack.push(_Edit(self, text, redo or do, lambda: undo(result), scopes, merge_key))
        self.notify(*scopes)
        return result

    def apply(self, action: Callable[[], Any], scopes: tuple[str, ...]) -> None:
        """Run an undo or redo step and tell the views."""
        self.attempt("Undo", action)
        self.notify(*scopes)

    def notify(self, *scopes: str) -> None:
        """Tell the views that something changed."""
        for scope in scopes:
            self.changed.emit(scope)

    def close(self) -> None:
        """Stop the sandbox and close the database."""
        self.executor.close()
        self.store.close()

