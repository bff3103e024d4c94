"""Newsletter campaigns: compose (a snapshot of subject, HTML and text), a test send to the merchant,
then the send to every customer consenting at that moment, at a bounded rate, with a status per
recipient.

Why a resume never sends a second copy: starting freezes the audience into campaign_recipients (one
row per customer, status 'pending'). Each batch, in ONE write, queues a recipient's e-mail into the
outbox (dedupe key `campaign:ID:customer:ID`) and marks the row 'queued' with the outbox row's id: a
crash before the commit leaves both undone, after it both done. A resumed batch only takes 'pending'
rows, and even a row queued twice would find the dedupe key taken. Delivery itself is the outbox's
(shared/mail/outbox.py: leases, retries, the stable Message-ID)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.db import Connection
from shared.db.repositories import marketing as repo
from shared.db.stamps import new_id
from shared.mail.designs import using_designs
from shared.mail.errors import MailError
from shared.mail.message import MAX_BODY, OutgoingEmail, check_address
from shared.mail.outbox import enqueue_email
from shared.mail.views import MailBranding
from shared.marketing.errors import MarketingError, MarketingErrorCode
from shared.marketing.messages import render_newsletter
from shared.marketing.products import check_product_ids, featured_products
from shared.marketing.settings import branding_for, iso, settings_row
from shared.marketing.tokens import unsubscribe_token

MAX_SUBJECT = 250
MAX_LIST = 100


@dataclass(frozen=True)
class Campaign:
    """A campaign with its per-recipient counts: pending (not queued yet), queued (in the outbox),
    sent, failed, skipped (consent withdrawn before its turn)."""

    row: repo.CampaignRow
    counts: dict[str, int]

    def to_json(self, *, content: bool = True) -> dict[str, Any]:
        """The admin API's shape."""
        r = self.row
        counts = {k: self.counts.get(k, 0) for k in ("pending", "queued", "sent", "failed", "skipped")}
        data: dict[str, Any] = {"id": r.id, "subject": r.subject, "status": r.status, "testSentTo": r.test_sent_to,
                                "createdAt": r.created_at, "startedAt": r.started_at, "finishedAt": r.finished_at,
                                "recipients": {**counts, "total": sum(counts.values())}}
        if content:
            data.update(html=r.html, text=r.text, productIds=list(r.product_ids))
        return data


