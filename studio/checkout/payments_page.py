"""Checkout ▸ Payments: the Stripe connection and paying in store at pickup.

Stripe keys are not authored content: they are never stored on this computer, never synced and never
published. The page sends them to the cloud through the admin API (PUT /api/admin/payments/stripe),
which keeps them encrypted, and shows them back masked. That needs a linked store and a connection;
without one the page says so. Sending keys is not an undoable edit (it is not part of the setup)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from shared.checkout.errors import CheckoutErrorCode, FieldProblem
from shared.sync.client import RemoteError
from studio.checkout.widgets import ProblemRouter, card, error_label, labelled, scrolling_page
from studio.publish.tasks import problem_text

NOT_LINKED_TEXT = ("Payment keys are kept only in the cloud, encrypted, never on this computer. Link this store "
                   "to the cloud (Link… in the toolbar) to connect Stripe.")
OFFLINE_TEXT = "Connecting Stripe needs a connection to the cloud: you are offline. Try again when you are online."


class PaymentsPage(QWidget):
    """The Payments page of the Checkout section. `sync` is the window's SyncController (or None)."""

    def __init__(self, sync: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.sync = sync
        self.settings: dict[str, Any] | None = None
        area, column = scrolling_page("Payments", "How shoppers pay. Card payments go through your Stripe "
                                      "account; pickup orders can also be paid at the counter.")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        stripe, stripe_col = card("Stripe", "Find your keys in the Stripe Dashboard under Developers ▸ API keys. "
                                  "Test keys (sk_test_…) take test cards only.")
        self.status = QLabel("", objectName="connectionStatus", wordWrap=True)
        stripe_col.addWidget(self.status)
        self.notice = QLabel("", objectName="noticeText", wordWrap=True)
        stripe_col.addWidget(self.notice)
        self.router = ProblemRouter(error_label())
        self.secret = QLineEdit(objectName="stripeSecret", placeholderText="sk_test_…")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.publishable = QLineEdit(objectName="stripePublishable", placeholderText="pk_test_…")
        self.webhook = QLineEdit(objectName="stripeWebhook", placeholderText="whsec_… (optional)")
        self.webhook.setEchoMode(QLineEdit.EchoMode.Password)
        for field, title, widget, hint in (
                ("secretKey", "Secret key", self.secret, ""),
                ("publishableKey", "Publishable key", self.publishable, ""),
                ("webhookSecret", "Webhook signing secret", self.webhook,
                 "The signing secret of your store's webhook endpoint in Stripe: with it, payments are "
                 "confirmed even when a shopper closes the page.")):
            holder, error = labelled(title, widget, hint=hint)
            self.router.add(field, error)
            stripe_col.addWidget(holder)
        stripe_col.addWidget(self.router.fallback)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("Save keys", objectName="primaryButton")
        buttons.addWidget(self.save_button)
        stripe_col.addLayout(buttons)
        column.addWidget(stripe)
        counter, counter_col = card("Pay in store", "Shoppers who pick up their order can pay at the counter: the "
                                    "order is placed unpaid and your POS collects the payment.")
        counter_col.addWidget(QLabel("Offered with pickup at the locations chosen on the Pickup page.",
                                     objectName="hint", wordWrap=True))
        column.addWidget(counter)
        column.addStretch(1)
        self.save_button.clicked.connect(self.save)
        self.refresh()

    @property
    def linked(self) -> bool:
        """Whether the store is linked to a cloud store (the keys live there)."""
        return self.sync is not None and self.sync.linked

    def refresh(self) -> None:
        """Ask the cloud for the masked settings (nothing at all when not linked)."""
        self._enable(self.linked)
        if not self.linked:
            self._show(None, NOT_LINKED_TEXT)
            return
        self.status.setText("Checking the Stripe connection…")
        self.sync.run(lambda syncer: syncer.stripe_settings(), self._fetched)

    def _enable(self, on: bool) -> None:
        for widget in (self.secret, self.publishable, self.webhook, self.save_button):
            widget.setEnabled(on)

    def _fetched(self, settings: Any, error: Exception | None) -> None:
        if error is not None:
            self._show(None, OFFLINE_TEXT if getattr(error, "code", "") == "offline" else problem_text(error))
            return
        self._show(settings, "")

    def _show(self, settings: dict[str, Any] | None, notice: str) -> None:
        self.settings = settings
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        if settings is None:
            self.status.setText("Not connected")
        elif settings.get("configured"):
            mode = "live mode: real payments" if settings.get("mode") == "live" else "test mode"
            hint = settings.get("webhookSecret") or "no webhook secret"
            self.status.setText(f"Connected in {mode} · {settings.get('secretKey')} · "
                                f"{settings.get('publishableKey')} · {hint}")
        else:
            self.status.setText("Not connected: card payments are off until you add your keys.")
        self.status.setProperty("connected", bool(settings and settings.get("configured")))
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def save(self) -> None:
        """Send the typed keys to the cloud; the fields are emptied once it took them."""
        if not self.linked:
            self._show(None, NOT_LINKED_TEXT)
            return
        keys = {"secret_key": self.secret.text().strip(), "publishable_key": self.publishable.text().strip(),
                "webhook_secret": self.webhook.text().strip()}
        self.save_button.setEnabled(False)
        self.sync.run(lambda syncer: syncer.set_stripe_keys(**keys), self._saved)

    def _saved(self, settings: Any, error: Exception | None) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, RemoteError) and error.details.get("fields"):
            self.router.show([FieldProblem(f.get("field", ""), CheckoutErrorCode.BAD_VALUE, f.get("message", ""))
                              for f in error.details["fields"]])
            return
        if error is not None:
            self.router.show(())
            self.notice.setText(OFFLINE_TEXT if getattr(error, "code", "") == "offline" else problem_text(error))
            self.notice.setVisible(True)
            return
        for widget in (self.secret, self.publishable, self.webhook):
            widget.clear()
        self.router.show(())
        self._show(settings, "")
