-- The POS order feed and the studio's live orders (issue 13): every change of an order is one row of
-- `order_changes`, written in the same transaction as the change (shared/orders/events.py
-- record_order_event), and `orders.version` counts the changes of the order row, so a POS that acts on
-- an order it read at version N is refused when it moved on since (cloud/server/pos/orders.py).
-- Cloud-only, like the orders: not synced, never in a device copy (the rows go with their order).
--
-- Named order_changes, not order_events: that name is the orders' timeline since 0015.

-- Starts at 1; the trigger adds 1 to every UPDATE of the row that does not set the version itself.
-- (recursive_triggers is off: the trigger's own UPDATE does not fire it again; its WHEN would stop it.)
ALTER TABLE orders ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
CREATE TRIGGER orders_version AFTER UPDATE ON orders FOR EACH ROW WHEN NEW.version = OLD.version
BEGIN
    UPDATE orders SET version = OLD.version + 1 WHERE id = NEW.id;
END;

-- When a POS accepted the order ("accept": the counter saw it and will prepare it).
ALTER TABLE orders ADD COLUMN accepted_at TEXT;

-- One row per order change and location it concerns: a pickup order's location, and each location a
-- shipped order took stock from (NULL when neither: a paid order with no stock taken). The rows of one
-- change share `change_id` (the studio's stream tells each change once); `seq` is the feed's cursor.
CREATE TABLE order_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL UNIQUE,
    change_id   TEXT NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    location_id TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX order_changes_by_location ON order_changes (location_id, seq);
CREATE INDEX order_changes_by_order ON order_changes (order_id, seq);
