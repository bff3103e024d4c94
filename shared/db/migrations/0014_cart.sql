-- The cart (issue 11, section 1). A cart is found by the SHA-256 of its cookie token (carts.token holds
-- the hash: a copy of the database does not hand out shoppers' cookies). Cloud-only rows of the live
-- store database: not synced, emptied in device copies (repositories/copies.py).
--
-- cart_lines is rebuilt without its foreign key to variants: a publish that removes a variant must not
-- silently delete the shopper's line (ON DELETE CASCADE did); the line stays and the cart shows "no
-- longer available". Each line keeps the unit price the shopper saw when adding it, so the cart can
-- say "the price changed". No cart was ever written before this migration (adding answered 501).
DROP TABLE cart_lines;
CREATE TABLE cart_lines (
    id               TEXT PRIMARY KEY,
    cart_id          TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id       TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    seen_price       INTEGER NOT NULL CHECK (seen_price >= 0),
    seen_currency    TEXT NOT NULL CHECK (length(seen_currency) = 3),
    title            TEXT NOT NULL DEFAULT '',       -- product and variant title when added
    position         INTEGER NOT NULL,
    added_at         TEXT NOT NULL,
    UNIQUE (cart_id, variant_id)
);
CREATE INDEX cart_lines_by_cart ON cart_lines (cart_id, position);
-- Idle expiry compares updated_at in queries; the purge walks this index.
CREATE INDEX carts_by_updated ON carts (updated_at);

-- Shipping by weight (issue 11, section 2): every variant gets a weight in grams, 0 when not set.
ALTER TABLE variants ADD COLUMN weight_grams INTEGER NOT NULL DEFAULT 0 CHECK (weight_grams >= 0);
