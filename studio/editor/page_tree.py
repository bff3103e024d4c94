"""The page list: the store's pages in navigation order (drag to reorder) with Draft/Live badges,
and below them the templates (product, collection, blog...). New, rename, change address, publish
and delete are here; each is one undoable edit."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem,
                               QMenu, QMessageBox, QToolButton, QVBoxLayout, QWidget)

from shared.db.repositories import pages as page_repo
from shared.models import Page
from shared.pages import service as pages
from shared.pages.restore import restore_page, snapshot_page
from shared.pages.templates import customize_template, template_titles
from studio.editor.list_rows import BADGES_ROLE, ID_ROLE, SUBTITLE_ROLE, RowDelegate
from studio.session import BLOCKS, PAGES, StudioSession

TEMPLATE_ROLE = ID_ROLE + 10
_TEMPLATE_PATHS = {"product": "/products/…", "collection": "/collections/…", "blog": "/blog",
                   "article": "/blog/…", "search": "/search", "not_found": "any unknown address",
                   "cart": "/cart"}


class _PageList(QListWidget):
    """Pages with internal drag and drop; a drop is reported as the new order."""

    reordered = Signal(list)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().dropEvent(event)
        self.reordered.emit([self.item(i).data(ID_ROLE) for i in range(self.count())])


class PageTree(QWidget):
    """Pages and templates of the store; `page_selected(page_id)` when one is chosen."""

    page_selected = Signal(str)

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.current_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        header = QHBoxLayout()
        header.addWidget(QLabel("Pages", objectName="sectionTitle"))
        header.addStretch(1)
        self.new_button = QToolButton(text="+ New page", objectName="linkButton")
        self.new_button.clicked.connect(self.new_page)
        header.addWidget(self.new_button)
        layout.addLayout(header)

        self.list = _PageList(objectName="pageList")
        self.list.setItemDelegate(RowDelegate(self.list))
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setMouseTracking(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.reordered.connect(self._reordered)
        self.list.currentItemChanged.connect(lambda item, _old: self._chosen(item))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.list, 3)

        layout.addWidget(QLabel("Templates", objectName="sectionTitle"))
        self.templates = QListWidget(objectName="templateList")
        self.templates.setItemDelegate(RowDelegate(self.templates))
        self.templates.setMouseTracking(True)
        self.templates.currentItemChanged.connect(lambda item, _old: self._template_chosen(item))
        self.templates.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.templates, 2)

        session.changed.connect(self._on_changed)
        self.reload()

    # -- showing ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the pages again, keeping the selection."""
        all_pages = self.session.db.read(page_repo.list_pages)
        stored = {p.template: p for p in self.session.db.read(page_repo.list_templates)}
        self.list.blockSignals(True)
        self.list.clear()
        for page in all_pages:
            item = QListWidgetItem(page.title)
            item.setData(ID_ROLE, page.id)
            item.setData(SUBTITLE_ROLE, page.path)
            item.setData(BADGES_ROLE, [("Live", "live") if page.status == "published" else ("Draft", "draft")])
            self.list.addItem(item)
            if page.id == self.current_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.templates.blockSignals(True)
        self.templates.clear()
        for name, title in template_titles().items():
            item = QListWidgetItem(title)
            item.setData(TEMPLATE_ROLE, name)
            item.setData(ID_ROLE, stored[name].id if name in stored else None)
            item.setData(SUBTITLE_ROLE, _TEMPLATE_PATHS.get(name, ""))
            item.setData(BADGES_ROLE, [] if name in stored else [("Default", "muted")])
            self.templates.addItem(item)
            if item.data(ID_ROLE) and item.data(ID_ROLE) == self.current_id:
                self.templates.setCurrentItem(item)
        self.templates.blockSignals(False)

    def select_page(self, page_id: str) -> None:
        """Select a page (or stored template) by id."""
        for widget, chosen in ((self.list, self._chosen), (self.templates, self._template_chosen)):
            for i in range(widget.count()):
                if widget.item(i).data(ID_ROLE) == page_id:
                    if widget.currentRow() == i:
                        chosen(widget.item(i))
                    else:
                        widget.setCurrentRow(i)
                    return

    def select_slug(self, slug: str) -> None:
        """Select the page at `slug` if there is one."""
        page = self.session.db.read(lambda conn: page_repo.get_page_by_slug(conn, slug))
        if page is not None and page.id != self.current_id:
            self.select_page(page.id)

    def current_page(self) -> Page | None:
        """The selected page."""
        if self.current_id is None:
            return None
        return self.session.db.read(lambda conn: page_repo.get_page(conn, self.current_id))

    def _chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.templates.blockSignals(True)
        self.templates.setCurrentRow(-1)
        self.templates.blockSignals(False)
        self.current_id = item.data(ID_ROLE)
        self.page_selected.emit(self.current_id)

    def _template_chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        page_id = item.data(ID_ROLE)
        if page_id is None:   # still the built-in default: store it so its blocks can be arranged
            page = self.session.attempt("Customise template", lambda: customize_template(
                self.session.db, template=item.data(TEMPLATE_ROLE)))
            if page is None:
                return
            page_id = page.id
            item.setData(ID_ROLE, page_id)
            item.setData(BADGES_ROLE, [])
        self.current_id = page_id
        self.page_selected.emit(page_id)

    def _on_changed(self, scope: str) -> None:
        if scope == PAGES:
            self.reload()

    # -- editing ----------------------------------------------------------------------------------

    def new_page(self) -> None:
        """Ask for a title and create a draft page."""
        title, ok = QInputDialog.getText(self, "New page", "Page title:")
        if not ok or not title.strip():
            return
        db = self.session.db
        page = self.session.edit(f"Create page '{title.strip()}'", lambda: pages.create_page(db, title=title),
                                 lambda created: pages.delete_page(db, page_id=created.id), scopes=(PAGES,))
        if page is not None:
            self.select_page(page.id)

    def rename_current(self) -> None:
        """Ask for a new title."""
        page = self.current_page()
        if page is None or page.template:
            return
        title, ok = QInputDialog.getText(self, "Rename page", "Page title:", text=page.title)
        if ok and title.strip() and title.strip() != page.title:
            db, old = self.session.db, page.title
            self.session.edit(f"Rename page to '{title.strip()}'",
                              lambda: pages.rename_page(db, page_id=page.id, title=title),
                              lambda _p: pages.rename_page(db, page_id=page.id, title=old), scopes=(PAGES,))

    def change_slug_current(self) -> None:
        """Ask for a new address."""
        page = self.current_page()
        if page is None or page.template:
            return
        slug, ok = QInputDialog.getText(self, "Change address", "Address: /pages/", text=page.slug)
        if ok and slug.strip() and slug.strip() != page.slug:
            db, old = self.session.db, page.slug
            self.session.edit(f"Change address to '{slug.strip()}'",
                              lambda: pages.change_slug(db, page_id=page.id, slug=slug.strip()),
                              lambda _p: pages.change_slug(db, page_id=page.id, slug=old), scopes=(PAGES,))

    def toggle_published(self) -> None:
        """Publish a draft page or take a live page back to draft."""
        page = self.current_page()
        if page is None or page.template:
            return
        db, new = self.session.db, "draft" if page.status == "published" else "published"
        self.session.edit("Publish page" if new == "published" else "Unpublish page",
                          lambda: pages.set_page_status(db, page_id=page.id, status=new),
                          lambda _p: pages.set_page_status(db, page_id=page.id, status=page.status),
                          scopes=(PAGES, BLOCKS))

    def delete_current(self) -> None:
        """Delete the selected page after confirmation (undo brings it back whole)."""
        page = self.current_page()
        if page is None or page.template:
            return
        answer = QMessageBox.question(self, "Delete page",
                                      f"Delete the page '{page.title}' and its blocks?\n\nYou can undo this.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        db = self.session.db
        snapshot = self.session.attempt("Delete page", lambda: snapshot_page(db, page_id=page.id))
        if snapshot is None:
            return

        def delete() -> bool:
            pages.delete_page(db, page_id=page.id)
            return True

        self.session.edit(f"Delete page '{page.title}'", delete, lambda _done: restore_page(db, snapshot),
                          scopes=(PAGES,))

    def _reordered(self, page_ids: list[str]) -> None:
        db = self.session.db
        before = [p.id for p in db.read(page_repo.list_pages)]
        if page_ids == before:
            return
        self.session.edit("Reorder pages", lambda: pages.reorder_pages(db, page_ids=page_ids),
                          lambda _p: pages.reorder_pages(db, page_ids=before), scopes=(PAGES,))

    def _menu(self, point) -> None:
        if self.list.itemAt(point) is None:
            return
        page = self.current_page()
        menu = QMenu(self)
        menu.addAction("Rename…", self.rename_current)
        change = menu.addAction("Change address…", self.change_slug_current)
        menu.addAction("Unpublish" if page and page.status == "published" else "Publish", self.toggle_published)
        menu.addSeparator()
        delete = menu.addAction("Delete…", self.delete_current)
        if page is not None and page.slug == pages.HOME:
            change.setEnabled(False)
            delete.setEnabled(False)
        menu.exec(self.list.viewport().mapToGlobal(point))
