"""shared/demo."""
