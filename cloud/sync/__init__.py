"""The cloud side of sync (docs/sync-protocol.md): working copies, the /_sync API, pokes."""
