-- The merchant's order list and search (issue 12, section 2): with 100,000 orders the first page of
-- any filter and a search by number, e-mail or name must read a few index entries, never every order.
-- The list is newest first by number (keyset pagination: number < before), so every index ends in
-- `number`: an equality filter then reads its entries already in the list's order and stops at the page.
--
-- Only indexes on `orders` itself, on purpose: no search table, no triggers. An index is part of its
-- table, so it goes wherever the orders go and nowhere else (a device copy drops the orders and with
-- them every entry, its bytes zeroed by secure_delete, and copy_into skips the table), and an order whose
-- e-mail or name is changed or erased (GDPR) is re-indexed by SQLite itself in the same statement.
--
-- Must run after 0019 (order lifecycle): 0019 drops and re-adds payment_status, which SQLite refuses
-- while an index names that column.

CREATE INDEX orders_by_payment_status ON orders (payment_status, number);
CREATE INDEX orders_by_fulfillment_status ON orders (fulfillment_status, number);
-- The delivery is a JSON snapshot: its method (ship, local_delivery, pickup, none) through an index on
-- the expression, which the list query spells the same way (repositories/orders.py: DELIVERY_METHOD).
CREATE INDEX orders_by_delivery_method ON orders (json_extract(delivery, '$.method'), number);
-- E-mail: exact and prefix, case-insensitive (ASCII, as every e-mail domain is). Also serves "a
-- customer's orders" (email = ? COLLATE NOCASE).
CREATE INDEX orders_by_email_and_number ON orders (email COLLATE NOCASE, number);
-- Name: a prefix of any of its first, second or last word ("ada", "love" and "lovelace" find
-- "Ada Lovelace", "berg" finds "Anna van der Berg"): the whole name, what follows the first space, and
-- the last word (what follows the last space: rtrim strips the trailing word's characters).
CREATE INDEX orders_by_name ON orders (lower(customer_name), number);
CREATE INDEX orders_by_name_rest ON orders (lower(substr(customer_name, instr(customer_name, ' ') + 1)), number);
CREATE INDEX orders_by_name_last ON orders
    (lower(substr(customer_name, length(rtrim(customer_name, replace(customer_name, ' ', ''))) + 1)), number);
