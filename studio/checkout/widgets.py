"""Small pieces every Checkout page uses: cards, labelled fields with their error line, money and
percent text, and a router that puts each FieldProblem next to the field it names."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from shared.checkout.errors import CheckoutErrorCode, FieldProblem, SetupError
from shared.models.money import MoneyError, from_major, major_text


def money_text(amount: int | None, currency: str) -> str:
    """Minor units as the merchant types them ("5.00"); "" for None."""
    return "" if amount is None else major_text(amount, currency)


def parse_money(text: str, currency: str, field: str, *, optional: bool = False) -> int | None:
    """What the merchant typed ("5", "5.00", "$5") as minor units. Raises SetupError naming `field`."""
    cleaned = text.strip().replace(",", "").lstrip("$€£¥")
    if not cleaned and optional:
        return None
    try:
        amount = from_major(cleaned or "x", currency)
    except MoneyError:
        raise SetupError([FieldProblem(field, CheckoutErrorCode.BAD_AMOUNT,
                                       f"{text.strip() or 'nothing'} is not an amount (type e.g. 5.00)")]) from None
    if amount < 0:
        raise SetupError([FieldProblem(field, CheckoutErrorCode.BAD_AMOUNT, "cannot be negative")])
    return amount


def parse_whole(text: str, field: str, *, optional: bool = True) -> int | None:
    """A whole number the merchant typed ("" is None when optional). Raises SetupError naming `field`."""
    cleaned = text.strip()
    if not cleaned and optional:
        return None
    if not cleaned.isdigit():
        raise SetupError([FieldProblem(field, CheckoutErrorCode.BAD_VALUE, f"{cleaned or 'nothing'} is not a whole number")])
    return int(cleaned)


def scrolling_page(title: str, subtitle: str) -> tuple[QScrollArea, QVBoxLayout]:
    """A page: a scroll area with a title and a subtitle; returns it and the column to fill."""
    area = QScrollArea(widgetResizable=True, objectName="checkoutPage")
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    body = QWidget(objectName="checkoutBody")
    column = QVBoxLayout(body)
    column.setContentsMargins(32, 24, 32, 24)
    column.setSpacing(16)
    column.addWidget(QLabel(title, objectName="pageTitle"))
    column.addWidget(QLabel(subtitle, objectName="pageSubtitle", wordWrap=True))
    area.setWidget(body)
    return area, column


def card(title: str, hint: str = "") -> tuple[QFrame, QVBoxLayout]:
    """A white card with a title (and a grey hint under it); returns it and its column."""
    frame = QFrame(objectName="card")
    column = QVBoxLayout(frame)
    column.setContentsMargins(20, 16, 20, 18)
    column.setSpacing(8)
    column.addWidget(QLabel(title, objectName="cardTitle"))
    if hint:
        column.addWidget(QLabel(hint, objectName="hint", wordWrap=True))
    return frame, column


def error_label() -> QLabel:
    """The red line under a field (hidden while empty)."""
    label = QLabel("", objectName="fieldError", wordWrap=True)
    label.setVisible(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def labelled(text: str, widget: QWidget, *, hint: str = "", suffix: str = "") -> tuple[QWidget, QLabel]:
    """A field: its label above, the input (with a unit after it), a hint and its error line."""
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(4)
    if text:
        column.addWidget(QLabel(text, objectName="fieldLabel"))
    row = QHBoxLayout()
    row.setSpacing(6)
    narrow = widget.maximumWidth() < 10_000       # a short input (an amount) stays short, on the left
    row.addWidget(widget, 0 if narrow else 1)
    if suffix:
        row.addWidget(QLabel(suffix, objectName="unit"))
    if narrow:
        row.addStretch(1)
    column.addLayout(row)
    if hint:
        column.addWidget(QLabel(hint, objectName="hint", wordWrap=True))
    error = error_label()
    column.addWidget(error)
    return holder, error


class ProblemRouter:
    """Shows each FieldProblem on the error line registered for its field, or for the nearest
    enclosing one (`tax.rates` takes `tax.rates[2].region`); the rest on the page's own line."""

    def __init__(self, fallback: QLabel):
        self.fallback = fallback
        self.labels: dict[str, QLabel] = {}

    def add(self, field: str, label: QLabel) -> QLabel:
        """Register the error line of `field`."""
        self.labels[field] = label
        return label

    def _target(self, field: str) -> QLabel:
        best = ""
        for key in self.labels:
            if (field == key or field.startswith(key + ".") or field.startswith(key + "[")) and len(key) > len(best):
                best = key
        return self.labels[best] if best else self.fallback

    def show(self, problems: Iterable[FieldProblem], describe=None) -> None:
        """Clear every line, then write each problem (`describe(problem)` gives its text)."""
        texts: dict[int, tuple[QLabel, list[str]]] = {}
        for label in (*self.labels.values(), self.fallback):
            texts[id(label)] = (label, [])
        for problem in problems:
            label = self._target(problem.field)
            texts[id(label)][1].append(describe(problem) if describe else _sentence(problem.message))
        for label, lines in texts.values():
            label.setText("\n".join(dict.fromkeys(lines)))
            label.setVisible(bool(lines))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message
