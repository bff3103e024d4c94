"""The SEO panel of a page or a post: search title and description with length counters, canonical
URL, noindex and social image, and two previews that follow the typing: a search-result snippet and
a social card.

Every change is saved at once through `StudioSession.edit` (typing in one field is one undo step) by
shared/pages/service.update_seo or shared/posts/service.update_post. The previews use the fallbacks
the storefront's head tags use (shared/compose/seo.py): no SEO title means "Page – Store".
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QLayout, QLineEdit, QPlainTextEdit,
                               QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from shared.db.repositories import content
from shared.db.repositories import pages as page_repo
from shared.domains.service import list_domains
from shared.media.service import list_media
from shared.models import Media
from shared.pages.service import update_seo
from shared.posts.service import get_post, update_post
from shared.storefront.validation import url_problem
from studio.editor.media_library import MediaPickerDialog, thumbnail
from studio.session import MEDIA, PAGES, POSTS, StudioSession

TITLE_LIMIT, DESCRIPTION_LIMIT = 60, 155          # what search engines show before they cut
PLACEHOLDER_HOST = "vibeshop.app"                 # preview only, when the store has no domain yet
_OK, _OVER = "#52606d", "#b45309"
_STYLE = """
QFrame#snippet, QFrame#socialCard { background: white; border: 1px solid #dfe3e8; border-radius: 8px; }
QLabel#snippetSite { color: #202124; font-size: 13px; }
QLabel#snippetUrl { color: #4d5156; font-size: 12px; }
QLabel#snippetTitle { color: #1a0dab; font-size: 19px; }
QLabel#snippetDescription { color: #4d5156; font-size: 13px; }
QLabel#cardImage { background: #e4e7eb; border-top-left-radius: 8px; border-top-right-radius: 8px;
                   color: #7b8794; }
QLabel#cardDomain { color: #65676b; font-size: 11px; letter-spacing: 0.5px; }
QLabel#cardTitle { color: #1c1e21; font-size: 15px; font-weight: 600; }
QLabel#cardDescription { color: #606770; font-size: 13px; }
QLabel#sectionTitle { font-weight: 600; font-size: 13px; color: #1f2933; margin-top: 6px; }
QLabel#hint { color: #6b7785; font-size: 12px; }
QLabel#problem { color: #b91c1c; font-size: 12px; }
"""


def truncate(text: str, limit: int) -> str:
    """Text cut the way a results page cuts it: at a word near `limit`, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


@dataclass(frozen=True)
class _Target:
    """What the panel edits: its kind, id, stored SEO values and what the previews fall back to."""

    kind: str                      # "page" | "post"
    id: str
    seo_title: str
    seo_description: str
    canonical_url: str
    noindex: bool
    social_image_id: str | None
    fallback_title: str
    fallback_description: str
    path: str
    first_image_id: str | None


class Counter(QLabel):
    """'42 / 60': grey within the recommended length, amber beyond it."""

    def __init__(self, limit: int):
        super().__init__(alignment=Qt.AlignmentFlag.AlignRight)
        self.limit = limit
        self.over = False
        self.count(0)

    def count(self, n: int) -> None:
        """Show a length."""
        self.over = n > self.limit
        self.setText(f"{n} / {self.limit}" + ("  · will be cut" if self.over else ""))
        self.setStyleSheet(f"color: {_OVER if self.over else _OK}; font-size: 12px;"
                           + (" font-weight: 600;" if self.over else ""))


class SnippetPreview(QFrame):
    """How the page could look in search results: site, address, blue title, grey description."""

    def __init__(self):
        super().__init__(objectName="snippet")
        self.site = QLabel(objectName="snippetSite")
        self.url = QLabel(objectName="snippetUrl")
        self.title = QLabel(objectName="snippetTitle", wordWrap=True)
        self.description = QLabel(objectName="snippetDescription", wordWrap=True)
        for label in (self.site, self.url, self.title, self.description):
            label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(2)
        layout.addWidget(self.site)
        layout.addWidget(self.url)
        layout.addSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.description)

    def show_result(self, *, site: str, url: str, title: str, description: str) -> None:
        """Fill the snippet (title and description are cut as a results page would)."""
        self.site.setText(site)
        self.url.setText(url)
        self.title.setText(truncate(title, TITLE_LIMIT))
        self.description.setText(truncate(description, DESCRIPTION_LIMIT))
        self.description.setVisible(bool(description))


