-- Conflict records name the device whose version lost as the merchant named it ("Laptop"), not only
-- by its id: the cloud knows the names (sync_devices) and sends them with each record.
ALTER TABLE sync_conflicts ADD COLUMN device_name TEXT NOT NULL DEFAULT '';
