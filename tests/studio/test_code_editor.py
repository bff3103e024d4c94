"""The studio's code editor and code panel, offscreen with pytest-qt and the real validator (V8)."""

from __future__ import annotations

import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QTextCursor  # noqa: E402

from shared.vibe.engine import js_source  # noqa: E402
from shared.vibe.errors import Diagnostic  # noqa: E402
from studio.editor.code_editor import CodeEditor  # noqa: E402
from studio.editor.code_panel import CodePanel  # noqa: E402
from studio.editor.completions import H_HELPERS  # noqa: E402
from studio.editor.highlighter import SYNTAX_PALETTE  # noqa: E402

from screenshots import save_screenshot, settle  # noqa: E402 - tests/studio, see screenshots.py

BLOCK = """// Accepts: a heading and a count. Usage: "Featured products" on the home page.
const schema = {
  name: "Product grid",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Featured" },
    { id: "limit", type: "number", label: "Products", default: 8 },
  ],
  data: { products: { limit: "$limit" } },
};

/* Cards come from the shared helper,
   so every grid looks the same. */
function render(ctx, h) {
  const items = ctx.products.slice(0, ctx.settings.limit);
  return h.html`<section class="vs-grid">
    <h2>${ctx.settings.heading}</h2>
    <ul>${items.map((p) => h.productCard(p, { sizes: "50vw" }))}</ul>
  </section>`;
}
"""


@pytest.fixture
def editor(qtbot) -> CodeEditor:
    widget = CodeEditor()
    widget.resize(700, 400)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def panel(qtbot) -> CodePanel:
    widget = CodePanel()
    widget.resize(820, 520)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def colour_at(editor: CodeEditor, line: int, column: int) -> str:
    """The syntax colour applied at a 0-based line and column."""
    layout = editor.document().findBlockByNumber(line).layout()
    for fmt_range in layout.formats():
        if fmt_range.start <= column < fmt_range.start + fmt_range.length:
            return fmt_range.format.foreground().color().name()
    return ""


def palette(kind: str) -> str:
    return QColor(SYNTAX_PALETTE[kind][0]).name()


def put_cursor(editor: CodeEditor, line: int, column: int) -> None:
    cursor = QTextCursor(editor.document().findBlockByNumber(line))
    cursor.movePosition(QTextCursor.MoveOperation.Right, n=column)
    editor.setTextCursor(cursor)


# ---- Highlighting ----

def test_keywords_strings_and_comments_are_coloured(editor):
    editor.setPlainText(BLOCK)
    assert colour_at(editor, 1, 0) == palette("keyword")          # const
    assert colour_at(editor, 2, 9) == palette("string")           # "Product grid"
    assert colour_at(editor, 0, 3) == palette("comment")          # // Accepts
    assert colour_at(editor, 12, 9) == palette("function")        # render(
    assert colour_at(editor, 12, 16) == palette("vibe")           # ctx


def test_template_literals_and_block_comments_span_lines(editor):
    editor.setPlainText(BLOCK)
    lines = BLOCK.split("\n")
    assert colour_at(editor, 11, 3) == palette("comment")         # second line of /* ... */
    inside = lines[16].index("</ul>")                             # third line of h.html`...`
    assert colour_at(editor, 16, inside) == palette("tag")
    assert colour_at(editor, 17, lines[17].index("</section>") + 2) == palette("tag")
    # ${...} on a continuation line is code again, with its own colours
    assert colour_at(editor, 15, lines[15].index("${")) == palette("interp")
    assert colour_at(editor, 15, lines[15].index("ctx")) == palette("vibe")
    # a brace inside ${...} (an options object) does not end the interpolation
    after_options = lines[16].index(")}</ul>")
    assert colour_at(editor, 16, after_options) == palette("punctuation")


def test_opening_a_template_recolours_the_following_lines(editor):
    editor.setPlainText("const a = 1;\nconst b = 2;\nconst c = 3;\n")
    assert colour_at(editor, 2, 0) == palette("keyword")
    put_cursor(editor, 0, len("const a = "))
    editor.textCursor().insertText("`")
    assert colour_at(editor, 2, 0) == palette("template")
    put_cursor(editor, 1, 0)
    editor.textCursor().insertText("`;")                          # closes it again
    assert colour_at(editor, 2, 0) == palette("keyword")


def test_typing_relexes_only_nearby_lines(editor):
    editor.setPlainText(BLOCK * 27)                               # 500 lines
    assert editor.blockCount() > 500
    put_cursor(editor, 250, 2)
    before = editor.highlighter.lex_count
    editor.textCursor().insertText("x")
    lexed = editor.highlighter.lexed()
    assert editor.highlighter.lex_count == before + 1
    assert lexed.lexed_lines < 40


