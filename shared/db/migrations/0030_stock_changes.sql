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
--    (summed over locations, below zero read as zero) makes of it: in stock or sold out (available =
--    on hand > 0), and the product page's "Low stock: only N left" at or below its block's `low_stock`
--    setting (default 5). stock_display.shown_up_to is the highest on hand any page may print: the
--    largest low_stock of the main-product blocks (at least 5, the default templates' own), or
--    "every count" while a merchant's code block mentions `inventory`. The version moves when a
--    variant's on hand changes and, before or after, is at most that: every flip between in stock and
--    sold out and every count a page may print; a sale from 40 to 39 does not.
--    Holds do not enter: the storefront's pages count on hand only (shared/catalog/views.py).
CREATE TABLE stock_display (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    shown_up_to INTEGER NOT NULL
);
INSERT INTO stock_display (id, shown_up_to) VALUES (1, 5);

CREATE VIEW stock_display_wanted (shown_up_to) AS
SELECT CASE
    WHEN EXISTS (SELECT 1 FROM blocks WHERE code IS NOT NULL AND instr(code, 'inventory') > 0) THEN 9223372036854775807
    ELSE max(5, coalesce((SELECT max(CAST(json_extract(settings, '$.low_stock') AS INTEGER))
                          FROM blocks WHERE kind = 'main-product'), 0))
END;
UPDATE stock_display SET shown_up_to = (SELECT shown_up_to FROM stock_display_wanted) WHERE id = 1;

CREATE TRIGGER blocks_stock_display_insert AFTER INSERT ON blocks
WHEN NEW.kind = 'main-product' OR NEW.code IS NOT NULL
BEGIN UPDATE stock_display SET shown_up_to = (SELECT shown_up_to FROM stock_display_wanted) WHERE id = 1; END;
CREATE TRIGGER blocks_stock_display_update AFTER UPDATE ON blocks
WHEN NEW.kind = 'main-product' OR OLD.kind = 'main-product' OR NEW.code IS NOT NULL OR OLD.code IS NOT NULL
BEGIN UPDATE stock_display SET shown_up_to = (SELECT shown_up_to FROM stock_display_wanted) WHERE id = 1; END;
CREATE TRIGGER blocks_stock_display_delete AFTER DELETE ON blocks
WHEN OLD.kind = 'main-product' OR OLD.code IS NOT NULL
BEGIN UPDATE stock_display SET shown_up_to = (SELECT shown_up_to FROM stock_display_wanted) WHERE id = 1; END;

DROP TRIGGER stock_movements_bumps_version_insert;
DROP TRIGGER stock_movements_bumps_version_update;
DROP TRIGGER stock_movements_bumps_version_delete;

CREATE TRIGGER variant_stock_bumps_version_insert AFTER INSERT ON variant_stock
WHEN max(NEW.on_hand, 0) <> 0
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER variant_stock_bumps_version_update AFTER UPDATE OF on_hand ON variant_stock
WHEN max(NEW.on_hand, 0) <> max(OLD.on_hand, 0)
 AND min(max(NEW.on_hand, 0), max(OLD.on_hand, 0)) <= (SELECT shown_up_to FROM stock_display WHERE id = 1)
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER variant_stock_bumps_version_delete AFTER DELETE ON variant_stock
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
