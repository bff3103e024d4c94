-- The checkout setup (docs/checkout.md, "Setup"): authored content, synced and published like themes
-- and pages (shared/sync/tables.py), checked by the table rules (shared/sync/rules.py, which call
-- shared/checkout's validation). Split by concern so that two devices editing different things do not
-- overwrite each other under per-field last-writer-wins:
--   checkout_settings  one row (id 'checkout'): tax switches, default rate, tax rates, shipping zones
--                      and local delivery; the lists are JSON text columns, each one field.
--   pickup_locations   one row per store location (id = locations.id) saying whether it offers pickup,
--                      with the address the order is taxed at (locations keep free text only).
--   discounts          one row per discount, one column per field; codes are stored in capitals and
--                      unique (NULL for automatic discounts), a sync clash gets -2, -3, ...
-- Payment keys are NOT here: they live only in the cloud (stripe_credentials, 0013), never synced.

CREATE TABLE checkout_settings (
    id                  TEXT PRIMARY KEY CHECK (id = 'checkout'),
    prices_include_tax  INTEGER NOT NULL DEFAULT 0 CHECK (prices_include_tax IN (0, 1)),
    tax_shipping        INTEGER NOT NULL DEFAULT 0 CHECK (tax_shipping IN (0, 1)),
    default_rate        TEXT NOT NULL DEFAULT '0',
    tax_rates           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tax_rates)),
    shipping_zones      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(shipping_zones)),
    local_delivery      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(local_delivery)),
    updated_at          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE pickup_locations (
    id            TEXT PRIMARY KEY,
    enabled       INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    name          TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    region        TEXT NOT NULL DEFAULT '',
    postal_code   TEXT NOT NULL DEFAULT '',
    instructions  TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE discounts (
    id                 TEXT PRIMARY KEY,
    method             TEXT NOT NULL CHECK (method IN ('code', 'automatic')),
    kind               TEXT NOT NULL CHECK (kind IN ('percentage', 'fixed_amount', 'free_shipping')),
    code               TEXT UNIQUE,
    title              TEXT NOT NULL DEFAULT '',
    percent            TEXT NOT NULL DEFAULT '',
    amount             INTEGER NOT NULL DEFAULT 0,
    min_subtotal       INTEGER NOT NULL DEFAULT 0,
    product_ids        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(product_ids)),
    collection_ids     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(collection_ids)),
    starts_at          TEXT,
    ends_at            TEXT,
    usage_limit        INTEGER,
    once_per_customer  INTEGER NOT NULL DEFAULT 0 CHECK (once_per_customer IN (0, 1)),
    position           INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL DEFAULT '',
    updated_at         TEXT NOT NULL DEFAULT ''
);

-- The settings row exists in every store database from the start, the same everywhere, so that an
-- edit is an update of the fields it changes. Were it created by a first save, two devices saving
-- taxes and shipping offline would each send a whole new row, and the later would undo the other's
-- part. Inserted before the capture triggers exist (it is nobody's edit); a linked device gets the
-- row as its shadow and a cloud working copy logs it, as if it had been pulled and logged.
INSERT INTO checkout_settings (id) VALUES ('checkout');
INSERT INTO sync_shadow (table_name, key, row)
SELECT 'checkout_settings', 'checkout', json_object('id', 'checkout', 'prices_include_tax', 0, 'tax_shipping', 0,
       'default_rate', '0', 'tax_rates', '[]', 'shipping_zones', '[]', 'local_delivery', '[]', 'updated_at', '')
WHERE (SELECT value FROM sync_state WHERE key = 'capture') = '1';
INSERT INTO sync_log (table_name, key, row, clocks)
SELECT 'checkout_settings', 'checkout', json_object('id', 'checkout', 'prices_include_tax', 0, 'tax_shipping', 0,
       'default_rate', '0', 'tax_rates', '[]', 'shipping_zones', '[]', 'local_delivery', '[]', 'updated_at', ''), '{}'
WHERE EXISTS (SELECT 1 FROM sync_log);

-- Sync capture (as 0007 does for the other synced tables) and the content version (as 0003).
CREATE TRIGGER checkout_settings_sync_insert AFTER INSERT ON checkout_settings
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('checkout_settings', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER checkout_settings_sync_update AFTER UPDATE ON checkout_settings
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('checkout_settings', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('checkout_settings', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER checkout_settings_sync_delete AFTER DELETE ON checkout_settings
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('checkout_settings', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER checkout_settings_bumps_version_insert AFTER INSERT ON checkout_settings
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER checkout_settings_bumps_version_update AFTER UPDATE ON checkout_settings
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER checkout_settings_bumps_version_delete AFTER DELETE ON checkout_settings
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pickup_locations_sync_insert AFTER INSERT ON pickup_locations
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('pickup_locations', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER pickup_locations_sync_update AFTER UPDATE ON pickup_locations
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('pickup_locations', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('pickup_locations', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER pickup_locations_sync_delete AFTER DELETE ON pickup_locations
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('pickup_locations', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER pickup_locations_bumps_version_insert AFTER INSERT ON pickup_locations
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pickup_locations_bumps_version_update AFTER UPDATE ON pickup_locations
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pickup_locations_bumps_version_delete AFTER DELETE ON pickup_locations
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER discounts_sync_insert AFTER INSERT ON discounts
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('discounts', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER discounts_sync_update AFTER UPDATE ON discounts
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('discounts', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('discounts', NEW.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER discounts_sync_delete AFTER DELETE ON discounts
WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (table_name, key, hlc) VALUES ('discounts', OLD.id, printf('%013d-00000-', CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) || COALESCE((SELECT value FROM sync_state WHERE key = 'device_id'), ''))
    ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc;
END;
CREATE TRIGGER discounts_bumps_version_insert AFTER INSERT ON discounts
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER discounts_bumps_version_update AFTER UPDATE ON discounts
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER discounts_bumps_version_delete AFTER DELETE ON discounts
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
