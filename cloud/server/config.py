"""Configuration of the cloud service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServeConfig:
    """Where the stores live and how they are reached."""

    data_dir: Path
    base_domain: str = "localhost"
    media_base: str = ""            # a CDN origin for /media, or "" to serve media from here
    executor_pool_size: int = 1     # warm sandbox worker processes per store (~60 MB each)
    dev_hints: bool = False         # unknown hosts get a list of the stores here (local demo only)
