"""cloud/render."""
