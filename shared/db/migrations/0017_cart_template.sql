-- The cart page becomes a template like the others (issue 11: "a template of vibe blocks, so merchants
-- can restyle it"): pages.template's CHECK (0002) must allow 'cart'. SQLite cannot alter a CHECK, so
-- `pages` is rebuilt, following the spirit of SQLite's 12-step procedure (lang_altertable.html#otheralter)
-- within what the migration runner allows:
--
-- * The runner applies each migration inside one BEGIN IMMEDIATE (shared/db/migrate.py; on a libSQL
--   server, one batch), where `PRAGMA foreign_keys = OFF` is a no-op, and every connection turns
--   foreign keys on (shared/db/database.py, remote.py). With foreign keys on, DROP TABLE runs an
--   implicit DELETE that fires ON DELETE CASCADE: dropping `pages` would delete every block, and
--   dropping `blocks` every block revision. So the children are rebuilt with the parent, children
--   dropped first and parents filled first: pages <- blocks (page_id) <- block_revisions (block_id).
--   Nothing else references these three tables (checked at 0016 in sqlite_master).
-- * No ALTER TABLE ... RENAME: a rename re-checks every trigger and view of the schema and rewrites
--   references to the renamed table. Instead the rows go to holding tables, the tables are dropped and
--   created again under their own names with the same columns in the same order (code reads them by
--   position), and the rows come back with their rowids (block_revisions orders by rowid).
-- * DROP TABLE drops a table's triggers and indexes, so they are made again below, after the rows are
--   back: copying fires no trigger, so no content-version bump and no sync_dirty row (nothing
--   authored changed), and no device re-sends anything.
-- * The rows go back with foreign keys enforced, so a broken link would fail the migration (and the
--   whole migration rolls back with its ledger row) rather than be kept. Nothing else in the schema
--   (FTS, views, other tables' triggers) reads pages, blocks or block_revisions.
-- The CHECK's list of templates is the one in shared/compose/templates.py (DEFAULTS).

CREATE TABLE _m0017_pages AS SELECT rowid AS _rowid, * FROM pages;
CREATE TABLE _m0017_blocks AS SELECT rowid AS _rowid, * FROM blocks;
CREATE TABLE _m0017_block_revisions AS SELECT rowid AS _rowid, * FROM block_revisions;

DROP TABLE block_revisions;
DROP TABLE blocks;
DROP TABLE pages;

CREATE TABLE pages (
    id              TEXT PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    position        INTEGER NOT NULL DEFAULT 0,
    seo_title       TEXT NOT NULL DEFAULT '',
    seo_description TEXT NOT NULL DEFAULT '',
    canonical_url   TEXT NOT NULL DEFAULT '',
    social_image_id TEXT REFERENCES media (id) ON DELETE SET NULL,
    noindex         INTEGER NOT NULL DEFAULT 0 CHECK (noindex IN (0, 1)),
    published_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    template        TEXT CHECK (template IS NULL OR template IN ('product', 'collection', 'blog', 'article',
                                                                 'search', 'not_found', 'cart'))
);

CREATE TABLE blocks (
    id          TEXT PRIMARY KEY,
    page_id     TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                 -- a built-in kind ('hero', ...) or 'custom'
    code        TEXT,                          -- NULL: the built-in source for `kind`
    settings    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
    position    INTEGER NOT NULL,
    hidden      INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE block_revisions (
    id          TEXT PRIMARY KEY,
    block_id    TEXT NOT NULL REFERENCES blocks (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

INSERT INTO pages (rowid, id, slug, title, status, position, seo_title, seo_description, canonical_url,
                   social_image_id, noindex, published_at, created_at, updated_at, template)
SELECT _rowid, id, slug, title, status, position, seo_title, seo_description, canonical_url,
       social_image_id, noindex, published_at, created_at, updated_at, template
FROM _m0017_pages ORDER BY _rowid;

INSERT INTO blocks (rowid, id, page_id, kind, code, settings, position, hidden, created_at, updated_at)
SELECT _rowid, id, page_id, kind, code, settings, position, hidden, created_at, updated_at
FROM _m0017_blocks ORDER BY _rowid;

INSERT INTO block_revisions (rowid, id, block_id, code, author, message, created_at)
SELECT _rowid, id, block_id, code, author, message, created_at
FROM _m0017_block_revisions ORDER BY _rowid;

DROP TABLE _m0017_block_revisions;
DROP TABLE _m0017_blocks;
DROP TABLE _m0017_pages;

-- The indexes (0001, 0002) and triggers (0003 content version, 0007 sync capture) DROP TABLE removed.
CREATE UNIQUE INDEX pages_one_per_template ON pages (template) WHERE template IS NOT NULL;
CREATE INDEX blocks_by_page ON blocks (page_id, position);
CREATE INDEX block_revisions_by_block ON block_revisions (block_id, created_at);

CREATE TRIGGER pages_bumps_version_insert AFTER INSERT ON pages
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pages_bumps_version_update AFTER UPDATE ON pages
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pages_bumps_version_delete AFTER DELETE ON pages
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER blocks_bumps_version_insert AFTER INSERT ON blocks
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER blocks_bumps_version_update AFTER UPDATE ON blocks
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER blocks_bumps_version_delete AFTER DELETE ON blocks
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;

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
