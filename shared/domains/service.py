"""Custom domains. Adding one gives the merchant a TXT record to publish; verification looks it up
with a real DNS query (dnspython). Only verified domains serve the store or get a TLS certificate.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.resolver

from shared.db import Connection, Database, DatabaseError
from shared.db.repositories import stores
from shared.db.stamps import new_id, utc_now
from shared.storefront.errors import FieldError, StoreError, StoreErrorCode
from shared.storefront.validation import SLUG_RE

TXT_PREFIX = "_vibeshop-verify"
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class DomainRecord:
    """What the merchant must publish to prove the domain is theirs."""

    hostname: str
    txt_name: str
    txt_value: str
    verified: bool


def normalise_hostname(value: str) -> str:
    """A lowercase DNS hostname of two or more labels (IDNs as punycode); raises StoreError(INVALID)."""
    host = (value or "").strip().rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise StoreError(StoreErrorCode.INVALID, "hostname must be a domain name such as shop.example.com",
                         (FieldError("hostname", "is not a domain name"),))
    return host


def add_domain(catalog: Database, *, store_id: str, hostname: str, base_domain: str) -> DomainRecord:
    """Attach a custom domain (unverified); returns the TXT record to publish."""
    host = normalise_hostname(hostname)
    base = base_domain.lower().strip(".")
    if host == base or host.endswith("." + base):
        raise StoreError(StoreErrorCode.INVALID, f"addresses under {base} are given to stores automatically",
                         (FieldError("hostname", "is one of ours"),))
    token = secrets.token_urlsafe(24)

    def write(conn: Connection) -> None:
        if stores.domain_by_hostname(conn, host):
            raise StoreError(StoreErrorCode.DUPLICATE, f"{host} is already attached to a store",
                             (FieldError("hostname", "is taken"),))
        stores.add_domain(conn, domain_id=new_id(), store_id=store_id, hostname=host, token=token,
                          created_at=utc_now())

    try:
        catalog.write(write)
    except DatabaseError as exc:
        raise StoreError(StoreErrorCode.DUPLICATE, f"{host} is already attached to a store",
                         (FieldError("hostname", "is taken"),)) from exc
    return DomainRecord(host, f"{TXT_PREFIX}.{host}", f"vibeshop-verify={token}", False)


def _txt_values(name: str, nameservers: Sequence[tuple[str, int]] | None, timeout: float) -> list[str]:
    resolver = dns.resolver.Resolver(configure=nameservers is None)
    if nameservers is not None:
        resolver.nameservers = [host for host, _port in nameservers]
        resolver.port = nameservers[0][1] if nameservers else 53
    resolver.lifetime = timeout
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def verify_domain(catalog: Database, *, store_id: str, hostname: str,
                  nameservers: Sequence[tuple[str, int]] | None = None, timeout: float = 5.0,
                  found: Sequence[str] | None = None) -> DomainRecord:
    """Look the TXT record up (or take the values `found` there); mark the domain verified when it
    holds the token.

    Raises StoreError(NOT_FOUND) for a domain that is not this store's."""
    record, domain_id = _attached(catalog, store_id=store_id, hostname=hostname)
    if record.verified:
        return record
    values = found if found is not None else _txt_values(record.txt_name, nameservers, timeout)
    if record.txt_value not in values:
        return record
    catalog.write(lambda conn: stores.mark_domain_verified(conn, domain_id, utc_now()))
    return DomainRecord(record.hostname, record.txt_name, record.txt_value, True)


async def check_domain(catalog: Database, *, store_id: str, hostname: str,
                       nameservers: Sequence[tuple[str, int]] | None = None, timeout: float = 5.0) -> DomainRecord:
    """verify_domain for async callers: the catalog on its own threads, the DNS query (which may take
    `timeout` seconds) in a worker thread between them, so no catalog write waits for DNS."""
    record, _domain_id = await catalog.call_read(_attached, catalog, store_id=store_id, hostname=hostname)
    if record.verified:
        return record
    found = await asyncio.to_thread(_txt_values, record.txt_name, nameservers, timeout)
    return await catalog.call(verify_domain, catalog, store_id=store_id, hostname=record.hostname, found=found)


def _attached(catalog: Database, *, store_id: str, hostname: str) -> tuple[DomainRecord, str]:
    """(the domain's record, its row id) when it is attached to this store; StoreError(NOT_FOUND) if not."""
    host = normalise_hostname(hostname)
    row = catalog.read(lambda conn: stores.domain_by_hostname(conn, host))
    if row is None or row[1] != store_id:
        raise StoreError(StoreErrorCode.NOT_FOUND, f"{host} is not attached to this store",
                         (FieldError("hostname", "not found"),))
    domain_id, _store, token, verified_at = row
    return DomainRecord(host, f"{TXT_PREFIX}.{host}", f"vibeshop-verify={token}", verified_at is not None), domain_id


def remove_domain(catalog: Database, *, store_id: str, hostname: str) -> None:
    """Detach a domain: it stops serving at once (its certificate is no longer allowed either)."""
    host = normalise_hostname(hostname)
    if not catalog.write(lambda conn: stores.remove_domain(conn, store_id=store_id, hostname=host)):
        raise StoreError(StoreErrorCode.NOT_FOUND, f"{host} is not attached to this store",
                         (FieldError("hostname", "not found"),))


def list_domains(catalog: Database, *, store_id: str) -> list[DomainRecord]:
    """A store's domains with their TXT records."""
    return [DomainRecord(h, f"{TXT_PREFIX}.{h}", f"vibeshop-verify={t}", v is not None)
            for h, v, t in catalog.read(lambda conn: stores.list_domains(conn, store_id))]


def may_have_certificate(catalog: Database, *, hostname: str, base_domain: str) -> bool:
    """Caddy's on-demand TLS 'ask': yes for a verified custom domain or an existing store's subdomain."""
    try:
        host = normalise_hostname(hostname)
    except StoreError:
        return False
    base = base_domain.lower().strip(".")
    if host.endswith("." + base):
        slug = host[: -len(base) - 1]
        return bool(SLUG_RE.match(slug)) and catalog.read(lambda conn: stores.get_store_by_slug(conn, slug)) is not None
    row = catalog.read(lambda conn: stores.domain_by_hostname(conn, host))
    return row is not None and row[3] is not None
