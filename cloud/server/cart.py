"""Cart routes (thin handlers over shared/cart): the no-JavaScript flow (POST /cart/add, /cart/change,
/cart/update, /cart/clear, each answered with 303 to /cart; GET /cart renders the store's cart
template) and Shopify's AJAX Cart API (GET /cart.js; POST /cart/add.js, change.js, update.js, clear.js).

The cart is found by the `cart` cookie (HttpOnly, SameSite=Lax, Secure over HTTPS). A cookie that
finds no cart (forged, expired, another store's) is treated as no cart. Cross-site POSTs never get
here: the pipeline's Origin check (middlewares.cross_site) refuses them with 403 first. Nothing here
is cached: a cart page and cart.js are one shopper's (Cache-Control: no-store)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from cloud.server.keys import CONFIG, EXECUTORS
from cloud.server.middlewares import STORE, is_https
from cloud.server.routes import _base_url, _query
from shared.cart.errors import CartError, CartErrorCode
from shared.cart.models import CartChange, CartView
from shared.cart.service import (
    add_to_cart, cart_images, cart_view, change_line, clear_cart, idle_days, update_cart,
)
from shared.cart.shapes import cart_block_data, cart_json, line_json
from shared.compose import PRODUCTION, render_template
from shared.db import Connection

COOKIE = "cart"
NO_STORE = {"Cache-Control": "no-store"}
# The messages the cart page shows after a refused form post (?error=CODE): fixed texts, so a link
# cannot put words of its own on the shop's page.
ERROR_TEXTS = {
    CartErrorCode.INVALID_QUANTITY: "Choose a quantity from 1 to 999.",
    CartErrorCode.UNKNOWN_VARIANT: "That product is not available any more.",
    CartErrorCode.UNKNOWN_LINE: "That item is no longer in your cart.",
    CartErrorCode.TOO_MANY_LINES: "Your cart is full: it holds at most 100 different items.",
    CartErrorCode.NOT_ENOUGH_STOCK: "There is not enough stock for that quantity.",
    CartErrorCode.INVALID: "That request could not be understood.",
}
_MAX_JSON = 256 * 1024


def _now() -> datetime:
    return datetime.now(UTC)


def _token(request: web.Request) -> str | None:
    return request.cookies.get(COOKIE)


def _remember(request: web.Request, response: web.StreamResponse, token: str, days: int) -> None:
    """(Re)set the cart cookie when a change made or used a cart: its life restarts with the cart's."""
    if token:
        response.set_cookie(COOKIE, token, max_age=days * 86400, path="/", httponly=True, samesite="Lax",
                            secure=is_https(request))


async def _change(request: web.Request, fn: Callable[[Connection, str | None], CartChange]) -> tuple[CartChange, int]:
    db = request[STORE].db
    token = _token(request)
    return await db.run_write(lambda conn: (fn(conn, token), idle_days(conn)))


# --- the no-JavaScript flow -------------------------------------------------------------------------

async def _form_change(request: web.Request, fn: Callable[[Mapping[str, Any]], Callable[[Connection, str | None],
                                                                                      CartChange]]) -> web.Response:
    form = await request.post()
    try:
        change, days = await _change(request, fn(form))
    except CartError as exc:
        raise web.HTTPSeeOther(f"/cart?error={exc.code}", headers=NO_STORE) from None
    response = web.HTTPSeeOther("/checkout" if "checkout" in form else "/cart", headers=NO_STORE)
    _remember(request, response, change.token, days)
    raise response


