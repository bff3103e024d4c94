"""The vibe-block code editor: line numbers, current line, bracket matching, error markers, completion."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor, QFont, QFontDatabase, QKeyEvent, QPainter, QPaintEvent, QPalette, QStandardItem,
    QStandardItemModel, QTextCharFormat, QTextCursor, QTextFormat,
)
from PySide6.QtWidgets import (
    QCompleter, QPlainTextEdit, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTextEdit, QToolTip,
    QWidget,
)

from studio.editor.completions import completion_context
from studio.editor.highlighter import CODE_KINDS, JsHighlighter, python_column, utf16_len

INDENT = "  "
_PAIRS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}
_HINT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Colors:
    """The editor chrome's palette (the syntax colours live in highlighter.SYNTAX_PALETTE)."""

    background: str = "#1e2230"
    text: str = "#d6deeb"
    gutter: str = "#1a1e2a"
    gutter_text: str = "#4c5774"
    gutter_current: str = "#c8d3f5"
    current_line: str = "#252b3b"
    selection: str = "#3a4868"
    bracket: str = "#3b4a6b"
    bracket_outline: str = "#82aaff"
    unmatched: str = "#5c2630"
    error: str = "#ff5370"
    error_tint: str = "#3d2431"
    warning: str = "#ffb454"
    ok: str = "#8bd49c"
    surface: str = "#161a24"
    border: str = "#2b3245"
    muted: str = "#7f8bab"
    popup: str = "#232a3b"
    popup_selected: str = "#34406a"


COLORS = Colors()


class DiagnosticLike(Protocol):
    """Anything with a 1-based line and column (UTF-16, as acorn counts) and a message."""

    line: int
    column: int
    message: str


@dataclass
class _Marker:
    """A diagnostic pinned to the text: the cursor moves with edits above it."""

    cursor: QTextCursor
    message: str


def editor_font() -> QFont:
    """A monospace font at a comfortable size: the first installed of a few good ones."""
    families = set(QFontDatabase.families())
    for family in ("JetBrains Mono", "Fira Code", "Source Code Pro", "DejaVu Sans Mono", "Liberation Mono"):
        if family in families:
            font = QFont(family)
            break
    else:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    font.setPointSizeF(10.5)
    return font