class SocialCard(QFrame):
    """How a link to the page could look when shared: image, domain, title, description."""

    IMAGE_W, IMAGE_H = 320, 168       # 1.91 : 1, the Open Graph shape

    def __init__(self):
        super().__init__(objectName="socialCard")
        self.setFixedWidth(self.IMAGE_W + 2)
        self.image = QLabel("No image", objectName="cardImage", alignment=Qt.AlignmentFlag.AlignCenter)
        self.image.setFixedSize(self.IMAGE_W, self.IMAGE_H)
        self.domain = QLabel(objectName="cardDomain")
        self.title = QLabel(objectName="cardTitle", wordWrap=True)
        self.description = QLabel(objectName="cardDescription", wordWrap=True)
        for label in (self.domain, self.title, self.description):
            label.setTextFormat(Qt.TextFormat.PlainText)
        text = QVBoxLayout()
        text.setContentsMargins(12, 8, 12, 12)
        text.setSpacing(2)
        for label in (self.domain, self.title, self.description):
            text.addWidget(label)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)   # wrapped text never overlaps
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.image)
        layout.addLayout(text)

    def show_card(self, *, image: QPixmap | None, domain: str, title: str, description: str) -> None:
        """Fill the card."""
        if image is None or image.isNull():
            self.image.setPixmap(QPixmap())
            self.image.setText("No image")
        else:
            self.image.setPixmap(image.scaled(self.IMAGE_W, self.IMAGE_H, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                                              Qt.TransformationMode.SmoothTransformation)
                                 .copy(0, 0, self.IMAGE_W, self.IMAGE_H))
        self.domain.setText(domain.upper())
        self.title.setText(truncate(title, 90))
        self.description.setText(truncate(description, 110))