def _content(body: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, html, text) checked; MarketingError(INVALID) naming the field."""
    subject, html, text = body.get("subject"), body.get("html", ""), body.get("text")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT:
        raise MarketingError(MarketingErrorCode.INVALID, f"subject needs 1 to {MAX_SUBJECT} characters", field="subject")
    if not isinstance(text, str) or not text.strip():
        raise MarketingError(MarketingErrorCode.INVALID, "text is required (mail clients without HTML show it)",
                             field="text")
    if not isinstance(html, str):
        raise MarketingError(MarketingErrorCode.INVALID, "html must be text", field="html")
    if len(html) + len(text) > MAX_BODY // 2:
        raise MarketingError(MarketingErrorCode.INVALID, "the campaign is too large", field="html")
    return " ".join(subject.split()), html, text


def _campaign(conn: Connection, campaign_id: Any) -> repo.CampaignRow:
    row = repo.get_campaign(conn, campaign_id) if isinstance(campaign_id, str) and len(campaign_id) <= 64 else None
    if row is None:
        raise MarketingError(MarketingErrorCode.NOT_FOUND, "no such campaign")
    return row


def create_campaign(conn: Connection, body: dict[str, Any], *, now: datetime) -> Campaign:
    """A draft campaign from {subject, html?, text, productIds?} (inside the caller's write). Raises
    MarketingError(INVALID)."""
    subject, html, text = _content(body)
    product_ids = check_product_ids(body.get("productIds"))
    campaign_id = new_id()
    repo.insert_campaign(conn, campaign_id=campaign_id, subject=subject, html=html, text=text, now=iso(now),
                         product_ids=product_ids)
    return get_campaign(conn, campaign_id)


def update_campaign(conn: Connection, campaign_id: str, body: dict[str, Any], *, now: datetime) -> Campaign:
    """Change a draft's content. Raises MarketingError(NOT_FOUND, NOT_DRAFT, INVALID)."""
    row = _campaign(conn, campaign_id)
    subject, html, text = _content({"subject": row.subject, "html": row.html, "text": row.text, **body})
    product_ids = check_product_ids(body["productIds"]) if "productIds" in body else row.product_ids
    if not repo.update_draft(conn, campaign_id=row.id, subject=subject, html=html, text=text, now=iso(now),
                             product_ids=product_ids):
        raise MarketingError(MarketingErrorCode.NOT_DRAFT, "a campaign that was sent can no longer change")
    return get_campaign(conn, row.id)


def get_campaign(conn: Connection, campaign_id: str) -> Campaign:
    """One campaign with its recipient counts. Raises MarketingError(NOT_FOUND)."""
    row = _campaign(conn, campaign_id)
    return Campaign(row, repo.recipient_counts(conn, row.id))


def list_campaigns(conn: Connection, *, limit: int = 50) -> list[Campaign]:
    """The newest campaigns first, with their counts."""
    return [Campaign(row, repo.recipient_counts(conn, row.id)) for row in repo.list_campaigns(conn, limit=min(limit, MAX_LIST))]


def recipients(conn: Connection, campaign_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Per-recipient status: e-mail, recipient status, delivery status, last error."""
    row = _campaign(conn, campaign_id)
    return [{"email": e, "status": s, "delivery": d, "error": err or ""}
            for e, s, d, err in repo.list_recipients(conn, row.id, limit=min(max(limit, 1), 1000))]


def _copy(conn: Connection, row: repo.CampaignRow, *, to: str, site_url: str, secret: str,
          branding: MailBranding) -> OutgoingEmail:
    """One recipient's copy, from the store's newsletter design when it has one; its products are read
    now (a product gone since the draft is left out)."""
    token = unsubscribe_token(secret, email=to, campaign_id=row.id)
    products = featured_products(conn, row.product_ids, site_url=site_url)
    with using_designs(conn):
        return render_newsletter(to=to, subject=row.subject, html=row.html, text=row.text, branding=branding,
                                 unsubscribe_url=f"{site_url}/unsubscribe?t={token}", products=products)


SAMPLE_RECIPIENT = "subscriber@example.com"


def preview_copy(conn: Connection, *, subject: str, html: str, text: str, product_ids: tuple[str, ...] | list[str],
                 site_url: str, to: str = SAMPLE_RECIPIENT) -> OutgoingEmail:
    """What a subscriber (`to`, a sample one by default) would get for this content now: the very render
    the sender uses (`_copy`: the store's design or the built-in one, products read now), for the
    studio's live preview from its own copy of the store's database. Raises MailError for a bad address."""
    row = repo.CampaignRow(id="preview", subject=" ".join(subject.split()), html=html, text=text, status="draft",
                           test_sent_to="", created_at="", updated_at="", started_at=None, finished_at=None,
                           last_batch_at=None, product_ids=tuple(product_ids))
    site = site_url.rstrip("/") or "http://localhost"
    return _copy(conn, row, to=to, site_url=site, secret="preview", branding=branding_for(conn, site))


def send_test(conn: Connection, campaign_id: str, *, to: Any, now: datetime) -> str:
    """Queue one copy to the merchant's address (`to`), marked "[Test]" in the subject; its unsubscribe
    link is real but for that address. Returns the outbox row id. Raises MarketingError(NOT_FOUND, INVALID)."""
    row = _campaign(conn, campaign_id)
    try:
        address = check_address(to, "to")
    except MailError:
        raise MarketingError(MarketingErrorCode.INVALID, "to must be an e-mail address", field="to") from None
    settings = settings_row(conn, now=now)
    email = _copy(conn, row, to=address, site_url=_site(settings), secret=settings.secret,
                  branding=branding_for(conn, _site(settings)))
    email = type(email)(**{**email.to_payload(), "subject": f"[Test] {email.subject}"})
    outbox_id = enqueue_email(conn, email, dedupe_key=f"campaign:{row.id}:test:{new_id()}")
    repo.mark_test_sent(conn, campaign_id=row.id, to=address, now=iso(now))
    assert outbox_id is not None
    return outbox_id


def _site(settings: repo.SettingsRow) -> str:
    return settings.site_url or "http://localhost"


def start_sending(conn: Connection, campaign_id: str, *, now: datetime) -> Campaign:
    """Freeze the audience (every customer consenting now) and start sending; the background loop
    (`send_due_batches`) queues them at the store's rate. Raises MarketingError(NOT_FOUND, NOT_DRAFT)."""
    row = _campaign(conn, campaign_id)
    if row.status != "draft":
        raise MarketingError(MarketingErrorCode.NOT_DRAFT, f"the campaign is {row.status} already")
    settings_row(conn, now=now)
    repo.start_campaign(conn, campaign_id=row.id, now=iso(now))
    return get_campaign(conn, row.id)


def cancel_campaign(conn: Connection, campaign_id: str, *, now: datetime) -> Campaign:
    """Stop a campaign: no more recipients are queued (those in the outbox still go). Raises
    MarketingError(NOT_FOUND, NOT_DRAFT when it is finished)."""
    row = _campaign(conn, campaign_id)
    if not repo.cancel_campaign(conn, campaign_id=row.id, now=iso(now)):
        raise MarketingError(MarketingErrorCode.NOT_DRAFT, f"the campaign is {row.status}")
    return get_campaign(conn, row.id)


def send_due_batches(conn: Connection, *, now: datetime) -> float | None:
    """One step of sending (inside a write): for the oldest campaign being sent, if a second has passed
    since its last batch, queue up to the store's rate of pending recipients (skipping those who withdrew
    consent since) and mark them, all in this write. Returns the seconds until the next batch is due,
    or None when nothing is being sent."""
    campaigns = repo.sending_campaigns(conn)
    if not campaigns:
        return None
    row = campaigns[0]
    if row.last_batch_at is not None:
        due = datetime.fromisoformat(row.last_batch_at) + timedelta(seconds=1)
        if due > now:
            return (due - now).total_seconds()
    settings = settings_row(conn, now=now)
    batch = repo.pending_recipients(conn, campaign_id=row.id, limit=settings.rate_per_second)
    stamp = iso(now)
    branding = branding_for(conn, _site(settings))
    for recipient in batch:
        _queue_one(conn, row, recipient, settings=settings, branding=branding, now=now)
    repo.set_batch_clock(conn, campaign_id=row.id, at=stamp)
    if len(batch) < settings.rate_per_second:
        repo.finish_campaign(conn, campaign_id=row.id, now=stamp)
        return 0.0 if len(campaigns) > 1 else None
    return 1.0


def _queue_one(conn: Connection, row: repo.CampaignRow, recipient: repo.RecipientRow, *,
               settings: repo.SettingsRow, branding: MailBranding, now: datetime) -> None:
    """Queue one recipient's copy (or skip them) and mark their row, in the caller's write."""
    stamp = iso(now)
    if not recipient.consents:
        repo.mark_recipient(conn, campaign_id=row.id, customer_id=recipient.customer_id, status="skipped",
                            outbox_id=None, now=stamp)
        return
    key = f"campaign:{row.id}:customer:{recipient.customer_id}"
    try:
        email = _copy(conn, row, to=recipient.email, site_url=_site(settings), secret=settings.secret, branding=branding)
    except MailError:       # an address the mail cannot carry: skipped, never retried forever
        repo.mark_recipient(conn, campaign_id=row.id, customer_id=recipient.customer_id, status="skipped",
                            outbox_id=None, now=stamp)
        return
    outbox_id = enqueue_email(conn, email, dedupe_key=key) or repo.outbox_id_by_key(conn, key)
    repo.mark_recipient(conn, campaign_id=row.id, customer_id=recipient.customer_id, status="queued",
                        outbox_id=outbox_id, now=stamp)
