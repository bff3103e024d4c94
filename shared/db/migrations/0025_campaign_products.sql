-- Newsletter campaigns feature products (issue 12 §4, "rich text and product blocks"): the ids of the
-- products the merchant picked, as a JSON array, in their order. The copies list them with their data
-- at send time (a product deleted by then is left out), so only the ids are stored.
ALTER TABLE campaigns ADD COLUMN product_ids TEXT NOT NULL DEFAULT '[]';