class _Gutter(QWidget):
    """Line numbers, the current line's number brighter, and a red dot on lines with an error."""

    def __init__(self, editor: CodeEditor):
        super().__init__(editor)
        self._editor = editor
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """As wide as the editor's gutter_width()."""
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """Paint the visible lines' numbers and markers."""
        self._editor.paint_gutter(self, event)

    def event(self, event: QEvent) -> bool:
        """Show the error message of the line under the mouse."""
        if event.type() == QEvent.Type.ToolTip:
            messages = self._editor.messages_at_y(int(event.pos().y()))
            if messages:
                QToolTip.showText(event.globalPos(), "\n".join(messages), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class _CompletionDelegate(QStyledItemDelegate):
    """Draws a completion's name, then its hint dimmed on the right."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        """Name left, hint right, selected row filled."""
        painter.save()
        rect = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor(COLORS.popup_selected))
        inner = rect.adjusted(10, 0, -10, 0)
        painter.setFont(option.font)
        painter.setPen(QColor(COLORS.text))
        name = index.data(Qt.ItemDataRole.DisplayRole) or ""
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        name_width = option.fontMetrics.horizontalAdvance(name) + 24
        hint_rect = inner.adjusted(name_width, 0, 0, 0)
        hint = option.fontMetrics.elidedText(index.data(_HINT_ROLE) or "", Qt.TextElideMode.ElideRight,
                                             hint_rect.width())
        painter.setPen(QColor(COLORS.muted))
        painter.drawText(hint_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, hint)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802 (Qt override)
        """A roomy row."""
        return QSize(320, option.fontMetrics.height() + 8)


class CodeEditor(QPlainTextEdit):
    """A JavaScript editor for one vibe block.

    Line numbers, current-line and bracket-pair highlights, error markers (set_diagnostics), two-space
    indentation, auto-indent, and completion of ctx fields, ctx.settings ids and h helpers.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFont(editor_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self.setCursorWidth(2)
        self._apply_palette()
        self.highlighter = JsHighlighter(self.document())
        self._gutter = _Gutter(self)
        self._markers: list[_Marker] = []
        self._bracket_pair: tuple[int, int] | None = None
        self._setting_names: tuple[str, ...] = ()
        self._completer = self._make_completer()
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.cursorPositionChanged.connect(self._refresh_selections)
        self._update_gutter_width()
        self._refresh_selections()

    def _apply_palette(self) -> None:
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(COLORS.background))
        palette.setColor(QPalette.ColorRole.Text, QColor(COLORS.text))
        palette.setColor(QPalette.ColorRole.Highlight, QColor(COLORS.selection))
        palette.setColor(QPalette.ColorRole.HighlightedText, QColor(COLORS.text))
        self.setPalette(palette)
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.setStyleSheet(
            f"QPlainTextEdit {{ background: {COLORS.background}; color: {COLORS.text};"
            f" selection-background-color: {COLORS.selection}; border: none; }}"
            f"QScrollBar {{ background: {COLORS.background}; width: 10px; height: 10px; margin: 0; }}"
            f"QScrollBar::handle {{ background: {COLORS.border}; border-radius: 5px; min-height: 24px;"
            " min-width: 24px; }"
            "QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; }"
            "QScrollBar::add-page, QScrollBar::sub-page { background: none; }")

    # ---- Gutter ----

    def gutter_width(self) -> int:
        """Width of the line-number gutter: a marker column plus the digits of the last line number."""
        digits = max(2, len(str(self.blockCount())))
        return 22 + self.fontMetrics().horizontalAdvance("9") * digits + 14

    def _update_gutter_width(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Keep the gutter glued to the left edge."""
        super().resizeEvent(event)
        area = self.contentsRect()
        self._gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(), area.height()))

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        """Paint line numbers for the visible blocks, and the error dots."""
        painter = QPainter(gutter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(event.rect(), QColor(COLORS.gutter))
        painter.setFont(self.font())
        error_lines = {m.cursor.block().blockNumber() for m in self._markers}
        current = self.textCursor().blockNumber()
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        line_height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            height = round(self.blockBoundingRect(block).height())
            number = block.blockNumber()
            if block.isVisible() and top + height >= event.rect().top():
                if number in error_lines:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QColor(COLORS.error))
                    painter.drawEllipse(8, top + (line_height - 8) // 2, 8, 8)
                painter.setPen(QColor(COLORS.gutter_current if number == current else COLORS.gutter_text))
                painter.drawText(0, top, gutter.width() - 12, line_height, Qt.AlignmentFlag.AlignRight,
                                 str(number + 1))
            top += height
            block = block.next()
        painter.end()

    def messages_at_y(self, y: int) -> list[str]:
        """The error messages of the line at a y position in the viewport (for tooltips)."""
        number = self.cursorForPosition(QPoint(0, y)).blockNumber()
        return [m.message for m in self._markers if m.cursor.block().blockNumber() == number]

    # ---- Diagnostics ----

    def set_diagnostics(self, diagnostics: Iterable[DiagnosticLike]) -> None:
        """Underline each diagnostic's position with a red wave and mark its line in the gutter.

        Lines and columns are 1-based, columns in UTF-16 units as the validator reports them; the marks
        then follow the text as it is edited until the next call.
        """
        self._markers = [self._marker(d) for d in diagnostics]
        self._refresh_selections()
        self._gutter.update()

    def diagnostics(self) -> list[tuple[int, int, str]]:
        """The current markers as (line, column, message), 1-based, where they are now."""
        out = []
        for marker in self._markers:
            start = min(marker.cursor.anchor(), marker.cursor.position())
            block = self.document().findBlock(start)
            out.append((block.blockNumber() + 1, start - block.position() + 1, marker.message))
        return out

    def _marker(self, diagnostic: DiagnosticLike) -> _Marker:
        doc = self.document()
        block = doc.findBlockByNumber(max(0, min(diagnostic.line - 1, doc.blockCount() - 1)))
        text = block.text()
        column = max(0, min(diagnostic.column - 1, utf16_len(text)))
        start = python_column(text, column)
        end = start + 1
        while end < len(text) and (text[end].isalnum() or text[end] in "_$") and text[start].isalnum():
            end += 1
        if start >= len(text) and text:    # past the end ("unexpected end of input"): mark the last char
            start, end = len(text) - 1, len(text)
        cursor = QTextCursor(doc)
        cursor.setPosition(block.position() + utf16_len(text[:start]))
        cursor.setPosition(block.position() + utf16_len(text[:min(end, len(text))]),
                           QTextCursor.MoveMode.KeepAnchor)
        return _Marker(cursor, diagnostic.message)

    def go_to(self, line: int, column: int) -> None:
        """Put the cursor at a 1-based line and UTF-16 column, centre it and focus the editor."""
        doc = self.document()
        block = doc.findBlockByNumber(max(0, min(line - 1, doc.blockCount() - 1)))
        column = max(0, min(column - 1, block.length() - 1))
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + column)
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Tooltips over an underlined error show its message."""
        if event.type() == QEvent.Type.ToolTip:
            position = self.cursorForPosition(event.pos()).position()
            messages = [m.message for m in self._markers
                        if m.cursor.selectionStart() <= position <= m.cursor.selectionEnd()]
            if messages:
                QToolTip.showText(event.globalPos(), "\n".join(messages), self)
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    # ---- Extra selections: current line, bracket pair, errors ----

    def _refresh_selections(self) -> None:
        selections = []
        line = QTextEdit.ExtraSelection()
        line.format.setBackground(QColor(COLORS.current_line))
        line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        line.cursor = self.textCursor()
        line.cursor.clearSelection()
        selections.append(line)
        self._bracket_pair = self.matching_bracket()
        selections.extend(self._bracket_selections())
        for marker in self._markers:
            error = QTextEdit.ExtraSelection()
            error.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            error.format.setUnderlineColor(QColor(COLORS.error))
            error.format.setBackground(QColor(COLORS.error_tint))
            error.cursor = marker.cursor
            selections.append(error)
        self.setExtraSelections(selections)
        self._gutter.update()

    def _bracket_selections(self) -> list[QTextEdit.ExtraSelection]:
        here = self._bracket_at_cursor()
        if here is None:
            return []
        positions = list(self._bracket_pair) if self._bracket_pair else [here]
        out = []
        for position in positions:
            selection = QTextEdit.ExtraSelection()
            if self._bracket_pair:
                selection.format.setBackground(QColor(COLORS.bracket))
                selection.format.setForeground(QColor(COLORS.bracket_outline))
                selection.format.setFontWeight(QFont.Weight.Bold)
            else:
                selection.format.setBackground(QColor(COLORS.unmatched))
            selection.cursor = QTextCursor(self.document())
            selection.cursor.setPosition(position)
            selection.cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
            out.append(selection)
        return out

    def _bracket_at_cursor(self) -> int | None:
        """The document position of a code bracket right after, else right before, the cursor."""
        cursor = self.textCursor()
        block = cursor.block()
        text = block.text()
        column = python_column(text, cursor.positionInBlock())
        for index in (column, column - 1):
            if 0 <= index < len(text) and (text[index] in _PAIRS or text[index] in _CLOSERS):
                if self.highlighter.kind_at(block.blockNumber(), index) in CODE_KINDS:
                    return block.position() + utf16_len(text[:index])
        return None

    def matching_bracket(self) -> tuple[int, int] | None:
        """(open, close) document positions of the bracket pair at the cursor, or None.

        Brackets inside strings, template text and comments are skipped.
        """
        position = self._bracket_at_cursor()
        if position is None:
            return None
        block = self.document().findBlock(position)
        text = block.text()
        column = python_column(text, position - block.position())
        char = text[column]
        forward = char in _PAIRS
        partner = _PAIRS[char] if forward else _CLOSERS[char]
        depth = 0
        for line_block, index in self._code_chars(block, column, forward):
            found = line_block.text()[index]
            if found == char:
                depth += 1
            elif found == partner:
                depth -= 1
                if depth == 0:
                    other = line_block.position() + utf16_len(line_block.text()[:index])
                    return (position, other) if forward else (other, position)
        return None

    def _code_chars(self, block, column: int, forward: bool):
        """(block, index) of each code character from column onwards (or backwards), this one first."""
        while block.isValid():
            runs = [r for r in self.highlighter.runs(block.blockNumber()) if r.kind in CODE_KINDS]
            indices = [i for r in runs for i in range(r.start, r.start + r.length)]
            if forward:
                indices = [i for i in indices if i >= column]
            else:
                indices = [i for i in reversed(indices) if i <= column]
            for index in indices:
                yield block, index
            block = block.next() if forward else block.previous()
            column = -1 if forward else 1 << 30

    # ---- Typing ----

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Completion keys, two-space indentation, auto-indent, then ordinary typing."""
        key, mods = event.key(), event.modifiers()
        popup = self._completer.popup()
        if popup.isVisible():
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
                self._accept_completion()
                return
            if key in (Qt.Key.Key_Escape, Qt.Key.Key_Backtab):
                popup.hide()
                return
        if key == Qt.Key.Key_Space and mods & Qt.KeyboardModifier.ControlModifier:
            self.open_completions(explicit=True)
            return
        if self._handle_editing_key(event):
            return
        super().keyPressEvent(event)
        text = event.text()
        if text and (text == "." or text.isalnum() or text in "_$"):
            self.open_completions(explicit=False, typed=text)
        elif popup.isVisible() and key != Qt.Key.Key_Backspace:
            popup.hide()
        elif key == Qt.Key.Key_Backspace and popup.isVisible():
            self.open_completions(explicit=False)

    def _handle_editing_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Tab and not event.modifiers():
            return self._indent()
        if key == Qt.Key.Key_Backtab:
            return self._dedent_lines()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._newline()
            return True
        if key == Qt.Key.Key_Backspace and not event.modifiers():
            return self._backspace_indent()
        if event.text() in _CLOSERS:
            return self._type_closer(event.text())
        return False

    def _indent(self) -> bool:
        cursor = self.textCursor()
        if cursor.hasSelection() and cursor.selectedText().find("\u2029") >= 0:
            self._each_selected_line(lambda c: c.insertText(INDENT))
        else:
            cursor.insertText(INDENT)
        return True

    def _dedent_lines(self) -> bool:
        def dedent(cursor: QTextCursor) -> None:
            text = cursor.block().text()
            count = len(text) - len(text.lstrip(" "))
            cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor,
                                min(count, len(INDENT)))
            cursor.removeSelectedText()
        self._each_selected_line(dedent)
        return True

    def _each_selected_line(self, change) -> None:
        cursor = self.textCursor()
        doc = self.document()
        first = doc.findBlock(cursor.selectionStart()).blockNumber()
        last = doc.findBlock(max(cursor.selectionStart(), cursor.selectionEnd() - 1)).blockNumber()
        cursor.beginEditBlock()
        for number in range(first, last + 1):
            change(QTextCursor(doc.findBlockByNumber(number)))
        cursor.endEditBlock()

    def _newline(self) -> None:
        """Keep the line's indentation; one level more after an opener, and split `{|}` onto 3 lines."""
        cursor = self.textCursor()
        text = cursor.block().text()
        column = python_column(text, cursor.positionInBlock())
        before, after = text[:column], text[column:]
        indent = before[:len(before) - len(before.lstrip(" \t"))]
        opener = before.rstrip()[-1:]
        cursor.beginEditBlock()
        if opener in _PAIRS:
            cursor.insertText("\n" + indent + INDENT)
            if after.lstrip()[:1] == _PAIRS[opener]:
                keep = cursor.position()
                cursor.insertText("\n" + indent)
                cursor.setPosition(keep)
        else:
            cursor.insertText("\n" + indent)
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    def _backspace_indent(self) -> bool:
        """In leading spaces, Backspace removes one indentation level."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            return False
        before = cursor.block().text()[:cursor.positionInBlock()]
        if not before or before.strip(" ") or len(before) < len(INDENT):
            return False
        width = len(before) % len(INDENT) or len(INDENT)
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, width)
        cursor.removeSelectedText()
        return True

    def _type_closer(self, closer: str) -> bool:
        """A closer typed first on a line steps back one indentation level."""
        cursor = self.textCursor()
        before = cursor.block().text()[:cursor.positionInBlock()]
        if cursor.hasSelection() or not before or before.strip(" ") or len(before) < len(INDENT):
            return False
        cursor.beginEditBlock()
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(INDENT))
        cursor.insertText(closer)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        return True

    # ---- Completion ----

    def _make_completer(self) -> QCompleter:
        completer = QCompleter(self)
        completer.setModel(QStandardItemModel(completer))
        completer.setWidget(self)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(10)
        completer.activated[str].connect(self._insert_completion)
        popup = completer.popup()
        popup.setItemDelegate(_CompletionDelegate(popup))
        popup.setFont(self.font())
        popup.setStyleSheet(
            f"QListView {{ background: {COLORS.popup}; color: {COLORS.text}; border: 1px solid"
            f" {COLORS.border}; border-radius: 6px; padding: 4px; outline: none; }}")
        return completer

    @property
    def completer(self) -> QCompleter:
        """The completion popup's QCompleter."""
        return self._completer

    def set_setting_names(self, names: Sequence[str]) -> None:
        """The setting ids offered after `ctx.settings.`."""
        self._setting_names = tuple(names)

    def completion_names(self) -> list[str]:
        """The names the popup currently lists (after filtering by the typed prefix)."""
        model = self._completer.completionModel()
        return [model.index(row, 0).data() for row in range(model.rowCount())]

    def open_completions(self, *, explicit: bool = True, typed: str = "") -> bool:
        """Show the popup for the cursor's context; True when it has something to offer."""
        cursor = self.textCursor()
        block = cursor.block()
        text = block.text()
        column = python_column(text, cursor.positionInBlock())
        popup = self._completer.popup()
        kind = self.highlighter.kind_at(block.blockNumber(), max(0, column - 1))
        context = None
        if kind in CODE_KINDS or kind == "":
            context = completion_context(text[:column], setting_names=self._setting_names, explicit=explicit)
        if context is None or (not explicit and typed != "." and not popup.isVisible() and not context.prefix):
            popup.hide()
            return False
        self._fill_model(context.items)
        self._completer.setCompletionPrefix(context.prefix)
        if self._completer.completionCount() == 0:
            popup.hide()
            return False
        popup.setCurrentIndex(self._completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.moveLeft(rect.left() - self.fontMetrics().horizontalAdvance(context.prefix) + self.gutter_width())
        rect.setWidth(max(360, popup.sizeHintForColumn(0)))
        self._completer.complete(rect)
        return True

    def _fill_model(self, items) -> None:
        model: QStandardItemModel = self._completer.model()
        model.clear()
        for item in items:
            row = QStandardItem(item.name)
            row.setData(item.hint, _HINT_ROLE)
            row.setToolTip(item.hint)
            model.appendRow(row)

    def _accept_completion(self) -> None:
        popup = self._completer.popup()
        index = popup.currentIndex()
        name = index.data() if index.isValid() else None
        popup.hide()
        if name:
            self._insert_completion(name)

    def _insert_completion(self, name: str) -> None:
        """Replace the partial name left of the cursor with the chosen one."""
        cursor = self.textCursor()
        prefix = self._completer.completionPrefix()
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(prefix))
        cursor.insertText(name)
        self.setTextCursor(cursor)
