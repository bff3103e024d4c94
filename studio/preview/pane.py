"""The live preview: a QtWebEngine view of the storefront as rendered by the shared composer, at a
phone, tablet or desktop width, showing the merchant's draft or what shoppers get now.

Edits call `refresh()`; renders are debounced, and the scroll position is kept across them. A click
on a block in the preview is reported by `block_clicked`. The studio's helpers (hover outline, click
to select) run in an isolated JavaScript world: the page's own document and scripts are untouched.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineScript
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from studio.preview.renderer import PreviewDocument
from studio.preview.scheme import SCHEME, PreviewSchemeHandler, address_of, preview_url

DEVICES = (("Phone", 390), ("Tablet", 768), ("Desktop", 1280))
DEBOUNCE_MS = 30
_SELECT = "vibeshop:select:"
_SWAPPED = "vibeshop:swapped"

# Runs in the studio's own world (not the page's): outlines the block under the pointer and reports
# clicks on blocks. Class names are prefixed so they never meet a theme's.
_HELPERS_JS = r"""
(() => {
  const style = document.createElement('style');
  style.id = 'vibeshop-studio-style';
  style.textContent = `[data-block-id]{outline-offset:-2px}
    [data-block-id].vibeshop-studio-hover{outline:2px dashed rgba(59,130,246,.55)}
    [data-block-id].vibeshop-studio-selected{outline:2px solid #3b82f6}`;
  document.head.appendChild(style);
  let hovered = null;
  document.addEventListener('mouseover', (e) => {
    const block = e.target.closest('[data-block-id]');
    if (hovered && hovered !== block) hovered.classList.remove('vibeshop-studio-hover');
    if (block) block.classList.add('vibeshop-studio-hover');
    hovered = block;
  });
  document.addEventListener('click', (e) => {
    const block = e.target.closest('[data-block-id]');
    if (block) console.info('vibeshop:select:' + block.dataset.blockId);
  }, true);
})();
"""

_MARK_SELECTED_JS = r"""
(() => {
  document.querySelectorAll('.vibeshop-studio-selected').forEach(el => el.classList.remove('vibeshop-studio-selected'));
  const el = document.querySelector('[data-block-id="%s"]');
  if (!el) return;
  el.classList.add('vibeshop-studio-selected');
  const r = el.getBoundingClientRect();
  if (%s && (r.bottom < 0 || r.top > window.innerHeight)) el.scrollIntoView({block: 'start'});
})();
"""


# Puts a new render of the address on screen without a navigation: the new document's head and body
# replace the old ones (images come from the memory cache), the scroll position stays. The storefront
# sends no executable scripts, so the result is the DOM a navigation would build. Stylesheet links the
# new head shares with the old one are kept as they are (a link inserted again would load again and
# show the page unstyled for a moment). A new stylesheet (a theme edit) is loaded beside the old one
# first: the swap then answers false, and reports `vibeshop:swapped` once it is done. A newer swap
# supersedes one still waiting.
_SWAP_JS = r"""
(() => {
  const turn = window.vibeshopSwaps = (window.vibeshopSwaps || 0) + 1;
  const y = window.scrollY, x = window.scrollX;
  const doc = new DOMParser().parseFromString(%s, 'text/html');
  const isSheet = (n) => n.nodeName === 'LINK' && n.rel === 'stylesheet';
  const hrefOf = (n) => new URL(n.getAttribute('href'), location.href).href;
  const wanted = new Set(Array.from(doc.head.childNodes).filter(isSheet).map(hrefOf));
  const swap = () => {
    const ours = document.getElementById('vibeshop-studio-style');
    const kept = new Set();
    for (const n of Array.from(document.head.childNodes)) {
      if (n === ours) continue;
      if (isSheet(n) && wanted.has(n.href) && !kept.has(n.href)) { kept.add(n.href); continue; }
      n.remove();
    }
    for (const n of Array.from(doc.head.childNodes)) {
      if (!(isSheet(n) && kept.has(hrefOf(n)))) document.head.insertBefore(document.adoptNode(n), ours);
    }
    document.documentElement.lang = doc.documentElement.lang;
    document.body.replaceWith(doc.body);
    window.scrollTo(x, y);
  };
  const have = new Set(Array.from(document.head.childNodes).filter(isSheet).map(n => n.href));
  const early = Array.from(wanted).filter(h => !have.has(h)).map(href => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.appendChild(link);
    return link;
  });
  if (!early.length) { swap(); return true; }
  let left = early.length;
  const loaded = () => {
    if (--left || turn !== window.vibeshopSwaps) return;
    swap();
    console.info('vibeshop:swapped');
  };
  early.forEach(l => { l.addEventListener('load', loaded); l.addEventListener('error', loaded); });
  return false;
})();
"""


class _PreviewPage(QWebEnginePage):
    """Keeps the preview inside the store: links to other sites open in the browser, forms are not
    sent (nothing is ordered or subscribed from a preview), and block clicks are reported."""

    def __init__(self, profile: QWebEngineProfile, pane: PreviewPane):
        super().__init__(profile, pane)
        self._pane = pane

    def acceptNavigationRequest(self, url: QUrl, kind: QWebEnginePage.NavigationType,  # noqa: N802
                                is_main_frame: bool) -> bool:
        if url.scheme() in ("http", "https", "mailto", "tel"):
            QDesktopServices.openUrl(url)
            return False
        if kind == QWebEnginePage.NavigationType.NavigationTypeFormSubmitted:
            self._pane.notice.emit("Forms are not sent from the preview.")
            return False
        return url.scheme() == SCHEME.decode() or url.scheme() in ("about", "data")

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:  # noqa: N802
        if message.startswith(_SELECT):
            self._pane.block_clicked.emit(message[len(_SELECT):][:64])
        elif message == _SWAPPED:
            self._pane.swapped()


class _Stage(QWidget):
    """The grey canvas the page sits on: the view takes the device's width, scaled down to fit."""

    def __init__(self, view: QWebEngineView, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self.device_width = DEVICES[-1][1]
        view.setParent(self)
        self.setObjectName("previewStage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    def set_device_width(self, width: int) -> None:
        self.device_width = width
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        margin = 16 if self.device_width < 1280 else 0
        room = max(100, self.width() - 2 * margin)
        zoom = min(1.0, room / self.device_width)
        width = round(self.device_width * zoom)
        self.view.setZoomFactor(zoom)
        self.view.setGeometry((self.width() - width) // 2, margin // 2, width, self.height() - margin)


class PreviewPane(QWidget):
    """Toolbar (device, draft/live) over the staged web view."""

    block_clicked = Signal(str)
    address_changed = Signal(str)    # the merchant followed a link inside the preview
    loaded = Signal()                # a render is on screen (scroll restored)
    notice = Signal(str)

    def __init__(self, render: Callable[[str, bool], PreviewDocument], media: Callable[[str], bytes | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._render = render
        self.document: PreviewDocument | None = None     # what is on screen now
        self._primed: tuple[str, PreviewDocument] | None = None
        self.address = "/"
        self.published = False
        self.selected_block: str | None = None
        self.last_load_ms = 0.0
        self._requested_at = 0.0
        # Renders are numbered as they are sent to the page; the highest one on screen tells whether
        # a newer one is still on its way (a swap superseded by another never reports by itself).
        self._sent = self._shown = 0
        self._loading = self._styling = 0     # the render a navigation / a stylesheet wait is for

        self.profile = QWebEngineProfile(self)       # off the record: nothing written to disk
        self.handler = PreviewSchemeHandler(self._serve, media, self.profile)
        self.profile.installUrlSchemeHandler(SCHEME, self.handler)
        helpers = QWebEngineScript()
        helpers.setName("vibeshop-studio")
        helpers.setSourceCode(_HELPERS_JS)
        helpers.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentReady)
        helpers.setWorldId(QWebEngineScript.ScriptWorldId.ApplicationWorld)
        self.profile.scripts().insert(helpers)

        self.view = QWebEngineView()
        self.page = _PreviewPage(self.profile, self)
        self.view.setPage(self.page)
        self.page.loadFinished.connect(self._on_loaded)
        self.page.urlChanged.connect(self._on_url_changed)
        self.stage = _Stage(self.view)
        self.stage.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._load)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._toolbar())
        self.banner = QLabel(objectName="previewBanner", wordWrap=True)
        self.banner.hide()
        layout.addWidget(self.banner)
        layout.addWidget(self.stage, 1)

    def _toolbar(self) -> QWidget:
        bar = QWidget(objectName="previewToolbar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 6, 12, 6)
        self.address_label = QLabel("/", objectName="previewAddress")
        row.addWidget(self.address_label, 1)
        self.device_buttons = QButtonGroup(self)
        for index, (name, width) in enumerate(DEVICES):
            button = QPushButton(f"{name} {width}", checkable=True, objectName="segment")
            button.setToolTip(f"Preview {width} px wide")
            button.setChecked(width == 1280)
            self.device_buttons.addButton(button, index)
            row.addWidget(button)
        self.device_buttons.idClicked.connect(lambda i: self.set_device_width(DEVICES[i][1]))
        row.addSpacing(16)
        self.mode_buttons = QButtonGroup(self)
        for index, (name, tip) in enumerate((("Draft", "Your latest edits, with problems shown"),
                                             ("Live", "What shoppers get: published pages only, failing blocks left out"))):
            button = QPushButton(name, checkable=True, objectName="segment")
            button.setToolTip(tip)
            button.setChecked(index == 0)
            self.mode_buttons.addButton(button, index)
            row.addWidget(button)
        self.mode_buttons.idClicked.connect(lambda i: self.set_published(i == 1))
        return bar

    # -- what to show -----------------------------------------------------------------------------

    def show_address(self, address: str) -> None:
        """Show another storefront address (scroll starts at the top)."""
        if address != self.address:
            self.address = address
            self.address_label.setText(address)
        self.refresh(now=True)

    def set_device_width(self, width: int) -> None:
        """390, 768 or 1280 px."""
        for index, (_name, device) in enumerate(DEVICES):
            self.device_buttons.button(index).setChecked(device == width)
        self.stage.set_device_width(width)

    def set_published(self, published: bool) -> None:
        """Show what shoppers get (True) or the merchant's draft (False)."""
        self.published = published
        self.mode_buttons.button(1 if published else 0).setChecked(True)
        self.refresh(now=True)

    def select_block(self, block_id: str | None, *, reveal: bool = True) -> None:
        """Outline a block in the preview (and scroll to it when it is out of sight)."""
        self.selected_block = block_id
        self._mark_selected(reveal)

    def show_banner(self, text: str) -> None:
        """A line above the page ('This page is a draft...'); empty hides it."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    # -- rendering --------------------------------------------------------------------------------

    def refresh(self, *, now: bool = False) -> None:
        """Render again (debounced unless `now`), keeping the scroll position."""
        if not self._requested_at:
            self._requested_at = time.perf_counter()
        if now:
            self._timer.stop()
            self._load()
        else:
            self._timer.start()

    @property
    def settled(self) -> bool:
        """No render is waiting for its debounce or on its way to the screen."""
        return not self._timer.isActive() and self._shown >= self._sent

    def _load(self) -> None:
        document = self._render(self.address, self.published)
        self.handler.remember(document)
        self._sent += 1
        number = self._sent
        showing = self.page.url().isValid() and address_of(self.page.url()) == self.address
        navigating = self._loading > self._shown      # a swap now would land on the page being replaced
        if showing and not navigating and document.redirect is None and self.document is not None:
            self.document = document
            self.page.runJavaScript(_SWAP_JS % json.dumps(document.body.decode("utf-8")),
                                    QWebEngineScript.ScriptWorldId.ApplicationWorld,
                                    lambda done: self._on_swapped(done, number))
            return
        self._primed = (self.address, document)
        self._loading = number
        self.page.load(preview_url(self.address))

    def _serve(self, address: str) -> PreviewDocument:
        """The scheme handler's renderer: the document `_load` just rendered, or a fresh render (a
        link followed inside the preview)."""
        primed, self._primed = self._primed, None
        document = primed[1] if primed is not None and primed[0] == address else self._render(address, self.published)
        if document.redirect is None:
            self.document = document
        return document

    def _on_swapped(self, done, number: int) -> None:
        self._styling = number
        if done is False:          # waiting for a new stylesheet: swapped() follows
            return
        self.swapped()

    def swapped(self) -> None:
        """A swapped-in render is on screen with its stylesheet applied."""
        self._mark_selected(False)
        self._finished(self._styling)

    def _on_loaded(self, ok: bool) -> None:
        self._mark_selected(False)
        if ok:
            self._finished(self._loading)

    def _finished(self, number: int) -> None:
        self._shown = max(self._shown, number)
        if self._requested_at:
            self.last_load_ms = (time.perf_counter() - self._requested_at) * 1000
            self._requested_at = 0.0
        self.loaded.emit()

    def _mark_selected(self, reveal: bool) -> None:
        block = (self.selected_block or "").replace('"', "")
        self.page.runJavaScript(_MARK_SELECTED_JS % (block, "true" if reveal else "false"),
                                QWebEngineScript.ScriptWorldId.ApplicationWorld)

    def _on_url_changed(self, url: QUrl) -> None:
        address = address_of(url)
        if url.scheme() == SCHEME.decode() and address != self.address:
            self.address = address
            self.address_label.setText(address)
            self.address_changed.emit(address)

    def run_js(self, script: str, callback) -> None:
        """Evaluate JavaScript in the page's own world (tests read the DOM this way)."""
        self.page.runJavaScript(script, QWebEngineScript.ScriptWorldId.MainWorld, callback)

    def shutdown(self) -> None:
        """Release the page before its profile (Qt warns otherwise)."""
        self._timer.stop()
        shiboken6.delete(self.page)
