-- The order lifecycle (issue 12, section 1): fulfilments by line, pickup, cancellation, refunds,
-- authorized payments captured at pickup. Cloud-only tables of the live store database, like the
-- orders they belong to: NOT synced, never in a snapshot; they go with their order (ON DELETE CASCADE).

-- payment_status gains 'authorized' (a card held at checkout, captured at pickup). SQLite cannot
-- change a column's CHECK, so the column is rebuilt under the same name with the same values.
ALTER TABLE orders ADD COLUMN payment_status_next TEXT NOT NULL DEFAULT 'unpaid'
    CHECK (payment_status_next IN ('unpaid', 'authorized', 'paid', 'partially_refunded', 'refunded', 'voided'));
UPDATE orders SET payment_status_next = payment_status;
ALTER TABLE orders DROP COLUMN payment_status;
ALTER TABLE orders RENAME COLUMN payment_status_next TO payment_status;

ALTER TABLE orders ADD COLUMN pickup_status TEXT NOT NULL DEFAULT 'none'
    CHECK (pickup_status IN ('none', 'ready', 'picked_up'));
ALTER TABLE orders ADD COLUMN cancelled_at TEXT;
ALTER TABLE orders ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
-- What was taken when it differs from the total (a capture of less than was authorized); NULL: the
-- total, once the payment status says the money is in.
ALTER TABLE orders ADD COLUMN captured_amount INTEGER CHECK (captured_amount IS NULL OR captured_amount >= 0);
-- When the merchant was warned that the authorization runs out (once per order).
ALTER TABLE orders ADD COLUMN authorization_warned_at TEXT;

-- Units shipped (or handed over) and refunded per line; never more than were bought.
ALTER TABLE order_lines ADD COLUMN fulfilled_quantity INTEGER NOT NULL DEFAULT 0
    CHECK (fulfilled_quantity >= 0 AND fulfilled_quantity <= quantity);
ALTER TABLE order_lines ADD COLUMN refunded_quantity INTEGER NOT NULL DEFAULT 0
    CHECK (refunded_quantity >= 0 AND refunded_quantity <= quantity);

-- A shipment (or the hand-over at pickup): which units of which lines, with tracking.
CREATE TABLE order_fulfillments (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    lines           TEXT NOT NULL CHECK (json_valid(lines)),     -- [{"lineId", "quantity"}]
    carrier         TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL DEFAULT '',
    tracking_url    TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE INDEX order_fulfillments_by_order ON order_fulfillments (order_id, created_at);

-- A refund, recorded 'pending' BEFORE the provider is asked: its id is the provider's idempotency
-- key, and a pending or succeeded refund counts against what may still be refunded, so two refunds
-- at once can never give back more than was paid. A failed one counts for nothing.
CREATE TABLE order_refunds (
    id                 TEXT PRIMARY KEY,
    order_id           TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount             INTEGER NOT NULL CHECK (amount > 0),
    lines              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(lines)),   -- [{"lineId", "quantity"}]
    restock            INTEGER NOT NULL DEFAULT 0 CHECK (restock IN (0, 1)),
    reason             TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider_refund_id TEXT,
    error              TEXT NOT NULL DEFAULT '',
    actor              TEXT NOT NULL DEFAULT 'system',
    notify             INTEGER NOT NULL DEFAULT 1 CHECK (notify IN (0, 1)),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX order_refunds_by_order ON order_refunds (order_id, created_at);
-- The background task's look-up of authorizations about to run out.
CREATE INDEX orders_authorized ON orders (created_at) WHERE payment_status = 'authorized';
