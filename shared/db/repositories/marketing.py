"""Marketing (migrations 0024, 0025): the store's marketing settings, campaigns and their recipients, and the
abandoned checkouts already decided. Times are ISO 8601 UTC text (they sort as text). Called by
shared/marketing inside `Database.write` / `Database.read`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared.db.database import Connection

_SETTINGS = "secret, abandoned_enabled, abandoned_delay_s, abandoned_since, rate_per_second, site_url, updated_at"
_CAMPAIGN = ("id, subject, html, text, status, test_sent_to, created_at, updated_at, started_at, finished_at, "
             "last_batch_at, product_ids")


@dataclass(frozen=True)
class SettingsRow:
    """marketing_settings' one row."""

    secret: str
    abandoned_enabled: bool
    abandoned_delay_s: int
    abandoned_since: str | None
    rate_per_second: int
    site_url: str
    updated_at: str


@dataclass(frozen=True)
class CampaignRow:
    """One campaign as stored."""

    id: str
    subject: str
    html: str
    text: str
    status: str
    test_sent_to: str
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None
    last_batch_at: str | None
    product_ids: tuple[str, ...] = ()     # the featured products (migration 0025), in the merchant's order


@dataclass(frozen=True)
class RecipientRow:
    """A recipient still to queue, with their consent now (withdrawn since the audience was frozen: skip)."""

    customer_id: str
    email: str
    consents: bool


@dataclass(frozen=True)
class AttemptRow:
    """A checkout attempt left without an order: its e-mail and lines (variant id, quantity)."""

    id: str
    email: str
    lines: tuple[tuple[str, int], ...]
    created_at: str
    site_url: str = ""        # the address the shopper checked out at (the checkout records it)


# --- settings ---------------------------------------------------------------------------------------------

def ensure_settings(conn: Connection, *, secret: str, now: str) -> None:
    """Make the settings row when missing (the secret is only ever set here)."""
    conn.execute("INSERT INTO marketing_settings (id, secret, updated_at) VALUES (1, ?, ?) "
                 "ON CONFLICT (id) DO NOTHING", (secret, now))


def get_settings(conn: Connection) -> SettingsRow | None:
    """The settings row, or None before the first write."""
    row = conn.one(f"SELECT {_SETTINGS} FROM marketing_settings WHERE id = 1")
    if row is None:
        return None
    return SettingsRow(row[0], bool(row[1]), int(row[2]), row[3], int(row[4]), row[5], row[6])


def update_settings(conn: Connection, *, abandoned_enabled: bool, abandoned_delay_s: int, abandoned_since: str | None,
                    rate_per_second: int, site_url: str, now: str) -> None:
    """Replace the changeable settings (the secret stays)."""
    conn.execute("UPDATE marketing_settings SET abandoned_enabled = ?, abandoned_delay_s = ?, abandoned_since = ?, "
                 "rate_per_second = ?, site_url = ?, updated_at = ? WHERE id = 1",
                 (int(abandoned_enabled), abandoned_delay_s, abandoned_since, rate_per_second, site_url, now))


# --- campaigns --------------------------------------------------------------------------------------------

def _campaign_row(row: Any) -> CampaignRow:
    ids = json.loads(row[11] or "[]")
    return CampaignRow(*row[:11], product_ids=tuple(str(i) for i in ids) if isinstance(ids, list) else ())


