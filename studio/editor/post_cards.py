"""The two cards under a post's text in the journal editor: "Publishing" (state, publish date, cover
image) and "Search engine listing" (SEO title and description with their counters, and a preview of
the search result), plus the words the studio uses for a post's state and dates.

The cards only build their widgets and show a stored post; the posts editor wires their fields to its
saving and undo exactly as it does the fields above them, so nothing here changes the database.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, QSize, QTime, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QDateTimeEdit, QFrame, QHBoxLayout, QLabel, QLayout, QLineEdit,
                               QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from shared.models import Media, Post
from studio.editor.media_library import thumbnail

SEO_TITLE_LIMIT, SEO_DESCRIPTION_LIMIT = 60, 155     # what search engines show; longer is cut off
STATES = [("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published")]


class CardRow(QWidget):
    """Cards side by side, stacked when the row is narrower than the cards need side by side: the
    post form's column beside a wide preview must not scroll sideways."""

    def __init__(self, cards: list[tuple[QWidget, int]], spacing: int = 16, parent: QWidget | None = None):
        super().__init__(parent)
        self.cards = [card for card, _stretch in cards]
        self.stretches = [stretch for _card, stretch in cards]
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(spacing)
        # The row's own minimum is the stacked one (see minimumSizeHint), not the side-by-side sum.
        self.box.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        for card, stretch in cards:
            self.box.addWidget(card, stretch)

    def side_by_side_width(self) -> int:
        """The narrowest width at which the cards fit next to each other."""
        return sum(card.minimumSizeHint().width() for card in self.cards) + self.box.spacing() * (len(self.cards) - 1)

    @property
    def stacked(self) -> bool:
        """Whether the cards are one above the other now."""
        return self.box.direction() == QBoxLayout.Direction.TopToBottom

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As narrow as the widest card (stacked); as tall as the current arrangement needs."""
        width = max(card.minimumSizeHint().width() for card in self.cards)
        return QSize(width, self.box.minimumSize().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Stack below the side-by-side width, go back beside each other above it."""
        wanted = (QBoxLayout.Direction.TopToBottom if event.size().width() < self.side_by_side_width()
                  else QBoxLayout.Direction.LeftToRight)
        if self.box.direction() != wanted:
            self.box.setDirection(wanted)
            stacked = wanted == QBoxLayout.Direction.TopToBottom
            for index, stretch in enumerate(self.stretches):    # widths share out; heights do not
                self.box.setStretch(index, 0 if stacked else stretch)
            self.updateGeometry()
        super().resizeEvent(event)


# --- a post's state in words -------------------------------------------------------------------------

def local_time(stamp: str) -> datetime:
    """A stored (UTC, ISO 8601) time in the local time zone."""
    return datetime.fromisoformat(stamp).astimezone()


def when(stamp: str, *, short: bool = False) -> str:
    """'4 Dec 2026, 09:00' in local time; `short`: '4 Dec' (with the year only when it is not this one)."""
    moment = local_time(stamp)
    day = f"{moment.day} {moment:%b}"
    if not short:
        return f"{day} {moment.year}, {moment:%H:%M}"
    return day if moment.year == datetime.now().year else f"{day} {moment.year}"


def state_badge(post: Post, now: str) -> tuple[str, str]:
    """The list badge of a post: its text and colour kind (see list_rows)."""
    if post.status == "draft":
        return "Draft", "draft"
    if post.status == "scheduled" and post.published_at and post.published_at > now:
        return f"Scheduled for {when(post.published_at, short=True)}", "code"
    return "Published", "live"


def state_note(post: Post, now: str) -> str:
    """The sentence under the state menu: who can see the post, and since or from when."""
    if post.status == "draft":
        return "Only you can see this post."
    if post.status == "scheduled" and post.published_at and post.published_at > now:
        return f"Goes live on {when(post.published_at)}."
    return f"Live on the storefront since {when(post.published_at)}." if post.published_at else "Live."


def tomorrow_morning() -> QDateTime:
    """9:00 tomorrow, local time: the date a newly scheduled post is offered."""
    tomorrow = QDateTime.currentDateTime().addDays(1)
    tomorrow.setTime(QTime(9, 0))
    return tomorrow


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --- the cards ---------------------------------------------------------------------------------------

