-- E-mails the merchant designs (issue 12, section 4; docs/mail.md "Designing e-mails"): one row per message
-- kind that the merchant customised, holding its arrangement of e-mail blocks. A kind without a row is sent
-- with the built-in template. Authored content like pages: synced from the studio, published to the live
-- database (shared/sync/tables.py), where the cloud renders the messages.
--
-- A table of its own rather than more `pages` templates: widening pages.template's CHECK means rebuilding
-- pages, blocks and block_revisions again (0017), and every reader of templates (the page tree, files
-- import/export, the template sync rules) would then have to learn to skip e-mail kinds. E-mail blocks are
-- few per message and edited together, so they are kept as one JSON list: one row per message, one sync
-- op per save.
--
--   id        the message kind (shared/mail/designs/kinds.py KINDS)
--   subject   '' = the built-in subject; else the merchant's, with {store}, {number} and {code} filled in
--   blocks    JSON list of {"kind": built-in e-mail block or "custom", "code": text|null,
--             "settings": {...}, "hidden": 0|1}, in order
--   enabled   0 = keep the design but send the built-in template
CREATE TABLE email_designs (
    id          TEXT PRIMARY KEY CHECK (id IN ('order_confirmation', 'shipping_confirmation', 'ready_for_pickup',
                                               'order_cancelled', 'order_refunded', 'sign_in_code',
                                               'abandoned_checkout', 'newsletter')),
    subject     TEXT NOT NULL DEFAULT '',
    blocks      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(blocks)),
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER email_designs_sync_insert AFTER INSERT ON email_designs
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('email_designs', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER email_designs_sync_update AFTER UPDATE ON email_designs
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('email_designs', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('email_designs', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER email_designs_sync_delete AFTER DELETE ON email_designs
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('email_designs', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER email_designs_bumps_version_insert AFTER INSERT ON email_designs
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER email_designs_bumps_version_update AFTER UPDATE ON email_designs
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER email_designs_bumps_version_delete AFTER DELETE ON email_designs
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
