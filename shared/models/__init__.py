"""shared/models."""
