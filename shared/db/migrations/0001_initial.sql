-- The database of ONE store (database per tenant). Every syncable row has a UUID text key.
-- Money is an integer amount in minor units plus an ISO 4217 currency code, never a float.
-- Timestamps are ISO 8601 UTC text.

CREATE TABLE storefront (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'suspended')),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    locale      TEXT NOT NULL,
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    settings    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE media (
    id          TEXT PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,          -- sha256 of the original bytes
    filename    TEXT NOT NULL,
    mime        TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    format      TEXT NOT NULL DEFAULT 'webp',  -- format of the resized renditions
    widths      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(widths)),
    alt         TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE themes (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    preset      TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
    custom_css  TEXT NOT NULL DEFAULT '',
    is_active   INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX themes_one_active ON themes (is_active) WHERE is_active = 1;

CREATE TABLE menus (
    handle      TEXT PRIMARY KEY,              -- 'main', 'footer'
    items       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(items)),
    updated_at  TEXT NOT NULL
);

CREATE TABLE pages (
    id              TEXT PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    position        INTEGER NOT NULL DEFAULT 0,
    seo_title       TEXT NOT NULL DEFAULT '',
    seo_description TEXT NOT NULL DEFAULT '',
    canonical_url   TEXT NOT NULL DEFAULT '',
    social_image_id TEXT REFERENCES media (id) ON DELETE SET NULL,
    noindex         INTEGER NOT NULL DEFAULT 0 CHECK (noindex IN (0, 1)),
    published_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE blocks (
    id          TEXT PRIMARY KEY,
    page_id     TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                 -- a built-in kind ('hero', ...) or 'custom'
    code        TEXT,                          -- NULL: the built-in source for `kind`
    settings    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
    position    INTEGER NOT NULL,
    hidden      INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX blocks_by_page ON blocks (page_id, position);

CREATE TABLE block_revisions (
    id          TEXT PRIMARY KEY,
    block_id    TEXT NOT NULL REFERENCES blocks (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX block_revisions_by_block ON block_revisions (block_id, created_at);

CREATE TABLE posts (
    id              TEXT PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    excerpt         TEXT NOT NULL DEFAULT '',
    body_html       TEXT NOT NULL DEFAULT '',
    author          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'published')),
    published_at    TEXT,
    image_id        TEXT REFERENCES media (id) ON DELETE SET NULL,
    seo_title       TEXT NOT NULL DEFAULT '',
    seo_description TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX posts_by_date ON posts (status, published_at);

CREATE TABLE products (
    id               TEXT PRIMARY KEY,
    handle           TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    description_html TEXT NOT NULL DEFAULT '',
    vendor           TEXT NOT NULL DEFAULT '',
    product_type     TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draft', 'archived')),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX products_by_status ON products (status, created_at);

CREATE TABLE product_options (
    id          TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    "values"    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid("values")),
    UNIQUE (product_id, name)
);

CREATE TABLE variants (
    id                TEXT PRIMARY KEY,
    product_id        TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    sku               TEXT NOT NULL DEFAULT '',
    price_amount      INTEGER NOT NULL CHECK (price_amount >= 0),
    compare_at_amount INTEGER CHECK (compare_at_amount IS NULL OR compare_at_amount >= 0),
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    option1           TEXT,
    option2           TEXT,
    option3           TEXT,
    position          INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX variants_by_product ON variants (product_id, position);
CREATE INDEX variants_by_sku ON variants (sku) WHERE sku <> '';

CREATE TABLE product_media (
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    media_id    TEXT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (product_id, media_id)
);

CREATE TABLE collections (
    id          TEXT PRIMARY KEY,
    handle      TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    image_id    TEXT REFERENCES media (id) ON DELETE SET NULL,
    sort_order  TEXT NOT NULL DEFAULT 'manual' CHECK (sort_order IN ('manual', 'newest', 'price-asc', 'price-desc', 'title')),
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE collection_products (
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    product_id    TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (collection_id, product_id)
);
CREATE INDEX collection_products_by_product ON collection_products (product_id);

CREATE TABLE locations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    address     TEXT NOT NULL DEFAULT '',
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at  TEXT NOT NULL
);

-- Inventory is never an overwritten number: append-only movements, summed per variant and location.
CREATE TABLE stock_movements (
    id          TEXT PRIMARY KEY,
    variant_id  TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id),
    delta       INTEGER NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('received', 'sold', 'returned', 'adjusted', 'counted', 'reserved', 'released')),
    reference   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX stock_by_variant ON stock_movements (variant_id, location_id);
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
WHEN EXISTS (SELECT 1 FROM variants WHERE id = OLD.variant_id)
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;

CREATE TABLE customers (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name              TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    accepts_marketing INTEGER NOT NULL DEFAULT 0 CHECK (accepts_marketing IN (0, 1)),
    created_at        TEXT NOT NULL
);

CREATE TABLE carts (
    id          TEXT PRIMARY KEY,
    token       TEXT NOT NULL UNIQUE,
    customer_id TEXT REFERENCES customers (id) ON DELETE SET NULL,
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE cart_lines (
    id          TEXT PRIMARY KEY,
    cart_id     TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id  TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    UNIQUE (cart_id, variant_id)
);

CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    number          INTEGER NOT NULL UNIQUE,
    customer_id     TEXT REFERENCES customers (id) ON DELETE SET NULL,
    email           TEXT NOT NULL,
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    subtotal_amount INTEGER NOT NULL CHECK (subtotal_amount >= 0),
    shipping_amount INTEGER NOT NULL DEFAULT 0 CHECK (shipping_amount >= 0),
    tax_amount      INTEGER NOT NULL DEFAULT 0 CHECK (tax_amount >= 0),
    total_amount    INTEGER NOT NULL CHECK (total_amount >= 0),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'fulfilled', 'cancelled', 'refunded')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE order_lines (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    variant_id  TEXT REFERENCES variants (id) ON DELETE SET NULL,
    title       TEXT NOT NULL,
    sku         TEXT NOT NULL DEFAULT '',
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0)
);
