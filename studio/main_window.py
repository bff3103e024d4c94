"""The studio's main window: a navigation rail (Pages, Theme, Posts, Media, Products, Checkout, Orders, Customers,
E-mails, Marketing, POS), the editors of the chosen section, the live preview in the middle and the inspector on
the right."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QLabel, QListWidget, QListWidgetItem, QMainWindow, QMessageBox, QScrollArea, QSizePolicy,
                               QSplitter, QStackedWidget, QTabWidget, QToolBar, QVBoxLayout, QWidget)

from shared.db.repositories import catalog, content
from shared.db.repositories import pages as page_repo
from shared.mail.designs import close_executors
from shared.media.errors import MediaError
from shared.media.names import inside
from shared.models import Page
from shared.storefront.service import open_store
from studio.checkout.section import CheckoutSection
from studio.customers.section import CustomersSection
from studio.emails.section import EmailsSection
from studio.marketing.page import CampaignsPage
from studio.orders.section import OrdersSection
from studio.pos_devices.page import PosDevicesPage
from studio.editor.block_inspector import BlockInspector
from studio.editor.block_list import BlockList
from studio.editor.media_library import MediaLibrary
from studio.editor.page_tree import PageTree
from studio.editor.posts_editor import PostsEditor
from studio.editor.products_browser import ProductsBrowser
from studio.editor.seo_panel import SeoPanel
from studio.editor.theme_editor import ThemeEditor
from studio.preview.pane import PreviewPane
from studio.preview.renderer import PreviewDocument, render_preview
from studio.publish.conflicts_dialog import ConflictsDialog
from studio.publish.controller import SyncController
from studio.publish.link_dialog import LinkDialog
from studio.publish.publish_dialog import PublishDialog
from studio.publish.status import SyncStatus
from studio.session import BLOCKS, MEDIA, PAGES, POSTS, STORE, THEME, StudioSession

_OPEN_WINDOWS: set[QMainWindow] = set()    # windows opened after linking, kept alive until they close
SECTIONS = ("Pages", "Theme", "Posts", "Media", "Products", "Checkout", "Orders", "Customers", "E-mails", "Marketing",
            "POS")
_RAIL_ICONS = {"Pages": "▤", "Theme": "◐", "Posts": "✎", "Media": "▣", "Products": "◫", "Checkout": "◎",
               "Orders": "▦", "Customers": "☺", "E-mails": "✉", "Marketing": "✦", "POS": "▥"}


class MainWindow(QMainWindow):
    """One store, every editor, one preview."""

    def __init__(self, session: StudioSession, *, owns_session: bool = False):
        super().__init__()
        self.session = session
        self.owns_session = owns_session      # a window opened after linking closes its own session
        self.sync = SyncController(session, self)
        self.conflicts_dialog: ConflictsDialog | None = None
        self.publish_dialog: PublishDialog | None = None
        self.link_dialog: LinkDialog | None = None
        storefront = session.store.storefront()
        self.setWindowTitle(f"{storefront.name} — Vibeshop Studio")
        self.resize(1600, 980)
        self.preview = PreviewPane(self._render, self._media)
        self.page_tree = PageTree(session)
        self.block_list = BlockList(session)
        self.inspector = BlockInspector(session)
        self.theme_editor = ThemeEditor(session)
        self._optional: dict[str, QWidget] = {}
        self._build(storefront.name)
        self._wire()
        self.page_tree.select_slug("home")
        self.sync.start()

    # -- layout -----------------------------------------------------------------------------------

    def _build(self, store_name: str) -> None:
        self._toolbar(store_name)
        self.rail = QListWidget(objectName="rail")
        self.rail.setFixedWidth(92)
        self.rail.setIconSize(QSize(0, 0))
        for name in SECTIONS:
            item = QListWidgetItem(f"{_RAIL_ICONS[name]}\n{name}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setSizeHint(QSize(88, 64))
            self.rail.addItem(item)

        pages_side = QSplitter(Qt.Orientation.Vertical, objectName="sidePanel")
        pages_side.addWidget(_padded(self.page_tree))
        pages_side.addWidget(_padded(self.block_list))
        pages_side.setSizes([420, 480])
        self.left = QStackedWidget(objectName="sidePanel")
        self.left.addWidget(pages_side)
        self.left.addWidget(_padded(self.theme_editor, title="Theme"))
        self.center = QStackedWidget()
        self.center.addWidget(self.preview)
        self.right = QTabWidget(objectName="inspector")
        self.right.addTab(_padded(self.inspector), "Block")
        self._add_optional_panels()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.rail, self.left, self.center, self.right):
            self.splitter.addWidget(widget)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([92, 330, 820, 380])
        self.splitter.setStretchFactor(2, 1)
        self.setCentralWidget(self.splitter)
        self.saved_label = QLabel("All changes saved", objectName="savedLabel")
        self.render_label = QLabel("", objectName="muted")
        self.statusBar().addPermanentWidget(self.render_label)
        self.statusBar().addPermanentWidget(self.saved_label)
        self.rail.setCurrentRow(0)

    def _toolbar(self, store_name: str) -> None:
        bar = QToolBar("Main", objectName="mainToolbar", movable=False)
        bar.setIconSize(QSize(16, 16))
        bar.addWidget(QLabel(store_name, objectName="storeName"))
        spacer = QWidget()
        spacer.setFixedWidth(24)
        bar.addWidget(spacer)
        stack = self.session.undo_stack
        self.undo_action = stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        bar.addAction(self.undo_action)
        bar.addAction(self.redo_action)
        stretch = QWidget()
        stretch.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(stretch)
        self.sync_status = SyncStatus(self.sync)
        bar.addWidget(self.sync_status)
        self.addToolBar(bar)
        for text, shortcut, slot in (("New page", "Ctrl+N", self.page_tree.new_page),
                                     ("Add block", "Ctrl+B", self.block_list.open_gallery)):
            action = QAction(text, self, shortcut=shortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    def _add_optional_panels(self) -> None:
        """Posts, media, SEO and products editors (each in its own module)."""
        self.seo_panel = SeoPanel(self.session)
        self.right.addTab(_scrolling(self.seo_panel), "Page SEO")
        self.posts_editor = PostsEditor(self.session)
        self.left.addWidget(self.posts_editor)
        self.media_library = MediaLibrary(self.session)
        self.center.addWidget(self.media_library)
        self.products_browser = ProductsBrowser(self.session, self.sync)
        self.center.addWidget(self.products_browser)
        self.checkout = CheckoutSection(self.session, self.sync)
        self.center.addWidget(self.checkout)
        root, slug = self.session.data_dir.root, self.session.store.record.slug
        self.orders, self.customers = OrdersSection(self.sync, root, slug), CustomersSection(self.sync, root, slug)
        self.center.addWidget(self.orders)
        self.center.addWidget(self.customers)
        self.emails = EmailsSection(self.session)
        self.center.addWidget(self.emails)
        self.marketing = CampaignsPage(self.sync)       # newsletter campaigns (cloud-only, like orders)
        self.center.addWidget(self.marketing)
        self.pos_devices = PosDevicesPage(self.session, self.sync)     # Point of sale: the POS devices' tokens
        self.center.addWidget(self.pos_devices)
        self.orders.badge_changed.connect(lambda count: self.rail.item(SECTIONS.index("Orders")).setText(
            f"{_RAIL_ICONS['Orders']}\nOrders" + (f" ({count})" if count else "")))

    def _wire(self) -> None:
        session = self.session
        session.problem.connect(self.show_problem)
        session.changed.connect(self._on_changed)
        session.undo_stack.indexChanged.connect(self._saved)
        self.rail.currentRowChanged.connect(self.show_section)
        self.page_tree.page_selected.connect(self._page_selected)
        self.block_list.block_selected.connect(self._block_selected)
        self.preview.block_clicked.connect(self._block_clicked)
        self.preview.address_changed.connect(self._followed_link)
        self.preview.loaded.connect(self._preview_loaded)
        self.preview.notice.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.inspector.edited.connect(self.preview.refresh)
        self.theme_editor.edited.connect(self.preview.refresh)
        self.posts_editor.preview_address.connect(self.preview.show_address)
        self.sync_status.sync_requested.connect(self.sync.sync_now)
        self.sync_status.conflicts_requested.connect(self.open_conflicts)
        self.sync_status.publish_requested.connect(self.open_publish)
        self.sync_status.link_requested.connect(self.open_link)
        self.sync.pulled.connect(lambda: self.statusBar().showMessage("Updated with changes from the cloud", 4000))

    def show_section(self, index: int | str) -> None:
        """Switch the rail section: Pages, Theme, Posts, Media, Products, Checkout, Orders, Customers, E-mails,
        Marketing or POS (by index or name)."""
        if isinstance(index, str):
            index = [name.lower() for name in SECTIONS].index(index.lower())
        name = SECTIONS[index]
        self.rail.setCurrentRow(index)
        with_preview = name in ("Pages", "Theme", "Posts")
        self.left.setVisible(name in ("Pages", "Theme", "Posts"))
        self.right.setVisible(name == "Pages")
        if name in ("Pages", "Theme", "Posts"):
            self.left.setCurrentIndex(("Pages", "Theme", "Posts").index(name))
        self.center.setCurrentWidget(self.preview if with_preview else {
            "Media": self.media_library, "Products": self.products_browser, "Checkout": self.checkout,
            "Orders": self.orders, "Customers": self.customers, "E-mails": self.emails,
            "Marketing": self.marketing, "POS": self.pos_devices}[name])
        if name == "Marketing":
            self.marketing.refresh()
        total = max(self.splitter.width(), 1200)
        if name == "Posts":
            self.splitter.setSizes([92, int(total * 0.62), total - 92 - int(total * 0.62), 0])
            post = self.posts_editor.current_post()
            if post is not None:
                self.preview.show_address(f"/blog/{post.slug}")
        elif name in ("Pages", "Theme"):
            right = 380 if name == "Pages" else 0
            self.splitter.setSizes([92, 340, total - 92 - 340 - right, right])
            page = self.page_tree.current_page()
            if name == "Pages" and page is not None:
                self.preview.show_address(self.address_for(page))

    # -- reactions --------------------------------------------------------------------------------

    def _page_selected(self, page_id: str) -> None:
        page = self.session.db.read(lambda conn: page_repo.get_page(conn, page_id))
        if page is None:
            return
        self.block_list.set_page(page.id)
        self.block_list.title.setText(f"Blocks · {page.title}")
        count = len(self.block_list.blocks())
        state = "Template" if page.template else ("Live" if page.status == "published" else "Draft")
        where = self.address_for(page) if page.template else page.path
        self.inspector.show_page(page.title, f"{state} · {where} · {count} block{'s' if count != 1 else ''}")
        self.inspector.set_block(None)
        self.seo_panel.set_page(page.id)
        self.preview.select_block(None)
        self.preview.show_address(self.address_for(page))
        self._banner(page)

    def address_for(self, page: Page) -> str:
        """Where the preview shows a page; a template is shown with an example from the store."""
        if page.template is None:
            return page.path
        db = self.session.db
        if page.template == "product":
            ids = db.read(lambda conn: catalog.list_product_ids(conn, limit=1))
            products = db.read(lambda conn: catalog.get_products(conn, ids)) if ids else {}
            return f"/products/{products[ids[0]].handle}" if ids else "/products/example"
        if page.template == "article":
            posts = db.read(content.list_posts)
            return f"/blog/{posts[0].slug}" if posts else "/blog/example"
        return {"collection": "/collections/all", "blog": "/blog", "search": "/search?q=a",
                "not_found": "/this-address-does-not-exist", "cart": "/cart"}.get(page.template, "/")

    def _banner(self, page: Page) -> None:
        if page.template is None and page.status != "published":
            self.preview.show_banner("This page is a draft: shoppers get “page not found” until you publish it.")
        else:
            self.preview.show_banner("")

    def _block_selected(self, block_id: str) -> None:
        self.inspector.set_block(block_id or None)
        self.preview.select_block(block_id or None)
        self.right.setCurrentIndex(0)
        self._show_block_problem()

    def _block_clicked(self, block_id: str) -> None:
        if self.rail.currentRow() != 0:
            return
        self.block_list.select_block(block_id)

    def _followed_link(self, address: str) -> None:
        if address == "/":
            self.page_tree.select_slug("home")
        elif address.startswith("/pages/"):
            self.page_tree.select_slug(address.split("?")[0][len("/pages/"):])

    def _on_changed(self, scope: str) -> None:
        if scope in (PAGES, BLOCKS, THEME, POSTS, MEDIA, STORE):
            self.preview.refresh()
        if scope == PAGES:
            page = self.page_tree.current_page()
            if page is not None:
                self._banner(page)

    def _preview_loaded(self) -> None:
        self.render_label.setText(f"Preview {self.preview.last_load_ms:.0f} ms")
        self._show_block_problem()

    def _show_block_problem(self) -> None:
        """A block that failed in the last render says why on its Code tab."""
        document = self.preview.document
        block = self.inspector.block
        if document is None or document.rendered is None or block is None:
            return
        for planned, result in document.rendered.failures:
            if planned.job.block_id == block.id:
                self.inspector.show_render_problem(result.error or "This block failed to render.")

    def _saved(self, *_args) -> None:
        self.saved_label.setText("All changes saved")

    def show_problem(self, title: str, message: str) -> None:
        """A refused change: nothing was stored; say why."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("problemDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- sync and publish -------------------------------------------------------------------------

    def open_conflicts(self) -> ConflictsDialog:
        """Review the open conflicts (one dialog, reused)."""
        if self.conflicts_dialog is None:
            self.conflicts_dialog = ConflictsDialog(self.session, self.sync, self)
        self.conflicts_dialog.reload()
        self.conflicts_dialog.show()
        self.conflicts_dialog.raise_()
        return self.conflicts_dialog

    def open_publish(self) -> PublishDialog:
        """Publish and releases (one dialog, reused)."""
        if self.publish_dialog is None:
            self.publish_dialog = PublishDialog(self.session, self.sync, self)
        else:
            self.publish_dialog.reload()
        self.publish_dialog.show()
        self.publish_dialog.raise_()
        return self.publish_dialog

    def open_link(self) -> LinkDialog:
        """Link a cloud store into this data folder; it opens in a new window, which replaces this one."""
        self.link_dialog = LinkDialog(self.session.data_dir, self)
        self.link_dialog.accepted.connect(lambda: self.open_linked(self.link_dialog.linked_slug))
        self.link_dialog.open()
        return self.link_dialog

    def open_linked(self, slug: str | None) -> QMainWindow | None:
        """Open the store `slug` of this data folder in its own window and close this one."""
        if not slug:
            return None
        store = open_store(self.session.data_dir, slug)
        window = MainWindow(StudioSession(self.session.data_dir, store), owns_session=True)
        _OPEN_WINDOWS.add(window)
        window.destroyed.connect(lambda *_: _OPEN_WINDOWS.discard(window))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        self.close()
        return window

    # -- the preview's data -----------------------------------------------------------------------

    def _render(self, address: str, published: bool) -> PreviewDocument:
        return render_preview(self.session.store, self.session.executor, address, published=published)

    def _media(self, name: str) -> bytes | None:
        try:
            path = inside(self.session.data_dir.media_dir, name)
        except MediaError:
            return None
        return path.read_bytes() if path.is_file() else None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.theme_editor.flush()
        self.posts_editor.flush()
        self.preview.shutdown()
        self.orders.shutdown()
        self.sync.stop()
        super().closeEvent(event)
        if self.owns_session:
            self.session.close()
            close_executors()           # the e-mail previews' sandbox processes


def _padded(widget: QWidget, *, title: str | None = None) -> QWidget:
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(12, 10, 12, 10)
    if title:
        column.addWidget(QLabel(title, objectName="sectionTitle"))
    column.addWidget(widget, 1)
    return holder



def _scrolling(widget: QWidget) -> QWidget:
    area = QScrollArea(widgetResizable=True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(_padded(widget))
    return area
