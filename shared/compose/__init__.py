"""shared/compose."""
