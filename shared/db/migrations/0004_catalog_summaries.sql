-- Summaries kept by triggers so that storefront listings stay fast on large catalogues (measured:
-- 50,000 products): stock on hand per variant (the sum of its movements) and, per product, the
-- price range and whether any variant is in stock. The movements stay the source of truth.
CREATE TABLE variant_stock (
    variant_id TEXT PRIMARY KEY REFERENCES variants (id) ON DELETE CASCADE,
    on_hand    INTEGER NOT NULL
);
INSERT INTO variant_stock (variant_id, on_hand)
SELECT variant_id, sum(delta) FROM stock_movements GROUP BY variant_id;

CREATE TABLE product_summary (
    product_id TEXT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    min_price  INTEGER,
    max_price  INTEGER,
    available  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX product_summary_by_price ON product_summary (min_price);
INSERT INTO product_summary (product_id, min_price, max_price, available)
SELECT p.id,
       (SELECT min(price_amount) FROM variants v WHERE v.product_id = p.id),
       (SELECT max(price_amount) FROM variants v WHERE v.product_id = p.id),
       EXISTS (SELECT 1 FROM variants v JOIN variant_stock s ON s.variant_id = v.id
               WHERE v.product_id = p.id AND s.on_hand > 0)
FROM products p;

CREATE TRIGGER product_summary_new_product AFTER INSERT ON products
BEGIN
    INSERT OR IGNORE INTO product_summary (product_id, min_price, max_price, available) VALUES (NEW.id, NULL, NULL, 0);
END;

CREATE TRIGGER product_summary_variant_insert AFTER INSERT ON variants
BEGIN
    INSERT OR IGNORE INTO product_summary (product_id, available) VALUES (NEW.product_id, 0);
    UPDATE product_summary SET
        min_price = (SELECT min(price_amount) FROM variants WHERE product_id = NEW.product_id),
        max_price = (SELECT max(price_amount) FROM variants WHERE product_id = NEW.product_id)
    WHERE product_id = NEW.product_id;
END;
CREATE TRIGGER product_summary_variant_update AFTER UPDATE OF price_amount, product_id ON variants
BEGIN
    UPDATE product_summary SET
        min_price = (SELECT min(price_amount) FROM variants WHERE product_id = product_summary.product_id),
        max_price = (SELECT max(price_amount) FROM variants WHERE product_id = product_summary.product_id)
    WHERE product_id IN (NEW.product_id, OLD.product_id);
END;
CREATE TRIGGER product_summary_variant_delete AFTER DELETE ON variants
BEGIN
    UPDATE product_summary SET
        min_price = (SELECT min(price_amount) FROM variants WHERE product_id = OLD.product_id),
        max_price = (SELECT max(price_amount) FROM variants WHERE product_id = OLD.product_id),
        available = EXISTS (SELECT 1 FROM variants v JOIN variant_stock s ON s.variant_id = v.id
                            WHERE v.product_id = OLD.product_id AND s.on_hand > 0)
    WHERE product_id = OLD.product_id;
END;

CREATE TRIGGER variant_stock_movement AFTER INSERT ON stock_movements
BEGIN
    INSERT INTO variant_stock (variant_id, on_hand) VALUES (NEW.variant_id, NEW.delta)
    ON CONFLICT (variant_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand;
    UPDATE product_summary SET available = EXISTS (
        SELECT 1 FROM variants v JOIN variant_stock s ON s.variant_id = v.id
        WHERE v.product_id = product_summary.product_id AND s.on_hand > 0)
    WHERE product_id = (SELECT product_id FROM variants WHERE id = NEW.variant_id);
END;

-- Manual collection order walks this index and stops at the page's last row.
CREATE INDEX collection_products_in_order ON collection_products (collection_id, position);
