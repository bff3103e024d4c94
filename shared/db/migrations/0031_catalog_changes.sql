-- The catalogue change log (docs/sync-protocol.md section 5.3.1): which catalogue rows changed, in
-- order, so that linked devices can pull the catalogue and stock as the POS and the cloud change them
-- (GET /_sync/catalog?after=SEQ). Triggers write it, so every writer is covered: the POS API's stock
-- changes and catalogue upserts, the admin API, imports, a checkout's stock movements.
--
-- One entry per row: a change deletes the row's earlier entry and appends a new one (a new seq;
-- not INSERT OR REPLACE, whose conflict clause the outer statement's, e.g. INSERT OR IGNORE, overrides),
-- so the log stays as large as the catalogue however often stock moves, and every row changed after
-- a cursor still has an entry after it. `key` is the row's id, or a JSON array for two-column keys
-- (location_stock: [variant_id, location_id]; collection_products: [collection_id, product_id]).
-- Devices run this migration too; their own log is unused (their cursor is sync_state 'catalog_cursor').
CREATE TABLE catalog_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL
);
CREATE UNIQUE INDEX catalog_changes_by_row ON catalog_changes (table_name, key);

-- Low-stock thresholds, one per variant (docs/products.md "Low stock"): catalogue data kept in the
-- cloud's live database beside the stock it watches, set by a linked studio (PUT /_sync/catalog/alerts)
-- and pulled by every device of the store through the change log. An alert is due while a location's
-- on hand is at or below `threshold`.
CREATE TABLE stock_alerts (
    variant_id  TEXT PRIMARY KEY REFERENCES variants (id) ON DELETE CASCADE,
    threshold   INTEGER NOT NULL CHECK (threshold >= 0 AND threshold <= 1000000),
    updated_at  TEXT NOT NULL
);

-- Device only: the (variant, location) pairs whose low stock this device already announced, so that a
-- notification comes once per crossing (the pair leaves this table when stock goes above the threshold).
CREATE TABLE stock_alert_state (
    variant_id  TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    on_hand     INTEGER NOT NULL,
    PRIMARY KEY (variant_id, location_id)
) WITHOUT ROWID;

CREATE TRIGGER catalog_changes_locations_insert AFTER INSERT ON locations
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'locations' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('locations', NEW.id);
END;
CREATE TRIGGER catalog_changes_locations_update AFTER UPDATE ON locations
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'locations' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('locations', NEW.id);
END;
CREATE TRIGGER catalog_changes_locations_delete AFTER DELETE ON locations
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'locations' AND key = OLD.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('locations', OLD.id);
END;
CREATE TRIGGER catalog_changes_products_insert AFTER INSERT ON products
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'products' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('products', NEW.id);
END;
CREATE TRIGGER catalog_changes_products_update AFTER UPDATE ON products
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'products' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('products', NEW.id);
END;
CREATE TRIGGER catalog_changes_products_delete AFTER DELETE ON products
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'products' AND key = OLD.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('products', OLD.id);
END;
CREATE TRIGGER catalog_changes_product_options_insert AFTER INSERT ON product_options
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'product_options' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('product_options', NEW.id);
END;
CREATE TRIGGER catalog_changes_product_options_update AFTER UPDATE ON product_options
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'product_options' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('product_options', NEW.id);
END;
CREATE TRIGGER catalog_changes_product_options_delete AFTER DELETE ON product_options
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'product_options' AND key = OLD.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('product_options', OLD.id);
END;
CREATE TRIGGER catalog_changes_variants_insert AFTER INSERT ON variants
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'variants' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('variants', NEW.id);
END;
CREATE TRIGGER catalog_changes_variants_update AFTER UPDATE ON variants
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'variants' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('variants', NEW.id);
END;
CREATE TRIGGER catalog_changes_variants_delete AFTER DELETE ON variants
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'variants' AND key = OLD.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('variants', OLD.id);
END;
CREATE TRIGGER catalog_changes_collections_insert AFTER INSERT ON collections
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'collections' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('collections', NEW.id);
END;
CREATE TRIGGER catalog_changes_collections_update AFTER UPDATE ON collections
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'collections' AND key = NEW.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('collections', NEW.id);
END;
CREATE TRIGGER catalog_changes_collections_delete AFTER DELETE ON collections
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'collections' AND key = OLD.id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('collections', OLD.id);
END;
CREATE TRIGGER catalog_changes_collection_products_insert AFTER INSERT ON collection_products
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'collection_products' AND key = json_array(NEW.collection_id, NEW.product_id);
    INSERT INTO catalog_changes (table_name, key) VALUES ('collection_products', json_array(NEW.collection_id, NEW.product_id));
