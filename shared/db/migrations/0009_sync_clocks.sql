-- Field clocks, one row per synced row instead of one per field (docs/benchmarks.md, Sync): a push or
-- a form of 10,000 inserted rows wrote about 90,000 sync_fields rows, the largest part of its time.
-- `clocks` is a JSON object {field: hlc}; a row with no clocks has no sync_clocks row at all.
-- Rows of a few hundred bytes insert faster into a rowid table (with its key index) than into a
-- WITHOUT ROWID one, so sync_shadow (a whole row as JSON) becomes one too.
CREATE TABLE sync_clocks (
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    clocks      TEXT NOT NULL CHECK (json_valid(clocks)),
    PRIMARY KEY (table_name, key)
);

INSERT INTO sync_clocks (table_name, key, clocks)
SELECT table_name, key, json_group_object(field, hlc) FROM sync_fields GROUP BY table_name, key;

DROP TABLE sync_fields;

CREATE TABLE sync_shadow_rows (
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    row         TEXT NOT NULL CHECK (json_valid(row)),
    PRIMARY KEY (table_name, key)
);
INSERT INTO sync_shadow_rows (table_name, key, row) SELECT table_name, key, row FROM sync_shadow;
DROP TABLE sync_shadow;
ALTER TABLE sync_shadow_rows RENAME TO sync_shadow;
