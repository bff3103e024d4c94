"""Errors of the data layer."""


class DatabaseError(Exception):
    """A statement failed (constraint, syntax, I/O); the transaction it was in was rolled back."""


class MigrationError(DatabaseError):
    """A migration could not be applied; the database is left at the previous version."""
