"""Themes: switch starter presets, change settings and custom CSS (validated)."""
