"""The studio's look: the Fusion style with a light palette and one stylesheet (studio/studio.qss)."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication


def apply_style(app: QApplication) -> None:
    """Fusion, a calm light palette, a readable UI font and the studio stylesheet."""
    app.setStyle("Fusion")
    palette = QPalette()
    for role, color in ((QPalette.ColorRole.Window, "#f8fafc"), (QPalette.ColorRole.Base, "#ffffff"),
                        (QPalette.ColorRole.AlternateBase, "#f1f5f9"), (QPalette.ColorRole.Text, "#0f172a"),
                        (QPalette.ColorRole.WindowText, "#0f172a"), (QPalette.ColorRole.Button, "#ffffff"),
                        (QPalette.ColorRole.ButtonText, "#0f172a"), (QPalette.ColorRole.Highlight, "#2563eb"),
                        (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, "#0f172a"),
                        (QPalette.ColorRole.ToolTipText, "#f8fafc"), (QPalette.ColorRole.PlaceholderText, "#94a3b8")):
        palette.setColor(role, QColor(color))
    # setColor(role, ...) paints every group alike: disabled buttons and fields would look live.
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#94a3b8"))
    app.setPalette(palette)
    font = QFont("Inter")
    font.setFamilies(["Inter", "Cantarell", "Noto Sans", "DejaVu Sans", "Segoe UI", "Helvetica Neue", "Arial"])
    font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(resources.files("studio").joinpath("studio.qss").read_text(encoding="utf-8"))