class _Card(QFrame):
    """A titled card; `errors` holds the error label of each field it shows, by field name."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.errors: dict[str, QLabel] = {}
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(16, 14, 16, 16)
        self.column.setSpacing(6)
        self.column.addWidget(QLabel(title, objectName="cardTitle"))

    def _error(self, key: str) -> QLabel:
        label = QLabel(objectName="fieldError", wordWrap=True)
        label.hide()
        self.errors[key] = label
        return label


class PublishingCard(_Card):
    """The post's state (draft, scheduled, published), its publish date and its cover image."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Publishing", parent)
        layout = self.column
        self.state_combo = QComboBox(minimumHeight=30)
        for status, label in STATES:
            self.state_combo.addItem(label, status)
        layout.addWidget(self.state_combo)
        layout.addSpacing(4)
        layout.addWidget(QLabel("Publish on", objectName="caption"))
        self.publish_edit = QDateTimeEdit(calendarPopup=True, displayFormat="d MMM yyyy   HH:mm", minimumHeight=30)
        layout.addWidget(self.publish_edit)
        self.state_note = QLabel(objectName="muted", wordWrap=True)
        layout.addWidget(self.state_note)
        layout.addWidget(self._error("state"))
        layout.addSpacing(8)
        layout.addWidget(QLabel("Cover image", objectName="caption"))
        layout.addLayout(self._build_cover())
        layout.addWidget(self._error("image_id"))
        layout.addStretch(1)

    def _build_cover(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(12)
        self.cover = QLabel("None", objectName="cover", alignment=Qt.AlignmentFlag.AlignCenter)
        self.cover.setFixedSize(128, 84)
        row.addWidget(self.cover)
        buttons = QVBoxLayout()
        self.cover_button = QPushButton("Choose…", objectName="smallButton")
        self.cover_remove = QPushButton("Remove", objectName="smallButton")
        buttons.addWidget(self.cover_button)
        buttons.addWidget(self.cover_remove)
        buttons.addStretch(1)
        row.addLayout(buttons)
        row.addStretch(1)
        return row

    def show_state(self, post: Post, now: str) -> None:
        """Show the post's state and publish date (tomorrow morning when it has none); `now` is UTC text."""
        self.state_combo.setCurrentIndex([s for s, _ in STATES].index(post.status))
        self.publish_edit.setEnabled(post.status == "scheduled")
        if post.published_at:
            self.publish_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(local_time(post.published_at).timestamp())))
        else:
            self.publish_edit.setDateTime(tomorrow_morning())
        self.state_note.setText(state_note(post, now))

    def show_cover(self, media_dir: Path, media: Media | None) -> None:
        """Show the cover image's thumbnail, or 'No image'."""
        if media is None:
            self.cover.clear()
            self.cover.setText("No image")
        else:
            self.cover.setPixmap(thumbnail(media_dir, media, 84))
            self.cover.setToolTip(media.filename)
        self.cover_remove.setEnabled(media is not None)


class ListingCard(_Card):
    """The post's SEO title and description with character counters, and its search result preview."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Search engine listing", parent)
        layout = self.column
        self.counters: dict[str, QLabel] = {}
        self.seo_title_edit = QLineEdit(placeholderText="Defaults to the post title")
        self.seo_description_edit = QPlainTextEdit(placeholderText="Defaults to the excerpt")
        self.seo_description_edit.setFixedHeight(60)
        for field, label, limit, edit in (("seo_title", "Title", SEO_TITLE_LIMIT, self.seo_title_edit),
                                          ("seo_description", "Description", SEO_DESCRIPTION_LIMIT,
                                           self.seo_description_edit)):
            head = QHBoxLayout()
            head.addWidget(QLabel(label, objectName="caption"))
            head.addStretch(1)
            counter = QLabel(objectName="counter", toolTip=f"Search engines show about {limit} characters")
            self.counters[field] = counter
            head.addWidget(counter)
            layout.addLayout(head)
            layout.addWidget(edit)
            layout.addWidget(self._error(field))
        snippet = QFrame(objectName="snippet")
        lines = QVBoxLayout(snippet)
        lines.setContentsMargins(12, 8, 12, 10)
        lines.setSpacing(1)
        self.snippet_url = QLabel(objectName="snippetUrl")
        self.snippet_title = QLabel(objectName="snippetTitle")
        self.snippet_text = QLabel(objectName="snippetText", wordWrap=True)
        for widget in (self.snippet_url, self.snippet_title, self.snippet_text):
            lines.addWidget(widget)
        layout.addSpacing(4)
        layout.addWidget(snippet)

    def show_listing(self, *, store: str, slug: str, title: str, excerpt: str) -> None:
        """Update the counters and the search result preview (the SEO fields fall back to title and excerpt)."""
        seo_title, seo_text = self.seo_title_edit.text(), self.seo_description_edit.toPlainText()
        for field, value, limit in (("seo_title", seo_title, SEO_TITLE_LIMIT),
                                    ("seo_description", seo_text, SEO_DESCRIPTION_LIMIT)):
            counter = self.counters[field]
            counter.setText(f"{len(value)} / {limit}")
            counter.setProperty("over", len(value) > limit)
            counter.style().unpolish(counter)
            counter.style().polish(counter)
        self.snippet_url.setText(f"{store} › blog › {slug}")
        self.snippet_title.setText(_cut(seo_title or title or "Post title", SEO_TITLE_LIMIT))
        self.snippet_text.setText(_cut(seo_text or excerpt or "Add an excerpt or a description for search results.",
                                       SEO_DESCRIPTION_LIMIT))
