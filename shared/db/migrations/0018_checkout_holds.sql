-- Two store settings of the checkout's stock holds (docs/checkout.md, "Stock: holds and locations"),
-- authored like the rest of the setup: two more fields of the one synced checkout_settings row (0016),
-- each its own field under per-field last-writer-wins.
--   hold_minutes  how long starting checkout holds the cart's units (renewed while the shopper is
--                 active): 10 by default, 1 minute to a day.
--   ship_from     the location shipped (and locally delivered) orders take their stock from, and only
--                 from; NULL: the first location with stock. No REFERENCES: locations are not synced, so
--                 a device's setting may name a location of the cloud's database; the setup services
--                 check it where they save, and a checkout whose location is gone takes the first with
--                 stock.
-- The capture triggers of 0016 fire on an update of any column, so both are captured as they are.
ALTER TABLE checkout_settings ADD COLUMN hold_minutes INTEGER NOT NULL DEFAULT 10
    CHECK (typeof(hold_minutes) = 'integer' AND hold_minutes BETWEEN 1 AND 1440);
ALTER TABLE checkout_settings ADD COLUMN ship_from TEXT
    CHECK (ship_from IS NULL OR (typeof(ship_from) = 'text' AND length(ship_from) BETWEEN 1 AND 64));

-- The row as last pulled (a device's shadow) and the rows the cloud logged are the row with every
-- column: they get the new fields at the values the table now has (the defaults). Without this a
-- device would diff its row against a shadow lacking them and push the defaults as its own edit, a
-- later write that could undo another device's real change of the hold time.
UPDATE sync_shadow SET row = json_set(row, '$.hold_minutes', 10, '$.ship_from', NULL)
WHERE table_name = 'checkout_settings' AND json_type(row, '$.hold_minutes') IS NULL;
UPDATE sync_log SET row = json_set(row, '$.hold_minutes', 10, '$.ship_from', NULL)
WHERE table_name = 'checkout_settings' AND row IS NOT NULL AND json_type(row, '$.hold_minutes') IS NULL;