def insert_campaign(conn: Connection, *, campaign_id: str, subject: str, html: str, text: str, now: str,
                    product_ids: tuple[str, ...] = ()) -> None:
    """A new draft campaign."""
    conn.execute("INSERT INTO campaigns (id, subject, html, text, product_ids, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (campaign_id, subject, html, text, json.dumps(list(product_ids)), now, now))


def get_campaign(conn: Connection, campaign_id: str) -> CampaignRow | None:
    """One campaign by id."""
    row = conn.one(f"SELECT {_CAMPAIGN} FROM campaigns WHERE id = ?", (campaign_id,))
    return _campaign_row(row) if row else None


def list_campaigns(conn: Connection, *, limit: int) -> list[CampaignRow]:
    """The newest campaigns first."""
    rows = conn.all(f"SELECT {_CAMPAIGN} FROM campaigns ORDER BY created_at DESC, id DESC LIMIT ?", (limit,))
    return [_campaign_row(row) for row in rows]


def update_draft(conn: Connection, *, campaign_id: str, subject: str, html: str, text: str, now: str,
                 product_ids: tuple[str, ...] = ()) -> bool:
    """Change a draft's content; False when it is not a draft any more."""
    cursor = conn.execute("UPDATE campaigns SET subject = ?, html = ?, text = ?, product_ids = ?, updated_at = ? "
                          "WHERE id = ? AND status = 'draft'",
                          (subject, html, text, json.dumps(list(product_ids)), now, campaign_id))
    return cursor.rowcount == 1


def mark_test_sent(conn: Connection, *, campaign_id: str, to: str, now: str) -> None:
    """Remember the last test send's address."""
    conn.execute("UPDATE campaigns SET test_sent_to = ?, updated_at = ? WHERE id = ?", (to, now, campaign_id))


def start_campaign(conn: Connection, *, campaign_id: str, now: str) -> int:
    """Freeze the audience (every customer consenting now) and mark the campaign sending; the number of
    recipients. Only for a draft (the caller checked)."""
    cursor = conn.execute(
        "INSERT INTO campaign_recipients (campaign_id, customer_id, updated_at) "
        "SELECT ?, id, ? FROM customers WHERE accepts_marketing = 1 ON CONFLICT DO NOTHING",
        (campaign_id, now))
    conn.execute("UPDATE campaigns SET status = 'sending', started_at = ?, updated_at = ? WHERE id = ?",
                 (now, now, campaign_id))
    return max(cursor.rowcount, 0)


def sending_campaigns(conn: Connection) -> list[CampaignRow]:
    """The campaigns being sent, oldest start first."""
    rows = conn.all(f"SELECT {_CAMPAIGN} FROM campaigns WHERE status = 'sending' ORDER BY started_at, id")
    return [_campaign_row(row) for row in rows]


def pending_recipients(conn: Connection, *, campaign_id: str, limit: int) -> list[RecipientRow]:
    """The next recipients to queue, with their consent as it is now (a missing customer: erased, so none)."""
    rows = conn.all(
        "SELECT r.customer_id, COALESCE(c.email, ''), COALESCE(c.accepts_marketing, 0) FROM campaign_recipients r "
        "LEFT JOIN customers c ON c.id = r.customer_id "
        "WHERE r.campaign_id = ? AND r.status = 'pending' ORDER BY r.customer_id LIMIT ?", (campaign_id, limit))
    return [RecipientRow(row[0], row[1], bool(row[2]) and bool(row[1])) for row in rows]


def mark_recipient(conn: Connection, *, campaign_id: str, customer_id: str, status: str, outbox_id: str | None,
                   now: str) -> None:
    """A recipient queued (with the outbox row) or skipped."""
    conn.execute("UPDATE campaign_recipients SET status = ?, outbox_id = COALESCE(?, outbox_id), updated_at = ? "
                 "WHERE campaign_id = ? AND customer_id = ?", (status, outbox_id, now, campaign_id, customer_id))


def outbox_id_by_key(conn: Connection, dedupe_key: str) -> str | None:
    """The outbox row queued under a dedupe key before (a resumed send finds its own earlier row)."""
    row = conn.one("SELECT id FROM outbox WHERE dedupe_key = ?", (dedupe_key,))
    return row[0] if row else None


def set_batch_clock(conn: Connection, *, campaign_id: str, at: str) -> None:
    """When the rate limit last let a batch go."""
    conn.execute("UPDATE campaigns SET last_batch_at = ? WHERE id = ?", (at, campaign_id))


def finish_campaign(conn: Connection, *, campaign_id: str, now: str) -> None:
    """Every recipient queued or skipped: the campaign is sent (its e-mails may still be in the outbox)."""
    conn.execute("UPDATE campaigns SET status = 'sent', finished_at = ?, updated_at = ? "
                 "WHERE id = ? AND status = 'sending'", (now, now, campaign_id))


def cancel_campaign(conn: Connection, *, campaign_id: str, now: str) -> bool:
    """Stop queuing (what is in the outbox goes out); False unless it was a draft or sending."""
    cursor = conn.execute("UPDATE campaigns SET status = 'cancelled', finished_at = ?, updated_at = ? "
                          "WHERE id = ? AND status IN ('draft', 'sending')", (now, now, campaign_id))
    return cursor.rowcount == 1


def recipient_counts(conn: Connection, campaign_id: str) -> dict[str, int]:
    """Per-recipient counts: pending, skipped, and the queued ones by their outbox row's delivery status
    (pending/sending = queued, sent, failed)."""
    rows = conn.all(
        "SELECT CASE WHEN r.status <> 'queued' THEN r.status "
        "            WHEN o.status = 'sent' THEN 'sent' WHEN o.status = 'failed' THEN 'failed' "
        "            WHEN o.id IS NULL THEN 'sent' ELSE 'queued' END AS state, count(*) "
        "FROM campaign_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id "
        "WHERE r.campaign_id = ? GROUP BY state", (campaign_id,))
    return {state: int(count) for state, count in rows}


def list_recipients(conn: Connection, campaign_id: str, *, limit: int) -> list[tuple[str, str, str, str | None]]:
    """(email, recipient status, outbox status, last error) per recipient, in the sending order."""
    rows = conn.all(
        "SELECT COALESCE(c.email, '(erased)'), r.status, COALESCE(o.status, ''), o.last_error "
        "FROM campaign_recipients r LEFT JOIN customers c ON c.id = r.customer_id "
        "LEFT JOIN outbox o ON o.id = r.outbox_id WHERE r.campaign_id = ? ORDER BY r.customer_id LIMIT ?",
        (campaign_id, limit))
    return [(row[0], row[1], row[2], row[3]) for row in rows]


# --- abandoned checkouts -------------------------------------------------------------------------------

def abandoned_candidates(conn: Connection, *, created_before: str, created_after: str, limit: int) -> list[AttemptRow]:
    """Checkout attempts made in (created_after, created_before] without an order and not decided yet."""
    rows = conn.all(
        "SELECT a.id, json_extract(a.request, '$.email'), json_extract(a.request, '$.lines'), a.created_at, "
        "json_extract(a.request, '$.siteUrl') "
        "FROM checkout_attempts a WHERE a.created_at <= ? AND a.created_at > ? AND a.order_id IS NULL "
        "AND a.status <> 'completed' AND NOT EXISTS (SELECT 1 FROM abandoned_checkouts d WHERE d.attempt_id = a.id) "
        "ORDER BY a.created_at LIMIT ?", (created_before, created_after, limit))
    found = []
    for attempt_id, email, lines, created_at, site_url in rows:
        try:
            parsed = tuple((str(v), int(q)) for v, q in json.loads(lines or "[]"))
        except (TypeError, ValueError):
            parsed = ()
        found.append(AttemptRow(attempt_id, email or "", parsed, created_at,
                                site_url if isinstance(site_url, str) else ""))
    return found


def ordered_or_retried_since(conn: Connection, *, email: str, since: str, attempt_id: str) -> str | None:
    """'ordered' when an order was placed with this e-mail at or after `since`, 'superseded' when a later
    checkout attempt of the same e-mail exists (that one gets the reminder), else None."""
    if conn.one("SELECT 1 FROM orders WHERE email = ? COLLATE NOCASE AND created_at >= ? LIMIT 1", (email, since)):
        return "ordered"
    later = conn.one("SELECT 1 FROM checkout_attempts WHERE json_extract(request, '$.email') = ? COLLATE NOCASE "
                     "AND created_at > ? AND id <> ? LIMIT 1", (email, since, attempt_id))
    return "superseded" if later else None


def consents(conn: Connection, email: str) -> bool:
    """Whether the customer with this e-mail consents to marketing now."""
    row = conn.one("SELECT accepts_marketing FROM customers WHERE email = ? COLLATE NOCASE", (email,))
    return bool(row and row[0])


def record_abandoned(conn: Connection, *, attempt_id: str, outcome: str, outbox_id: str | None, now: str) -> None:
    """The decision about one attempt (made once: the primary key)."""
    conn.execute("INSERT INTO abandoned_checkouts (attempt_id, outcome, outbox_id, at) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (attempt_id) DO NOTHING", (attempt_id, outcome, outbox_id, now))


def attempt_lines(conn: Connection, attempt_id: str) -> tuple[tuple[str, int], ...] | None:
    """The lines of a checkout attempt (for restoring its cart), None when it is gone."""
    row = conn.one("SELECT json_extract(request, '$.lines') FROM checkout_attempts WHERE id = ?", (attempt_id,))
    if row is None:
        return None
    try:
        return tuple((str(v), int(q)) for v, q in json.loads(row[0] or "[]"))
    except (TypeError, ValueError):
        return ()
