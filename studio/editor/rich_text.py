"""The rich-text body of a journal post: a QTextEdit limited to what the storefront keeps (h2-h4,
paragraphs, lists, quotes, bold, italic, links, images), its formatting bar, and the small clean HTML
it is saved as.

The HTML is built from the QTextDocument's structure (`document_html`), not Qt's verbose toHtml, and
the posts service sanitises it again. Images under /media/ are shown from the store's own files; the
body never fetches from the network. The commands here only change the document: saving, undo and the
dialogs that ask for a link or an image belong to the editor that holds the body (posts_editor).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import NamedTuple

from PySide6.QtCore import QObject, QUrl, Qt
from PySide6.QtGui import (QAction, QColor, QFont, QImage, QKeyEvent, QPainter, QTextBlock, QTextBlockFormat,
                           QTextCharFormat, QTextCursor, QTextDocument, QTextFormat, QTextImageFormat,
                           QTextListFormat)
from PySide6.QtWidgets import QFrame, QTextEdit, QToolBar, QToolButton, QVBoxLayout, QWidget

_QUOTE = QTextFormat.Property.BlockQuoteLevel


# --- the body as clean HTML --------------------------------------------------------------------------

def _inline_html(block: QTextBlock, *, plain: bool) -> str:
    """A block's text with strong/em/a/img/br (`plain`: headings carry no bold of their own)."""
    runs: list[tuple[str, str]] = []       # (href, html)
    it = block.begin()
    while not it.atEnd():
        fragment = it.fragment()
        fmt = fragment.charFormat()
        if fmt.isImageFormat():
            image = fmt.toImageFormat()
            alt = image.property(QTextFormat.Property.ImageAltText) or ""
            html = f'<img src="{escape(image.name())}" alt="{escape(str(alt))}">' * len(fragment.text())
        else:
            html = escape(fragment.text().replace("\ufffc", ""), quote=False).replace("\u2028", "<br>")
            if html.strip() and not plain:
                if fmt.fontItalic():
                    html = f"<em>{html}</em>"
                if fmt.fontWeight() >= QFont.Weight.DemiBold.value:
                    html = f"<strong>{html}</strong>"
        runs.append((fmt.anchorHref() if fmt.isAnchor() else "", html))
        it += 1
    out: list[str] = []
    for href, html in runs:      # one <a> for neighbouring runs of the same link
        if href and out and out[-1].endswith("</a>") and out[-1].startswith(f'<a href="{escape(href)}">'):
            out[-1] = out[-1][:-4] + html + "</a>"
        else:
            out.append(f'<a href="{escape(href)}">{html}</a>' if href else html)
    return "".join(out)


def document_html(document: QTextDocument) -> str:
    """The document as the HTML a post body may hold: h2-h4, p, ul/ol/li, blockquote, inline marks."""
    out: list[str] = []
    open_list, list_tag, in_quote = None, "", False
    block = document.begin()
    while block.isValid():
        text_list, fmt = block.textList(), block.blockFormat()
        if open_list is not None and text_list is not open_list:
            out.append(f"</{list_tag}>")
            open_list = None
        quoted = bool(fmt.property(_QUOTE)) and text_list is None
        if in_quote and not quoted:
            out.append("</blockquote>")
            in_quote = False
        level = fmt.headingLevel()
        inline = _inline_html(block, plain=level > 0)
        if text_list is not None:
            if open_list is None:
                open_list = text_list
                # Qt's numbered styles (decimal, alpha, roman) are the values from ListDecimal down.
                ordered = text_list.format().style().value <= QTextListFormat.Style.ListDecimal.value
                list_tag = "ol" if ordered else "ul"
                out.append(f"<{list_tag}>")
            out.append(f"<li>{inline}</li>")
        elif inline.strip():
            if quoted and not in_quote:
                out.append("<blockquote>")
                in_quote = True
            tag = f"h{min(max(level, 2), 4)}" if level else "p"
            out.append(f"<{tag}>{inline}</{tag}>")
        block = block.next()
    if open_list is not None:
        out.append(f"</{list_tag}>")
    if in_quote:
        out.append("</blockquote>")
    return "".join(out)


# --- the body editor -------------------------------------------------------------------------------

