"""The theme editor: starter theme, colours (with a colour picker), typography, spacing, layout and
custom CSS. Each change is stored at once as one undoable edit and the preview follows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QColorDialog, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel,
                               QPlainTextEdit, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from shared.compose.theme import CHOICE_SETTINGS, COLOR_KEYS, NUMBER_SETTINGS, effective_settings, fonts, starters
from shared.models import Theme
from shared.themes import service as themes
from studio.session import THEME, StudioSession

_LABELS = {
    "background": "Background", "surface": "Soft background", "text": "Text", "muted": "Secondary text",
    "accent": "Accent (buttons, links)", "accent_text": "Text on accent", "border": "Lines and borders",
    "base_size": "Body text size", "heading_weight": "Heading weight", "heading_scale": "Heading scale",
    "section": "Space between sections", "radius": "Corner rounding", "max_width": "Page width",
    "header": "Header layout", "footer": "Footer layout", "heading_font": "Heading font", "body_font": "Body font",
}
CSS_SAVE_MS = 0     # stored on every change (merged into one undo step): nothing typed is lost


class ThemeEditor(QWidget):
    """`edited` after any stored change (for the preview)."""

    edited = Signal()

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.color_buttons: dict[str, QPushButton] = {}
        self.inputs: dict[tuple[str, str], QWidget] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(12, 12, 12, 12)
        self.column.setSpacing(12)
        scroll.setWidget(body)

        self.preset = QComboBox()
        for key, starter in starters().items():
            self.preset.addItem(starter["name"], key)
        self.preset.activated.connect(lambda i: self.switch_preset(self.preset.itemData(i)))
        self.preset_note = QLabel("", objectName="muted", wordWrap=True)
        self._group("Theme", [("Starter theme", self.preset), ("", self.preset_note)])
        self._group("Colours", [(_LABELS[k], self._color_button(k)) for k in COLOR_KEYS])
        font_rows = [(_LABELS[k], self._font_combo(k)) for k in ("heading_font", "body_font")]
        number_rows = [(_LABELS[key], self._number(group, key, low, high))
                       for (group, key), (low, high, _unit) in NUMBER_SETTINGS.items() if group == "typography"]
        self._group("Typography", font_rows + number_rows)
        self._group("Spacing and layout", [
            *[(_LABELS[key], self._number(group, key, low, high))
              for (group, key), (low, high, _unit) in NUMBER_SETTINGS.items() if group != "typography"],
            *[(_LABELS[key], self._choice(group, key, allowed)) for (group, key), allowed in CHOICE_SETTINGS.items()],
        ])
        self.css = QPlainTextEdit(objectName="cssEditor")
        self.css.setPlaceholderText("/* Your own CSS, after the theme's. Theme colours: var(--vs-color-accent) … */")
        self.css.setMinimumHeight(180)
        self._css_timer = QTimer(self, singleShot=True, interval=CSS_SAVE_MS)
        self._css_timer.timeout.connect(self._save_css)
        self.css.textChanged.connect(self._css_timer.start)
        self._group("Custom CSS", [("", self.css), ("", QLabel("Imports, scripts and links to other sites are "
                                                                "removed when the page is built.", objectName="hint",
                                                                wordWrap=True))])
        self.column.addStretch(1)
        self._loading = False
        session.changed.connect(self._on_changed)
        self.reload()

    def _on_changed(self, scope: str) -> None:
        if scope == THEME:
            self.reload()

    def _group(self, title: str, rows: list[tuple[str, QWidget]]) -> None:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget in rows:
            if label:
                form.addRow(label, widget)
            else:
                form.addRow(widget)
        self.column.addWidget(box)

    def _color_button(self, key: str) -> QPushButton:
        button = QPushButton(objectName="colorButton")
        button.clicked.connect(lambda: self._pick_color(key))
        self.color_buttons[key] = button
        return button

    def _font_combo(self, key: str) -> QComboBox:
        combo = QComboBox()
        for name, font in fonts().items():
            combo.addItem(str(font.get("label", name)), name)
        combo.activated.connect(lambda i: self.change({"typography": {key: combo.itemData(i)}}, f"font:{key}"))
        self.inputs[("typography", key)] = combo
        return combo

    def _number(self, group: str, key: str, low: float, high: float) -> QWidget:
        field = QSpinBox() if isinstance(low, int) and isinstance(high, int) else QDoubleSpinBox(singleStep=0.05)
        field.setRange(low, high)
        field.setKeyboardTracking(False)
        field.valueChanged.connect(lambda v: self._loading or self.change({group: {key: v}}, f"{group}:{key}"))
        self.inputs[(group, key)] = field
        return field

    def _choice(self, group: str, key: str, allowed: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        for value in allowed:
            combo.addItem(value.capitalize(), value)
        combo.activated.connect(lambda i: self.change({group: {key: combo.itemData(i)}}, f"{group}:{key}"))
        self.inputs[(group, key)] = combo
        return combo

    # -- showing ----------------------------------------------------------------------------------

    def theme(self) -> Theme:
        """The active theme as stored."""
        return themes.active_theme(self.session.db)

    def reload(self) -> None:
        """Show the stored theme."""
        theme = self.theme()
        values = effective_settings(theme)
        self._loading = True
        self.preset.setCurrentIndex(max(0, self.preset.findData(theme.preset)))
        self.preset_note.setText(starters().get(theme.preset, {}).get("description", ""))
        for key, button in self.color_buttons.items():
            color = values["colors"][key]
            button.setText(color)
            ink = "#ffffff" if QColor(color).lightness() < 140 else "#0f172a"
            button.setStyleSheet(f"background:{color}; color:{ink};")
        for (group, key), widget in self.inputs.items():
            value = values[group][key]
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            else:
                widget.setValue(value)
        if self.css.toPlainText() != theme.custom_css and not self._css_timer.isActive():
            self.css.blockSignals(True)
            self.css.setPlainText(theme.custom_css)
            self.css.blockSignals(False)
        self._loading = False

    # -- editing ----------------------------------------------------------------------------------

    def _pick_color(self, key: str) -> None:
        current = QColor(self.color_buttons[key].text())
        chosen = QColorDialog.getColor(current, self, _LABELS[key])
        if chosen.isValid():
            self.change({"colors": {key: chosen.name()}}, f"color:{key}")

    def change(self, changes: dict[str, Any], merge_key: str | None = None) -> None:
        """Store theme setting changes ({"colors": {"accent": "#aa3300"}}) as one undoable edit."""
        if self._loading:
            return
        db = self.session.db
        before = effective_settings(self.theme())

        def restore(_theme: Theme) -> None:
            themes.update_theme_settings(db, changes={g: {k: before[g][k] for k in values}
                                                      for g, values in changes.items()})

        self.session.edit("Change theme", lambda: themes.update_theme_settings(db, changes=changes), restore,
                          scopes=(THEME,), merge_key=merge_key)
        self.edited.emit()

    def switch_preset(self, preset: str) -> None:
        """Start from another starter theme (the merchant's colours and fonts are reset to it)."""
        old = self.theme()
        if preset == old.preset:
            return
        db = self.session.db

        def back(_theme: Theme) -> None:
            themes.switch_preset(db, preset=old.preset)
            themes.update_theme_settings(db, changes={g: v for g, v in old.settings.items() if isinstance(v, dict)})

        self.session.edit(f"Switch to {starters()[preset]['name']}", lambda: themes.switch_preset(db, preset=preset),
                          back, scopes=(THEME,))
        self.edited.emit()

    def _save_css(self) -> None:
        db, css = self.session.db, self.css.toPlainText()
        before = self.theme().custom_css
        if css == before:
            return
        self.session.edit("Edit custom CSS", lambda: themes.set_custom_css(db, css=css),
                          lambda _t: themes.set_custom_css(db, css=before), scopes=(THEME,), merge_key="custom-css")
        self.edited.emit()

    def flush(self) -> None:
        """Store CSS still waiting for its debounce (the window is closing)."""
        if self._css_timer.isActive():
            self._css_timer.stop()
            self._save_css()
