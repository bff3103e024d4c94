"""JSON with positions: parse errors and later findings are reported at a line and column."""

from __future__ import annotations

import json
import re
from json.decoder import scanstring
from typing import Any

from shared.errors import VibeshopError

Path = tuple[str | int, ...]
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JsonSyntaxError(VibeshopError):
    """Text that is not JSON (code "invalid_json"); `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__("invalid_json", message)
        self.line = line
        self.column = column


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class LocatedJson:
    """A parsed JSON document and the offset where each of its values starts."""

    def __init__(self, text: str):
        try:
            self.value = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise JsonSyntaxError(exc.msg, exc.lineno, exc.colno) from None
        except (ValueError, RecursionError) as exc:
            raise JsonSyntaxError(str(exc) or "not valid JSON", 1, 1) from None
        self.text = text
        self._offsets: dict[Path, int] = {}
        try:
            self._walk(0, ())
        except RecursionError:
            raise JsonSyntaxError("nested too deeply", 1, 1) from None

    def position(self, path: Path) -> tuple[int, int]:
        """Line and column of the value at `path`, or of its nearest ancestor that exists."""
        while path not in self._offsets and path:
            path = path[:-1]
        return line_col(self.text, self._offsets.get(path, 0))

    def _skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()

    def _walk(self, i: int, path: Path) -> int:
        # The text already parsed, so this only needs to find where values start, not to check them.
        i = self._skip(i)
        self._offsets[path] = i
        opener = self.text[i]
        if opener == "{":
            i = self._skip(i + 1)
            if self.text[i] == "}":
                return i + 1
            while True:
                key, i = scanstring(self.text, i + 1)
                i = self._skip(i) + 1                       # past ':'
                i = self._skip(self._walk(i, (*path, key)))
                if self.text[i] == "}":
                    return i + 1
                i = self._skip(i + 1)                       # past ','
        if opener == "[":
            i = self._skip(i + 1)
            if self.text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = self._skip(self._walk(i, (*path, index)))
                if self.text[i] == "]":
                    return i + 1
                i, index = i + 1, index + 1
        return _DECODER.raw_decode(self.text, i)[1]


def dump(value: Any) -> str:
    """JSON for files people diff: keys in the order given (callers give a fixed one), two-space
    indent, non-ASCII as is, one trailing newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
