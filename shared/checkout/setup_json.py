"""The checkout setup as plain JSON (what the studio stores, syncs and publishes), and back.

`setup_from_json` turns a dict from JSON into a CheckoutSetup, refusing wrong shapes with a SetupError
whose problems name each field (`shipping.zones[0].rates[1].price`), then runs validate_setup, so what
comes back is always usable by quote_order. `setup_to_json` is its inverse: ints stay ints, rates stay
strings, datetimes become ISO 8601 text with their offset."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any

from shared.checkout.errors import CheckoutErrorCode as Code
from shared.checkout.errors import FieldProblem, SetupError
from shared.checkout.setup import CheckoutSetup
from shared.checkout.validation import validate_setup


def setup_to_json(setup: CheckoutSetup) -> dict[str, Any]:
    """The setup as JSON-ready dicts, lists, strings, ints, booleans and nulls."""
    return _encode(setup)


def setup_from_json(data: object) -> CheckoutSetup:
    """A validated CheckoutSetup from JSON data. Raises SetupError listing every problem."""
    problems: list[FieldProblem] = []
    setup = _decode(CheckoutSetup, data, "", problems)
    if problems:
        raise SetupError(problems)
    validate_setup(setup)
    return setup


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_encode(item) for item in value]
    return value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _decode(cls: type, data: object, path: str, problems: list[FieldProblem]) -> Any:
    """An instance of dataclass `cls` from a dict; problems collected, None returned on a bad shape."""
    if not isinstance(data, dict):
        problems.append(FieldProblem(path or "setup", Code.BAD_VALUE, "must be an object"))
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for name in sorted(set(data) - set(fields)):
        problems.append(FieldProblem(_join(path, name), Code.BAD_VALUE, "is not a field of the checkout setup"))
    values = {}
    before = len(problems)
    for name, field in fields.items():
        if name not in data:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                problems.append(FieldProblem(_join(path, name), Code.MISSING, "is required"))
            continue
        values[name] = _value(hints[name], data[name], _join(path, name), problems)
    return cls(**values) if len(problems) == before else None


def _value(hint: Any, value: object, path: str, problems: list[FieldProblem]) -> Any:
    """`value` checked against the type hint `hint` (the shapes setup.py uses)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _value(next(arg for arg in args if arg is not type(None)), value, path, problems)
    if origin is tuple:
        if not isinstance(value, list):
            problems.append(FieldProblem(path, Code.BAD_VALUE, "must be a list"))
            return ()
        return tuple(_value(args[0], item, f"{path}[{index}]", problems) for index, item in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return _decode(hint, value, path, problems)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            choices = ", ".join(repr(member.value) for member in hint)
            problems.append(FieldProblem(path, Code.BAD_VALUE, f"must be one of {choices}, not {value!r}"))
            return None
    if hint is datetime:
        return _datetime(value, path, problems)
    return _scalar(hint, value, path, problems)


def _scalar(hint: type, value: object, path: str, problems: list[FieldProblem]) -> Any:
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    if not ok:
        names = {bool: "true or false", int: "a whole number", str: "text (a rate is text like \"8.875\")"}
        problems.append(FieldProblem(path, Code.BAD_AMOUNT if hint is int else Code.BAD_VALUE,
                                     f"must be {names.get(hint, hint.__name__)}, not {value!r}"))
        return None
    return value


def _datetime(value: object, path: str, problems: list[FieldProblem]) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        problems.append(FieldProblem(path, Code.BAD_DATES,
                                     f"must be an ISO 8601 date and time with its offset, not {value!r}"))
        return None
    return parsed