# ---- Gutter, brackets, typing ----

def test_gutter_grows_with_the_line_count(editor):
    editor.setPlainText("\n" * 8)
    narrow = editor.gutter_width()
    editor.setPlainText("\n" * 1200)
    wide = editor.gutter_width()
    assert wide == narrow + 2 * editor.fontMetrics().horizontalAdvance("9")
    assert editor.viewportMargins().left() == wide


def test_brackets_match_and_skip_strings_and_comments(editor):
    code = 'f(a, ")", [1, 2], g(b)) // )\nx'
    editor.setPlainText(code)
    put_cursor(editor, 0, 1)                                      # at the first "("
    assert editor.matching_bracket() == (1, code.index(") //"))
    put_cursor(editor, 0, code.index(") //") + 1)                 # just after the closer
    assert editor.matching_bracket() == (1, code.index(") //"))
    put_cursor(editor, 0, code.index("["))
    assert editor.matching_bracket() == (code.index("["), code.index("]"))


def test_brackets_match_across_lines_inside_an_interpolation(editor):
    editor.setPlainText(BLOCK)
    lines = BLOCK.split("\n")
    put_cursor(editor, 12, lines[12].index("{"))                  # the body of render
    opening, closing = editor.matching_bracket()
    doc = editor.document()
    assert doc.findBlock(closing).blockNumber() == 18
    assert doc.characterAt(opening) == "{" and doc.characterAt(closing) == "}"
    put_cursor(editor, 16, lines[16].index("${") + 1)             # the "{" of ${
    opening, closing = editor.matching_bracket()
    assert closing - doc.findBlockByNumber(16).position() == lines[16].index("}</ul>")


def test_tab_inserts_two_spaces_and_enter_keeps_the_indent(editor, qtbot):
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "  "
    qtbot.keyClicks(editor, "if (x) {")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "  if (x) {\n    "
    qtbot.keyClicks(editor, "y();")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "}")
    assert editor.toPlainText() == "  if (x) {\n    y();\n  }"


def test_enter_between_braces_opens_an_indented_line(editor, qtbot):
    editor.setPlainText("function f() {}")
    put_cursor(editor, 0, len("function f() {"))
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "function f() {\n  \n}"
    assert editor.textCursor().blockNumber() == 1


# ---- Diagnostics ----

def test_set_diagnostics_underlines_the_token_and_marks_the_gutter(editor):
    editor.setPlainText("function render(ctx, h) {\n  return eval(x);\n}\n")
    editor.set_diagnostics([Diagnostic(2, 10, "eval is not allowed")])
    errors = [s for s in editor.extraSelections()
              if s.format.underlineStyle() == s.format.UnderlineStyle.WaveUnderline]
    assert len(errors) == 1
    assert errors[0].cursor.selectedText() == "eval"
    assert errors[0].format.underlineColor().name() == QColor("#ff5370").name()
    y = int(editor.cursorRect(QTextCursor(editor.document().findBlockByNumber(1))).center().y())
    assert editor.messages_at_y(y) == ["eval is not allowed"]
    editor.set_diagnostics([])
    assert editor.messages_at_y(y) == []


def test_typing_invalid_code_shows_the_problem_after_the_debounce(panel, qtbot):
    panel.set_code("function render(ctx, h) {\n  return h.html`<p>hi</p>`;\n}\n")
    assert panel.status.text() == "No problems"
    panel.editor.setFocus()
    put_cursor(panel.editor, 1, len("  return h.html`<p>hi</p>`;"))
    qtbot.keyClicks(panel.editor, " eval(1);")
    assert panel.check_pending()
    qtbot.waitUntil(lambda: panel.status.text().startswith("Line 2"), timeout=30_000)
    assert re.match(r"Line 2, column 29: `eval` is not allowed", panel.status.text())
    assert panel.editor.diagnostics()[0][:2] == (2, 29)
    assert panel.goto_button.isVisible()


def test_go_to_error_moves_the_cursor(panel, qtbot):
    panel.set_code("function render(ctx, h) {\n  return h.html`${ctx.x.constructor}`;\n}\n")
    assert panel.problems
    first = panel.problems[0]
    put_cursor(panel.editor, 0, 0)
    qtbot.mouseClick(panel.goto_button, Qt.MouseButton.LeftButton)
    cursor = panel.editor.textCursor()
    assert (cursor.blockNumber() + 1, cursor.positionInBlock() + 1) == (first.line, first.column)


