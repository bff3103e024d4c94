"""Configuration of the cloud service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.mail.senders import SmtpConfig


@dataclass(frozen=True)
class ServeConfig:
    """Where the stores live and how they are reached."""

    data_dir: Path
    base_domain: str = "localhost"
    media_base: str = ""            # a CDN origin for /media, or "" to serve media from here
    executor_pool_size: int = 1     # warm sandbox worker processes per store (~60 MB each)
    dev_hints: bool = False         # unknown hosts get a list of the stores here (local demo only)
    rate_per_second: float = 20.0   # sustained requests per client address and store
    rate_burst: int = 60            # requests at once before the limit applies
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")   # whose X-Forwarded-For/-Proto we believe
    dns_nameservers: tuple[tuple[str, int], ...] | None = None  # for domain checks; None: the system's
    smtp: SmtpConfig | None = None  # where order e-mails go (`--smtp HOST:PORT`)
    mail_dir: Path | None = None    # or into this folder as .eml files (`--mail-dir`; the demo's)
    stripe_api: str | None = None   # a Stripe-compatible test API host (`--stripe-api`, localstripe)
    hold_purge_interval: float = 600.0   # seconds between purges of long-expired stock holds
