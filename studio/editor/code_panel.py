"""The code panel: the block's code editor, a status line that validates as you type, and a banner
for a block that hit a sandbox limit at render."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from shared.vibe.errors import BlockErrorCode, Diagnostic
from shared.vibe.validator import BlockCheck, check_block
from studio.editor.code_editor import COLORS, CodeEditor

log = logging.getLogger(__name__)

CHECK_DELAY_MS = 250

# Why a block stopped at render, by BlockErrorCode: (title, what to look for). The executor's messages
# name the limit ("Stopped: over the 1 s time limit"), so the title quotes the figure when it finds one.
_LIMITS: dict[str, tuple[str, str]] = {
    BlockErrorCode.TIMEOUT: ("This block stopped: it took longer than {figure}",
                             "Look for a loop that never ends, or work that grows with the data."),
    BlockErrorCode.MEMORY: ("This block stopped: it used more than {figure} of memory",
                            "Look for arrays or strings that keep growing."),
    BlockErrorCode.OUTPUT: ("This block made too much HTML: over {figure}",
                            "Render fewer items, or less markup for each."),
    BlockErrorCode.ERROR: ("This block stopped with an error", "The preview shows the rest of the page."),
}
_FIGURES = {
    BlockErrorCode.TIMEOUT: (r"over the ([\d.]+ ?s) time limit", "the time limit"),
    BlockErrorCode.MEMORY: (r"over the ([\d.]+ ?[KMG]B) memory limit", "the memory limit"),
    BlockErrorCode.OUTPUT: (r"over (?:the )?([\d,]+)(?: limit| characters)", "the size limit"),
}


def render_problem_text(message: str, code: str | None = None) -> tuple[str, str]:
    """(title, detail) for a render failure; the kind comes from code, else from the message."""
    kind = BlockErrorCode(code) if code in set(BlockErrorCode) else _guess_kind(message)
    title, advice = _LIMITS.get(kind, _LIMITS[BlockErrorCode.ERROR])
    pattern, fallback = _FIGURES.get(kind, ("", ""))
    found = re.search(pattern, message) if pattern else None
    figure = found.group(1) if found else fallback
    if kind == BlockErrorCode.OUTPUT and found:
        figure = f"{int(figure.replace(',', '')):,} characters"
    detail = re.sub(r"^Stopped:\s*", "", message.strip())
    detail = detail[:1].upper() + detail[1:]
    if detail and detail[-1] not in ".!?":
        detail += "."
    return title.format(figure=figure), f"{detail} {advice}".strip()


def _guess_kind(message: str) -> BlockErrorCode:
    lowered = message.lower()
    if "time limit" in lowered or "took longer" in lowered:
        return BlockErrorCode.TIMEOUT
    if "memory" in lowered:
        return BlockErrorCode.MEMORY
    if "output" in lowered or "characters" in lowered:
        return BlockErrorCode.OUTPUT
    return BlockErrorCode.ERROR


_STYLE = f"""
#codePanel {{ background: {COLORS.background}; }}
#statusBar {{ background: {COLORS.surface}; border-top: 1px solid {COLORS.border}; }}
#statusBar QLabel {{ color: {COLORS.muted}; }}
#statusBar QLabel#statusMessage[state="error"] {{ color: {COLORS.error}; }}
#statusBar QLabel#statusMessage[state="ok"] {{ color: {COLORS.ok}; }}
#statusDot {{ border-radius: 4px; background: {COLORS.muted}; }}
#statusDot[state="error"] {{ background: {COLORS.error}; }}
#statusDot[state="ok"] {{ background: {COLORS.ok}; }}
#gotoButton {{ color: {COLORS.text}; background: #2a3043; border: 1px solid {COLORS.border};
    border-radius: 4px; padding: 2px 10px; }}
