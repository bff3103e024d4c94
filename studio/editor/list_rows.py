"""How rows of the studio's lists are drawn: a title, a grey second line and small badges on the
right ("Draft", "Hidden", "Custom code"). Items carry these in their data roles."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 1
BADGES_ROLE = Qt.ItemDataRole.UserRole + 2      # list of (text, kind): kind is "draft", "live", "muted", "code"
ID_ROLE = Qt.ItemDataRole.UserRole + 3

_BADGE_COLORS = {
    "live": (QColor("#dcfce7"), QColor("#166534")),
    "draft": (QColor("#fef3c7"), QColor("#92400e")),
    "muted": (QColor("#e5e7eb"), QColor("#374151")),
    "code": (QColor("#e0e7ff"), QColor("#3730a3")),
    "error": (QColor("#fee2e2"), QColor("#991b1b")),
}


class RowDelegate(QStyledItemDelegate):
    """Two lines of text and right-aligned pill badges."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        lines = 2 if index.data(SUBTITLE_ROLE) else 1
        return QSize(120, 14 + lines * option.fontMetrics.height() + (4 if lines == 2 else 0))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        rect = option.rect.adjusted(4, 2, -4, -2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#dbeafe") if selected else QColor("#f1f5f9"))
            painter.drawRoundedRect(rect, 6, 6)
        x_right = rect.right() - 8
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() - 1.5))
        small.setWeight(QFont.Weight.DemiBold)
        painter.setFont(small)
        metrics = painter.fontMetrics()
        for text, kind in reversed(index.data(BADGES_ROLE) or []):
            width = metrics.horizontalAdvance(text) + 12
            badge = QRect(x_right - width, rect.center().y() - metrics.height() // 2 - 1, width, metrics.height() + 2)
            background, foreground = _BADGE_COLORS.get(kind, _BADGE_COLORS["muted"])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
            painter.setPen(foreground)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            x_right -= width + 6
        text_rect = QRect(rect.left() + 10, rect.top() + 5, x_right - rect.left() - 14, rect.height() - 10)
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.Medium)
        painter.setFont(title_font)
        painter.setPen(QColor("#0f172a"))
        subtitle = index.data(SUBTITLE_ROLE)
        line = painter.fontMetrics().height()
        title = painter.fontMetrics().elidedText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
                                                  Qt.TextElideMode.ElideRight, text_rect.width())
        if subtitle:
            painter.drawText(QRect(text_rect.left(), text_rect.top(), text_rect.width(), line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
            painter.setFont(option.font)
            painter.setPen(QColor("#64748b"))
            sub = painter.fontMetrics().elidedText(str(subtitle), Qt.TextElideMode.ElideRight, text_rect.width())
            painter.drawText(QRect(text_rect.left(), text_rect.top() + line + 2, text_rect.width(), line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, sub)
        else:
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.restore()