class _PostDocument(QTextDocument):
    """A body document that shows /media/ images from the store's files (scaled to the column) and a
    grey placeholder for remote ones: the studio never fetches from the network."""

    MAX_WIDTH = 560

    def __init__(self, media_dir, parent: QObject | None = None):
        super().__init__(parent)
        self._media_dir = media_dir

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt's name
        if kind != QTextDocument.ResourceType.ImageResource.value:
            return super().loadResource(kind, url)
        path = url.path() if url.scheme() in ("", "vibeshop") else ""
        name = path.removeprefix("/media/")
        image = QImage(str(self._media_dir / name)) if path.startswith("/media/") and "/" not in name else QImage()
        if image.isNull():
            image = QImage(320, 120, QImage.Format.Format_RGB32)
            image.fill(QColor("#e2e8f0"))
            painter = QPainter(image)
            painter.setPen(QColor("#475569"))
            painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, url.host() or name or "image")
            painter.end()
        elif image.width() > self.MAX_WIDTH:
            image = image.scaledToWidth(self.MAX_WIDTH, Qt.TransformationMode.SmoothTransformation)
        return image


def _selected_blocks(cursor: QTextCursor) -> list[QTextBlock]:
    document = cursor.document()
    block, last = document.findBlock(cursor.selectionStart()), document.findBlock(cursor.selectionEnd())
    blocks = [block]
    while block != last and block.isValid():
        block = block.next()
        blocks.append(block)
    return blocks


