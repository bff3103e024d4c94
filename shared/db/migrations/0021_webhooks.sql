-- Outbound webhooks (shared/webhooks): the merchant's subscriptions to store events, one delivery per
-- event and subscription, and the log of every attempt. The sending itself is an outbox row
-- (kind 'webhook', payload {"delivery": ID}) written in the same transaction as the event, so it is
-- leased, retried and never sent twice at once like the e-mails.
-- Lives only in the cloud's live store database: not synced, never in a release or device snapshot.
CREATE TABLE webhook_subscriptions (
    id                   TEXT PRIMARY KEY,                 -- a UUID
    url                  TEXT NOT NULL,                    -- https:// (http://127.0.0.1 in test mode)
    events               TEXT NOT NULL,                    -- JSON list of event types
    secret               TEXT NOT NULL,                    -- 'whsec_...': signs every delivery (HMAC-SHA256)
    description          TEXT NOT NULL DEFAULT '',
    active               INTEGER NOT NULL DEFAULT 1,       -- 0: paused by the merchant or disabled
    disabled_reason      TEXT NOT NULL DEFAULT '',         -- why the platform disabled it ('' if it did not)
    disabled_at          TEXT,
    failing_since        TEXT,                             -- first failed attempt since the last success
    consecutive_failures INTEGER NOT NULL DEFAULT 0,       -- failed attempts since the last success
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,                      -- a UUID; the outbox row's payload names it
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,                         -- 'evt_...', the Vibeshop-Event-Id header
    event_type      TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL,                         -- the event's key: one delivery per subscription
    body            TEXT NOT NULL,                         -- the exact JSON sent (and signed) every attempt
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,                               -- the receiver's last HTTP status, if it answered
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    completed_at    TEXT,
    UNIQUE (subscription_id, dedupe_key)
);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (subscription_id, created_at);

CREATE TABLE webhook_attempts (
    id            TEXT PRIMARY KEY,
    delivery_id   TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt       INTEGER NOT NULL,                        -- 1, 2, ... (the outbox's claim count)
    status_code   INTEGER,                                 -- NULL: no answer (refused, timeout, blocked)
    duration_ms   INTEGER NOT NULL,
    error         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
