"""The shopper's cart: kept server-side in the store's live database, found by an opaque token (the
cookie), priced from the catalog on every read. See docs/cart.md."""
