"""The studio's Customers section: the store's customers from the cloud, export and erase on request."""
