-- Inventory as a ledger (Square's model, docs/data.md "Stock"): every movement says when it
-- happened (occurred_at, UTC text) besides when it was recorded (created_at), since a POS uploads
-- offline sales late; a physical count is a movement too (reason 'counted', `counted` = the absolute
-- quantity, delta 0) and acts as an anchor: on hand = the latest count by occurred_at plus the
-- adjustments that occurred after it. The id stays the change id: a UUID applied once.

-- Backfill occurred_at from created_at: the append-only trigger has to step aside for that one UPDATE.
DROP TRIGGER stock_movements_no_update;
ALTER TABLE stock_movements ADD COLUMN occurred_at TEXT NOT NULL DEFAULT '';
ALTER TABLE stock_movements ADD COLUMN counted INTEGER CHECK (counted IS NULL OR counted >= 0);
-- created_at values without a fraction ('...T12:00:00+00:00') get one, so every stamp sorts as text.
UPDATE stock_movements SET occurred_at = CASE
    WHEN length(created_at) = 25 THEN substr(created_at, 1, 19) || '.000000' || substr(created_at, 20)
    ELSE created_at END;
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;

-- Rows written without occurred_at (older code, raw SQL) happened when they were recorded: every
-- comparison below reads '' as created_at. A count must say when it was taken.
CREATE TRIGGER stock_movements_valid BEFORE INSERT ON stock_movements
WHEN (NEW.reason = 'counted') <> (NEW.counted IS NOT NULL)
  OR (NEW.counted IS NOT NULL AND (NEW.delta <> 0 OR NEW.occurred_at = ''))
BEGIN SELECT RAISE(ABORT, 'a count (reason counted) has counted and occurred_at set and delta 0'); END;

CREATE INDEX stock_by_occurrence ON stock_movements (variant_id, location_id, occurred_at);
CREATE INDEX stock_by_reference ON stock_movements (reference) WHERE reference <> '';

-- On hand per variant and location, kept by triggers (the ledger stays the source of truth):
-- counted_at is the occurred_at of the latest count (NULL: never counted).
CREATE TABLE location_stock (
    variant_id  TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    on_hand     INTEGER NOT NULL,
    counted_at  TEXT,
    PRIMARY KEY (variant_id, location_id)
);
INSERT INTO location_stock (variant_id, location_id, on_hand, counted_at)
SELECT variant_id, location_id, sum(delta), NULL FROM stock_movements GROUP BY variant_id, location_id;

-- variant_stock (the storefront's summary, 0004) now follows location_stock instead of raw deltas,
-- so that a count moves it by what the count changed.
DROP TRIGGER variant_stock_movement;

-- An adjustment counts unless the latest count occurred after it (or at the same instant: a count
-- taken at 13:30 already includes what happened at 13:30).
CREATE TRIGGER location_stock_adjustment AFTER INSERT ON stock_movements WHEN NEW.counted IS NULL
BEGIN
    INSERT INTO location_stock (variant_id, location_id, on_hand, counted_at)
    VALUES (NEW.variant_id, NEW.location_id, NEW.delta, NULL)
    ON CONFLICT (variant_id, location_id) DO UPDATE SET on_hand = location_stock.on_hand + excluded.on_hand
    WHERE location_stock.counted_at IS NULL
       OR (CASE WHEN NEW.occurred_at = '' THEN NEW.created_at ELSE NEW.occurred_at END) > location_stock.counted_at;
END;

-- A count newer than the latest one (or as new: the later recorded wins) becomes the anchor: its
-- quantity plus the adjustments that occurred after it (offline sales uploaded late).
CREATE TRIGGER location_stock_count AFTER INSERT ON stock_movements WHEN NEW.counted IS NOT NULL
BEGIN
    INSERT INTO location_stock (variant_id, location_id, on_hand, counted_at)
    VALUES (NEW.variant_id, NEW.location_id,
            NEW.counted + (SELECT coalesce(sum(m.delta), 0) FROM stock_movements m
                           WHERE m.variant_id = NEW.variant_id AND m.location_id = NEW.location_id
                             AND m.counted IS NULL
                             AND (CASE WHEN m.occurred_at = '' THEN m.created_at ELSE m.occurred_at END)
                                 > NEW.occurred_at),
            NEW.occurred_at)
    ON CONFLICT (variant_id, location_id) DO UPDATE SET on_hand = excluded.on_hand, counted_at = excluded.counted_at
    WHERE location_stock.counted_at IS NULL OR NEW.occurred_at >= location_stock.counted_at;
END;

CREATE TRIGGER variant_stock_location_insert AFTER INSERT ON location_stock
BEGIN
    INSERT INTO variant_stock (variant_id, on_hand) VALUES (NEW.variant_id, NEW.on_hand)
    ON CONFLICT (variant_id) DO UPDATE SET on_hand = variant_stock.on_hand + excluded.on_hand;
    UPDATE product_summary SET available = EXISTS (
        SELECT 1 FROM variants v JOIN variant_stock s ON s.variant_id = v.id
        WHERE v.product_id = product_summary.product_id AND s.on_hand > 0)
    WHERE product_id = (SELECT product_id FROM variants WHERE id = NEW.variant_id);
END;

CREATE TRIGGER variant_stock_location_update AFTER UPDATE OF on_hand ON location_stock
WHEN NEW.on_hand <> OLD.on_hand
BEGIN
    UPDATE variant_stock SET on_hand = on_hand + NEW.on_hand - OLD.on_hand WHERE variant_id = NEW.variant_id;
    UPDATE product_summary SET available = EXISTS (
        SELECT 1 FROM variants v JOIN variant_stock s ON s.variant_id = v.id
        WHERE v.product_id = product_summary.product_id AND s.on_hand > 0)
    WHERE product_id = (SELECT product_id FROM variants WHERE id = NEW.variant_id);
END;

-- Units held by checkouts in progress (live store database only: never synced, removed from device
-- copies). A hold counts while expires_at > now; no cron is needed, every query compares, and
-- purge_expired_holds deletes rows long expired. One row per group, variant and location.
CREATE TABLE stock_holds (
    id          TEXT PRIMARY KEY,
    group_id    TEXT NOT NULL,
    variant_id  TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    expires_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (group_id, variant_id, location_id)
);
CREATE INDEX stock_holds_by_variant ON stock_holds (variant_id, location_id, expires_at);
CREATE INDEX stock_holds_by_expiry ON stock_holds (expires_at);
