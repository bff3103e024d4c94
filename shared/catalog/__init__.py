"""shared/catalog."""
