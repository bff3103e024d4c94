-- The catalog database: which stores exist under a data folder (or a cloud deployment) and where
-- each store's own database lives.

CREATE TABLE stores (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'suspended')),
    db_url      TEXT NOT NULL,                 -- a path relative to the data folder, or a libsql:// URL
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE domains (
    id          TEXT PRIMARY KEY,
    store_id    TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    hostname    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    verified_at TEXT,
    created_at  TEXT NOT NULL
);
