"""vibeshop."""
