"""Media: images imported once, resized to a few widths as WebP, addressed by content hash."""