END;
CREATE TRIGGER catalog_changes_collection_products_update AFTER UPDATE ON collection_products
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'collection_products' AND key = json_array(NEW.collection_id, NEW.product_id);
    INSERT INTO catalog_changes (table_name, key) VALUES ('collection_products', json_array(NEW.collection_id, NEW.product_id));
END;
CREATE TRIGGER catalog_changes_collection_products_delete AFTER DELETE ON collection_products
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'collection_products' AND key = json_array(OLD.collection_id, OLD.product_id);
    INSERT INTO catalog_changes (table_name, key) VALUES ('collection_products', json_array(OLD.collection_id, OLD.product_id));
END;
CREATE TRIGGER catalog_changes_location_stock_insert AFTER INSERT ON location_stock
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'location_stock' AND key = json_array(NEW.variant_id, NEW.location_id);
    INSERT INTO catalog_changes (table_name, key) VALUES ('location_stock', json_array(NEW.variant_id, NEW.location_id));
END;
CREATE TRIGGER catalog_changes_location_stock_update AFTER UPDATE ON location_stock
WHEN NEW.on_hand IS NOT OLD.on_hand OR NEW.counted_at IS NOT OLD.counted_at
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'location_stock' AND key = json_array(NEW.variant_id, NEW.location_id);
    INSERT INTO catalog_changes (table_name, key) VALUES ('location_stock', json_array(NEW.variant_id, NEW.location_id));
END;
CREATE TRIGGER catalog_changes_location_stock_delete AFTER DELETE ON location_stock
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'location_stock' AND key = json_array(OLD.variant_id, OLD.location_id);
    INSERT INTO catalog_changes (table_name, key) VALUES ('location_stock', json_array(OLD.variant_id, OLD.location_id));
END;
CREATE TRIGGER catalog_changes_stock_alerts_insert AFTER INSERT ON stock_alerts
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'stock_alerts' AND key = NEW.variant_id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('stock_alerts', NEW.variant_id);
END;
CREATE TRIGGER catalog_changes_stock_alerts_update AFTER UPDATE ON stock_alerts
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'stock_alerts' AND key = NEW.variant_id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('stock_alerts', NEW.variant_id);
END;
CREATE TRIGGER catalog_changes_stock_alerts_delete AFTER DELETE ON stock_alerts
BEGIN
    DELETE FROM catalog_changes WHERE table_name = 'stock_alerts' AND key = OLD.variant_id;
    INSERT INTO catalog_changes (table_name, key) VALUES ('stock_alerts', OLD.variant_id);
END;

-- Every row there is now has an entry, so a device pulling from 0 gets the whole catalogue.
INSERT INTO catalog_changes (table_name, key) SELECT 'locations', locations.id FROM locations;
INSERT INTO catalog_changes (table_name, key) SELECT 'products', products.id FROM products;
INSERT INTO catalog_changes (table_name, key) SELECT 'product_options', product_options.id FROM product_options;
INSERT INTO catalog_changes (table_name, key) SELECT 'variants', variants.id FROM variants;
INSERT INTO catalog_changes (table_name, key) SELECT 'collections', collections.id FROM collections;
INSERT INTO catalog_changes (table_name, key) SELECT 'collection_products', json_array(collection_products.collection_id, collection_products.product_id) FROM collection_products;
INSERT INTO catalog_changes (table_name, key) SELECT 'location_stock', json_array(location_stock.variant_id, location_stock.location_id) FROM location_stock;
INSERT INTO catalog_changes (table_name, key) SELECT 'stock_alerts', stock_alerts.variant_id FROM stock_alerts;
