"""libSQL data layer: `connect(url)`, one write path, numbered migrations, repositories."""

from shared.db.database import Connection, Database, connect
from shared.db.errors import DatabaseBusyError, DatabaseError, MigrationError

__all__ = ["Connection", "Database", "DatabaseBusyError", "DatabaseError", "MigrationError", "connect"]
