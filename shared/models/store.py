"""The store itself: its registry entry (catalog database) and its storefront settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StoreRecord:
    """A store as the catalog database knows it: where its own database lives."""

    id: str
    slug: str
    name: str
    status: str
    db_url: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Domain:
    """A hostname that serves a store (custom domains are verified first)."""

    id: str
    store_id: str
    hostname: str
    verified_at: str | None
    created_at: str


@dataclass(frozen=True)
class Storefront:
    """The store's own settings row (one per store database)."""

    id: str
    slug: str
    name: str
    status: str = "active"                     # active | inactive | suspended
    currency: str = "USD"
    locale: str = "en-US"
    timezone: str = "UTC"
    settings: dict[str, Any] = field(default_factory=dict)   # tagline, email, phone, address, social...
    created_at: str = ""
    updated_at: str = ""
