-- An online order that lost the race with a POS sale (docs/orders.md, "Oversold"): a late POS sale is
-- always accepted and may take stock below zero; the online orders whose units are then missing are
-- flagged once, at oversold_at (NULL: never oversold). Live store database only, like the orders.
ALTER TABLE orders ADD COLUMN oversold_at TEXT;

-- The sales of one variant at one location, most recent first, are read through stock_by_occurrence
-- (0011); the order each belongs to is its reference.
