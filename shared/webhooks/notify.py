"""Telling the merchant that a webhook subscription was disabled: an e-mail to the store's address
(the storefront's settings "email"), queued in the outbox in the same write that disabled it."""

from __future__ import annotations

import html
import logging

from shared.db import Connection
from shared.db.repositories import webhooks as repo
from shared.db.repositories.storefront import get_storefront
from shared.mail.errors import MailError
from shared.mail.message import OutgoingEmail
from shared.mail.outbox import enqueue_email

log = logging.getLogger(__name__)


def disabled_email(*, to: str, store_name: str, url: str, reason: str) -> OutgoingEmail:
    """The e-mail saying a subscription was turned off, why, and how to turn it on again."""
    subject = f"[{store_name}] Webhook disabled: {url}"[:250]
    lines = [f"Vibeshop stopped sending events to {url}: every delivery to it has been failing.", "",
             f"Why: {reason}", "",
             "Fix the receiver, then turn the subscription on again in the studio (Settings ▸ Webhooks) or with "
             "PATCH /api/admin/webhooks/ID {\"active\": true}. Events that happened meanwhile are in its delivery log."]
    text = "\n".join(lines)
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    return OutgoingEmail(to=to, subject=subject, text=text, html=f"<!doctype html><html><body>{body}</body></html>",
                         from_name=store_name)


def notify_disabled(conn: Connection, subscription: repo.SubscriptionRow, *, reason: str, now: str) -> bool:
    """Queue the merchant's e-mail (in the caller's write); False when the store has no valid address."""
    front = get_storefront(conn)
    to = str((front.settings or {}).get("email") or "") if front else ""
    if not to:
        log.warning("webhook %s disabled; the store has no e-mail address to tell", subscription.id)
        return False
    try:
        email = disabled_email(to=to, store_name=front.name or "Your store", url=subscription.url, reason=reason)
    except MailError as exc:
        log.warning("webhook %s disabled; cannot e-mail %r: %s", subscription.id, to, exc)
        return False
    enqueue_email(conn, email, dedupe_key=f"webhook:{subscription.id}:disabled:{now}")
    return True
