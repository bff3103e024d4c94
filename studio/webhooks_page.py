"""Settings ▸ Webhooks: the merchant's outbound webhook subscriptions (issue 12, section 5).

Subscriptions live only in the cloud (they are not authored content: never synced, never published):
the page talks to the admin API through the window's SyncController (`sync.run(work, done)`, the work
on a background thread, `done` on the UI thread), like Checkout ▸ Payments. It lists the
subscriptions with their state (a disabled one says why), adds one (the signing secret is shown once,
to copy), sends a test event, turns one off or on, deletes it, and shows its recent deliveries with
each attempt's status code, duration and error. Without a linked store or a connection it says so."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QCheckBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QWidget)

from shared.checkout.errors import CheckoutErrorCode, FieldProblem
from shared.sync.client import RemoteError
from shared.webhooks.events import EVENT_TYPES
from studio.checkout.widgets import ProblemRouter, card, error_label, labelled, scrolling_page
from studio.publish.tasks import problem_text

NOT_LINKED_TEXT = ("Webhooks are kept in the cloud, which sends them. Link this store to the cloud (Link… in the "
                   "toolbar) to add one.")
OFFLINE_TEXT = "Webhooks need a connection to the cloud: you are offline. Try again when you are online."
SECRET_TEXT = "Signing secret (copy it now: it is shown only this once)"


def subscription_line(webhook: dict[str, Any]) -> str:
    """One subscription in the list: its state, URL and events."""
    if webhook.get("disabled"):
        state = f"Disabled: {webhook.get('disabledReason', '')}"
    elif not webhook.get("active"):
        state = "Off"
    elif webhook.get("failingSince"):
        state = f"Failing since {str(webhook['failingSince'])[:16].replace('T', ' ')}"
    else:
        state = "On"
    return f"{webhook.get('url', '')}\n{', '.join(webhook.get('events', []))} · {state}"


def delivery_line(delivery: dict[str, Any]) -> str:
    """One delivery in the log: when, what, how it went and its last attempt."""
    when = str(delivery.get("createdAt", ""))[:19].replace("T", " ")
    last = (delivery.get("log") or [{}])[-1]
    answer = f"HTTP {last['statusCode']}" if last.get("statusCode") else (last.get("error") or "not tried yet")
    duration = f" in {last['durationMs']} ms" if "durationMs" in last else ""
    return (f"{when} · {delivery.get('eventType', '')} · {delivery.get('status', '')} · "
            f"{delivery.get('attempts', 0)} attempt(s) · {answer}{duration}")


class WebhooksPage(QWidget):
    """The Webhooks page. `sync` is the window's SyncController (or None)."""

    def __init__(self, sync: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.sync = sync
        self.webhooks: list[dict[str, Any]] = []
        area, column = scrolling_page("Webhooks", "Send your other apps a signed HTTPS request when an order is "
                                      "placed, paid, fulfilled or cancelled, a refund is made or a customer signs "
                                      "up. Failed deliveries are retried for 24 hours.")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        self.notice = QLabel("", objectName="noticeText", wordWrap=True)
        column.addWidget(self.notice)
        column.addWidget(self._list_card())
        column.addWidget(self._add_card())
        column.addStretch(1)
        self.refresh()

    def _list_card(self) -> QWidget:
        frame, col = card("Subscriptions", "Select one to see its recent deliveries.")
        self.list = QListWidget(objectName="webhookList")
        self.list.currentRowChanged.connect(self._selected)
        col.addWidget(self.list)
        row = QHBoxLayout()
        self.test_button = QPushButton("Send test event", objectName="webhookTest")
        self.toggle_button = QPushButton("Turn off", objectName="webhookToggle")
        self.delete_button = QPushButton("Delete", objectName="webhookDelete")
        for button, slot in ((self.test_button, self.send_test), (self.toggle_button, self.toggle),
                             (self.delete_button, self.delete)):
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        col.addLayout(row)
        col.addWidget(QLabel("Recent deliveries", objectName="fieldLabel"))
        self.deliveries = QListWidget(objectName="webhookDeliveries")
        col.addWidget(self.deliveries)
        return frame

    def _add_card(self) -> QWidget:
        frame, col = card("Add a webhook", "The address must start with https://. Each request carries a "
                          "Vibeshop-Signature header: check it with the secret (see docs/webhooks.md).")
        self.router = ProblemRouter(error_label())
        self.url = QLineEdit(objectName="webhookUrl", placeholderText="https://example.com/vibeshop/webhooks")
        holder, error = labelled("Endpoint URL", self.url)
        self.router.add("url", error)
        col.addWidget(holder)
        grid = QGridLayout()
        self.event_boxes = {name: QCheckBox(name) for name in EVENT_TYPES}
        for index, box in enumerate(self.event_boxes.values()):
            grid.addWidget(box, index // 2, index % 2)
        col.addWidget(QLabel("Events", objectName="fieldLabel"))
        col.addLayout(grid)
        self.router.add("events", error_label())
        col.addWidget(self.router.labels["events"])
        self.description = QLineEdit(objectName="webhookDescription", placeholderText="What receives it (optional)")
        holder, error = labelled("Description", self.description)
        self.router.add("description", error)
        col.addWidget(holder)
        col.addWidget(self.router.fallback)
        self.secret = QLineEdit(objectName="webhookSecret", readOnly=True)
        self.secret_holder, _ = labelled(SECRET_TEXT, self.secret)
        self.secret_holder.setVisible(False)
        col.addWidget(self.secret_holder)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.add_button = QPushButton("Add webhook", objectName="primaryButton")
        self.add_button.clicked.connect(self.add)
        buttons.addWidget(self.add_button)
        col.addLayout(buttons)
        return frame

    @property
    def linked(self) -> bool:
        """Whether the store is linked to a cloud store (the subscriptions live there)."""
        return self.sync is not None and self.sync.linked

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _failed(self, error: Exception) -> None:
        self._say(OFFLINE_TEXT if getattr(error, "code", "") == "offline" else problem_text(error))

    def _enable(self) -> None:
        for widget in (self.url, self.description, self.add_button, *self.event_boxes.values()):
            widget.setEnabled(self.linked)
        chosen = self.current() is not None
        for button in (self.test_button, self.toggle_button, self.delete_button):
            button.setEnabled(self.linked and chosen)
        current = self.current()
        self.toggle_button.setText("Turn on" if current and not current.get("active") else "Turn off")

    def current(self) -> dict[str, Any] | None:
        """The selected subscription's JSON."""
        row = self.list.currentRow()
        return self.webhooks[row] if 0 <= row < len(self.webhooks) else None

    def refresh(self) -> None:
        """Ask the cloud for the subscriptions (nothing at all when not linked)."""
        self._enable()
        if not self.linked:
            self._say(NOT_LINKED_TEXT)
            return
        self.sync.run(lambda syncer: syncer.webhooks(), self._listed)

    def _listed(self, answer: Any, error: Exception | None) -> None:
        if error is not None:
            self._failed(error)
            return
        self._say("")
        chosen = (self.current() or {}).get("id")
        self.webhooks = list((answer or {}).get("webhooks", []))
        self.list.blockSignals(True)
        self.list.clear()
        for webhook in self.webhooks:
            item = QListWidgetItem(subscription_line(webhook))
            item.setData(256, webhook.get("id"))
            self.list.addItem(item)
        ids = [w.get("id") for w in self.webhooks]
        self.list.setCurrentRow(ids.index(chosen) if chosen in ids else (0 if ids else -1))
        self.list.blockSignals(False)
        self._selected(self.list.currentRow())

    def _selected(self, _row: int) -> None:
        self._enable()
        self.deliveries.clear()
        current = self.current()
        if current is not None and self.linked:
            webhook_id = current["id"]
            self.sync.run(lambda syncer: syncer.webhook_deliveries(webhook_id), self._delivered)

    def _delivered(self, answer: Any, error: Exception | None) -> None:
        if error is not None:
            self._failed(error)
            return
        self.deliveries.clear()
        for delivery in (answer or {}).get("deliveries", []):
            self.deliveries.addItem(delivery_line(delivery))

    def add(self) -> None:
        """Subscribe the typed URL to the ticked events; the secret appears once it is made."""
        if not self.linked:
            self._say(NOT_LINKED_TEXT)
            return
        url, description = self.url.text().strip(), self.description.text().strip()
        events = [name for name, box in self.event_boxes.items() if box.isChecked()]
        self.add_button.setEnabled(False)
        self.sync.run(lambda syncer: syncer.create_webhook(url=url, events=events, description=description),
                      self._added)

    def _added(self, made: Any, error: Exception | None) -> None:
        self.add_button.setEnabled(True)
        if isinstance(error, RemoteError) and error.details.get("fields"):
            self.router.show([FieldProblem(f.get("field", ""), CheckoutErrorCode.BAD_VALUE, f.get("message", ""))
                              for f in error.details["fields"]])
            return
        self.router.show(())
        if error is not None:
            self._failed(error)
            return
        self.secret.setText(str(made.get("secret", "")))
        self.secret_holder.setVisible(True)
        self.url.clear()
        self.description.clear()
        for box in self.event_boxes.values():
            box.setChecked(False)
        self.refresh()

    def _act(self, work: Any) -> None:
        current = self.current()
        if current is None or not self.linked:
            return
        webhook_id = current["id"]
        self.sync.run(lambda syncer: work(syncer, webhook_id), self._acted)

    def _acted(self, _answer: Any, error: Exception | None) -> None:
        if error is not None:
            self._failed(error)
            return
        self.refresh()

    def send_test(self) -> None:
        """Queue a test event to the selected subscription (its delivery shows in the log)."""
        self._act(lambda syncer, webhook_id: syncer.test_webhook(webhook_id))

    def toggle(self) -> None:
        """Turn the selected subscription off, or on again (a disabled one forgets its failures)."""
        active = not bool((self.current() or {}).get("active"))
        self._act(lambda syncer, webhook_id: syncer.update_webhook(webhook_id, {"active": active}))

    def delete(self) -> None:
        """Delete the selected subscription and its log."""
        self._act(lambda syncer, webhook_id: syncer.delete_webhook(webhook_id))
