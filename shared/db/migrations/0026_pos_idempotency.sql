-- POS API v1 (issue 13): every POST carries an Idempotency-Key (IETF httpapi draft). One row per
-- device token and key: the request's fingerprint, and once it finished its answer, kept 7 days.
--   status NULL  the original is still running (a second request with the key gets 409); a row left
--                running by a crash is taken over after a lease (cloud/server/pos/idempotency.py).
-- Cloud-only, like orders: not a synced table, never in a device snapshot.
CREATE TABLE pos_idempotency (
    token_id      TEXT NOT NULL,
    key           TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  TEXT NOT NULL,
    status        INTEGER,
    response      TEXT,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX pos_idempotency_by_age ON pos_idempotency (created_at);
