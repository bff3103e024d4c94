"""Validation of storefront configuration: one error per bad field, naming the field."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from shared.models.money import STORE_CURRENCIES
from shared.storefront.errors import FieldError, StoreError, StoreErrorCode

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
# Names that would collide with our own hosts, routes or well-known subdomains.
RESERVED_SLUGS = frozenset({
    "admin", "api", "app", "apps", "assets", "auth", "billing", "blog", "cdn", "checkout", "cloud",
    "dashboard", "demo-admin", "dev", "docs", "ftp", "help", "imap", "internal", "login", "mail",
    "media", "mx", "news", "ns1", "ns2", "pop", "root", "shop", "smtp", "staging", "static", "status",
    "store", "studio", "support", "sync", "test", "vibeshop", "webhooks", "www",
})
# Codes a store can sell in: the one ISO 4217 table (shared/models/iso4217.json), funds left out.
CURRENCIES = STORE_CURRENCIES
LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?\Z")
TIMEZONE_RE = re.compile(r"^(?:UTC|[A-Z][A-Za-z_]*(?:/[A-Za-z0-9_+-]+){1,2})\Z")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\Z")


def slug_problem(value: Any) -> str | None:
    """Why a store slug is not acceptable, or None."""
    if not isinstance(value, str) or not value:
        return "is required"
    if not SLUG_RE.match(value):
        return "must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen"
    if value in RESERVED_SLUGS:
        return f"'{value}' is reserved"
    return None


def currency_problem(value: Any) -> str | None:
    """Why a currency code is not acceptable, or None."""
    if not isinstance(value, str) or value not in CURRENCIES:
        return "must be an ISO 4217 code such as USD or EUR"
    return None


def locale_problem(value: Any) -> str | None:
    """Why a locale is not acceptable (BCP 47 language[-Script][-REGION]), or None."""
    if not isinstance(value, str) or not LOCALE_RE.match(value):
        return "must be a locale such as en-US or fr-FR"
    return None


def color_problem(value: Any) -> str | None:
    """Why a colour is not acceptable (#rgb or #rrggbb), or None."""
    if not isinstance(value, str) or not COLOR_RE.match(value):
        return "must be a colour like #1f5fbf"
    return None


def url_problem(value: Any) -> str | None:
    """Why a URL is not an absolute http(s) URL, or None."""
    if not isinstance(value, str) or len(value) > 2048:
        return "must be an http:// or https:// URL"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in value for c in " <>\"'"):
        return "must be an http:// or https:// URL"
    return None


def email_problem(value: Any) -> str | None:
    """Why an e-mail address is not acceptable, or None."""
    if not isinstance(value, str) or len(value) > 254 or not EMAIL_RE.match(value):
        return "must be an e-mail address such as hello@example.com"
    return None


def timezone_problem(value: Any) -> str | None:
    """Why a time zone is not an IANA name such as Europe/Paris, or None (blocks format dates in it)."""
    known = _time_zones()
    # A Python without a zone database (Windows without the tzdata package) can only check the shape.
    ok = isinstance(value, str) and (value in known if len(known) > 1 else bool(TIMEZONE_RE.match(value)))
    return None if ok else "must be a time zone such as UTC or Europe/Paris"


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def name_problem(value: Any) -> str | None:
    """Why a display name is not acceptable, or None."""
    if not isinstance(value, str) or not value.strip():
        return "is required"
    if len(value) > 120:
        return "must be at most 120 characters"
    return None


_SETTINGS_RULES = {
    "email": email_problem,
    "support_email": email_problem,
    "website": url_problem,
    "logo_url": url_problem,
}
_SOCIAL = ("instagram", "facebook", "tiktok", "x", "youtube", "pinterest")


def validate_storefront(values: Mapping[str, Any], *, partial: bool = False) -> None:
    """Raise StoreError(INVALID) listing every bad field; `partial` checks only the fields given."""
    rules = {"name": name_problem, "slug": slug_problem, "currency": currency_problem,
             "locale": locale_problem}
    errors: list[FieldError] = []
    for name, rule in rules.items():
        if name in values or not partial:
            problem = rule(values.get(name))
            if problem:
                errors.append(FieldError(name, problem))
    if "timezone" in values:  # optional: a store without one uses UTC
        problem = timezone_problem(values["timezone"])
        if problem:
            errors.append(FieldError("timezone", problem))
    settings = values.get("settings", {})
    if not isinstance(settings, Mapping):  # None or [] too: they would be stored and break rendering
        errors.append(FieldError("settings", "must be an object"))
        settings = {}
    for key, rule in _SETTINGS_RULES.items():
        if settings.get(key):
            problem = rule(settings[key])
            if problem:
                errors.append(FieldError(f"settings.{key}", problem))
    social = settings.get("social") or {}
    if not isinstance(social, Mapping):
        errors.append(FieldError("settings.social", "must be an object"))
        social = {}
    for key in _SOCIAL:
        if social.get(key):
            problem = url_problem(social[key])
            if problem:
                errors.append(FieldError(f"settings.social.{key}", problem))
    colors = settings.get("colors") or {}
    if not isinstance(colors, Mapping):
        errors.append(FieldError("settings.colors", "must be an object"))
        colors = {}
    for key, value in colors.items():
        problem = color_problem(value)
        if problem:
            errors.append(FieldError(f"settings.colors.{key}", problem))
    if errors:
        raise StoreError(StoreErrorCode.INVALID, "; ".join(f"{e.field} {e.message}" for e in errors),
                         tuple(errors))
