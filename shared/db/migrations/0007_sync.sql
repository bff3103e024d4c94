-- Sync (docs/sync-protocol.md). Devices and the cloud's working copy share one store schema; each
-- side uses its own tables and leaves the others empty:
--   device: sync_state, sync_dirty, sync_fields, sync_shadow, sync_outbox (and sync_tombstones for
--           media aliases, see shared/sync/merge.py);
--   cloud:  sync_log, sync_devices, sync_conflicts, sync_tombstones, and sync_fields (the field
--           clocks of the working copy, which per-field last-writer-wins compares against).
-- Row and op values are stored exactly as the synced tables store them: JSON-in-TEXT columns
-- (settings, items, widths) travel as their text (shared/sync/tables.py).

CREATE TABLE sync_state (
    key     TEXT PRIMARY KEY,       -- device_id, remote, token, cursor, last_op, formed_op, hlc, capture
    value   TEXT NOT NULL
);
INSERT INTO sync_state (key, value) VALUES ('capture', '0');

-- Rows changed locally since ops were last formed; `hlc` is the edit time (no counter).
CREATE TABLE sync_dirty (
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    PRIMARY KEY (table_name, key)
);

-- The HLC of each field's value: as last pulled or formed (device), as merged (cloud).
CREATE TABLE sync_fields (
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    field       TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    PRIMARY KEY (table_name, key, field)
) WITHOUT ROWID;

-- The row as last pulled (with the device's own formed ops laid over it): what edits are diffed against.
CREATE TABLE sync_shadow (
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    row         TEXT NOT NULL CHECK (json_valid(row)),
    PRIMARY KEY (table_name, key)
) WITHOUT ROWID;

CREATE TABLE sync_outbox (
    n   INTEGER PRIMARY KEY,
    op  TEXT NOT NULL CHECK (json_valid(op))
);

-- Cloud: every resulting row state, in order. `row` NULL means deleted. `op_id` is the op that
-- produced the entry (NULL for the cloud's own changes), so a device can tell its ops were applied.
CREATE TABLE sync_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    row         TEXT CHECK (row IS NULL OR json_valid(row)),
    clocks      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(clocks)),
    op_id       TEXT
);

CREATE TABLE sync_devices (
    device_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    last_op     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sync_conflicts (
    id          TEXT PRIMARY KEY,
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    field       TEXT NOT NULL,
    value       TEXT,                  -- the losing version
    hlc         TEXT NOT NULL,         -- its HLC
    device_id   TEXT NOT NULL,         -- who wrote it
    winner_hlc  TEXT NOT NULL,
    created_seq INTEGER NOT NULL,
    resolved    INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1))
);
CREATE INDEX sync_conflicts_by_seq ON sync_conflicts (created_seq);
CREATE INDEX sync_conflicts_open ON sync_conflicts (resolved) WHERE resolved = 0;

-- Deleted rows, recoverable: reason 'deleted' (a delete op), 'parent' (its parent was deleted; it
-- comes back with the parent), 'orphan' (created or edited under a parent that is gone), 'alias'
-- (a media row merged into `alias_of`, which holds the same image).
CREATE TABLE sync_tombstones (
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    row         TEXT CHECK (row IS NULL OR json_valid(row)),
    clocks      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(clocks)),
    reason      TEXT NOT NULL DEFAULT 'deleted' CHECK (reason IN ('deleted', 'parent', 'orphan', 'alias')),
    parent_key  TEXT,
    alias_of    TEXT,
    PRIMARY KEY (table_name, key)
);
CREATE INDEX sync_tombstones_by_parent ON sync_tombstones (parent_key) WHERE parent_key IS NOT NULL;

-- Capture: every writer (studio, files import, CLI) marks the rows it changes, but only once a device
-- is linked (capture = '1'); existing stores, the cloud and a pull being applied never capture.
CREATE TRIGGER storefront_sync_insert AFTER INSERT ON storefront
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('storefront', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER storefront_sync_update AFTER UPDATE ON storefront
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('storefront', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('storefront', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER storefront_sync_delete AFTER DELETE ON storefront
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('storefront', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER media_sync_insert AFTER INSERT ON media
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('media', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER media_sync_update AFTER UPDATE ON media
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('media', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('media', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER media_sync_delete AFTER DELETE ON media
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('media', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER themes_sync_insert AFTER INSERT ON themes
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('themes', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER themes_sync_update AFTER UPDATE ON themes
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('themes', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('themes', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER themes_sync_delete AFTER DELETE ON themes
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('themes', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER menus_sync_insert AFTER INSERT ON menus
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('menus', NEW.handle, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER menus_sync_update AFTER UPDATE ON menus
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('menus', OLD.handle, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('menus', NEW.handle, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER menus_sync_delete AFTER DELETE ON menus
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('menus', OLD.handle, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER pages_sync_insert AFTER INSERT ON pages
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('pages', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER pages_sync_update AFTER UPDATE ON pages
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('pages', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('pages', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER pages_sync_delete AFTER DELETE ON pages
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('pages', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER blocks_sync_insert AFTER INSERT ON blocks
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('blocks', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER blocks_sync_update AFTER UPDATE ON blocks
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('blocks', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('blocks', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER blocks_sync_delete AFTER DELETE ON blocks
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('blocks', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER posts_sync_insert AFTER INSERT ON posts
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('posts', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER posts_sync_update AFTER UPDATE ON posts
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('posts', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('posts', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER posts_sync_delete AFTER DELETE ON posts
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('posts', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
