"""Syntax highlighting for vibe blocks: pygments' JavaScript lexer driving a QSyntaxHighlighter.

The whole document is lexed once per change (about 20 ms for 500 lines) and cut into per-line runs of
token kinds, so multi-line template literals and block comments are coloured by the lexer's real
state rather than guessed line by line. Each line's block state is a hash of the lexer state at its
end: QSyntaxHighlighter then re-applies formats further down only while that state keeps changing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pygments.lexer import include
from pygments.lexers.javascript import JavascriptLexer
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, _TokenType
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

# Token kind -> (colour, bold, italic). One dark palette, shared with the editor chrome.
SYNTAX_PALETTE: dict[str, tuple[str, bool, bool]] = {
    "keyword": ("#c792ea", False, False),
    "constant": ("#f78c6c", False, False),
    "number": ("#f78c6c", False, False),
    "string": ("#c3e88d", False, False),
    "template": ("#a8d58a", False, False),
    "interp": ("#89ddff", True, False),
    "tag": ("#f07178", False, False),
    "attr": ("#ffcb6b", False, True),
    "regex": ("#89ddff", False, False),
    "comment": ("#68738c", False, True),
    "builtin": ("#ffcb6b", False, False),
    "vibe": ("#ff9e64", True, False),        # the block's own parameters: ctx and h
    "function": ("#82aaff", False, False),
    "property": ("#b8c4e0", False, False),
    "name": ("#d6deeb", False, False),
    "operator": ("#89ddff", False, False),
    "punctuation": ("#8f9bb8", False, False),
    "error": ("#ff5370", False, False),
}

# Kinds whose characters are code: brackets there count for matching, completion may open there.
CODE_KINDS = frozenset({"punctuation", "interp", "operator", "keyword", "name", "function", "property",
                        "vibe", "builtin", "constant", "number"})

_TOKEN_KINDS: tuple[tuple[_TokenType, str], ...] = (
    (Comment, "comment"),
    (String.Interpol, "interp"),
    (String.Backtick, "template"),
    (String.Regex, "regex"),
    (String, "string"),
    (Number, "number"),
    (Keyword.Constant, "constant"),
    (Operator.Word, "keyword"),
    (Keyword, "keyword"),
    (Name.Builtin, "builtin"),
    (Name.Exception, "builtin"),
    (Operator, "operator"),
    (Punctuation, "punctuation"),
    (Name, "name"),
)
_VIBE_NAMES = frozenset({"ctx", "h"})
# HTML inside template literals: tag names and attribute names (vibe blocks are mostly markup).
_HTML_RE = re.compile(r"(</?[A-Za-z][\w-]*|/?>)|(?<=\s)([A-Za-z_:@][\w:.-]*)(?==)")
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


class VibeLexer(JavascriptLexer):
    """pygments' JavaScript lexer, plus brace counting inside `${...}`.

    The stock lexer ends an interpolation at the first `}`, so `${h.image(img, { sizes })}` would turn
    the rest of the interpolation into template text, and the block helpers take options objects.
    """

    tokens = {
        "interp-inside": [
            (r"\{", Punctuation, ("interp-brace", "slashstartsregex")),
            (r"\}", String.Interpol, "#pop"),
            include("root"),
        ],
        "interp-brace": [
            (r"\{", Punctuation, ("#push", "slashstartsregex")),
            (r"\}", Punctuation, "#pop"),
            include("root"),
        ],
    }


@dataclass(frozen=True)
class Run:
    """A stretch of one line in one token kind; start and length count Python characters."""

    start: int
    length: int
    kind: str


@lru_cache(maxsize=None)
def _kind(token: _TokenType) -> str | None:
    for parent, kind in _TOKEN_KINDS:
        if token in parent:
            return kind
    return None


def _tokens(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, kind, value), lazily, with names refined into vibe, function and property.

    A name waits (with the whitespace after it) for the next token, to see whether a call follows.
    """
    lexer = VibeLexer(stripnl=False, ensurenl=False)
    previous = ""
    waiting: list[tuple[int, str, str]] = []
    for pos, token, value in lexer.get_tokens_unprocessed(text):
        kind = _kind(token) or ""
        if waiting:
            if value.isspace():
                waiting.append((pos, kind, value))
                continue
            name_pos, name_kind, name = waiting[0]
            yield name_pos, "function" if value.startswith("(") else name_kind, name
            yield from waiting[1:]
            waiting = []
        if kind == "name":
            kind = "property" if previous == "." else "vibe" if value in _VIBE_NAMES else "name"
            waiting.append((pos, kind, value))
        elif kind and not value.isspace():
            yield pos, kind, value
        else:
            yield pos, kind, value
            continue
        previous = value
    yield from waiting


def _common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    """(lines equal at the start, lines equal at the end, not overlapping the start)."""
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail


class _Lexed:
    """The document cut into lines: per-line runs, the lexer state at each line's end, and which lines
    start where a fresh lexer would start (outside templates and comments).

    Given the previous lexing, only the changed stretch is lexed again: from the last such line at or
    before the first changed line, until a line after the last change where both lexings are back at
    such a line, so typing in a 500-line block costs a few lines of lexing rather than 40 ms.
    """

    def __init__(self, text: str, previous: _Lexed | None = None):
        self.lines = text.split("\n")
        count = len(self.lines)
        self.starts = [0] * count
        for index in range(1, count):
            self.starts[index] = self.starts[index - 1] + len(self.lines[index - 1]) + 1
        self.runs: list[list[Run]] = [[] for _ in range(count)]
        self.states = [0] * count
        self.fresh = [False] * count     # a fresh lexer may start at this line's start
        self.lexed_lines = 0             # how many lines this update lexed (the tests look)
        restart, old_tail = 0, None
        if previous is not None:
            head, tail = _common_ends(previous.lines, self.lines)
            last = min(head, len(previous.lines) - 1, count - 1)   # the first changed line, or the last line
            restart = max(i for i in range(last + 1) if previous.fresh[i])
            for name in ("runs", "states", "fresh"):
                getattr(self, name)[:restart] = getattr(previous, name)[:restart]
            old_tail = (previous, count - tail, count - len(previous.lines))
        self.fresh[restart] = True
        self._lex(text, restart, old_tail)

    def _lex(self, text: str, first: int, old_tail: tuple[_Lexed, int, int] | None) -> None:
        stack: list[str] = []
        line, column = first, 0
        for _pos, kind, value in _tokens(text[self.starts[first]:]):
            _track(stack, kind, value)
            for part_index, part in enumerate(value.split("\n")):
                if part_index:
                    self.states[line] = hash((tuple(stack), kind)) & 0x3FFFFFFF
                    line, column = line + 1, 0
                    self.fresh[line] = not stack and kind == ""
                    self.lexed_lines += 1
                    if old_tail is not None and self._rejoin(line, *old_tail):
                        return
                if part and kind:
                    self._add_runs(line, column, part, kind)
                column += len(part)
        self.states[-1] = hash((tuple(stack), "")) & 0x3FFFFFFF

    def _add_runs(self, line: int, column: int, part: str, kind: str) -> None:
        if kind == "template":
            self.runs[line].extend(_template_runs(column, part))
        else:
            self.runs[line].append(Run(column, len(part), kind))

    def _rejoin(self, line: int, previous: _Lexed, unchanged_from: int, shift: int) -> bool:
        """Past the change and back at a fresh start in both lexings: reuse the old lexing's rest."""
        if line < unchanged_from or not self.fresh[line] or not previous.fresh[line - shift]:
            return False
        for name in ("runs", "states", "fresh"):
            getattr(self, name)[line:] = getattr(previous, name)[line - shift:]
        return True


def _track(stack: list[str], kind: str, value: str) -> None:
    """Mirror the lexer's template nesting: a change in it changes the following lines."""
    if kind == "template" and value == "`":
        if stack and stack[-1] == "`":
            stack.pop()
        else:
            stack.append("`")
    elif kind == "interp":
        if value == "${":
            stack.append("$")
        elif value == "}" and stack:
            stack.pop()
    elif kind == "punctuation" and stack and stack[-1] in "${":
        if value == "{":
            stack.append("{")
        elif value == "}" and stack[-1] == "{":
            stack.pop()


def _template_runs(column: int, text: str) -> Iterator[Run]:
    """Template text with its HTML tag and attribute names picked out."""
    cursor = 0
    for match in _HTML_RE.finditer(text):
        kind = "tag" if match.group(1) else "attr"
        if match.start() > cursor:
            yield Run(column + cursor, match.start() - cursor, "template")
        yield Run(column + match.start(), match.end() - match.start(), kind)
        cursor = match.end()
    if cursor < len(text):
        yield Run(column + cursor, len(text) - cursor, "template")


def _char_format(color: str, bold: bool, italic: bool) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.DemiBold)
    fmt.setFontItalic(italic)
    return fmt


class JsHighlighter(QSyntaxHighlighter):
    """Colours a vibe block's JavaScript; also answers "what kind of token is at this column?"."""

    def __init__(self, document: QTextDocument):
        # No parent document yet: our contentsChange slot must be connected before the one
        # QSyntaxHighlighter connects in setDocument, so the cache is marked stale before reformatting.
        super().__init__(None)
        self._formats = {kind: _char_format(*style) for kind, style in SYNTAX_PALETTE.items()}
        self._lexed: _Lexed | None = None
        self._stale = True
        self.lex_count = 0   # how often the document was lexed; the tests check it stays at one per edit
        document.contentsChange.connect(self._invalidate)
        self.setDocument(document)
        self.setParent(document)

    def _invalidate(self, _position: int, removed: int, added: int) -> None:
        if removed or added:
            self._stale = True

    def lexed(self) -> _Lexed:
        """The current document's lexing, brought up to date on first use after a change."""
        if self._stale or self._lexed is None or len(self._lexed.lines) != self.document().blockCount():
            self._lexed = _Lexed(self.document().toPlainText(), self._lexed)
            self._stale = False
            self.lex_count += 1
        return self._lexed

    def runs(self, line: int) -> list[Run]:
        """The token runs of a 0-based line (Python character columns)."""
        lexed = self.lexed()
        return lexed.runs[line] if 0 <= line < len(lexed.runs) else []

    def kind_at(self, line: int, column: int) -> str:
        """The token kind at a 0-based line and Python character column; "" for whitespace."""
        for run in self.runs(line):
            if run.start <= column < run.start + run.length:
                return run.kind
        return ""

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        """Apply the cached runs of this line (converting columns to UTF-16 when it has astral chars)."""
        lexed = self.lexed()
        line = self.currentBlock().blockNumber()
        if line >= len(lexed.runs):
            return
        astral = _ASTRAL_RE.search(text) is not None
        for run in lexed.runs[line]:
            start, length = run.start, run.length
            if astral:
                start = utf16_len(text[:run.start])
                length = utf16_len(text[run.start:run.start + run.length])
            self.setFormat(start, length, self._formats[run.kind])
        self.setCurrentBlockState(lexed.states[line])


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: Qt's (and JavaScript's) unit for positions and columns."""
    if _ASTRAL_RE.search(text) is None:
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def python_column(text: str, utf16_column: int) -> int:
    """The Python character index of a UTF-16 column in text."""
    if _ASTRAL_RE.search(text) is None:
        return utf16_column
    units = 0
    for index, char in enumerate(text):
        if units >= utf16_column:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)
