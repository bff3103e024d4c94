"""The block settings form, made from a block's schema: every field type gets its widget, and edits
are handed over as the whole new settings object (what the inspector stores as one undoable edit)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QListWidget, QPlainTextEdit

from shared.compose.registry import builtin_block
from shared.compose.schema import clean_settings
from studio.editor.settings_form import SettingsForm

SCHEMA = {"settings": [
    {"id": "title", "type": "text", "default": "Hello"},
    {"id": "body", "type": "textarea"},
    {"id": "story", "type": "richtext"},
    {"id": "count", "type": "number", "min": 1, "max": 9, "default": 3},
    {"id": "dark", "type": "checkbox", "default": False},
    {"id": "tone", "type": "select", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    {"id": "items", "type": "list", "fields": [{"id": "q", "type": "text"}]},
    {"id": "picks", "type": "products"},
]}


def test_each_type_gets_its_widget_and_changes_arrive_whole(session, qtbot):
    seen = []
    form = SettingsForm(session, SCHEMA, {"title": "Hi"}, seen.append)
    qtbot.addWidget(form)
    assert isinstance(form.fields["title"], QLineEdit) and form.fields["title"].text() == "Hi"
    assert isinstance(form.fields["body"], QPlainTextEdit)
    assert isinstance(form.fields["dark"], QCheckBox)
    assert isinstance(form.fields["tone"], QComboBox) and form.fields["tone"].count() == 2
    assert isinstance(form.fields["picks"], QListWidget) and form.fields["picks"].count() > 10  # the demo's products
    qtbot.keyClicks(form.fields["title"], "!")
    assert seen[-1] == {"title": "Hi!"}
    form.fields["dark"].setChecked(True)
    assert seen[-1] == {"title": "Hi!", "dark": True}
    clean_settings(SCHEMA, seen[-1])      # what the form hands over is valid for the schema


def test_rich_text_is_edited_formatted_and_stored_as_clean_html(session, qtbot):
    seen = []
    form = SettingsForm(session, builtin_block("rich-text").schema, {"text": "<p>Plain words</p>"}, seen.append)
    qtbot.addWidget(form)
    body = form.fields["text"].property("editor")
    assert "Plain words" in body.toPlainText()
    body.selectAll()
    body.toggle_mark("bold")
    qtbot.keyClicks(body, "Bold words")
    stored = seen[-1]["text"]
    assert "<strong>" in stored and "Bold words" in stored and "<span" not in stored and "style=" not in stored
    clean_settings(builtin_block("rich-text").schema, seen[-1])
