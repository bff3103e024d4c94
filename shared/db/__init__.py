"""shared/db."""
