-- One-time codes that pair a device (a studio's data folder) with a store: shown once by
-- `vibeshop cloud device add`, stored only as a SHA-256, valid for a few minutes, used once.
CREATE TABLE pairing_codes (
    code_hash   TEXT PRIMARY KEY,
    store_id    TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    device_id   TEXT                            -- the token id the code was exchanged for
);
CREATE INDEX pairing_codes_by_store ON pairing_codes (store_id);
