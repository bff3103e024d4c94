"""Marketing ▸ Campaigns: compose a newsletter (subject, rich text with a toolbar, products to feature),
preview it as a subscriber gets it, send a test to the merchant, send it to every consenting customer,
and watch its progress (pending, queued, sent, failed, skipped); and the abandoned-checkout reminder
setting (off by default).

The body is edited as rich text (richtext.py) and stored as sanitised HTML with the text part derived
from it. The preview renders through the sender's own function (shared.marketing.preview_copy: the
store's design or the built-in layout, the products as they are now) from the studio's copy of the
store's database, for a sample recipient, a moment after the merchant stops typing.

Campaigns live only in the cloud, which sends them (shared/marketing, docs/marketing.md): the page talks
to the admin API through the window's SyncController (`sync.run(work, done)`: the work on a background
thread, `done` on the UI thread), like Settings ▸ Webhooks. A standalone QWidget: the integrator mounts
it where the studio's sections are listed (e.g. a "Marketing" entry next to Customers), as
`CampaignsPage(window.sync)` (the session, for the product picker and the preview, is the controller's
`session`, or given as the second argument; without one the picker is empty and the preview is the body
alone). While a campaign is sending the page polls its counts every 2 seconds."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QProgressBar,
                               QPushButton, QTextBrowser, QWidget)

from shared.errors import VibeshopError
from shared.marketing import preview_copy
from shared.sync.client import RemoteError
from studio.marketing.cards import AbandonedCard, ProductPicker
from studio.marketing.richtext import RichTextEditor
from studio.checkout.widgets import card, labelled, scrolling_page
from studio.publish.tasks import problem_text

NOT_LINKED_TEXT = ("Campaigns are sent by the cloud. Link this store to the cloud (Link… in the toolbar) to "
                   "write one.")
OFFLINE_TEXT = "Campaigns need a connection to the cloud: you are offline. Try again when you are online."
POLL_MS = 2000
PREVIEW_DELAY_MS = 300       # the preview renders this long after the last keystroke


def admin(syncer: Any, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One admin API call with the device's token (the Syncer's own helper keeps the problem's code).
    The integrator may move these calls into shared/sync/client.py's Syncer next to the webhooks'."""
    return syncer._admin_json(method, path, body=body)  # noqa: SLF001 - see above


def campaign_line(campaign: dict[str, Any]) -> str:
    """One campaign in the list: subject, status and counts."""
    counts = campaign.get("recipients") or {}
    progress = (f" · {counts.get('sent', 0)}/{counts.get('total', 0)} sent"
                if campaign.get("status") != "draft" else "")
    failed = f", {counts['failed']} failed" if counts.get("failed") else ""
    return f"{campaign.get('subject', '')}\n{campaign.get('status', '')}{progress}{failed}"


