"""Small HTML answers of the service itself (errors), escaped and self-contained."""

from __future__ import annotations

import html

from aiohttp import web

_STYLE = ("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;min-height:100vh;"
          "display:grid;place-items:center;background:#f6f5f2;color:#1b1f24}main{max-width:34rem;padding:2rem;"
          "text-align:center}h1{font-size:1.6rem;margin:0 0 .5rem}p{color:#4a5260;line-height:1.5}")


def error_page(status: int, title: str, message: str) -> web.Response:
    """A plain, friendly HTML error page."""
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body><main><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(message)}</p></main></body></html>")
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8")
