"""A block's settings form, generated from the settings its schema declares (like a Shopify section
schema): text, textarea, rich text, number and range, checkbox, colour, select, link, image, product(s),
collection(s) and lists of items. Every change is handed to `on_change(settings)` with the whole new
settings object; the owner stores it (checked against the schema) as one undoable edit."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QColorDialog, QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QGroupBox,
                               QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget)

from shared.compose.schema import with_defaults
from shared.db.repositories import catalog, content
from studio.session import StudioSession

Change = Callable[[Any], None]


def _label(spec: Mapping[str, Any]) -> str:
    return str(spec.get("label") or str(spec.get("id", "")).replace("_", " ").capitalize())


class SettingsForm(QWidget):
    """Fields for one block's settings."""

    def __init__(self, session: StudioSession, schema: Mapping[str, Any], settings: Mapping[str, Any],
                 on_change: Callable[[dict[str, Any]], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.schema = schema
        self.values = copy.deepcopy(with_defaults(schema, settings))
        self.stored = dict(settings)
        self._on_change = on_change
        self.fields: dict[str, QWidget] = {}
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(10)
        specs = [s for s in schema.get("settings", []) if isinstance(s, Mapping) and isinstance(s.get("id"), str)]
        if not specs:
            layout.addRow(QLabel("This block has no settings. Change it in the Code tab.", objectName="muted",
                                 wordWrap=True))
        for spec in specs:
            widget = self._field(spec, self.values.get(spec["id"]), lambda v, key=spec["id"]: self._set(key, v))
            self.fields[spec["id"]] = widget
            layout.addRow(_label(spec), widget)
            if spec.get("info"):
                layout.addRow(QLabel(str(spec["info"]), objectName="muted", wordWrap=True))

    def _set(self, key: str, value: Any) -> None:
        self.values[key] = value
        self.stored[key] = value
        self._on_change(dict(self.stored))

    # -- one field per type -----------------------------------------------------------------------

    def _field(self, spec: Mapping[str, Any], value: Any, changed: Change) -> QWidget:
        kind = spec.get("type", "text")
        maker = {
            "textarea": self._textarea, "richtext": self._richtext, "number": self._number, "range": self._range,
            "checkbox": self._checkbox, "color": self._color, "select": self._select, "image": self._image,
            "product": self._product, "collection": self._collection, "products": self._products,
            "collections": self._collections, "list": self._list,
        }.get(kind, self._text)
        return maker(spec, value, changed)

    def _text(self, spec, value, changed: Change) -> QWidget:
        field = QLineEdit(str(value or ""))
        if spec.get("type") == "url":
            field.setPlaceholderText("/pages/about or https://…")
        field.textEdited.connect(changed)
        return field

    def _textarea(self, spec, value, changed: Change) -> QWidget:
        field = QPlainTextEdit(str(value or ""))
        field.setFixedHeight(84)
        field.textChanged.connect(lambda: changed(field.toPlainText()))
        return field

    def _richtext(self, spec, value, changed: Change) -> QWidget:
        """The same formatted-text editor as posts (headings, bold, italic, lists, quote, links),
        stored as the small clean HTML the storefront allows (sanitised again when saved)."""
        from studio.editor.rich_text import BodyEdit, body_box, format_commands

        body = BodyEdit(self.session.data_dir.media_dir)
        body.load(str(value or ""))
        body.setMinimumHeight(140)

        def ask_link() -> None:
            href, ok = QInputDialog.getText(self, "Link", "Address (https://…, /pages/… or mailto:…):",
                                            text=body.textCursor().charFormat().anchorHref())
            if ok and (not href.strip() or href.strip().startswith(("https://", "http://", "mailto:", "/"))):
                body.set_link(href.strip())

        groups = format_commands(body, ask_link=ask_link, pick_image=lambda: None)
        groups = [*groups[:-1], [command for command in groups[-1] if command.key == "link"]]

        def wrap(run):
            return lambda: (run(), changed(body.html()))

        box, _actions = body_box(body, groups, owner=self, wrap=wrap)
        body.textChanged.connect(lambda: changed(body.html()))
        box.setProperty("editor", body)
        return box

    def _number(self, spec, value, changed: Change) -> QWidget:
        is_int = all(isinstance(spec.get(k, 1), int) for k in ("min", "max", "step")) and isinstance(value or 0, int)
        field = QSpinBox() if is_int else QDoubleSpinBox()
        field.setRange(spec.get("min", -1_000_000), spec.get("max", 1_000_000))
        field.setSingleStep(spec.get("step", 1))
        field.setValue(value if isinstance(value, int | float) else 0)
        field.setKeyboardTracking(False)
        field.valueChanged.connect(changed)
        return field

    def _range(self, spec, value, changed: Change) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(int(spec.get("min", 0)), int(spec.get("max", 100)))
        slider.setSingleStep(int(spec.get("step", 1)))
        slider.setValue(int(value) if isinstance(value, int | float) else slider.minimum())
        shown = QLabel(f"{slider.value()}{spec.get('unit', '')}", minimumWidth=48)
        slider.valueChanged.connect(lambda v: shown.setText(f"{v}{spec.get('unit', '')}"))
        slider.sliderReleased.connect(lambda: changed(slider.value()))
        slider.valueChanged.connect(lambda v: None if slider.isSliderDown() else changed(v))
        row.addWidget(slider, 1)
        row.addWidget(shown)
        box.setProperty("editor", slider)
        return box

    def _checkbox(self, spec, value, changed: Change) -> QWidget:
        field = QCheckBox(str(spec.get("text", "")))
        field.setChecked(bool(value))
        field.toggled.connect(changed)
        return field

    def _color(self, spec, value, changed: Change) -> QWidget:
        button = QPushButton(str(value or "#000000"), objectName="colorButton")

        def paint(color: str) -> None:
            text = "#ffffff" if QColor(color).lightness() < 140 else "#0f172a"
            button.setText(color)
            button.setStyleSheet(f"background:{color}; color:{text};")

        def pick() -> None:
            chosen = QColorDialog.getColor(QColor(button.text()), self, _label(spec))
            if chosen.isValid():
                paint(chosen.name())
                changed(chosen.name())

        paint(str(value or "#000000"))
        button.clicked.connect(pick)
        return button

    def _select(self, spec, value, changed: Change) -> QWidget:
        field = QComboBox()
        for option in spec.get("options", []):
            if isinstance(option, Mapping):
                field.addItem(str(option.get("label", option.get("value"))), option.get("value"))
            else:
                field.addItem(str(option), option)
        index = field.findData(value)
        field.setCurrentIndex(max(0, index))
        field.activated.connect(lambda i: changed(field.itemData(i)))
        return field

    def _image(self, spec, value, changed: Change) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        name = QLabel(self._media_name(value), objectName="muted")
        choose = QPushButton("Choose…", objectName="smallButton")
        clear = QPushButton("Remove", objectName="smallButton")

        def pick() -> None:
            from studio.editor.media_library import MediaPickerDialog  # the media library owns the picker

            media_id = MediaPickerDialog.pick(self.session, self)
            if media_id is not None:
                name.setText(self._media_name(media_id))
                changed(media_id)

        choose.clicked.connect(pick)
        clear.clicked.connect(lambda: (name.setText(self._media_name(None)), changed(None)))
        row.addWidget(name, 1)
        row.addWidget(choose)
        row.addWidget(clear)
        return box

    def _media_name(self, media_id: str | None) -> str:
        if not media_id:
            return "No image"
        found = self.session.db.read(lambda conn: content.get_media_many(conn, [media_id]))
        return found[media_id].filename if media_id in found else "Missing image"

    def _choices(self, items: list[tuple[str, str]], value, changed: Change, empty: str) -> QComboBox:
        field = QComboBox()
        field.addItem(empty, None)
        for label, handle in items:
            field.addItem(label, handle)
        field.setCurrentIndex(max(0, field.findData(value)))
        field.activated.connect(lambda i: changed(field.itemData(i)))
        return field

    def _product(self, spec, value, changed: Change) -> QWidget:
        return self._choices(self._product_choices(), value, changed, "No product")

    def _collection(self, spec, value, changed: Change) -> QWidget:
        return self._choices(self._collection_choices(), value, changed, "No collection")

    def _checklist(self, items: list[tuple[str, str]], value, changed: Change) -> QWidget:
        field = QListWidget()
        field.setFixedHeight(140)
        chosen = set(value or [])
        for label, handle in items:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, handle)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if handle in chosen else Qt.CheckState.Unchecked)
            field.addItem(item)
        field.itemChanged.connect(lambda _item: changed([
            field.item(i).data(Qt.ItemDataRole.UserRole) for i in range(field.count())
            if field.item(i).checkState() == Qt.CheckState.Checked]))
        return field

    def _products(self, spec, value, changed: Change) -> QWidget:
        return self._checklist(self._product_choices(), value, changed)

    def _collections(self, spec, value, changed: Change) -> QWidget:
        return self._checklist(self._collection_choices(), value, changed)

    def _product_choices(self) -> list[tuple[str, str]]:
        def read(conn):
            products = catalog.get_products(conn, catalog.list_product_ids(conn, limit=500))
            return sorted((p.title, p.handle) for p in products.values())
        return self.session.db.read(read)

    def _collection_choices(self) -> list[tuple[str, str]]:
        return [(c.title, c.handle) for c in self.session.db.read(lambda conn: catalog.list_collections(conn))]

    def _list(self, spec, value, changed: Change) -> QWidget:
        return _ItemList(self, spec, list(value or []), changed)


