"""Sync core (docs/sync-protocol.md): hybrid logical clock, change ops, device side, cloud merge rules.

Pure Python over `shared.db`, no Qt. `device` runs in a device's store database, `merge` in the
cloud's working copy; both use the same store schema (migration 0007). `client` is the device's
HTTP transport (httpx), used by the studio and the CLI; `protocol` holds what both ends agree on."""
