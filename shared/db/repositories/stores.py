"""Catalog database: the stores under a data folder and their domains."""

from __future__ import annotations

from shared.db.database import Connection, Row
from shared.models import Domain, StoreRecord

_STORE_COLS = "id, slug, name, status, db_url, created_at, updated_at"


def _store(row: Row | None) -> StoreRecord | None:
    return None if row is None else StoreRecord(*row)


def insert_store(conn: Connection, store: StoreRecord) -> None:
    """Add a store to the catalog."""
    conn.execute(f"INSERT INTO stores ({_STORE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (store.id, store.slug, store.name, store.status, store.db_url, store.created_at, store.updated_at))


def get_store(conn: Connection, store_id: str) -> StoreRecord | None:
    """A store by id."""
    return _store(conn.one(f"SELECT {_STORE_COLS} FROM stores WHERE id = ?", (store_id,)))


def get_store_by_slug(conn: Connection, slug: str) -> StoreRecord | None:
    """A store by slug."""
    return _store(conn.one(f"SELECT {_STORE_COLS} FROM stores WHERE slug = ?", (slug,)))


def list_stores(conn: Connection) -> list[StoreRecord]:
    """Every store, by slug."""
    return [StoreRecord(*r) for r in conn.all(f"SELECT {_STORE_COLS} FROM stores ORDER BY slug")]


def update_store(conn: Connection, store_id: str, *, name: str, status: str, updated_at: str) -> None:
    """Change a store's name and status."""
    conn.execute("UPDATE stores SET name = ?, status = ?, updated_at = ? WHERE id = ?",
                 (name, status, updated_at, store_id))


def delete_store(conn: Connection, store_id: str) -> None:
    """Remove a store (and its domains) from the catalog."""
    conn.execute("DELETE FROM stores WHERE id = ?", (store_id,))


def insert_domain(conn: Connection, domain: Domain) -> None:
    """Attach a hostname to a store."""
    conn.execute("INSERT INTO domains (id, store_id, hostname, verified_at, created_at) VALUES (?, ?, ?, ?, ?)",
                 (domain.id, domain.store_id, domain.hostname, domain.verified_at, domain.created_at))


def find_store_by_hostname(conn: Connection, hostname: str) -> StoreRecord | None:
    """The store a verified custom domain points at."""
    row = conn.one(f"SELECT {', '.join('s.' + c for c in _STORE_COLS.split(', '))} FROM domains d "
                   "JOIN stores s ON s.id = d.store_id WHERE d.hostname = ? AND d.verified_at IS NOT NULL",
                   (hostname,))
    return _store(row)


def add_domain(conn: Connection, *, domain_id: str, store_id: str, hostname: str, token: str, created_at: str) -> None:
    """Attach an unverified custom domain with its verification token."""
    conn.execute("INSERT INTO domains (id, store_id, hostname, verified_at, created_at, verification_token) "
                 "VALUES (?, ?, ?, NULL, ?, ?)", (domain_id, store_id, hostname, created_at, token))


def domain_by_hostname(conn: Connection, hostname: str) -> tuple[str, str, str, str | None] | None:
    """(domain id, store id, verification token, verified_at) of a hostname."""
    return conn.one("SELECT id, store_id, verification_token, verified_at FROM domains WHERE hostname = ?",
                    (hostname,))


def list_domains(conn: Connection, store_id: str) -> list[tuple[str, str | None, str]]:
    """(hostname, verified_at, verification token) of a store's domains."""
    return conn.all("SELECT hostname, verified_at, verification_token FROM domains WHERE store_id = ? "
                    "ORDER BY hostname", (store_id,))


def mark_domain_verified(conn: Connection, domain_id: str, verified_at: str) -> None:
    """Record that the domain's TXT record was found."""
    conn.execute("UPDATE domains SET verified_at = ? WHERE id = ?", (verified_at, domain_id))


def remove_domain(conn: Connection, *, store_id: str, hostname: str) -> bool:
    """Detach a domain from a store; False if it was not the store's."""
    return bool(conn.execute("DELETE FROM domains WHERE store_id = ? AND hostname = ?", (store_id, hostname)).rowcount)
