"""The store's marketing settings: the abandoned-checkout reminder (off by default) and its delay, the
campaign send rate, the site address used in links made in the background, and the secret that signs
the store's unsubscribe and cart-restore links (made once, never shown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.db import Connection
from shared.db.repositories import marketing as repo
from shared.db.repositories.storefront import get_storefront
from shared.mail.errors import MailError
from shared.mail.message import check_address
from shared.mail.views import MailBranding, safe_url
from shared.marketing.errors import MarketingError, MarketingErrorCode
from shared.marketing.tokens import new_secret

DEFAULT_DELAY_S = 3600
MIN_DELAY_S, MAX_DELAY_S = 60, 7 * 86400
MAX_RATE = 1000


def iso(moment: datetime) -> str:
    """A moment as the database's ISO 8601 UTC text (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class MarketingSettings:
    """What the merchant sets (the secret is not part of it)."""

    abandoned_enabled: bool = False
    abandoned_delay_s: int = DEFAULT_DELAY_S
    rate_per_second: int = 10
    site_url: str = ""

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"abandonedCheckout": {"enabled": self.abandoned_enabled, "delaySeconds": self.abandoned_delay_s},
                "ratePerSecond": self.rate_per_second, "siteUrl": self.site_url}


def settings_row(conn: Connection, *, now: datetime) -> repo.SettingsRow:
    """The settings row, made (with a fresh secret) inside the caller's write when missing."""
    row = repo.get_settings(conn)
    if row is None:
        repo.ensure_settings(conn, secret=new_secret(), now=iso(now))
        row = repo.get_settings(conn)
        assert row is not None
    return row


def read_settings(conn: Connection) -> MarketingSettings:
    """The settings (defaults before the first write)."""
    row = repo.get_settings(conn)
    if row is None:
        return MarketingSettings()
    return MarketingSettings(row.abandoned_enabled, row.abandoned_delay_s, row.rate_per_second, row.site_url)


def store_secret(conn: Connection) -> str | None:
    """The secret signing this store's links, None when none was ever made (so no link was ever sent)."""
    row = repo.get_settings(conn)
    return row.secret if row else None


def update_settings(conn: Connection, changes: dict[str, Any], *, now: datetime) -> MarketingSettings:
    """Change some settings (inside the caller's write): `abandonedCheckout: {enabled, delaySeconds}`,
    `ratePerSecond`, `siteUrl`. Turning the reminder on only covers checkouts made from then on.
    Raises MarketingError(INVALID) naming the field."""
    row = settings_row(conn, now=now)
    abandoned = changes.get("abandonedCheckout", {})
    if not isinstance(abandoned, dict):
        raise MarketingError(MarketingErrorCode.INVALID, "abandonedCheckout must be an object", field="abandonedCheckout")
    enabled = abandoned.get("enabled", row.abandoned_enabled)
    delay = abandoned.get("delaySeconds", row.abandoned_delay_s)
    rate = changes.get("ratePerSecond", row.rate_per_second)
    site = changes.get("siteUrl", row.site_url)
    if not isinstance(enabled, bool):
        raise MarketingError(MarketingErrorCode.INVALID, "enabled must be true or false", field="abandonedCheckout.enabled")
    if not _int_in(delay, MIN_DELAY_S, MAX_DELAY_S):
        raise MarketingError(MarketingErrorCode.INVALID, f"delaySeconds must be {MIN_DELAY_S} to {MAX_DELAY_S}",
                             field="abandonedCheckout.delaySeconds")
    if not _int_in(rate, 1, MAX_RATE):
        raise MarketingError(MarketingErrorCode.INVALID, f"ratePerSecond must be 1 to {MAX_RATE}", field="ratePerSecond")
    if site and safe_url(site) is None:
        raise MarketingError(MarketingErrorCode.INVALID, "siteUrl must be an http(s) URL", field="siteUrl")
    since = row.abandoned_since if row.abandoned_enabled else None
    if enabled and since is None:
        since = iso(now)
    repo.update_settings(conn, abandoned_enabled=enabled, abandoned_delay_s=delay, abandoned_since=since,
                         rate_per_second=rate, site_url=(site or "").rstrip("/"), now=iso(now))
    return read_settings(conn)


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def branding_for(conn: Connection, site_url: str) -> MailBranding:
    """The store as its marketing e-mails show it (name, home page, contact address)."""
    front = get_storefront(conn)
    name = front.name if front else "Our shop"
    support = str((front.settings or {}).get("email") or "") if front else ""
    try:
        support = check_address(support) if support else ""
    except MailError:       # a malformed contact address is left out: it never fails a send
        support = ""
    return MailBranding(store_name=name, store_url=(site_url + "/") if site_url else None, support_email=support,
                        locale=front.locale if front else "en-US")
