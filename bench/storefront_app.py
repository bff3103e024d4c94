"""The storefront as the requests/s benchmark serves it: one worker, no rate limit (one client sends
everything), quiet logs."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from aiohttp import web

from cloud.server.app import create_app
from cloud.server.config import ServeConfig

if __name__ == "__main__":
    logging.getLogger("vibeshop.access").setLevel(logging.WARNING)
    config = ServeConfig(data_dir=Path(sys.argv[1]), rate_burst=10**9, rate_per_second=10**9)
    web.run_app(create_app(config), host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
