-- Merchant accounts and API tokens. Passwords are argon2 hashes; a token is stored only as the
-- SHA-256 of its secret part (the secret is shown once, when the token is made).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE store_members (
    store_id   TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'staff')),
    PRIMARY KEY (store_id, user_id)
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,              -- the public part of the token
    store_id     TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,                 -- sha256 hex of the secret part
    scopes       TEXT NOT NULL CHECK (json_valid(scopes)),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_by_store ON api_tokens (store_id);