class SeoPanel(QWidget):
    """Search and social settings of one page or post, with live previews."""

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self._target: _Target | None = None
        self._host = self._store_host()

        self.title = QLineEdit(placeholderText="Page title – Store name")
        self.title.setMaxLength(200)
        self.title_counter = Counter(TITLE_LIMIT)
        self.description = QPlainTextEdit(placeholderText="A sentence or two that makes people want to click")
        self.description.setFixedHeight(76)
        self.description_counter = Counter(DESCRIPTION_LIMIT)
        self.canonical = QLineEdit(placeholderText="Leave empty: the page's own address")
        self.canonical_problem = QLabel(objectName="problem")
        self.canonical_problem.hide()
        self.noindex = QCheckBox("Hide this page from search engines (noindex)")
        self.social_thumb = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.social_thumb.setFixedSize(96, 50)
        self.social_name = QLabel(objectName="hint")
        self.choose_image = QPushButton("Choose…")
        self.remove_image = QPushButton("Remove")
        self.snippet = SnippetPreview()
        self.card = SocialCard()
        self.card_note = QLabel(objectName="hint", wordWrap=True)
        self.empty = QLabel("Select a page or a post to edit how it appears in search results and when shared.",
                            objectName="hint", wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)

        self.title.textEdited.connect(lambda text: self._save("search title", seo_title=text))
        self.description.textChanged.connect(self._description_changed)
        self.canonical.textEdited.connect(self._canonical_edited)
        self.noindex.clicked.connect(lambda on: self._save("noindex", noindex=on))
        self.choose_image.clicked.connect(self._choose_image)
        self.remove_image.clicked.connect(lambda: self._save("social image", social_image_id=None))
        self._build()
        self.setStyleSheet(_STYLE)
        session.changed.connect(self._changed)
        self.set_page(None)

    def _build(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Search title", self.title)
        form.addRow("", self.title_counter)
        form.addRow("Description", self.description)
        form.addRow("", self.description_counter)
        self._canonical_row = QWidget()
        canonical = QVBoxLayout(self._canonical_row)
        canonical.setContentsMargins(0, 0, 0, 0)
        canonical.addWidget(self.canonical)
        canonical.addWidget(self.canonical_problem)
        form.addRow("Canonical URL", self._canonical_row)
        form.addRow("", self.noindex)
        self._image_row = QWidget()
        image = QHBoxLayout(self._image_row)
        image.setContentsMargins(0, 0, 0, 0)
        for widget in (self.social_thumb, self.social_name):
            image.addWidget(widget)
        image.addStretch(1)
        image.addWidget(self.choose_image)
        image.addWidget(self.remove_image)
        form.addRow("Social image", self._image_row)
        self._form = form

        previews = QVBoxLayout()
        previews.addWidget(QLabel("Search result preview", objectName="sectionTitle"))
        previews.addWidget(self.snippet)
        previews.addWidget(QLabel("Social card preview", objectName="sectionTitle"))
        previews.addWidget(self.card, 0, Qt.AlignmentFlag.AlignLeft)
        previews.addWidget(self.card_note)
        previews.addStretch(1)

        self.editor = QWidget()
        body = QVBoxLayout(self.editor)     # a narrow inspector column: the form, then the previews
        body.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        body.addLayout(left, 1)
        body.addSpacing(16)
        body.addLayout(previews, 1)
        self.snippet.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.card.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.editor)

    # --- what is shown -------------------------------------------------------------------------

    def set_page(self, page_id: str | None) -> None:
        """Edit a page's SEO (None: nothing selected)."""
        self._target = self._read("page", page_id) if page_id else None
        self._show(reset=True)

    def set_post(self, post_id: str | None) -> None:
        """Edit a post's search title and description (its social image is its cover)."""
        self._target = self._read("post", post_id) if post_id else None
        self._show(reset=True)

    def _store_host(self) -> str:
        """The store's verified domain (the address shoppers see), or a placeholder for the preview."""
        catalog = self._session.data_dir.catalog()
        try:
            domains = list_domains(catalog, store_id=self._session.store.record.id)
        finally:
            catalog.close()
        verified = [d.hostname for d in domains if d.verified]
        return verified[0] if verified else f"{self._session.store.record.slug}.{PLACEHOLDER_HOST}"

    def _read(self, kind: str, target_id: str) -> _Target | None:
        db = self._session.db
        store = self._session.store.storefront()
        if kind == "post":
            post = self._session.attempt("SEO", lambda: get_post(db, target_id))
            if post is None:
                return None
            return _Target("post", post.id, post.seo_title, post.seo_description, "", False, None,
                           f"{post.title} – {store.name}", post.excerpt, f"/blog/{post.slug}", post.image_id)
        page = db.read(lambda conn: page_repo.get_page(conn, target_id))
        if page is None:
            return None
        home = page.slug == "home" and page.template is None
        title = (store.settings.get("seo_title") or store.name) if home else f"{page.title} – {store.name}"
        description = store.settings.get("seo_description") or store.settings.get("tagline", "")
        return _Target("page", page.id, page.seo_title, page.seo_description, page.canonical_url, page.noindex,
                       page.social_image_id, title, description, page.path, self._first_image(page.id))

    def _first_image(self, page_id: str) -> str | None:
        """The first image the page's blocks show (what a platform may pick without a social image)."""
        blocks = self._session.db.read(lambda conn: page_repo.list_blocks(conn, page_id, include_hidden=False))
        ids = [v for b in blocks for v in b.settings.values() if isinstance(v, str)]
        found = self._session.db.read(lambda conn: content.get_media_many(conn, ids))
        return next((i for i in ids if i in found), None)

    def _media(self, media_id: str | None) -> Media | None:
        if not media_id:
            return None
        return next((m for m in list_media(self._session.db) if m.id == media_id), None)

    def _show(self, *, reset: bool) -> None:
        target = self._target
        self.editor.setVisible(target is not None)
        self.empty.setVisible(target is None)
        if target is None:
            return
        is_page = target.kind == "page"
        for row in (self._canonical_row, self.noindex, self._image_row):
            self._form.setRowVisible(row, is_page)
        self.title.setPlaceholderText(target.fallback_title)
        keep_canonical = not reset and not self.canonical_problem.isHidden()    # the merchant is mid-typing
        for field, value in ((self.title, target.seo_title), (self.canonical, target.canonical_url)):
            if field is self.canonical and keep_canonical:
                continue
            if reset or field.text() != value:
                field.setText(value)
                field.setCursorPosition(len(value))
        if reset or self.description.toPlainText() != target.seo_description:
            self.description.blockSignals(True)
            self.description.setPlainText(target.seo_description)
            self.description.blockSignals(False)
        self.noindex.setChecked(target.noindex)
        if reset:
            self.canonical_problem.hide()
        social = self._media(target.social_image_id)
        self.social_thumb.setPixmap(self._thumb(social, 96) if social else QPixmap())
        self.social_thumb.setText("" if social else "None")
        self.social_name.setText(social.filename if social else "")
        self.remove_image.setEnabled(social is not None)
        self._refresh_previews()

    def _thumb(self, media: Media, size: int) -> QPixmap:
        return thumbnail(self._session.data_dir.media_dir, media, size)

    def _refresh_previews(self) -> None:
        target = self._target
        if target is None:
            return
        title = self.title.text() or target.fallback_title
        description = self.description.toPlainText() or target.fallback_description
        self.title_counter.count(len(self.title.text()))
        self.description_counter.count(len(self.description.toPlainText()))
        host = self._host
        if self.canonical_problem.isHidden() and self.canonical.text():
            host = urlsplit(self.canonical.text()).hostname or host
        crumbs = " › ".join([f"https://{host}", *[p for p in target.path.split("/") if p]])
        self.snippet.show_result(site=self._session.store.storefront().name, url=crumbs, title=title,
                                 description=description)
        image = self._media(target.social_image_id if target.kind == "page" else target.first_image_id)
        fallback = None
        if image is None and target.kind == "page":
            fallback = self._media(target.first_image_id)
        shown = image or fallback
        self.card.show_card(image=self._thumb(shown, 2 * SocialCard.IMAGE_W) if shown else None, domain=host,
                            title=title, description=description)
        self.card_note.setText(
            "The post's cover image is its social image." if target.kind == "post" else
            "" if image else "No social image set: sharing sites may pick the first image on the page, shown here."
            if fallback else "No social image set and no image on the page: links will be shared without one.")
        self.card_note.setVisible(bool(self.card_note.text()))

    # --- saving ------------------------------------------------------------------------------

    def _description_changed(self) -> None:
        self._save("description", seo_description=self.description.toPlainText())

    def _canonical_edited(self, text: str) -> None:
        problem = url_problem(text.strip()) if text.strip() else None
        self.canonical_problem.setText("Must be a full address starting with https:// (or leave it empty)")
        self.canonical_problem.setVisible(problem is not None)
        if problem is None:
            self._save("canonical URL", canonical_url=text.strip())
        else:
            self._refresh_previews()

    def _choose_image(self) -> None:
        target = self._target
        chosen = MediaPickerDialog.pick(self._session, self, current=target.social_image_id if target else None)
        if chosen:
            self._save("social image", social_image_id=chosen)

    def _save(self, what: str, **change) -> None:
        target = self._target
        if target is None:
            return
        db, field = self._session.db, next(iter(change))
        if target.kind == "post":
            before = {"seo_title": target.seo_title, "seo_description": target.seo_description}
            fields = {**before, **change}
            do = lambda: update_post(db, target.id, **fields)         # noqa: E731 - one-line commands
            undo = lambda _r: update_post(db, target.id, **before)    # noqa: E731
            scopes = (POSTS,)
        else:
            before = {"seo_title": target.seo_title, "seo_description": target.seo_description,
                      "canonical_url": target.canonical_url, "social_image_id": target.social_image_id,
                      "noindex": target.noindex}
            fields = {**before, **change}
            do = lambda: update_seo(db, page_id=target.id, **fields)       # noqa: E731
            undo = lambda _r: update_seo(db, page_id=target.id, **before)  # noqa: E731
            scopes = (PAGES,)
        typing = field in ("seo_title", "seo_description", "canonical_url")
        self._session.edit(f"Change {what}", do, undo, scopes=scopes,
                           merge_key=f"seo:{target.id}:{field}" if typing else None)
        self._refresh_previews()

    def _changed(self, scope: str) -> None:
        target = self._target
        if target is None or scope not in (PAGES, POSTS, MEDIA):
            return
        self._target = self._read(target.kind, target.id)
        self._show(reset=False)
