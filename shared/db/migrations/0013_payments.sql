-- Payments (issue 11): the store's Stripe credentials, sealed; the PaymentIntent made for each order
-- attempt; the webhook events seen. Cloud-only tables of the live store database: NOT synced (not in
-- shared/sync/tables.py), so never in a release snapshot, and emptied (secure_delete) in the copy a
-- new device starts from (repositories/copies.py remove_shopper_data).

-- One row at most: the Stripe connection. Each *_sealed column is AES-GCM ciphertext
-- (shared/payments/secrets.py), bound to the store and column; the *_hint columns are the masked
-- forms shown to the merchant ("sk_test_…abcd"), kept so showing settings needs no decryption.
CREATE TABLE stripe_credentials (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    mode                   TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    secret_key_sealed      TEXT NOT NULL,
    publishable_key_sealed TEXT NOT NULL,
    webhook_secret_sealed  TEXT NOT NULL DEFAULT '',
    secret_key_hint        TEXT NOT NULL,
    publishable_key_hint   TEXT NOT NULL,
    webhook_secret_hint    TEXT NOT NULL DEFAULT '',
    updated_at             TEXT NOT NULL
);

-- The PaymentIntent created for an order attempt, recorded BEFORE it is confirmed: a retry after a
-- lost answer finds it here and re-reads it instead of charging again, even against an API host
-- that ignores Idempotency-Key (localstripe).
CREATE TABLE payment_attempts (
    attempt_key     TEXT PRIMARY KEY,           -- the idempotency key of one order attempt
    provider        TEXT NOT NULL,
    intent_id       TEXT NOT NULL UNIQUE,
    amount          INTEGER NOT NULL,           -- ISO minor units
    currency        TEXT NOT NULL,
    payment_method  TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

-- Webhook events by provider event id: a delivery seen again after it was processed is a duplicate.
-- processed_at stays NULL until the consumer (finalize) is done, so a crash in between re-processes
-- the event on the provider's next delivery instead of losing it.
CREATE TABLE payment_webhook_events (
    event_id      TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    intent_id     TEXT,
    received_at   TEXT NOT NULL,
    processed_at  TEXT
);
