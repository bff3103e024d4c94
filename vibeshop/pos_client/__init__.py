"""A reference POS client (`vibeshop pos ...`): client.py talks to POS API v1 (Idempotency-Key,
retries), queue.py keeps the till's changes in a local file before they are sent, upload.py sends them
in batches of 100, simulate.py is a till that sells and goes offline, pickup.py hands orders over."""
