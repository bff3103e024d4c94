"""Store database: the POS API's Idempotency-Key records (one per device token and key)."""

from __future__ import annotations

from shared.db import Connection


def find_key(conn: Connection, token_id: str, key: str) -> tuple[str, int | None, str | None, str] | None:
    """(request hash, status, response, created_at) of a key, or None."""
    row = conn.one("SELECT request_hash, status, response, created_at FROM pos_idempotency "
                   "WHERE token_id = ? AND key = ?", (token_id, key))
    return None if row is None else (row[0], row[1], row[2], row[3])


def claim_key(conn: Connection, token_id: str, key: str, request_hash: str, created_at: str) -> None:
    """Start (or take over) a key: running, with this request's hash."""
    conn.execute("INSERT OR REPLACE INTO pos_idempotency (token_id, key, request_hash, status, response, created_at) "
                 "VALUES (?, ?, ?, NULL, NULL, ?)", (token_id, key, request_hash, created_at))


def finish_key(conn: Connection, token_id: str, key: str, status: int, response: str) -> None:
    """Store a finished request's answer."""
    conn.execute("UPDATE pos_idempotency SET status = ?, response = ? WHERE token_id = ? AND key = ?",
                 (status, response, token_id, key))


def forget_key(conn: Connection, token_id: str, key: str) -> None:
    """Drop a key whose request failed on the server's side, so that a retry runs again."""
    conn.execute("DELETE FROM pos_idempotency WHERE token_id = ? AND key = ?", (token_id, key))


def purge_keys_before(conn: Connection, cutoff: str) -> int:
    """Delete keys made before `cutoff`; how many."""
    return conn.execute("DELETE FROM pos_idempotency WHERE created_at < ?", (cutoff,)).rowcount
