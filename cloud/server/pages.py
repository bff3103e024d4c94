"""Small answers of the service itself (errors), escaped and self-contained."""

from __future__ import annotations

import html

from aiohttp import web

from shared.db import DatabaseBusyError

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


_MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    404: ("Page not found", "There is no page at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What was sent is larger than this address accepts."),
}


def page_for_http_error(request: web.Request, exc: web.HTTPException) -> web.Response | None:
    """aiohttp's own 4xx answers (no route, wrong method, body too large) as clear pages: JSON under
    /api/, HTML elsewhere. None for what is answered as raised: redirects, and 401/403 with a message
    of their own."""
    if exc.status < 400 or exc.status in (401, 403) and exc.text and not exc.text.startswith(f"{exc.status}:"):
        return None
    title, message = _MESSAGES.get(exc.status, (exc.reason, "The request could not be answered."))
    if request.path.startswith("/api/"):
        return web.json_response({"error": {"status": exc.status, "message": message}}, status=exc.status)
    return error_page(exc.status, title, message)


def page_for_busy_database(request: web.Request, exc: DatabaseBusyError) -> web.Response:
    """503 with Retry-After: the store's database stayed locked by another connection (another worker,
    a publish, a backup) for longer than a request waits; nothing was changed, trying again is right."""
    headers = {"Retry-After": str(exc.retry_after)}
    message = "The shop is busy for a moment. Please try again."
    if request.path.startswith(("/api/", "/_sync/", "/pos/")):
        return web.json_response({"error": {"status": 503, "message": message}}, status=503, headers=headers)
    response = error_page(503, "Busy for a moment", message)
    response.headers.update(headers)
    return response


def page_for_unexpected_error(request: web.Request) -> web.Response:
    """A plain 500 answer, never a stack trace (the caller logs the exception)."""
    if request.path.startswith(("/api/", "/pos/")):
        return web.json_response({"error": {"status": 500, "message": "Something went wrong on our side."}},
                                 status=500)
    return error_page(500, "Something went wrong", "Something went wrong on our side. Please try again.")
