-- The oversold rule (shared/orders/oversold.py) reads the online orders' sales of one variant at one
-- location, most recent first, whenever that stock is below zero. Through stock_by_occurrence (0011)
-- it walked every movement of the pair, POS sales included, so each POS batch at a negative stock
-- cost more as the till's history grew. This index holds the order sales alone.
CREATE INDEX stock_order_sales ON stock_movements (variant_id, location_id, occurred_at)
    WHERE reason = 'sold' AND counted IS NULL;