#gotoButton:hover {{ background: #343c54; }}
#renderProblem {{ background: #3a2e14; border-bottom: 1px solid #6b5220; border-left: 3px solid {COLORS.warning}; }}
#renderProblem QLabel {{ color: #f3dcb0; font-size: 9pt; }}
#renderProblem QLabel#problemTitle {{ color: {COLORS.warning}; font-weight: 600; font-size: 10pt; }}
#renderProblem QLabel#problemIcon {{ color: {COLORS.warning}; font-size: 14pt; }}
#renderProblem QToolButton {{ color: #f3dcb0; background: transparent; border: none; font-size: 12pt;
    padding: 0 4px; }}
#renderProblem QToolButton:hover {{ color: white; }}
"""


class CodePanel(QWidget):
    """A block's code: the editor, live validation in a status line, and render-limit banners.

    code_edited(str) fires on every change (the owner saves it); code_valid(str) fires when the
    debounced check of an edit passes; checked(BlockCheck) reports every check of the current text.
    """

    code_edited = Signal(str)
    code_valid = Signal(str)
    checked = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("codePanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.editor = CodeEditor(self)
        self._loading = False
        self._last_text = ""
        self._problems: tuple[Diagnostic, ...] = ()
        self._explicit_settings: tuple[str, ...] = ()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self._check_now)
        self._build()
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.cursorPositionChanged.connect(self._show_cursor_position)
        self._show_cursor_position()
        self._start_check(from_edit=False)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_banner())
        layout.addWidget(self.editor, 1)
        layout.addWidget(self._build_status())

    def _build_banner(self) -> QFrame:
        self.banner = QFrame(objectName="renderProblem")
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(14, 10, 10, 10)
        row.setSpacing(12)
        icon = QLabel("\u26a0", objectName="problemIcon")
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.banner_title = QLabel(objectName="problemTitle")
        self.banner_detail = QLabel(objectName="problemDetail")
        self.banner_detail.setWordWrap(True)
        text.addWidget(self.banner_title)
        text.addWidget(self.banner_detail)
        row.addLayout(text, 1)
        dismiss = QToolButton(text="\u00d7", toolTip="Dismiss")
        dismiss.setCursor(Qt.CursorShape.PointingHandCursor)
        dismiss.clicked.connect(self.clear_render_problem)
        row.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.banner.hide()
        return self.banner

    def _build_status(self) -> QFrame:
        bar = QFrame(objectName="statusBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 6, 12, 6)
        row.setSpacing(8)
        font = bar.font()
        font.setPointSizeF(9)
        bar.setFont(font)
        self._dot = QLabel(objectName="statusDot")
        self._dot.setFixedSize(8, 8)
        self.status = QLabel("Checking\u2026", objectName="statusMessage")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.goto_button = QPushButton("Go to error", objectName="gotoButton")
        self.goto_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.goto_button.clicked.connect(self.jump_to_problem)
        self.goto_button.hide()
        self._position = QLabel(objectName="cursorPosition")
        self._position.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # Wide enough for long files, so the status line does not jitter as the cursor moves.
        widest = "Ln 9999, Col 999   \u00b7   Spaces: 2   \u00b7   JavaScript"
        self._position.setMinimumWidth(self._position.fontMetrics().horizontalAdvance(widest) + 4)
        row.addWidget(self._dot)
        row.addWidget(self.status, 1)
        row.addWidget(self.goto_button)
        row.addSpacing(12)
        row.addWidget(self._position)
        return bar

    # ---- Loading and editing ----

    def code(self) -> str:
        """The code as it is in the editor."""
        return self.editor.toPlainText()

    def set_code(self, code: str) -> None:
        """Load a block's code: no code_edited, an empty undo history, an immediate check."""
        self._loading = True
        try:
            self.editor.setPlainText(code)   # QPlainTextEdit.setPlainText clears the undo history
        finally:
            self._loading = False
        self._last_text = code
        self.editor.set_diagnostics([])
        self.clear_render_problem()
        self._start_check(from_edit=False)

    def _on_text_changed(self) -> None:
        text = self.editor.toPlainText()
        # textChanged also fires for format-only changes (highlighting): only real edits count.
        if self._loading or text == self._last_text:
            return
        self._last_text = text
        self.clear_render_problem()
        self.code_edited.emit(text)
        self._timer.start()

    def set_setting_names(self, names: Sequence[str]) -> None:
        """Setting ids to offer after `ctx.settings.`, besides those the block's own schema declares."""
        self._explicit_settings = tuple(names)
        self.editor.set_setting_names(self._explicit_settings)

    # ---- Validation ----

    def _check_now(self) -> None:
        self._run_check(from_edit=True)

    def _start_check(self, *, from_edit: bool) -> None:
        """Check now, on the UI thread.

        check_block takes 1-3 ms for a real block and about 10 ms for 500 lines (acorn in a warm V8
        context, results cached by content), and it runs once per pause in typing, so a worker thread
        would buy nothing here. (One was tried: PySide6 then hung or crashed at interpreter exit when
        a check was in flight.)
        """
        self._run_check(from_edit=from_edit)

    def _run_check(self, *, from_edit: bool) -> None:
        self._timer.stop()
        source = self.code()
        try:
            result = check_block(source)
        except Exception as exc:  # noqa: BLE001 (a broken validator must not take the studio down)
            log.exception("block check failed")
            result = BlockCheck((Diagnostic(1, 1, f"the block could not be checked ({exc})"),))
        self._problems = tuple(result.diagnostics)
        self.editor.set_diagnostics(self._problems)
        self._update_settings(result.schema)
        self._show_status()
        self.checked.emit(result)
        if result.ok and from_edit:
            self.code_valid.emit(source)

    def _update_settings(self, schema: dict) -> None:
        declared = [s.get("id") for s in schema.get("settings", []) if isinstance(s, dict)]
        names = [n for n in declared if isinstance(n, str)]
        names += [n for n in self._explicit_settings if n not in names]
        self.editor.set_setting_names(names)

    def check_pending(self) -> bool:
        """True while an edit waits for its debounced check."""
        return self._timer.isActive()

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of the latest check of the current text."""
        return self._problems

    def _show_status(self) -> None:
        if self._problems:
            first = self._problems[0]
            text = f"Line {first.line}, column {first.column}: {first.message}"
            if len(self._problems) > 1:
                text += f"  (+{len(self._problems) - 1} more)"
            self._set_state("error", text)
            self.goto_button.setToolTip(f"Move the cursor to line {first.line}, column {first.column}")
            self.goto_button.show()
        else:
            self._set_state("ok", "No problems")
            self.goto_button.hide()

    def _set_state(self, state: str, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip("\n".join(f"Line {d.line}, column {d.column}: {d.message}" for d in self._problems))
        for widget in (self.status, self._dot):
            widget.setProperty("state", state)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def jump_to_problem(self) -> None:
        """Move the editor's cursor to the first problem."""
        if self._problems:
            self.editor.go_to(self._problems[0].line, self._problems[0].column)

    def _show_cursor_position(self) -> None:
        cursor = self.editor.textCursor()
        self._position.setText(f"Ln {cursor.blockNumber() + 1}, Col {cursor.positionInBlock() + 1}"
                               "   \u00b7   Spaces: 2   \u00b7   JavaScript")

    # ---- Render problems ----

    def show_render_problem(self, message: str, *, code: str | None = None) -> None:
        """Show why the block stopped at render (time, memory, output size...) until the next edit.

        code is the BlockResult.code when there is one; without it the kind is read from the message.
        """
        title, detail = render_problem_text(message, code)
        self.banner_title.setText(title)
        self.banner_detail.setText(detail)
        self.banner.show()

    def clear_render_problem(self) -> None:
        """Hide the render-problem banner."""
        self.banner.hide()

    def render_problem(self) -> str | None:
        """The banner's title while it is shown, else None."""
        return self.banner_title.text() if not self.banner.isHidden() else None
