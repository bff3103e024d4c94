"""The campaign composer's rich text: a QTextEdit with a small toolbar (bold, italic, link, heading,
bulleted list), and its content as clean HTML. Qt's own toHtml() writes styles (`<span
style="font-weight:700">`) that the sanitiser rightly strips, which would lose the bold; so the document
is walked and written as plain tags (p, h2, ul/li, strong, em, a), then sanitised with the same nh3
allow-list as posts (shared.compose.schema.sanitize_richtext). The text part is derived from that HTML
the way e-mail designs derive theirs (shared.mail.designs.text.html_to_text)."""

from __future__ import annotations

import html as html_lib

from PySide6.QtGui import QFont, QTextBlock, QTextCharFormat, QTextCursor, QTextDocument, QTextListFormat
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QPushButton, QTextEdit, QVBoxLayout, QWidget

from shared.compose.schema import sanitize_richtext
from shared.mail.designs.text import html_to_text

HEADING_LEVEL = 2            # one heading size: a newsletter's sections, under the subject


def _fragments_html(block: QTextBlock) -> str:
    """One block's runs as inline tags."""
    out = []
    for it in block:
        frag = it.fragment()
        if not frag.isValid():
            continue
        fmt = frag.charFormat()
        # U+FFFC stands for an embedded object (an image pasted in): the newsletter's images are its products
        text = html_lib.escape(frag.text().replace("\ufffc", "")).replace("\u2028", "<br>")
        if not text:
            continue
        if fmt.fontWeight() >= QFont.Weight.Bold and block.blockFormat().headingLevel() == 0:
            text = f"<strong>{text}</strong>"
        if fmt.fontItalic():
            text = f"<em>{text}</em>"
        if fmt.isAnchor() and fmt.anchorHref():
            text = f'<a href="{html_lib.escape(fmt.anchorHref(), quote=True)}">{text}</a>'
        out.append(text)
    return "".join(out)


def document_html(document: QTextDocument) -> str:
    """The document as sanitised HTML fragments (empty for an empty document)."""
    out: list[str] = []
    open_list: str | None = None
    block = document.begin()
    while block.isValid():
        text_list = block.textList()
        tag = None if text_list is None else ("ol" if text_list.format().style() in (
            QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
            QTextListFormat.Style.ListUpperAlpha) else "ul")
        if open_list and tag != open_list:
            out.append(f"</{open_list}>")
            open_list = None
        if tag and open_list is None:
            out.append(f"<{tag}>")
            open_list = tag
        inner = _fragments_html(block)
        level = block.blockFormat().headingLevel()
        if tag:
            out.append(f"<li>{inner}</li>")
        elif level and inner:
            out.append(f"<h{level}>{inner}</h{level}>")
        elif inner:
            out.append(f"<p>{inner}</p>")
        block = block.next()
    if open_list:
        out.append(f"</{open_list}>")
    return sanitize_richtext("".join(out))


class RichTextEditor(QWidget):
    """The composer's body: the toolbar's buttons act on the selection (or the current paragraph)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QTextEdit(objectName="campaignBody", acceptRichText=True)
        self.edit.setMinimumHeight(180)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (("bold", "Bold", self.toggle_bold), ("italic", "Italic", self.toggle_italic),
                                 ("link", "Link…", self.ask_link), ("heading", "Heading", self.toggle_heading),
                                 ("list", "List", self.toggle_list)):
            button = QPushButton(label, objectName=f"richtext_{key}")
            button.clicked.connect(slot)
            bar.addWidget(button)
            self.buttons[key] = button
        bar.addStretch(1)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(bar)
        col.addWidget(self.edit)

    # --- content --------------------------------------------------------------------------------------

    def html(self) -> str:
        """The body as sanitised HTML (what the campaign stores)."""
        return document_html(self.edit.document())

    def text(self) -> str:
        """The text part derived from that HTML."""
        return html_to_text(self.html())

    def set_html(self, html: str) -> None:
        """Show a stored body (already sanitised by whoever saved it; sanitised again here anyway)."""
        self.edit.setHtml(sanitize_richtext(html))

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - Qt's naming, as the page calls it
        """Read-only once the campaign is sent: the toolbar too."""
        self.edit.setReadOnly(read_only)
        for button in self.buttons.values():
            button.setEnabled(not read_only)

    def clear(self) -> None:
        """An empty body."""
        self.edit.clear()

    # --- toolbar ---------------------------------------------------------------------------------------

    def _merge(self, fmt: QTextCharFormat) -> None:
        cursor = self.edit.textCursor()
        if not cursor.hasSelection():
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        cursor.mergeCharFormat(fmt)
        self.edit.mergeCurrentCharFormat(fmt)

    def toggle_bold(self) -> None:
        """Bold on or off for the selection."""
        fmt = QTextCharFormat()
        bold = self.edit.textCursor().charFormat().fontWeight() >= QFont.Weight.Bold
        fmt.setFontWeight(QFont.Weight.Normal if bold else QFont.Weight.Bold)
        self._merge(fmt)

    def toggle_italic(self) -> None:
        """Italic on or off for the selection."""
        fmt = QTextCharFormat()
        fmt.setFontItalic(not self.edit.textCursor().charFormat().fontItalic())
        self._merge(fmt)

    def ask_link(self) -> None:
        """Ask for an address and link the selection to it."""
        url, ok = QInputDialog.getText(self, "Link", "Address (https://…)")
        if ok:
            self.apply_link(url.strip())

    def apply_link(self, url: str) -> None:
        """Link the selection to `url` (an empty one removes the link)."""
        fmt = QTextCharFormat()
        fmt.setAnchor(bool(url))
        fmt.setAnchorHref(url)
        fmt.setFontUnderline(bool(url))
        self._merge(fmt)

    def toggle_heading(self) -> None:
        """The current paragraph as a heading, or back to a paragraph."""
        cursor = self.edit.textCursor()
        block_format = cursor.blockFormat()
        heading = block_format.headingLevel() == 0
        block_format.setHeadingLevel(HEADING_LEVEL if heading else 0)
        cursor.setBlockFormat(block_format)
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if heading else QFont.Weight.Normal)
        fmt.setProperty(QTextCharFormat.Property.FontSizeAdjustment, 1 if heading else 0)
        cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
        cursor.mergeCharFormat(fmt)

    def toggle_list(self) -> None:
        """The current paragraph(s) as a bulleted list, or out of it."""
        cursor = self.edit.textCursor()
        current = cursor.currentList()
        if current is None:
            cursor.createList(QTextListFormat.Style.ListDisc)
            return
        block = cursor.block()
        current.remove(block)
        fmt = cursor.blockFormat()
        fmt.setIndent(0)
        cursor.setBlockFormat(fmt)
