"""Catalog database: users, store membership and API tokens."""

from __future__ import annotations

import json

from shared.db.database import Connection


def insert_user(conn: Connection, *, user_id: str, email: str, password_hash: str, created_at: str) -> None:
    """Add a user."""
    conn.execute("INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
                 (user_id, email, password_hash, created_at))


def user_by_email(conn: Connection, email: str) -> tuple[str, str] | None:
    """(user id, password hash) for an e-mail address."""
    row = conn.one("SELECT id, password_hash FROM users WHERE email = ?", (email,))
    return None if row is None else (row[0], row[1])


def set_password_hash(conn: Connection, user_id: str, password_hash: str) -> None:
    """Replace a user's password hash (after a rehash with newer parameters)."""
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def add_member(conn: Connection, *, store_id: str, user_id: str, role: str) -> None:
    """Give a user access to a store."""
    conn.execute("INSERT OR REPLACE INTO store_members (store_id, user_id, role) VALUES (?, ?, ?)",
                 (store_id, user_id, role))


def member_role(conn: Connection, *, store_id: str, user_id: str) -> str | None:
    """A user's role in a store, if any."""
    return conn.scalar("SELECT role FROM store_members WHERE store_id = ? AND user_id = ?", (store_id, user_id))


def insert_token(conn: Connection, *, token_id: str, store_id: str, name: str, secret_hash: str,
                 scopes: list[str], created_at: str, location_id: str | None = None) -> None:
    """Record a token (its secret only as a hash); a POS device's token names its location."""
    conn.execute("INSERT INTO api_tokens (id, store_id, name, secret_hash, scopes, created_at, location_id) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (token_id, store_id, name, secret_hash, json.dumps(scopes), created_at, location_id))


def token_by_id(conn: Connection, token_id: str
                ) -> tuple[str, str, list[str], str | None, str | None, str | None, str] | None:
    """(store id, secret hash, scopes, revoked_at, last_used_at, location_id, name) of a token."""
    row = conn.one("SELECT store_id, secret_hash, scopes, revoked_at, last_used_at, location_id, name "
                   "FROM api_tokens WHERE id = ?", (token_id,))
    return None if row is None else (row[0], row[1], json.loads(row[2]), row[3], row[4], row[5], row[6])


def touch_token(conn: Connection, token_id: str, used_at: str) -> None:
    """Note when a token was last used."""
    conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (used_at, token_id))


def revoke_token(conn: Connection, token_id: str, revoked_at: str) -> bool:
    """Revoke a token; False if there was no such live token."""
    cursor = conn.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                          (revoked_at, token_id))
    return bool(cursor.rowcount)


def list_tokens(conn: Connection, store_id: str) -> list[tuple[str, str, list[str], str, str | None, str | None]]:
    """(id, name, scopes, created_at, last_used_at, revoked_at) of a store's tokens."""
    return [(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5]) for r in conn.all(
        "SELECT id, name, scopes, created_at, last_used_at, revoked_at FROM api_tokens WHERE store_id = ? "
        "ORDER BY created_at", (store_id,))]


def list_pos_tokens(conn: Connection, store_id: str
                    ) -> list[tuple[str, str, str, str, str | None, str | None]]:
    """(id, name, location_id, created_at, last_used_at, revoked_at) of a store's POS device tokens
    (those bound to a location), the newest first."""
    return [tuple(r) for r in conn.all(
        "SELECT id, name, location_id, created_at, last_used_at, revoked_at FROM api_tokens "
        "WHERE store_id = ? AND location_id IS NOT NULL ORDER BY created_at DESC, id", (store_id,))]


def pos_token_store(conn: Connection, token_id: str) -> str | None:
    """The store of a POS device token (None: no such token, or not a POS device's)."""
    return conn.scalar("SELECT store_id FROM api_tokens WHERE id = ? AND location_id IS NOT NULL", (token_id,))


def insert_pairing_code(conn: Connection, *, code_hash: str, store_id: str, created_at: str, expires_at: str) -> None:
    """Keep a new pairing code (hashed)."""
    conn.execute("INSERT INTO pairing_codes (code_hash, store_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                 (code_hash, store_id, created_at, expires_at))


def take_pairing_code(conn: Connection, *, code_hash: str, now: str) -> str | None:
    """Mark an unused, unexpired code as used; its store id, or None if there is no such code."""
    row = conn.one("SELECT store_id FROM pairing_codes WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
                   (code_hash, now))
    if row is None:
        return None
    conn.execute("UPDATE pairing_codes SET used_at = ? WHERE code_hash = ?", (now, code_hash))
    return row[0]


def record_pairing_device(conn: Connection, *, code_hash: str, device_id: str) -> None:
    """Note which device a used code was exchanged for."""
    conn.execute("UPDATE pairing_codes SET device_id = ? WHERE code_hash = ?", (device_id, code_hash))
