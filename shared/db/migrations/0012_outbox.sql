-- The side-effect outbox (shared/mail/outbox.py): e-mails now, outgoing webhooks and pokes later.
-- A row is written in the same transaction as the change that causes it (an order), so a rollback
-- leaves none, and delivered after commit by a worker that claims it with a lease (claimed_until,
-- claim_token) so two workers or processes never deliver one row at the same time.
-- Lives only in the cloud's live store database: not synced, never in a release or device snapshot.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,                 -- a UUID; e-mails derive their Message-ID from it
    kind            TEXT NOT NULL,                    -- 'email' (later 'webhook', 'poke', ...)
    payload         TEXT NOT NULL,                    -- JSON, the whole side effect, rendered once
    dedupe_key      TEXT NOT NULL UNIQUE,             -- 'order:ID:confirmation': enqueue twice, deliver once
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,       -- claims so far (a claim is an attempt)
    next_attempt_at TEXT NOT NULL,                    -- ISO 8601 UTC; due when <= now and pending
    claimed_until   TEXT,                             -- the lease of the worker sending it ('sending')
    claim_token     TEXT,                             -- which claim holds the lease
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (kind, next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_leased ON outbox (kind, claimed_until) WHERE status = 'sending';
