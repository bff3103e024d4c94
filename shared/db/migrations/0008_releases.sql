-- Releases (docs/sync-protocol.md section 7): every publish or rollback of a store's authored content
-- (storefront, themes, menus, pages, blocks, posts, media) into the live database is recorded here
-- with the exact rows it made live. Used in the live database; the working copy has the same schema
-- and leaves these tables empty. Depends on nothing after 0006.
CREATE TABLE releases (
    number          INTEGER PRIMARY KEY CHECK (number >= 1),
    created_at      TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL CHECK (json_valid(summary)),   -- what changed for shoppers (small)
    -- The snapshot: canonical JSON of every synced row, zlib-compressed (the demo store's 28 KB of
    -- JSON is 10.6 KB; UUID keys compress poorly), and the SHA-256 of the JSON, checked on reading.
    snapshot        BLOB NOT NULL,
    snapshot_sha256 TEXT NOT NULL,
    snapshot_bytes  INTEGER NOT NULL,                             -- uncompressed size
    restored_from   INTEGER REFERENCES releases (number)          -- set by a rollback
);

-- A release is immutable: it is what shoppers saw, and rollbacks depend on it.
CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'releases are immutable'); END;
CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN SELECT RAISE(ABORT, 'releases are immutable'); END;

-- Which release is live (NULL until the first publish). One row.
CREATE TABLE live_release (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    number  INTEGER REFERENCES releases (number)
);
INSERT INTO live_release (id, number) VALUES (1, NULL);
