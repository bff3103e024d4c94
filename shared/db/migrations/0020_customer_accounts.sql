-- Customer accounts (issue 12, section 3): passwordless sign-in by e-mailed code, sessions, saved
-- addresses and the history of marketing consent. Cloud-only rows of the live store database: NOT
-- synced (not in shared/sync/tables.py), emptied in device copies (repositories/copies.py).
-- A customer's orders are the orders placed with their e-mail (orders.email, case-insensitive): guest
-- orders of a verified e-mail belong to the account without being rewritten.

ALTER TABLE customers ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN verified_at TEXT;             -- first sign-in with a code (NULL: never)
CREATE INDEX customers_by_created ON customers (created_at, id);

-- Every change of marketing consent, with when and where it came from (checkout, account, newsletter
-- form, admin, unsubscribe link); customers.accepts_marketing is the latest one.
CREATE TABLE customer_consent_events (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    consented   INTEGER NOT NULL CHECK (consented IN (0, 1)),
    source      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX consent_events_by_customer ON customer_consent_events (customer_id, at);

-- Saved addresses (the checkout's address fields, normalised by shared/checkout/addresses.py).
CREATE TABLE customer_addresses (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    address     TEXT NOT NULL CHECK (json_valid(address)),
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at  TEXT NOT NULL
);
CREATE INDEX customer_addresses_by_customer ON customer_addresses (customer_id, created_at);

-- One-time sign-in codes. Found by the SHA-256 of the browser's pending-sign-in cookie; the 6-digit code
-- is kept only as an HMAC with a per-row salt. Made for any e-mail asked for, account or not (the same
-- work either way), so it names no customer. `client` is the asking address, for the rate limit.
CREATE TABLE customer_login_codes (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    email       TEXT NOT NULL COLLATE NOCASE,
    client      TEXT NOT NULL DEFAULT '',
    salt        TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX login_codes_by_email ON customer_login_codes (email, created_at);
CREATE INDEX login_codes_by_client ON customer_login_codes (client, created_at);

-- Signed-in browsers: the cookie's token is kept as its SHA-256 only.
CREATE TABLE customer_sessions (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX customer_sessions_by_customer ON customer_sessions (customer_id);
CREATE INDEX carts_by_customer ON carts (customer_id, updated_at);
