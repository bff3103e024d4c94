"""The store's look outside its vibe blocks: the theme's stylesheet and the logo, for the pages the
cloud makes itself (the checkout, the order page), which take the theme's colours and fonts but run no
merchant code."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cloud.server.keys import CONFIG
from cloud.server.middlewares import STORE
from shared.compose.stylesheet import current_stylesheet
from shared.db import Connection
from shared.db.repositories.content import get_media
from shared.db.repositories.storefront import get_storefront


async def store_branding(request: web.Request) -> tuple[Any, str, str]:
    """(the storefront, its theme's stylesheet path, its logo's URL or ''): what the checkout and the
    order page take from the store's look."""
    store = request[STORE]

    def read(conn: Connection) -> tuple[Any, Any]:
        front = get_storefront(conn)
        logo_id = front.settings.get("logo_id") if front else None
        return front, get_media(conn, logo_id) if isinstance(logo_id, str) else None

    front, logo = await store.db.run_read(read)
    sheet = await store.db.call_read(current_stylesheet, store.db)
    return front, sheet.path, _logo_url(logo, request) if logo is not None else ""


def _logo_url(logo: Any, request: web.Request) -> str:
    """The store's logo as the storefront header shows it (the media file of its largest width)."""
    image = logo.to_image()
    if not image.get("hash"):
        return ""
    width = max(image["widths"]) if image.get("widths") else image.get("width", 0)
    base = request.app[CONFIG].media_base.rstrip("/")
    return f"{base}/media/{image['hash']}-{width}.{image.get('format', 'webp')}"
