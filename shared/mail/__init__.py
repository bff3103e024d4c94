"""E-mail for the shop: the outbox (side effects written in the order's own transaction), delivery
after commit over SMTP or into a folder of .eml files, and the order e-mails' templates.

    email = render_order_confirmation(summary, branding)           # before the write: no lock held
    db.write(lambda conn: (create_order(conn, ...),
                           enqueue_email(conn, email, dedupe_key=f"order:{order_id}:confirmation")))
    worker = OutboxWorker(SmtpSender(SmtpConfig(host=..., port=587, security="starttls")), databases)
    await worker.start() ... await worker.stop()                    # in the app's cleanup_ctx

Guarantees (and the one at-least-once window) are written in shared/mail/outbox.py."""

from shared.mail.delivery import DEFAULT_POLICY, DeliveryReport, OutboxWorker, RetryPolicy, deliver_due
from shared.mail.errors import MailError, MailErrorCode
from shared.mail.message import OutgoingEmail, build_mime, message_id_for
from shared.mail.outbox import enqueue, enqueue_email, outbox_entries, prune_sent, retry_failed_entry
from shared.mail.senders import DirectorySender, MailSender, MailSession, SmtpConfig, SmtpSender, parse_smtp_address
from shared.mail.templates import (render_new_order, render_order_cancelled, render_order_confirmation,
                                   render_order_refunded, render_ready_for_pickup, render_shipping_confirmation)
from shared.mail.views import (Discount, MailAddress, MailBranding, OrderLine, OrderSummary, PickupLocation,
                               branding_from_theme)

__all__ = [
    "DEFAULT_POLICY", "DeliveryReport", "DirectorySender", "Discount", "MailAddress", "MailBranding", "MailError",
    "MailErrorCode", "MailSender", "MailSession", "OrderLine", "OrderSummary", "OutboxWorker", "OutgoingEmail",
    "PickupLocation", "RetryPolicy", "SmtpConfig", "SmtpSender", "branding_from_theme", "build_mime",
    "deliver_due", "enqueue", "enqueue_email", "message_id_for", "outbox_entries", "parse_smtp_address",
    "prune_sent", "render_new_order", "render_order_cancelled", "render_order_confirmation", "render_order_refunded",
    "render_ready_for_pickup", "render_shipping_confirmation", "retry_failed_entry",
]
