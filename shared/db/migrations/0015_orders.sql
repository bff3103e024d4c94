-- Orders (issue 11, section 5) and the checkout attempts that make them (shared/checkout/workflow.py).
-- Cloud-only tables of the live store database: NOT synced (not in shared/sync/tables.py), so never in
-- a release snapshot, and emptied in the copy a new device starts from (repositories/copies.py).

-- The order as bought: every amount in integer minor units of `currency`; the addresses and the
-- delivery are JSON snapshots (what the shopper gave), never references to live rows.
ALTER TABLE orders ADD COLUMN status_token TEXT NOT NULL DEFAULT '';          -- /orders/TOKEN (unguessable)
ALTER TABLE orders ADD COLUMN attempt_id TEXT;                               -- the checkout attempt
ALTER TABLE orders ADD COLUMN payment_provider TEXT NOT NULL DEFAULT '';     -- 'stripe' | 'pay_in_store'
ALTER TABLE orders ADD COLUMN payment_intent_id TEXT;                        -- Stripe's pi_...
ALTER TABLE orders ADD COLUMN payment_status TEXT NOT NULL DEFAULT 'unpaid'
    CHECK (payment_status IN ('unpaid', 'paid', 'partially_refunded', 'refunded', 'voided'));
ALTER TABLE orders ADD COLUMN fulfillment_status TEXT NOT NULL DEFAULT 'unfulfilled'
    CHECK (fulfillment_status IN ('unfulfilled', 'partially_fulfilled', 'fulfilled', 'on_hold'));
ALTER TABLE orders ADD COLUMN discount_amount INTEGER NOT NULL DEFAULT 0 CHECK (discount_amount >= 0);
ALTER TABLE orders ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN shipping_address TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(shipping_address));
ALTER TABLE orders ADD COLUMN billing_address TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(billing_address));
ALTER TABLE orders ADD COLUMN delivery TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(delivery));
ALTER TABLE orders ADD COLUMN discounts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(discounts));
ALTER TABLE orders ADD COLUMN needs_attention INTEGER NOT NULL DEFAULT 0 CHECK (needs_attention IN (0, 1));
-- One order per PaymentIntent and per checkout attempt, whoever calls finalize and however often.
CREATE UNIQUE INDEX orders_by_payment_intent ON orders (payment_intent_id) WHERE payment_intent_id IS NOT NULL;
CREATE UNIQUE INDEX orders_by_attempt ON orders (attempt_id) WHERE attempt_id IS NOT NULL;
CREATE UNIQUE INDEX orders_by_status_token ON orders (status_token) WHERE status_token <> '';
CREATE INDEX orders_by_created ON orders (created_at);

-- Lines as snapshots: title, variant title, SKU, prices as bought.
ALTER TABLE order_lines ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN product_id TEXT NOT NULL DEFAULT '';
ALTER TABLE order_lines ADD COLUMN variant_title TEXT NOT NULL DEFAULT '';
ALTER TABLE order_lines ADD COLUMN subtotal_amount INTEGER NOT NULL DEFAULT 0;   -- unit x quantity
ALTER TABLE order_lines ADD COLUMN discount_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN tax_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN total_amount INTEGER NOT NULL DEFAULT 0;
CREATE INDEX order_lines_by_order ON order_lines (order_id, position);

-- The order's timeline: what happened, when, by whom ('shopper', 'stripe', 'system', a merchant).
CREATE TABLE order_events (
    id        TEXT PRIMARY KEY,
    order_id  TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    message   TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL DEFAULT 'system'
);
CREATE INDEX order_events_by_order ON order_events (order_id, at);

-- A checkout attempt: what the shopper asked for and the quote they saw, its stock holds' group and
-- its payment, so finalize can run in another process (the webhook's) and still make the order.
CREATE TABLE checkout_attempts (
    id                TEXT PRIMARY KEY,                  -- also the payment's idempotency key
    status            TEXT NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'charging', 'requires_action', 'completed', 'failed')),
    request           TEXT NOT NULL CHECK (json_valid(request)),   -- contact, addresses, lines (snapshots)
    quote             TEXT NOT NULL CHECK (json_valid(quote)),     -- Quote.to_json() as shown
    hold_group        TEXT NOT NULL,
    payment_method    TEXT NOT NULL,                     -- 'stripe' | 'pay_in_store'
    payment_intent_id TEXT UNIQUE,
    order_id          TEXT,
    error             TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
