-- Template pages (Shopify's templates/*.json): the page a product, collection, blog, article, search
-- or "not found" address renders. A template is a page whose blocks the merchant arranges; it is
-- never reachable at /pages/SLUG.
ALTER TABLE pages ADD COLUMN template TEXT
    CHECK (template IS NULL OR template IN ('product', 'collection', 'blog', 'article', 'search', 'not_found'));
CREATE UNIQUE INDEX pages_one_per_template ON pages (template) WHERE template IS NOT NULL;

-- Product search: FTS5 with BM25 ranking and prefix indexes, kept in step by triggers. The row id is
-- products.rowid; fts5vocab exposes the terms for typo-tolerant suggestions.
CREATE VIRTUAL TABLE products_fts USING fts5 (
    title, vendor, product_type, tags, body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE VIRTUAL TABLE products_fts_terms USING fts5vocab (products_fts, 'row');

INSERT INTO products_fts (rowid, title, vendor, product_type, tags, body)
SELECT rowid, title, vendor, product_type, tags, description_html FROM products WHERE status = 'active';

CREATE TRIGGER products_fts_insert AFTER INSERT ON products WHEN NEW.status = 'active'
BEGIN
    INSERT INTO products_fts (rowid, title, vendor, product_type, tags, body)
    VALUES (NEW.rowid, NEW.title, NEW.vendor, NEW.product_type, NEW.tags, NEW.description_html);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products
BEGIN
    DELETE FROM products_fts WHERE rowid = OLD.rowid;
END;
CREATE TRIGGER products_fts_update AFTER UPDATE ON products
BEGIN
    DELETE FROM products_fts WHERE rowid = OLD.rowid;
    INSERT INTO products_fts (rowid, title, vendor, product_type, tags, body)
    SELECT NEW.rowid, NEW.title, NEW.vendor, NEW.product_type, NEW.tags, NEW.description_html
    WHERE NEW.status = 'active';
END;

-- Collection filtering: prices per product and option values per variant are read through these.
CREATE INDEX variants_by_price ON variants (product_id, price_amount);
CREATE INDEX stock_by_variant_delta ON stock_movements (variant_id, delta);
