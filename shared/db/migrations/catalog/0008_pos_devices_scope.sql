-- A paired studio manages the shop's POS devices (issue 13: Point of sale, GET/POST/DELETE
-- /api/admin/pos/devices) with the "pos_devices" scope. Devices paired before this scope existed get
-- it too, so a merchant need not pair again; tokens made by hand keep exactly what they were given.
UPDATE api_tokens
SET scopes = (SELECT json_group_array(value) FROM (
        SELECT value FROM json_each(api_tokens.scopes)
        UNION
        SELECT value FROM json_each('["pos_devices"]')))
WHERE id IN (SELECT device_id FROM pairing_codes WHERE device_id IS NOT NULL);
