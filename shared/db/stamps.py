"""Keys and timestamps for new rows: UUIDs (syncable across devices) and ISO 8601 UTC text."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    """A random UUID as text: row keys that never collide between devices."""
    return str(uuid.uuid4())


def utc_now() -> str:
    """Now, as ISO 8601 UTC text with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")
