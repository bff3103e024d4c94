-- A paired studio sends the shop's newsletter campaigns (issue 12, Marketing ▸ Campaigns) through the
-- admin API. Devices paired before these scopes existed get them too, so a merchant need not pair
-- again; tokens made by hand keep exactly what they were given.
UPDATE api_tokens
SET scopes = (SELECT json_group_array(value) FROM (
        SELECT value FROM json_each(api_tokens.scopes)
        UNION
        SELECT value FROM json_each('["marketing:read", "marketing:write"]')))
WHERE id IN (SELECT device_id FROM pairing_codes WHERE device_id IS NOT NULL);
