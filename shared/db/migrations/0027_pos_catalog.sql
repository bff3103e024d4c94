-- POS API v1 catalogue (issue 13): POST /pos/v1/catalog/batch-upsert (shared/catalog/pos_upsert.py).
-- The POS owns a product's title, options and its variants' SKU, barcode, price, currency, weight and
-- option values; the web owns the rest (handle, description, vendor, type, tags, media, collections,
-- SEO). These columns are the POS's bookkeeping:
--   products.version          optimistic concurrency: the version the POS last saw; each upsert of the
--                             product adds one (a stale one is refused whole, 409);
--   *.pos_external_id         the POS's own id of the product / variant (Square's client object id), so
--                             that a re-send finds the row it made; NULL when the POS never named one.
--   variants.barcode          the POS's barcode (EAN/UPC/any text), '' when none.
-- Stock is never written here: it goes through /pos/v1/inventory/changes.
ALTER TABLE products ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE products ADD COLUMN pos_external_id TEXT;
ALTER TABLE variants ADD COLUMN pos_external_id TEXT;
ALTER TABLE variants ADD COLUMN barcode TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX products_by_pos_external_id ON products (pos_external_id) WHERE pos_external_id IS NOT NULL;
CREATE UNIQUE INDEX variants_by_pos_external_id ON variants (pos_external_id) WHERE pos_external_id IS NOT NULL;
