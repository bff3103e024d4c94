"""studio/preview."""
