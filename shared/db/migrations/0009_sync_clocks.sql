-- Field clocks, one row per synced row instead of one per field (docs/benchmarks.md, Sync): a push or
-- a form of 10,000 inserted rows wrote about 90,000 sync_fields rows, the largest part of its time.
-- `clocks` is a JSON object {field: hlc}; a row with no clocks has no sync_clocks row at all.
CREATE TABLE sync_clocks (
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    clocks      TEXT NOT NULL CHECK (json_valid(clocks)),
    PRIMARY KEY (table_name, key)
) WITHOUT ROWID;

INSERT INTO sync_clocks (table_name, key, clocks)
SELECT table_name, key, json_group_object(field, hlc) FROM sync_fields GROUP BY table_name, key;

DROP TABLE sync_fields;
