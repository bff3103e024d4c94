-- Live stock (issue 13, section 2; docs/storefront.md, "Live availability and the page cache").
--
-- 1. stock_changes: every change of a variant's on hand (the storefront's sum over locations,
--    variant_stock), numbered. The number is the store's stock change sequence: the event id of the
--    live availability stream (cloud/server/availability.py), which each worker watches with one
--    MAX(seq) read while shoppers listen. Only the newest rows matter (a reconnect after missed
--    changes is sent the current state), so every thousandth change prunes what is 10,000 behind.
CREATE TABLE stock_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    variant_id TEXT NOT NULL,
    on_hand    INTEGER NOT NULL
);

CREATE TRIGGER stock_changes_variant_insert AFTER INSERT ON variant_stock
BEGIN
    INSERT INTO stock_changes (variant_id, on_hand) VALUES (NEW.variant_id, NEW.on_hand);
END;

CREATE TRIGGER stock_changes_variant_update AFTER UPDATE OF on_hand ON variant_stock
WHEN NEW.on_hand <> OLD.on_hand
BEGIN
    INSERT INTO stock_changes (variant_id, on_hand) VALUES (NEW.variant_id, NEW.on_hand);
END;

CREATE TRIGGER stock_changes_prune AFTER INSERT ON stock_changes WHEN NEW.seq % 1000 = 0
BEGIN
    DELETE FROM stock_changes WHERE seq <= NEW.seq - 10000;
END;

-- 2. The content version (0003) no longer moves with every stock movement: a POS selling 5 items a
--    second emptied every worker's page cache. Pages show stock only as what a variant's on hand
--    (summed, below zero read as zero) makes of it: in stock or sold out (available = on hand > 0),
--    and the product page's "Low stock: only N left" at or below its setting (at most 50). So the
--    version moves when a variant's on hand changes and, before or after, is at most 50: every flip
--    between in stock and sold out and every count a page may print; a sale from 120 to 119 does not.
--    Holds do not enter: the storefront's pages count on hand only (shared/catalog/views.py).
DROP TRIGGER stock_movements_bumps_version_insert;
DROP TRIGGER stock_movements_bumps_version_update;
DROP TRIGGER stock_movements_bumps_version_delete;

CREATE TRIGGER variant_stock_bumps_version_insert AFTER INSERT ON variant_stock
WHEN max(NEW.on_hand, 0) <> 0
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER variant_stock_bumps_version_update AFTER UPDATE OF on_hand ON variant_stock
WHEN max(NEW.on_hand, 0) <> max(OLD.on_hand, 0) AND min(max(NEW.on_hand, 0), max(OLD.on_hand, 0)) <= 50
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER variant_stock_bumps_version_delete AFTER DELETE ON variant_stock
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