class CampaignsPage(QWidget):
    """The Campaigns page. `sync` is the window's SyncController (or None)."""

    def __init__(self, sync: Any, session: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        # the window's SyncController carries the session: `CampaignsPage(window.sync)` gets the products too
        self.sync, self.session = sync, session if session is not None else getattr(sync, "session", None)
        self.campaigns: list[dict[str, Any]] = []
        self.current_id: str | None = None
        self.site_url = ""           # the cloud's storefront address (marketing settings), for the preview's links
        self.preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.render_preview)
        area, column = scrolling_page("Campaigns", "Write a newsletter, send yourself a test, then send it to "
                                      "every customer who agreed to marketing. Each e-mail has a one-click "
                                      "unsubscribe.")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        self.notice = QLabel("", objectName="noticeText", wordWrap=True)
        column.addWidget(self.notice)
        column.addWidget(self._list_card())
        column.addWidget(self._compose_card())
        self.abandoned = AbandonedCard(self)
        self.abandoned.save_requested.connect(self.save_settings)
        column.addWidget(self.abandoned.frame)
        column.addStretch(1)
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.refresh()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Products synced since the page was last shown appear in the picker."""
        super().showEvent(event)
        self.products.reload()

    def _list_card(self) -> QWidget:
        frame, col = card("Campaigns", "Select one to see it, or start a new one.")
        self.list = QListWidget(objectName="campaignList")
        self.list.currentRowChanged.connect(self._selected)
        col.addWidget(self.list)
        self.new_button = QPushButton("New campaign", objectName="campaignNew")
        self.new_button.clicked.connect(self.new)
        col.addWidget(self.new_button)
        return frame

    def _compose_card(self) -> QWidget:
        frame, col = card("Compose", "Write the newsletter; mail programs that show no formatting get its text. "
                          "The preview shows what a subscriber gets.")
        self.subject = QLineEdit(objectName="campaignSubject", placeholderText="Winter sale: 20 % off everything")
        self.subject.textChanged.connect(self.schedule_preview)
        col.addWidget(labelled("Subject", self.subject)[0])
        self.body = RichTextEditor(self)
        self.body.edit.textChanged.connect(self.schedule_preview)
        col.addWidget(labelled("Message", self.body)[0])
        self.products = ProductPicker(self.session, self)
        self.products.changed.connect(self.schedule_preview)
        col.addWidget(self.products.frame)
        self.preview = QTextBrowser(objectName="campaignPreview", openExternalLinks=False)
        self.preview.setMinimumHeight(260)
        col.addWidget(labelled("Preview (as a subscriber gets it)", self.preview)[0])
        self.save_button = QPushButton("Save draft", objectName="campaignSave")
        self.save_button.clicked.connect(self.save)
        col.addWidget(self.save_button)
        row = QHBoxLayout()
        self.test_to = QLineEdit(objectName="campaignTestTo", placeholderText="you@yourshop.com")
        self.test_button = QPushButton("Send test", objectName="campaignTest")
        self.test_button.clicked.connect(self.send_test)
        row.addWidget(self.test_to, 1)
        row.addWidget(self.test_button)
        col.addLayout(row)
        self.send_button = QPushButton("Send to subscribers", objectName="primaryButton")
        self.send_button.clicked.connect(self.send)
        col.addWidget(self.send_button)
        self.progress = QProgressBar(objectName="campaignProgress", visible=False)
        self.counts = QLabel("", objectName="campaignCounts")
        col.addWidget(self.progress)
        col.addWidget(self.counts)
        return frame

    # --- state -----------------------------------------------------------------------------------------

    @property
    def linked(self) -> bool:
        """Whether the store is linked to a cloud store (campaigns live there)."""
        return self.sync is not None and self.sync.linked

    def current(self) -> dict[str, Any] | None:
        """The selected campaign's JSON (None: a new one being written)."""
        return next((c for c in self.campaigns if c.get("id") == self.current_id), None)

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _failed(self, error: Exception) -> None:
        self._say(OFFLINE_TEXT if getattr(error, "code", "") == "offline" else problem_text(error))

    def _enable(self) -> None:
        current = self.current()
        draft = current is None or current.get("status") == "draft"
        for widget in (self.subject, self.body):
            widget.setReadOnly(not (self.linked and draft))
        self.products.set_enabled(self.linked and draft)
        self.abandoned.set_enabled(self.linked)
        self.save_button.setEnabled(self.linked and draft)
        self.test_button.setEnabled(self.linked and current is not None)
        self.send_button.setEnabled(self.linked and current is not None and draft)
        self.new_button.setEnabled(self.linked)

    def schedule_preview(self) -> None:
        """Render the preview once the merchant pauses (debounced: typing never waits for a render)."""
        self.preview_timer.start()

    def render_preview(self) -> None:
        """The preview: the sender's render of the current content for a sample subscriber."""
        self.preview_timer.stop()
        html, subject = self.body.html(), self.subject.text().strip() or "(no subject)"
        text, product_ids = self.body.text() or " ", self.products.picked()
        if self.session is None:
            self.preview.setHtml(html)
            return
        try:
            email = self.session.db.read(lambda conn: preview_copy(
                conn, subject=subject, html=html, text=text, product_ids=product_ids, site_url=self.site_url))
        except VibeshopError as error:      # a broken design or data: say so in the preview, never crash
            self.preview.setPlainText(f"The preview could not be rendered: {error}")
            return
        self.last_preview = email
        self.preview.setHtml(email.html or f"<pre>{_escape(email.text)}</pre>")

    def _call(self, work: Any, done: Any) -> None:
        if not self.linked:
            self._say(NOT_LINKED_TEXT)
            return
        self.sync.run(work, done)

    # --- actions -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask the cloud for the campaigns (and the selected one's counts)."""
        self._enable()
        if not self.linked:
            self._say(NOT_LINKED_TEXT)
            return
        self._call(lambda syncer: admin(syncer, "GET", "/api/admin/campaigns"), self._listed)
        if not self.site_url:
            self._call(lambda syncer: admin(syncer, "GET", "/api/admin/marketing/settings"), self._settings)

    def _settings(self, answer: Any, error: Exception | None) -> None:
        if error is not None:
            self._failed(error)
            return
        self.site_url = str((answer or {}).get("siteUrl") or "")
        self.abandoned.show_settings(answer or {})

    def save_settings(self, body: dict[str, Any]) -> None:
        """Send the abandoned-checkout setting to the cloud (PATCH /api/admin/marketing/settings)."""
        self._call(lambda syncer: admin(syncer, "PATCH", "/api/admin/marketing/settings", body), self._settings_saved)

    def _settings_saved(self, answer: Any, error: Exception | None) -> None:
        if error is not None:
            self._failed(error)
            return
        self._settings(answer, None)
        on = (answer or {}).get("abandonedCheckout", {}).get("enabled")
        self._say("Shoppers who leave checkout will get one reminder." if on else
                  "Shoppers who leave checkout get no reminder.")

    def _listed(self, answer: Any, error: Exception | None) -> None:
        if error is not None:
            self.timer.stop()
            self._failed(error)
            return
        if self.notice.text() in (OFFLINE_TEXT, NOT_LINKED_TEXT):
            self._say("")       # back online; what the last action said stays
        self.campaigns = list((answer or {}).get("campaigns", []))
        self.list.blockSignals(True)
        self.list.clear()
        for campaign in self.campaigns:
            item = QListWidgetItem(campaign_line(campaign))
            item.setData(256, campaign.get("id"))
            self.list.addItem(item)
        ids = [c.get("id") for c in self.campaigns]
        self.list.setCurrentRow(ids.index(self.current_id) if self.current_id in ids else -1)
        self.list.blockSignals(False)
        self._show_counts(self.current())
        if not any(c.get("status") == "sending" for c in self.campaigns):
            self.timer.stop()
        self._enable()

    def _selected(self, row: int) -> None:
        self.current_id = self.campaigns[row]["id"] if 0 <= row < len(self.campaigns) else None
        if self.current_id is not None:
            campaign_id = self.current_id
            self._call(lambda syncer: admin(syncer, "GET", f"/api/admin/campaigns/{campaign_id}"), self._loaded)
        self._enable()

    def _loaded(self, campaign: Any, error: Exception | None) -> None:
        if error is not None:
            self._failed(error)
            return
        self.subject.setText(campaign.get("subject", ""))
        self.body.set_html(campaign.get("html", "") or f"<p>{_escape(campaign.get('text', ''))}</p>")
        self.products.set_picked(list(campaign.get("productIds") or []))
        self._show_counts(campaign)
        self._enable()

    def _show_counts(self, campaign: dict[str, Any] | None) -> None:
        counts = (campaign or {}).get("recipients") or {}
        sending = bool(campaign) and campaign.get("status") != "draft"
        self.progress.setVisible(sending)
        self.progress.setRange(0, max(counts.get("total", 0), 1))
        self.progress.setValue(counts.get("sent", 0) + counts.get("failed", 0) + counts.get("skipped", 0))
        self.counts.setText(", ".join(f"{counts.get(k, 0)} {k}" for k in ("pending", "queued", "sent", "failed",
                                                                            "skipped")) if sending else "")

    def new(self) -> None:
        """Start a new campaign (saved as a draft by "Save draft")."""
        self.current_id = None
        self.list.setCurrentRow(-1)
        for widget in (self.subject, self.body):
            widget.clear()
        self.products.set_picked([])
        self._show_counts(None)
        self._enable()

    def save(self) -> None:
        """Save the draft: a new campaign, or the selected draft changed."""
        body = {"subject": self.subject.text(), "text": self.body.text(), "html": self.body.html(),
                "productIds": self.products.picked()}
        campaign_id = self.current_id
        if campaign_id is None:
            work = lambda syncer: admin(syncer, "POST", "/api/admin/campaigns", body)  # noqa: E731
        else:
            work = lambda syncer: admin(syncer, "PATCH", f"/api/admin/campaigns/{campaign_id}", body)  # noqa: E731
        self._call(work, self._saved)

    def _saved(self, campaign: Any, error: Exception | None) -> None:
        if error is not None:
            field = error.details.get("field") if isinstance(error, RemoteError) else None
            self._say(f"{field}: {error}" if field else problem_text(error))
            return
        self.current_id = campaign.get("id")
        self._say("Draft saved.")
        self.refresh()

    def send_test(self) -> None:
        """Send one "[Test]" copy to the address typed next to the button."""
        campaign_id, to = self.current_id, self.test_to.text().strip()
        if campaign_id is None:
            return
        self._call(lambda syncer: admin(syncer, "POST", f"/api/admin/campaigns/{campaign_id}/test", {"to": to}),
                   self._tested)

    def _tested(self, _answer: Any, error: Exception | None) -> None:
        if error is not None:
            self._failed(error)
            return
        self._say(f"A test was sent to {self.test_to.text().strip()}.")
        self.refresh()

    def send(self) -> None:
        """Send the selected draft to every consenting customer; the page follows its progress."""
        campaign_id = self.current_id
        if campaign_id is None:
            return
        self._call(lambda syncer: admin(syncer, "POST", f"/api/admin/campaigns/{campaign_id}/send"), self._sent)

    def _sent(self, campaign: Any, error: Exception | None) -> None:
        if error is not None:
            self._failed(error)
            return
        self._say(f"Sending to {campaign.get('recipients', {}).get('total', 0)} subscribers.")
        self.timer.start()
        self.refresh()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
