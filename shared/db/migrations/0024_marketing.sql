-- Marketing (issue 12, section 4): newsletter campaigns with per-recipient status, abandoned-checkout
-- reminders, and the store's marketing settings (its token secret among them). Cloud-only rows of the
-- live store database: NOT synced (not in shared/sync/tables.py), emptied in device copies
-- (repositories/copies.py).

-- One row per store database (id = 1): the HMAC secret of its unsubscribe and cart-restore links, the
-- abandoned-checkout setting (off by default) and its delay, the campaign send rate, and the site's
-- address for links made in the background (recorded from the merchant's last admin request).
CREATE TABLE marketing_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    secret               TEXT NOT NULL,
    abandoned_enabled    INTEGER NOT NULL DEFAULT 0 CHECK (abandoned_enabled IN (0, 1)),
    abandoned_delay_s    INTEGER NOT NULL DEFAULT 3600 CHECK (abandoned_delay_s BETWEEN 60 AND 604800),
    abandoned_since      TEXT,                      -- when it was turned on: older checkouts are never mailed
    rate_per_second      INTEGER NOT NULL DEFAULT 10 CHECK (rate_per_second BETWEEN 1 AND 1000),
    site_url             TEXT NOT NULL DEFAULT '',
    updated_at           TEXT NOT NULL
);

-- A campaign: its content as composed (a snapshot: editing the template later changes nothing sent).
CREATE TABLE campaigns (
    id           TEXT PRIMARY KEY,
    subject      TEXT NOT NULL,
    html         TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'sent', 'cancelled')),
    test_sent_to TEXT NOT NULL DEFAULT '',          -- the last test send's address
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    last_batch_at TEXT                              -- the rate limit's clock
);
CREATE INDEX campaigns_by_created ON campaigns (created_at);
CREATE INDEX campaigns_sending ON campaigns (status) WHERE status = 'sending';

-- The audience frozen when sending starts, one row per recipient. `status`: pending (not queued yet),
-- queued (its e-mail is in the outbox: outbox_id; delivery is the outbox row's status), skipped (consent
-- withdrawn before its turn). Queuing the e-mail and marking the row happen in ONE write, and the
-- outbox's dedupe key is campaign:ID:customer:ID, so a crash and a resume never queue a second copy.
CREATE TABLE campaign_recipients (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,                      -- the address is read from customers (an erased
                                                    -- customer leaves no address here: skipped)
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'queued', 'skipped')),
    outbox_id   TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (campaign_id, customer_id)
);
CREATE INDEX campaign_recipients_pending ON campaign_recipients (campaign_id, status);

-- Checkouts already reminded (or decided against): one reminder per checkout attempt, ever.
CREATE TABLE abandoned_checkouts (
    attempt_id TEXT PRIMARY KEY,                   -- no address kept here: it is the attempt's
    outcome    TEXT NOT NULL CHECK (outcome IN ('sent', 'no_consent', 'ordered', 'superseded', 'empty')),
    outbox_id  TEXT,
    at         TEXT NOT NULL
);
CREATE INDEX checkout_attempts_by_created ON checkout_attempts (created_at);
