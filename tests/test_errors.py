"""One base error class: every domain error is a VibeshopError carrying its code, and only those are
refusals (the studio shows them; anything else is a bug and propagates)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import shared
from shared.db.errors import DatabaseError
from shared.errors import VibeshopError
from shared.pages.errors import PageError, PageErrorCode
from shared.posts.errors import PostError, PostErrorCode


def _error_classes() -> list[type[BaseException]]:
    """Every exception class defined in shared/ (each module imported)."""
    found = []
    for info in pkgutil.walk_packages(shared.__path__, "shared."):
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == info.name:
                found.append(value)
    return found


def test_every_error_of_shared_derives_from_the_one_base_class() -> None:
    classes = _error_classes()
    assert PageError in classes and len(classes) >= 12
    # The data layer's errors are not refusals: a failed statement is a bug or a broken machine.
    # Private control-flow exceptions (a leading underscore) never leave their module.
    outside = {c.__qualname__ for c in classes if not issubclass(c, (VibeshopError, DatabaseError))
               and not c.__name__.startswith("_")}
    assert {"DatabaseBusyError", "MigrationError", "ServerConfigError"} <= {
        c.__qualname__ for c in classes if issubclass(c, DatabaseError)}
    assert outside == set(), "domain errors must derive from shared.errors.VibeshopError"
    assert not issubclass(DatabaseError, VibeshopError)


def test_domain_errors_keep_their_codes_and_are_not_value_errors() -> None:
    error = PageError(PageErrorCode.DUPLICATE_SLUG, "taken", field="slug")
    assert error.code == "duplicate_slug" and str(error) == "taken" and error.field == "slug"
    post = PostError(PostErrorCode.INVALID, "no title")
    assert isinstance(post, VibeshopError) and not isinstance(post, ValueError) and post.code == "invalid"