class _ItemList(QFrame):
    """A list setting (FAQ questions, testimonials): one small form per item, add and remove."""

    def __init__(self, form: SettingsForm, spec: Mapping[str, Any], items: list[dict[str, Any]], changed: Change):
        super().__init__(objectName="itemList")
        self.form, self.spec, self.items, self.changed = form, spec, items, changed
        self.fields = [f for f in spec.get("fields", []) if isinstance(f, Mapping) and isinstance(f.get("id"), str)]
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self._build()

    def _build(self) -> None:
        while self.column.count():
            widget = self.column.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for index, item in enumerate(self.items):
            group = QGroupBox(f"{_label(self.spec)} {index + 1}")
            rows = QFormLayout(group)
            for field in self.fields:
                rows.addRow(_label(field), self.form._field(field, item.get(field["id"]),
                                                            lambda v, i=index, k=field["id"]: self._set(i, k, v)))
            remove = QPushButton("Remove", objectName="smallButton")
            remove.clicked.connect(lambda _=False, i=index: self._remove(i))
            rows.addRow(remove)
            self.column.addWidget(group)
        add = QPushButton(f"+ Add {_label(self.spec).rstrip('s').lower()}", objectName="linkButton")
        add.clicked.connect(self._add)
        self.column.addWidget(add)

    def _set(self, index: int, key: str, value: Any) -> None:
        self.items[index] = {**self.items[index], key: value}
        self.changed(copy.deepcopy(self.items))

    def _add(self) -> None:
        self.items.append({f["id"]: f.get("default", "") for f in self.fields})
        self.changed(copy.deepcopy(self.items))
        self._build()

    def _remove(self, index: int) -> None:
        del self.items[index]
        self.changed(copy.deepcopy(self.items))
        self._build()
