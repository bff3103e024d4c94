"""The preview's own URL scheme, `vibeshop://store/...`: every address of the storefront (pages,
products, collections, the blog, search) is answered by the shared renderer, `/media/...` from the
data folder, and `/assets/theme-HASH.css` with the stylesheet of a document rendered here. Links in the
preview therefore work offline exactly as on the storefront, and the bytes the preview loads are the
bytes the renderer produced (kept in `last_documents` and `stylesheets`)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QUrl
from PySide6.QtWebEngineCore import QWebEngineUrlRequestJob, QWebEngineUrlScheme, QWebEngineUrlSchemeHandler

from shared.compose.scripts import CONTENT_TYPE as SCRIPT_CONTENT_TYPE
from shared.compose.scripts import script_named
from shared.compose.stylesheet import CONTENT_TYPE, stylesheet_name
from shared.media.names import is_rendition_name
from studio.preview.renderer import PreviewDocument

log = logging.getLogger(__name__)
SCHEME = b"vibeshop"
HOST = "store"
KEEP_STYLESHEETS = 16     # a theme edited for a while: the pages still on screen link recent ones


def register_scheme() -> None:
    """Declare the scheme; Qt requires this before the QApplication exists."""
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.LocalScheme
                    | QWebEngineUrlScheme.Flag.ContentSecurityPolicyIgnored)
    QWebEngineUrlScheme.registerScheme(scheme)


def preview_url(path_qs: str) -> QUrl:
    """The preview URL of a storefront address."""
    return QUrl(f"{SCHEME.decode()}://{HOST}{path_qs if path_qs.startswith('/') else '/' + path_qs}")


def address_of(url: QUrl) -> str:
    """The storefront address ('/pages/about?x=1') of a preview URL."""
    path = url.path() or "/"
    return path + (f"?{url.query()}" if url.hasQuery() else "")


class PreviewSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers the preview's requests. `render(address)` gives a PreviewDocument; `media(name)` the
    bytes of a media file or None."""

    def __init__(self, render: Callable[[str], PreviewDocument], media: Callable[[str], bytes | None], parent=None):
        super().__init__(parent)
        self._render, self._media = render, media
        self.last_documents: dict[str, bytes] = {}
        self.stylesheets: OrderedDict[str, bytes] = OrderedDict()

    def remember(self, document: PreviewDocument) -> None:
        """Keep the stylesheet a rendered document links, so the preview can load it (documents the
        pane swaps in without a request are rendered outside this handler)."""
        if document.rendered is None:
            return
        sheet = document.rendered.stylesheet
        self.stylesheets[sheet.name] = sheet.body
        self.stylesheets.move_to_end(sheet.name)
        while len(self.stylesheets) > KEEP_STYLESHEETS:
            self.stylesheets.popitem(last=False)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt's name
        url = job.requestUrl()
        if bytes(job.requestMethod().data()) != b"GET" or url.host() != HOST:
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        path = url.path()
        if path.startswith("/media/"):
            name = path.removeprefix("/media/")
            data = self._media(name) if is_rendition_name(name) else None
            if data is None:
                job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            else:
                self._reply(job, b"image/webp", data)
            return
        if path.startswith("/assets/"):
            self._asset(job, path)
            return
        if path.endswith(".js"):
            # The cart API (/cart.js, /cart/add.js, ...) is the cloud's: a preview has no shopper, and a
            # page rendered for such an address would stand in for the document the preview shows.
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        address = address_of(url)
        try:
            document = self._render(address)
        except Exception:  # noqa: BLE001 - a preview must never take the studio down
            log.exception("preview of %s failed", address)
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            return
        if document.redirect is not None:
            job.redirect(preview_url(document.redirect))
            return
        self.last_documents[address] = document.body
        self.remember(document)
        self._reply(job, b"text/html; charset=utf-8", document.body)

    def _asset(self, job: QWebEngineUrlRequestJob, path: str) -> None:
        """A file pages link under /assets/ (the theme stylesheet a render made here, the storefront's
        cart script), the same bytes the cloud serves; never a page (a page rendered for a file's
        address would stand in for the document the preview shows)."""
        sheet = stylesheet_name(path)
        if sheet is not None and sheet in self.stylesheets:
            self._reply(job, CONTENT_TYPE.encode(), self.stylesheets[sheet])
        elif path.startswith("/assets/") and script_named(path[8:]) is not None:
            self._reply(job, SCRIPT_CONTENT_TYPE.encode(), script_named(path[8:]).body)
        else:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    @staticmethod
    def _reply(job: QWebEngineUrlRequestJob, mime: bytes, data: bytes) -> None:
        buffer = QBuffer(job)      # owned by the job: it lives as long as the reply is read
        buffer.setData(QByteArray(data))
        buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        job.reply(mime, buffer)
