"""shared/storefront."""
