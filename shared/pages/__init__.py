"""shared/pages."""
