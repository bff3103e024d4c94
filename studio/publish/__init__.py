"""studio/publish."""
