"""Errors of the data layer."""


class DatabaseError(Exception):
    """A statement failed (constraint, syntax, I/O); the transaction it was in was rolled back."""


class MigrationError(DatabaseError):
    """A migration could not be applied; the database is left at the previous version."""


class DatabaseBusyError(DatabaseError):
    """Another connection (another worker, a publish, a backup) held a lock we needed for longer than
    we wait: nothing was done, and trying again shortly is right (the web answers 503 + Retry-After)."""

    code = "busy"

    def __init__(self, url: str, waited: float):
        super().__init__(f"the database is busy (waited {waited:g} s for another connection's lock); try again")
        self.url = url
        self.retry_after = max(1, round(waited))
