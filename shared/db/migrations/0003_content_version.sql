-- One number per store that changes with every change shoppers could see. Every worker reads it on
-- each request, so a rendered-page cache keyed by it can never serve a page older than the last
-- commit, on any worker, with no messages between workers. It also keys the sandbox's product
-- snapshot. Carts, orders and customers are not content and do not bump it.
CREATE TABLE content_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 1);

CREATE TRIGGER storefront_bumps_version_insert AFTER INSERT ON storefront
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER storefront_bumps_version_update AFTER UPDATE ON storefront
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER storefront_bumps_version_delete AFTER DELETE ON storefront
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER media_bumps_version_insert AFTER INSERT ON media
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER media_bumps_version_update AFTER UPDATE ON media
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER media_bumps_version_delete AFTER DELETE ON media
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER themes_bumps_version_insert AFTER INSERT ON themes
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER themes_bumps_version_update AFTER UPDATE ON themes
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER themes_bumps_version_delete AFTER DELETE ON themes
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER menus_bumps_version_insert AFTER INSERT ON menus
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER menus_bumps_version_update AFTER UPDATE ON menus
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER menus_bumps_version_delete AFTER DELETE ON menus
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pages_bumps_version_insert AFTER INSERT ON pages
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pages_bumps_version_update AFTER UPDATE ON pages
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pages_bumps_version_delete AFTER DELETE ON pages
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER blocks_bumps_version_insert AFTER INSERT ON blocks
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER blocks_bumps_version_update AFTER UPDATE ON blocks
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER blocks_bumps_version_delete AFTER DELETE ON blocks
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER posts_bumps_version_insert AFTER INSERT ON posts
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER posts_bumps_version_update AFTER UPDATE ON posts
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER posts_bumps_version_delete AFTER DELETE ON posts
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER products_bumps_version_insert AFTER INSERT ON products
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER products_bumps_version_update AFTER UPDATE ON products
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER products_bumps_version_delete AFTER DELETE ON products
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER product_options_bumps_version_insert AFTER INSERT ON product_options
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER product_options_bumps_version_update AFTER UPDATE ON product_options
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER product_options_bumps_version_delete AFTER DELETE ON product_options
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER variants_bumps_version_insert AFTER INSERT ON variants
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER variants_bumps_version_update AFTER UPDATE ON variants
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER variants_bumps_version_delete AFTER DELETE ON variants
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER product_media_bumps_version_insert AFTER INSERT ON product_media
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER product_media_bumps_version_update AFTER UPDATE ON product_media
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER product_media_bumps_version_delete AFTER DELETE ON product_media
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER collections_bumps_version_insert AFTER INSERT ON collections
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER collections_bumps_version_update AFTER UPDATE ON collections
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER collections_bumps_version_delete AFTER DELETE ON collections
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER collection_products_bumps_version_insert AFTER INSERT ON collection_products
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER collection_products_bumps_version_update AFTER UPDATE ON collection_products
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER collection_products_bumps_version_delete AFTER DELETE ON collection_products
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER locations_bumps_version_insert AFTER INSERT ON locations
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER locations_bumps_version_update AFTER UPDATE ON locations
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER locations_bumps_version_delete AFTER DELETE ON locations
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER stock_movements_bumps_version_insert AFTER INSERT ON stock_movements
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER stock_movements_bumps_version_update AFTER UPDATE ON stock_movements
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER stock_movements_bumps_version_delete AFTER DELETE ON stock_movements
BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
