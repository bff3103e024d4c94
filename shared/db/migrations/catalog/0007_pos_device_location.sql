-- POS device tokens (issue 13): a POS device's token is bound to one store AND one location of that
-- store (a till sells from its own shelf). NULL for every other token. No REFERENCES: locations live in
-- the store's own database, so `vibeshop cloud pos device add` checks the location where it makes the token.
ALTER TABLE api_tokens ADD COLUMN location_id TEXT
    CHECK (location_id IS NULL OR (typeof(location_id) = 'text' AND length(location_id) BETWEEN 1 AND 64));
