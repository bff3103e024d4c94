"""The journal editor: the store's posts on the left, the selected post on the right (title, address,
author, excerpt, a rich-text body, its state and publish date, and its search listing).

Every change is stored at once through the posts service as an undoable `session.edit`: typing is
saved 300 ms after the last keystroke (and at once when a field loses focus, another post is chosen or
the editor closes), and each field's edits merge into one undo step.

This module composes the form and owns saving and undo; the parts only build widgets and show state:
the body and its formatting bar are in `rich_text` (saved as the small HTML the storefront allows and
sanitised again by the service), the publishing and search listing cards in `post_cards`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDateTime, QEvent, QObject, QTimer, Qt, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QSplitter,
                               QStackedWidget, QToolButton, QVBoxLayout, QWidget)

from shared.db.stamps import utc_now
from shared.media.service import get_media, rendition_name
from shared.models import Media, Post
from shared.posts import service as posts
from shared.posts.errors import PostError
from studio.editor.list_rows import BADGES_ROLE, ID_ROLE, SUBTITLE_ROLE, RowDelegate
from studio.editor.media_library import MediaPickerDialog
from studio.editor.post_cards import CardRow, ListingCard, PublishingCard, state_badge, tomorrow_morning
from studio.editor.rich_text import BodyEdit, body_box, format_commands
from studio.session import POSTS, StudioSession

SAVE_DELAY_MS = 300
_LABELS = {"title": "title", "slug": "address", "author": "author", "excerpt": "excerpt", "body_html": "text",
           "seo_title": "SEO title", "seo_description": "SEO description"}



# --- the editor --------------------------------------------------------------------------------------

def media_address(media: Media, *, widest: int = 1280) -> str:
    """The /media/ address a post body uses for an image: its widest rendition up to `widest` px."""
    widths = sorted(media.widths) or [media.width]
    fitting = [w for w in widths if w <= widest]
    return "/media/" + rendition_name(media.hash, fitting[-1] if fitting else widths[0], media.format)


class PostsEditor(QWidget):
    """The store's journal posts and an editor for the selected one."""

    preview_address = Signal(str)     # "/blog/<slug>" of the selected post, for the preview

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("postsEditor")
        self.session = session
        self._post: Post | None = None
        self._pending: dict[str, None] = {}      # fields typed into and not yet saved, in order
        self._loading = False                    # widgets being filled from the database: not edits
        self._saving = False                     # our own edit is notifying: keep the widgets as typed
        # Saves of one field merge into one undo step until the editing moves on (focus leaves the
        # field, a formatting command, another post, an undo): each of those starts a new step.
        self._step = 0
        self._timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._errors: dict[str, QLabel] = {}

        splitter = QSplitter(Qt.Orientation.Horizontal, self, childrenCollapsible=False)
        splitter.addWidget(self._build_sidebar())
        self.stack = QStackedWidget()
        self.empty = QLabel("No post selected.\nCreate one with “+ New post”.", objectName="emptyState",
                            alignment=Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_form())
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 960])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        session.changed.connect(self._on_changed)
        self.reload()
        if self.list.count():
            self.list.setCurrentRow(0)

    # -- building -------------------------------------------------------------------------------------

    def _build_sidebar(self) -> QWidget:
        sidebar = QFrame(objectName="postsSidebar")
        layout = QVBoxLayout(sidebar)
        layout.setContentsMargins(12, 14, 12, 12)
        layout.setSpacing(8)
        header = QHBoxLayout()
        header.addWidget(QLabel("Journal", objectName="sectionTitle"))
        header.addStretch(1)
        self.new_button = QToolButton(text="+ New post", objectName="linkButton")
        self.new_button.clicked.connect(self.new_post)
        header.addWidget(self.new_button)
        layout.addLayout(header)
        self.list = QListWidget(objectName="postList")
        self.list.setItemDelegate(RowDelegate(self.list))
        self.list.setMouseTracking(True)
        self.list.currentItemChanged.connect(lambda item, _old: self._chosen(item))
        layout.addWidget(self.list, 1)
        self.delete_button = QPushButton("Delete post…", objectName="dangerButton")
        self.delete_button.clicked.connect(self.delete_current)
        layout.addWidget(self.delete_button)
        return sidebar

    def _error(self, key: str) -> QLabel:
        label = QLabel(objectName="fieldError", wordWrap=True)
        label.hide()
        self._errors[key] = label
        return label

    def _watch(self, widget: QWidget, field: str | None, signal) -> QWidget:
        """Save `field` shortly after `signal`, and at once when the widget loses focus."""
        widget.installEventFilter(self)
        if field is not None:
            signal.connect(lambda *_: self._touch(field))
        return widget

    def _build_form(self) -> QWidget:
        form = QWidget(objectName="postForm")
        col = QVBoxLayout(form)
        col.setContentsMargins(32, 24, 32, 32)
        col.setSpacing(6)
        self.title_edit = QLineEdit(objectName="postTitle", placeholderText="Post title")
        self._watch(self.title_edit, "title", self.title_edit.textEdited)
        col.addWidget(self.title_edit)
        col.addWidget(self._error("title"))

        grid = QGridLayout()
        grid.setHorizontalSpacing(20)
        grid.setVerticalSpacing(4)
        grid.addWidget(QLabel("Address", objectName="caption"), 0, 0)
        grid.addWidget(QLabel("Author", objectName="caption"), 0, 1)
        address = QFrame(objectName="addressField")
        row = QHBoxLayout(address)
        row.setContentsMargins(10, 0, 2, 0)
        row.setSpacing(0)
        row.addWidget(QLabel("/blog/", objectName="addressPrefix"))
        self.slug_edit = QLineEdit(objectName="slugEdit", placeholderText="post-address")
        # The address is saved when editing ends: half-typed ones ("my-") are not valid addresses.
        self._watch(self.slug_edit, None, None)
        self.slug_edit.textEdited.connect(lambda *_: self._pending.setdefault("slug"))
        self.slug_edit.editingFinished.connect(self.flush)
        row.addWidget(self.slug_edit, 1)
        grid.addWidget(address, 1, 0)
        self.author_edit = QLineEdit(placeholderText="Who wrote it")
        self._watch(self.author_edit, "author", self.author_edit.textEdited)
        grid.addWidget(self.author_edit, 1, 1)
        grid.addWidget(self._error("slug"), 2, 0)
        grid.addWidget(self._error("author"), 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        col.addSpacing(8)
        col.addLayout(grid)

        col.addSpacing(10)
        col.addWidget(QLabel("Excerpt", objectName="caption"))
        self.excerpt_edit = QPlainTextEdit(placeholderText="A sentence or two for the journal list and the "
                                                           "home page’s blog block")
        self.excerpt_edit.setFixedHeight(64)
        self._watch(self.excerpt_edit, "excerpt", self.excerpt_edit.textChanged)
        col.addWidget(self.excerpt_edit)
        col.addWidget(self._error("excerpt"))

        col.addSpacing(10)
        col.addWidget(QLabel("Text", objectName="caption"))
        col.addWidget(self._build_body())
        col.addWidget(self._error("body_html"))

        col.addSpacing(14)
        self.cards = CardRow([(self._build_publishing(), 2), (self._build_listing(), 3)])
        col.addWidget(self.cards)
        col.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, objectName="postScroll", frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(form)
        return scroll

    def _build_body(self) -> QWidget:
        self.body = BodyEdit(self.session.data_dir.media_dir)
        self.body.setObjectName("postBody")
        self.body.setMinimumHeight(340)
        self._watch(self.body, "body_html", self.body.textChanged)
        commands = format_commands(self.body, ask_link=self.ask_link, pick_image=self.pick_image)
        box, self.format_actions = body_box(self.body, commands, owner=self, wrap=self._formatting)
        return box

    def _formatting(self, run: Callable[[], None]) -> Callable[[], None]:
        def apply() -> None:
            if self._post is None:
                return
            self.flush()            # the typing before it is one step, the command another
            self._step += 1
            run()
            self.body.setFocus()
            self._pending.setdefault("body_html")
            self.flush()
            self._step += 1
        return apply

    def _build_publishing(self) -> QWidget:
        card = self.publishing = PublishingCard()
        self.state_combo, self.publish_edit = card.state_combo, card.publish_edit
        self.cover, self.cover_button, self.cover_remove = card.cover, card.cover_button, card.cover_remove
        self._errors.update(card.errors)
        self.state_combo.activated.connect(self._state_chosen)
        self._watch(self.publish_edit, None, None)
        self.publish_edit.dateTimeChanged.connect(self._publish_date_changed)
        self.publish_edit.editingFinished.connect(self.flush)
        self.publish_edit.calendarWidget().clicked.connect(lambda *_: self.flush())
        self.cover_button.clicked.connect(self.choose_cover)
        self.cover_remove.clicked.connect(lambda: self.set_cover(None))
        return card

    def _build_listing(self) -> QWidget:
        card = self.listing = ListingCard()
        self.seo_title_edit, self.seo_description_edit = card.seo_title_edit, card.seo_description_edit
        self.counters = card.counters
        self._errors.update(card.errors)
        self._watch(self.seo_title_edit, "seo_title", self.seo_title_edit.textEdited)
        self._watch(self.seo_description_edit, "seo_description", self.seo_description_edit.textChanged)
        for edit in (self.title_edit, self.seo_title_edit, self.excerpt_edit, self.seo_description_edit,
                     self.slug_edit):
            edit.textChanged.connect(self._update_listing)
        return card

    # -- showing --------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the posts again, keeping the selection (or moving to a neighbour when it is gone)."""
        current = self._post.id if self._post else None
        row = max(self.list.currentRow(), 0)
        now = utc_now()      # stored times are UTC text: compare like with like
        self.list.blockSignals(True)
        self.list.clear()
        found = None
        for post in posts.list_posts(self.session.db):
            item = QListWidgetItem(post.title)
            item.setData(ID_ROLE, post.id)
            item.setData(SUBTITLE_ROLE, f"/blog/{post.slug}")
            item.setData(BADGES_ROLE, [state_badge(post, now)])
            self.list.addItem(item)
            if post.id == current:
                found = item
        if found is not None:
            self.list.setCurrentItem(found)
        self.list.blockSignals(False)
        if found is None and current is not None:      # deleted (or undone away)
            self._post = None
            if self.list.count():
                self.list.setCurrentRow(min(row, self.list.count() - 1))
        if self.list.currentItem() is None:
            self._show(None)
        self.delete_button.setEnabled(self.list.currentItem() is not None)

    def select_post(self, post_id: str) -> None:
        """Select a post by id."""
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == post_id:
                self.list.setCurrentRow(i)
                return

    def current_post(self) -> Post | None:
        """The post being edited, as stored."""
        return self._post

    def _chosen(self, item: QListWidgetItem | None) -> None:
        self.flush()
        post = self.session.attempt("Open post", lambda: posts.get_post(self.session.db, item.data(ID_ROLE))) \
            if item is not None else None
        self._show(post)
        self.delete_button.setEnabled(post is not None)
        if post is not None:
            self.preview_address.emit(f"/blog/{post.slug}")

    def _show(self, post: Post | None) -> None:
        """Fill the form from a stored post (nothing here is an edit)."""
        self._timer.stop()
        self._pending.clear()
        self._step += 1
        self._post = post
        self.stack.setCurrentIndex(0 if post is None else 1)
        if post is None:
            return
        self._loading = True
        try:
            for edit, value in ((self.title_edit, post.title), (self.slug_edit, post.slug),
                                (self.author_edit, post.author), (self.seo_title_edit, post.seo_title)):
                if edit.text() != value:
                    edit.setText(value)
            for plain, value in ((self.excerpt_edit, post.excerpt), (self.seo_description_edit, post.seo_description)):
                if plain.toPlainText() != value:
                    plain.setPlainText(value)
            if posts.sanitize_body(self.body.html()) != post.body_html:
                position = self.body.textCursor().position()
                self.body.load(post.body_html)
                cursor = self.body.textCursor()
                cursor.setPosition(min(position, self.document_end()))
                self.body.setTextCursor(cursor)
            self._show_state(post)
            self._show_cover(post)
        finally:
            self._loading = False
        for label in self._errors.values():
            label.hide()
        self._update_listing()

    def document_end(self) -> int:
        """The last cursor position in the body."""
        return max(self.body.document().characterCount() - 1, 0)

    def _show_state(self, post: Post) -> None:
        was = self._loading
        self._loading = True
        try:
            self.publishing.show_state(post, utc_now())      # stored times are UTC text: compare like with like
        finally:
            self._loading = was

    def _update_listing(self) -> None:
        """The search result preview and the SEO character counters."""
        self.listing.show_listing(store=self.session.store.record.slug, slug=self.slug_edit.text(),
                                  title=self.title_edit.text(), excerpt=self.excerpt_edit.toPlainText())

    def _on_changed(self, scope: str) -> None:
        if scope != POSTS:
            return
        self.reload()
        if self._saving or self._post is None:
            return      # our own edit: the widgets already show it
        post = self.session.attempt("Open post", lambda: posts.get_post(self.session.db, self._post.id))
        self._show(post)

    def _show_error(self, key: str, message: str) -> None:
        label = self._errors.get(key)
        if label is not None:
            label.setText(message)
            label.setVisible(bool(message))

    # -- saving ---------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusOut:
            self.flush()
            self._step += 1
        return super().eventFilter(watched, event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.flush()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.flush()
        super().closeEvent(event)

    def _touch(self, field: str) -> None:
        if self._loading or self._post is None:
            return
        self._pending.setdefault(field)
        self._timer.start()

    def flush(self) -> None:
        """Save every field typed into since the last save (call before quitting)."""
        self._timer.stop()
        pending, self._pending = list(self._pending), {}
        for field in pending:
            if self._post is None:
                break
            if field == "publish_at":
                self._reschedule()
            else:
                self._save(field)

    def _edit(self, text: str, do: Callable[[], object], undo: Callable[[object], object], *, key: str,
              merge_key: str | None = None) -> object | None:
        """One undoable change through the session; a refusal is shown next to the field `key`."""
        refusals: list[PostError] = []

        def attempt() -> object:
            try:
                return do()
            except PostError as exc:
                refusals.append(exc)
                raise

        self._saving = True
        try:
            result = self.session.edit(text, attempt, undo, scopes=(POSTS,), merge_key=merge_key)
        finally:
            self._saving = False
        if result is None and refusals:
            field = refusals[0].field
            self._show_error(key if field in (None, "post_id", "status", "publish_at") or field not in self._errors
                             else field, str(refusals[0]))
        elif result is not None:
            self._show_error(key, "")
        return result

    def _value(self, field: str) -> str:
        return {"title": self.title_edit.text, "slug": lambda: self.slug_edit.text().strip(),
                "author": self.author_edit.text, "excerpt": self.excerpt_edit.toPlainText,
                "body_html": self.body.html, "seo_title": self.seo_title_edit.text,
                "seo_description": self.seo_description_edit.toPlainText}[field]()

    def _save(self, field: str) -> None:
        post, db = self._post, self.session.db
        value = self._value(field)
        stored = getattr(post, field)
        if (posts.sanitize_body(value) if field == "body_html" else value.strip()) == stored:
            self._show_error(field, "")
            return
        changes, before = {field: value}, {field: stored}
        if field == "title" and post.status == "draft" and post.slug == posts.free_slug(db, post.title,
                                                                                         post_id=post.id):
            # A draft whose address still follows its title keeps following it.
            changes["slug"], before["slug"] = posts.free_slug(db, value, post_id=post.id), post.slug
        result = self._edit(f"Edit post {_LABELS[field]}", lambda: posts.update_post(db, post.id, **changes),
                            lambda _p: posts.update_post(db, post.id, **before), key=field,
                            merge_key=f"post:{post.id}:{field}:{self._step}")
        if isinstance(result, Post):
            self._post = result
            if result.slug != self.slug_edit.text().strip():
                self._loading = True
                self.slug_edit.setText(result.slug)
                self._loading = False
            if result.slug != post.slug:
                self.preview_address.emit(f"/blog/{result.slug}")

    # -- state ----------------------------------------------------------------------------------------

    def _publish_at(self) -> str:
        return self.publish_edit.dateTime().toUTC().toString("yyyy-MM-ddTHH:mm:ss") + "+00:00"

    def _state_chosen(self, index: int) -> None:
        if self._loading or self._post is None:
            return
        self.flush()
        status = self.state_combo.itemData(index)
        if status == "scheduled" and self.publish_edit.dateTime() <= QDateTime.currentDateTime():
            self._loading = True
            self.publish_edit.setDateTime(tomorrow_morning())
            self._loading = False
        self.set_state(status)

    def set_state(self, status: str) -> None:
        """Make the current post a draft, schedule it at the date shown, or publish it (one undo step)."""
        post, db = self._post, self.session.db
        if post is None:
            return
        publish_at = self._publish_at() if status == "scheduled" else None
        verb = {"draft": "Unpublish", "scheduled": "Schedule", "published": "Publish"}[status]
        result = self._edit(f"{verb} post", lambda: posts.set_post_state(db, post.id, status=status,
                                                                          publish_at=publish_at),
                            lambda _p: posts.restore_post(db, post), key="state")
        self._post = result if isinstance(result, Post) else self._post
        self._show_state(self._post)

    def _publish_date_changed(self) -> None:
        if not self._loading and self._post is not None and self._post.status == "scheduled":
            self._pending.setdefault("publish_at")     # saved when editing ends (half-typed dates are past)

    def _reschedule(self) -> None:
        post, db, publish_at = self._post, self.session.db, self._publish_at()
        if post.published_at and posts.parse_publish_at(publish_at) == post.published_at:
            return
        result = self._edit("Change publish date", lambda: posts.set_post_state(db, post.id, status="scheduled",
                                                                                  publish_at=publish_at),
                            lambda _p: posts.restore_post(db, post), key="state",
                            merge_key=f"post:{post.id}:publish_at:{self._step}")
        self._post = result if isinstance(result, Post) else self._post
        self._show_state(self._post)

    # -- cover image ----------------------------------------------------------------------------------

    def _show_cover(self, post: Post) -> None:
        media = self.session.attempt("Cover image", lambda: get_media(self.session.db, post.image_id)) \
            if post.image_id else None
        self.publishing.show_cover(self.session.data_dir.media_dir, media)

    def choose_cover(self) -> None:
        """Pick the image shown with the post in the journal and the blog block."""
        if self._post is not None:
            media_id = MediaPickerDialog.pick(self.session, self, current=self._post.image_id)
            if media_id:
                self.set_cover(media_id)

    def set_cover(self, media_id: str | None) -> None:
        """Set (or with None remove) the current post's cover image."""
        post, db = self._post, self.session.db
        if post is None or post.image_id == media_id:
            return
        self.flush()
        result = self._edit("Change cover image" if media_id else "Remove cover image",
                            lambda: posts.update_post(db, post.id, image_id=media_id),
                            lambda _p: posts.update_post(db, post.id, image_id=post.image_id), key="image_id")
        if isinstance(result, Post):
            self._post = result
            self._show_cover(result)

    # -- posts ----------------------------------------------------------------------------------------

    def new_post(self) -> None:
        """Create a draft post and select it, its title ready to be typed over."""
        self.flush()
        db, made = self.session.db, []

        def create() -> Post:     # redo brings back the same post, so later steps still find it
            made.append(posts.restore_post(db, made[0]) if made else posts.create_post(db, "Untitled post"))
            return made[-1]

        post = self._edit("New post", create, lambda created: posts.delete_post(db, created.id), key="title")
        if isinstance(post, Post):
            self.select_post(post.id)
            self.title_edit.setFocus()
            self.title_edit.selectAll()

    def delete_current(self) -> None:
        """Delete the selected post after confirmation (undo brings it back)."""
        self.flush()
        post = self._post
        if post is None:
            return
        answer = QMessageBox.question(self, "Delete post", f"Delete the post “{post.title}”?\n\nYou can undo this.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        db = self.session.db
        self._edit(f"Delete post “{post.title}”", lambda: posts.delete_post(db, post.id),
                   lambda deleted: posts.restore_post(db, deleted), key="title")

    # -- body commands that ask -------------------------------------------------------------------------

    def ask_link(self) -> None:
        """Ask for an address and link the selection to it (an empty address removes the link)."""
        current = self.body.textCursor().charFormat().anchorHref()
        href, ok = QInputDialog.getText(self, "Link", "Address (https://…, /blog/… or mailto:…):", text=current)
        if not ok:
            return
        href = href.strip()
        if href and not href.startswith(("https://", "http://", "mailto:", "/")):
            self._show_error("body_html", "A link must start with https://, http://, mailto: or /")
            return
        self.body.set_link(href)

    def pick_image(self) -> None:
        """Choose one of the store's images and put it at the cursor."""
        media_id = MediaPickerDialog.pick(self.session, self)
        media = self.session.attempt("Insert image", lambda: get_media(self.session.db, media_id)) if media_id else None
        if media is not None:
            self.body.insert_image(media_address(media), media.alt or media.filename.rsplit(".", 1)[0])
