"""studio/editor."""