def _text(form: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = form.get(name)
        if isinstance(value, str):
            return value
    return None


async def add_form(request: web.Request) -> web.StreamResponse:
    """POST /cart/add (variant_id or id, quantity): add, then 303 to /cart."""
    return await _form_change(request, lambda form: lambda conn, token: add_to_cart(
        conn, token, variant_id=_text(form, "variant_id", "id"), quantity=form.get("quantity", "1"), now=_now()))


async def change_form(request: web.Request) -> web.StreamResponse:
    """POST /cart/change (line or key, quantity; 0 removes): 303 to /cart."""
    return await _form_change(request, lambda form: lambda conn, token: change_line(
        conn, token, line_key=_text(form, "key"), position=_text(form, "line"), quantity=_text(form, "quantity"),
        now=_now()))


async def update_form(request: web.Request) -> web.StreamResponse:
    """POST /cart/update (updates[KEY]=quantity, ...; a `checkout` button goes on to /checkout)."""
    def fn(form: Mapping[str, Any]) -> Callable[[Connection, str | None], CartChange]:
        updates = {key[8:-1]: value for key, value in form.items() if key.startswith("updates[") and key.endswith("]")}
        return lambda conn, token: update_cart(conn, token, quantities=updates, now=_now())

    return await _form_change(request, fn)


async def clear_form(request: web.Request) -> web.StreamResponse:
    """POST /cart/clear: empty the cart, 303 to /cart."""
    return await _form_change(request, lambda _form: lambda conn, token: CartChange(
        token or "", clear_cart(conn, token, now=_now())))


async def cart_page(request: web.Request) -> web.StreamResponse:
    """GET /cart: the store's cart template with this shopper's cart (never cached)."""
    store = request[STORE]
    executor = request.app[EXECUTORS].for_store(store.record.id)
    token = _token(request)
    error = ERROR_TEXTS.get(request.query.get("error", ""), "")    # StrEnum keys match their text

    def render() -> str:
        view, images = store.db.read(lambda conn: _view_and_images(conn, token))
        rendered = render_template(store.db, executor=executor, template="cart", route={"type": "cart"},
                                   path="/cart", query=_query(request), cart=cart_block_data(view, images, error=error),
                                   mode=PRODUCTION, media_base=request.app[CONFIG].media_base,
                                   site_url=_base_url(request))
        return rendered.html

    html = await store.db.call_read(render)
    return web.Response(text=html, content_type="text/html", charset="utf-8",
                        headers={**NO_STORE, "X-Robots-Tag": "noindex"})


def _view_and_images(conn: Connection, token: str | None) -> tuple[CartView, dict[str, Any]]:
    view = cart_view(conn, token, now=_now())
    return view, cart_images(conn, view)


# --- the AJAX Cart API ------------------------------------------------------------------------------

def _json_error(status: int, message: str, description: str) -> web.Response:
    """Shopify's error shape."""
    return web.json_response({"status": status, "message": message, "description": description}, status=status,
                             headers=NO_STORE)


async def _body(request: web.Request) -> Mapping[str, Any]:
    """A JSON object or a form, as Shopify accepts both; web.HTTPBadRequest for anything else."""
    if request.content_type == "application/json":
        if (request.content_length or 0) > _MAX_JSON:
            raise _BadBody(f"The body is larger than {_MAX_JSON // 1024} KB.", status=413)
        try:
            body = json.loads(await request.text())
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise _BadBody("The body must be a JSON object.")
        return body
    return await request.post()


class _BadBody(Exception):
    """A request body the API cannot read (400, or 413 when too large)."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status


async def _json_change(request: web.Request, fn: Callable[[Mapping[str, Any]], Callable[[Connection, str | None],
                                                                                      CartChange]],
                       shape: Callable[[CartChange, dict[str, Any], str], Any]) -> web.Response:
    try:
        body = await _body(request)
        store = request[STORE]
        token = _token(request)
        change_fn = fn(body)

        def write(conn: Connection) -> tuple[CartChange, int, dict[str, Any]]:
            change = change_fn(conn, token)
            return change, idle_days(conn), cart_images(conn, change.view)

        change, days, images = await store.db.run_write(write)
    except _BadBody as exc:
        return _json_error(exc.status, "Bad request" if exc.status == 400 else "Too large", str(exc))
    except CartError as exc:
        status = 404 if exc.code == CartErrorCode.UNKNOWN_VARIANT else 422
        return _json_error(status, "Cart Error", str(exc))
    response = web.json_response(shape(change, images, request.app[CONFIG].media_base), headers=NO_STORE)
    _remember(request, response, change.token, days)
    return response


async def cart_js(request: web.Request) -> web.StreamResponse:
    """GET /cart.js : the cart (Shopify's shape)."""
    store = request[STORE]
    token = _token(request)
    view, images = await store.db.run_read(lambda conn: _view_and_images(conn, token))
    return web.json_response(cart_json(view, images, media_base=request.app[CONFIG].media_base), headers=NO_STORE)


def _add_items(body: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    """(variant id, quantity) pairs of an add.js body: {items: [{id, quantity}]} or {id, quantity}."""
    items = body.get("items")
    if items is None:
        return [(body.get("id") or body.get("variant_id"), body.get("quantity", 1))]
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise _BadBody("items must be a list of {id, quantity} objects.")
    if len(items) > 100:
        raise CartError(CartErrorCode.TOO_MANY_LINES, "A cart holds at most 100 different items.")
    return [(i.get("id"), i.get("quantity", 1)) for i in items]


async def add_js(request: web.Request) -> web.StreamResponse:
    """POST /cart/add.js : add one item or several (all or nothing); answers the added items."""
    def fn(body: Mapping[str, Any]) -> Callable[[Connection, str | None], CartChange]:
        pairs = _add_items(body)

        def write(conn: Connection, token: str | None) -> CartChange:
            changes = []
            for variant_id, quantity in pairs:
                variant = str(variant_id) if isinstance(variant_id, (str, int)) and not isinstance(variant_id, bool) \
                    else None
                changes.append(add_to_cart(conn, token, variant_id=variant, quantity=quantity, now=_now()))
                token = changes[-1].token
            return CartChange(changes[-1].token, changes[-1].view, None if "items" in body else changes[-1].line)
        return write

    def shape(change: CartChange, images: dict[str, Any], media_base: str) -> Any:
        if change.line is not None:
            return line_json(change.line, images, media_base=media_base)
        return {"items": [line_json(line, images, media_base=media_base) for line in change.view.lines]}

    return await _json_change(request, fn, shape)


async def change_js(request: web.Request) -> web.StreamResponse:
    """POST /cart/change.js ({id: key or variant id | line: n, quantity}): the whole cart."""
    def fn(body: Mapping[str, Any]) -> Callable[[Connection, str | None], CartChange]:
        ident = body.get("id")
        ident = str(ident) if isinstance(ident, (str, int)) and not isinstance(ident, bool) else None
        line = body.get("line")

        def write(conn: Connection, token: str | None) -> CartChange:
            if line is not None:
                return change_line(conn, token, position=line, quantity=body.get("quantity"), now=_now())
            if ident is None:
                raise _BadBody("Name the line by id (its key or variant id) or by line (1, 2, ...).")
            try:
                return change_line(conn, token, line_key=ident, quantity=body.get("quantity"), now=_now())
            except CartError as exc:
                if exc.code != CartErrorCode.UNKNOWN_LINE:
                    raise
                return change_line(conn, token, variant_id=ident, quantity=body.get("quantity"), now=_now())
        return write

    return await _json_change(request, fn, lambda change, images, media_base: cart_json(change.view, images, media_base=media_base))


async def update_js(request: web.Request) -> web.StreamResponse:
    """POST /cart/update.js ({updates: {key or variant id: quantity}} or updates[KEY] form fields)."""
    def fn(body: Mapping[str, Any]) -> Callable[[Connection, str | None], CartChange]:
        updates = body.get("updates")
        if updates is None:
            updates = {k[8:-1]: v for k, v in body.items() if k.startswith("updates[") and k.endswith("]")}
        if not isinstance(updates, dict):
            raise _BadBody("updates must be an object of {key or variant id: quantity}.")
        return lambda conn, token: update_cart(conn, token, quantities=updates, now=_now())

    return await _json_change(request, fn, lambda change, images, media_base: cart_json(change.view, images, media_base=media_base))


async def clear_js(request: web.Request) -> web.StreamResponse:
    """POST /cart/clear.js : empty the cart; the (empty) cart."""
    return await _json_change(request, lambda _body: lambda conn, token: CartChange(
        token or "", clear_cart(conn, token, now=_now())), lambda change, images, media_base: cart_json(change.view, images, media_base=media_base))


def add_cart_routes(app: web.Application) -> None:
    """Register the cart's routes (before the storefront's catch-all)."""
    app.router.add_get("/cart", cart_page)
    app.router.add_get("/cart.js", cart_js)
    for path, form, api in (("/cart/add", add_form, add_js), ("/cart/change", change_form, change_js),
                            ("/cart/update", update_form, update_js), ("/cart/clear", clear_form, clear_js)):
        app.router.add_post(path, form)
        app.router.add_post(path + ".js", api)
