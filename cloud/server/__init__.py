"""cloud/server."""