class BodyEdit(QTextEdit):
    """The post body: rich text limited to what the storefront keeps, with formatting commands."""

    def __init__(self, media_dir, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDocument(_PostDocument(media_dir, self))
        self.setAcceptRichText(False)          # pasted HTML would bring fonts and colours the body drops
        self.setUndoRedoEnabled(False)         # one undo history: the session's
        self.document().setDocumentMargin(18)
        self.setPlaceholderText("Write your post…")

    def load(self, html: str) -> None:
        """Show stored HTML, giving quotes their look back."""
        self.setHtml(html)
        block = self.document().begin()
        while block.isValid():
            if block.blockFormat().property(_QUOTE):
                cursor = QTextCursor(block)
                cursor.setBlockFormat(self._quote_format(block.blockFormat(), True))
            block = block.next()

    def html(self) -> str:
        """The body as clean HTML."""
        return document_html(self.document())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # Enter at the end of a heading starts a plain paragraph, as in every word processor.
        cursor = self.textCursor()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and cursor.blockFormat().headingLevel() \
                and cursor.atBlockEnd() and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            self.setTextCursor(cursor)
            return
        super().keyPressEvent(event)

    @staticmethod
    def _quote_format(fmt: QTextBlockFormat, on: bool) -> QTextBlockFormat:
        fmt.setProperty(_QUOTE, 1 if on else 0)
        fmt.setLeftMargin(22 if on else 0)
        fmt.setRightMargin(12 if on else 0)
        if on:
            fmt.setBackground(QColor("#f1f5f9"))
        else:
            fmt.clearBackground()
        return fmt

    def set_block_style(self, style: str) -> None:
        """Make the selected blocks 'h2', 'h3', 'p' or a 'quote' (a quote again turns it off)."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        blocks = _selected_blocks(cursor)
        quote_on = style == "quote" and not all(b.blockFormat().property(_QUOTE) for b in blocks)
        for block in blocks:
            cursor_b = QTextCursor(block)
            if block.textList() is not None and style != "quote":
                block.textList().remove(block)
            fmt = block.blockFormat()
            if style == "quote":
                fmt = self._quote_format(fmt, quote_on)
                fmt.setHeadingLevel(0)
            else:
                fmt = self._quote_format(fmt, False)
                fmt.setHeadingLevel({"h2": 2, "h3": 3}.get(style, 0))
                fmt.setIndent(0)
            cursor_b.setBlockFormat(fmt)
            level = fmt.headingLevel()
            chars = QTextCharFormat()
            chars.setProperty(QTextFormat.Property.FontSizeAdjustment, {2: 2, 3: 1}.get(level, 0))
            chars.setFontWeight(QFont.Weight.Bold if level else QFont.Weight.Normal)
            cursor_b.movePosition(QTextCursor.MoveOperation.StartOfBlock)
            cursor_b.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
            cursor_b.mergeCharFormat(chars)
        cursor.endEditBlock()

    def toggle_list(self, style: QTextListFormat.Style) -> None:
        """Make the selected blocks a list of `style`, or plain paragraphs when they already are one."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        current = cursor.currentList()
        if current is not None and current.format().style() == style:
            for block in _selected_blocks(cursor):
                if block.textList() is not None:
                    block.textList().remove(block)
                fmt = block.blockFormat()
                fmt.setIndent(0)
                QTextCursor(block).setBlockFormat(fmt)
        elif current is not None:
            fmt = current.format()
            fmt.setStyle(style)
            current.setFormat(fmt)
        else:
            self.set_block_style("p")
            cursor.createList(style)
        cursor.endEditBlock()

    def toggle_mark(self, mark: str) -> None:
        """Bold or italic on the selection (or for what is typed next)."""
        cursor = self.textCursor()
        current = cursor.charFormat()
        fmt = QTextCharFormat()
        if mark == "bold":
            fmt.setFontWeight(QFont.Weight.Normal if current.fontWeight() >= QFont.Weight.DemiBold.value
                              else QFont.Weight.Bold)
        else:
            fmt.setFontItalic(not current.fontItalic())
        if not cursor.hasSelection():
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        cursor.mergeCharFormat(fmt)
        self.mergeCurrentCharFormat(fmt)

    def set_link(self, href: str) -> None:
        """Link the selection (or the word at the cursor, or the address itself) to `href`; '' unlinks."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        fmt = QTextCharFormat()
        fmt.setAnchor(bool(href))
        fmt.setAnchorHref(href)
        fmt.setFontUnderline(bool(href))
        fmt.setForeground(QColor("#2563eb") if href else self.palette().text().color())
        if cursor.hasSelection():
            cursor.mergeCharFormat(fmt)
        elif href:
            cursor.insertText(href, fmt)
            cursor.insertText(" ", QTextCharFormat())
        self.setTextCursor(cursor)

    def insert_image(self, src: str, alt: str) -> None:
        """Put an image at the cursor."""
        fmt = QTextImageFormat()
        fmt.setName(src)
        fmt.setProperty(QTextFormat.Property.ImageAltText, alt)
        self.textCursor().insertImage(fmt)


# --- the formatting bar ------------------------------------------------------------------------------

class FormatCommand(NamedTuple):
    """One button of the formatting bar: its key (the action's name), label, tooltip, what it runs and
    an optional shortcut."""

    key: str
    text: str
    tip: str
    run: Callable[[], None]
    shortcut: str | None = None


def format_commands(body: BodyEdit, *, ask_link: Callable[[], None],
                    pick_image: Callable[[], None]) -> list[list[FormatCommand]]:
    """The formatting bar's commands in their groups; link and image ask first, so the caller supplies them."""
    return [
        [FormatCommand("h2", "H2", "Heading 2", lambda: body.set_block_style("h2")),
         FormatCommand("h3", "H3", "Heading 3", lambda: body.set_block_style("h3")),
         FormatCommand("p", "¶", "Paragraph", lambda: body.set_block_style("p"))],
        [FormatCommand("bold", "B", "Bold", lambda: body.toggle_mark("bold"), "Ctrl+B"),
         FormatCommand("italic", "I", "Italic", lambda: body.toggle_mark("italic"), "Ctrl+I")],
        [FormatCommand("bullets", "• List", "Bulleted list", lambda: body.toggle_list(QTextListFormat.Style.ListDisc)),
         FormatCommand("numbers", "1. List", "Numbered list",
                       lambda: body.toggle_list(QTextListFormat.Style.ListDecimal)),
         FormatCommand("quote", "“ Quote", "Quote", lambda: body.set_block_style("quote"))],
        [FormatCommand("link", "Link…", "Link (asks for the address)", ask_link, "Ctrl+K"),
         FormatCommand("image", "Image…", "Image from your media", pick_image)],
    ]


def body_box(body: BodyEdit, groups: list[list[FormatCommand]], *, owner: QObject,
             wrap: Callable[[Callable[[], None]], Callable[[], None]]) -> tuple[QFrame, dict[str, QAction]]:
    """The body under its formatting bar (a `bodyBox` frame) and the bar's actions by key. Each
    command runs through `wrap` (the editor saves around it); the actions belong to `owner`."""
    box = QFrame(objectName="bodyBox")
    layout = QVBoxLayout(box)
    layout.setContentsMargins(1, 1, 1, 6)      # inside the rounded border
    layout.setSpacing(0)
    # A tool bar, so that a narrow column shows the commands that fit and a "»" menu with the rest,
    # instead of widening the form past its column.
    bar = QToolBar(objectName="formatBar", movable=False, floatable=False)
    bar.setContentsMargins(6, 2, 6, 2)
    actions: dict[str, QAction] = {}
    for index, group in enumerate(groups):
        if index:
            bar.addSeparator()
        for key, text, tip, run, shortcut in group:
            action = QAction(text, owner, toolTip=tip + (f" ({shortcut})" if shortcut else ""))
            if shortcut:
                action.setShortcut(shortcut)
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                body.addAction(action)
            action.triggered.connect(wrap(run))
            actions[key] = action
            bar.addAction(action)
            bar.widgetForAction(action).setObjectName(f"format_{key}")
    more = bar.findChild(QToolButton, "qt_toolbar_ext_button")     # Qt's "the rest" button
    if more is not None:            # the style sheet leaves its arrow undrawn: a text one instead
        more.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        more.setText("»")
        more.setToolTip("More formatting")
    layout.addWidget(bar)
    layout.addWidget(body)
    return box, actions