def test_code_valid_fires_once_the_edit_checks_clean(panel, qtbot):
    panel.set_code("function render(ctx, h) {\n  return h.html`<p>hi</p>`\n}\n")
    with qtbot.waitSignal(panel.code_valid, timeout=30_000) as valid:
        put_cursor(panel.editor, 1, len("  return h.html`<p>hi</p>`"))
        panel.editor.textCursor().insertText(";")
    assert valid.args[0].count(";") == 1
    assert panel.status.text() == "No problems"


def test_set_code_does_not_emit_edits_or_fill_the_undo_stack(panel, qtbot):
    edits = []
    panel.code_edited.connect(edits.append)
    panel.set_code(BLOCK)
    assert edits == []
    assert not panel.editor.document().isUndoAvailable()
    panel.editor.textCursor().insertText("x")
    assert edits == ["x" + BLOCK]
    panel.editor.undo()
    assert panel.code() == BLOCK
    panel.editor.undo()
    assert panel.code() == BLOCK                                  # the load itself is not undoable


def test_render_problem_banner_names_the_limit_and_clears_on_edit(panel):
    panel.set_code(BLOCK)
    panel.show_render_problem("Stopped: over the 1 s time limit", code="timeout")
    assert panel.render_problem() == "This block stopped: it took longer than 1 s"
    assert panel.banner.isVisible()
    panel.show_render_problem("Output is 600000 characters, over the 524288 limit for one block")
    assert panel.render_problem() == "This block made too much HTML: over 524,288 characters"
    panel.editor.textCursor().insertText(" ")
    assert panel.render_problem() is None
    assert not panel.banner.isVisible()


# ---- Completion ----

def test_completion_after_h_lists_helpers_and_enter_inserts(editor, qtbot):
    editor.setPlainText("")
    editor.setFocus()
    qtbot.keyClicks(editor, "h.")
    popup = editor.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=30_000)
    assert editor.completion_names() == [c.name for c in H_HELPERS]
    qtbot.keyClicks(editor, "formatP")
    assert editor.completion_names() == ["formatPrice"]
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "h.formatPrice"
    assert not popup.isVisible()


def test_completion_offers_ctx_fields_and_setting_ids(editor, qtbot):
    editor.set_setting_names(["heading", "limit"])
    editor.setFocus()
    qtbot.keyClicks(editor, "ctx.")
    names = editor.completion_names()
    for field in ("storefront", "page", "settings", "products", "collections", "posts", "route", "cart"):
        assert field in names
    qtbot.keyClicks(editor, "settings.")
    assert editor.completion_names() == ["heading", "limit"]
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "ctx.settings.heading"


def test_ctrl_space_opens_completion_and_strings_do_not(editor, qtbot):
    editor.setPlainText('const s = "ctx";')
    put_cursor(editor, 0, len('const s = "ctx'))
    qtbot.keyClicks(editor, ".")
    assert not editor.completer.popup().isVisible()               # inside a string
    editor.setPlainText("const s = ctx.st")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert editor.completion_names() == ["storefront"]
    assert editor.completer.popup().isVisible()


def test_panel_offers_the_settings_its_schema_declares(panel, qtbot):
    panel.set_code(BLOCK)
    put_cursor(panel.editor, 13, len("  const items = "))
    panel.editor.setFocus()
    qtbot.keyClicks(panel.editor, "ctx.settings.")
    assert panel.editor.completion_names() == ["heading", "limit"]


def test_every_helper_in_helpers_js_has_a_completion():
    source = js_source("helpers.js")
    body = source[source.index("const helpers = {"):source.index("return deepFreeze(helpers)")]
    while re.search(r"\([^()]*\)", body):                     # drop the arrow functions' bodies
        body = re.sub(r"\([^()]*\)", "", body)
    names = set(re.findall(r"(?:^|[{,])\s*(\w+)\s*(?=[,:}])", body, re.MULTILINE))
    assert names == {c.name for c in H_HELPERS}


# ---- The screenshot ----

def test_screenshot_of_the_panel_with_an_error(panel, qtbot, tmp_path):
    panel.resize(900, 560)
    panel.set_code(BLOCK.replace("ctx.settings.limit);", "ctx.settings.limit;"))   # a missing ")"
    qtbot.waitUntil(lambda: panel.status.text().startswith("Line"), timeout=30_000)
    panel.show_render_problem("Stopped: over the 1 s time limit", code="timeout")
    put_cursor(panel.editor, 16, BLOCK.split("\n")[16].index("(p)"))
    panel.editor.set_setting_names(["heading", "limit"])
    settle(qtbot, panel)           # the status line laid out for the moved cursor
    save_screenshot(panel, "studio-code-editor.png", tmp_path, size=(900, 560))
