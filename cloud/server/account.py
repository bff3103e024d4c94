"""The shopper's account (issue 12, section 3): /account/login (e-mail, then the e-mailed code),
/account (orders, e-mail preferences), /account/orders/NUMBER, /account/addresses, /account/data.json,
/account/delete, sign out and sign out everywhere. Thin handlers over shared/customers.

Plain forms, answered with 303 redirects: no script is needed. Every answer is one shopper's
(`Cache-Control: private, no-store`, never indexed, no referrer). POSTs pass the pipeline's Origin /
Sec-Fetch-Site check (middlewares.cross_site). Cookies: `customer_session` (the session, 30 days) and
`customer_signin` (the pending sign-in, 10 minutes, only under /account), both HttpOnly, SameSite=Lax
and Secure over HTTPS; the cart's cookie is re-set when signing in joins carts, and dropped on sign-out
(the cart stays with the account)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from cloud.server.account_html import (Frame, addresses_page, code_page, delete_page, login_page, order_page,
                                       overview_page)
from cloud.server.branding import store_branding
from cloud.server.cart import COOKIE as CART_COOKIE
from cloud.server.checkout import countries
from cloud.server.customers_api import add_customers_api_routes
from cloud.server.middlewares import STORE, client_address, is_https
from cloud.server.pages import error_page
from shared.cart.service import idle_days
from shared.customers import (ConsentSource, Customer, CustomerError, CustomerErrorCode, add_address, erase_customer,
                              export_customer, make_default_address, remove_address, request_sign_in_code,
                              saved_addresses, session_customer, set_marketing_consent, sign_out, sign_out_everywhere,
                              verify_sign_in_code)
from shared.customers.models import CODE_TTL_SECONDS, SESSION_DAYS
from shared.db.repositories.order_lifecycle import load_order
from shared.db.repositories.orders import order_id_where
from shared.mail.views import MailBranding
from shared.orders import Order, list_orders

SESSION_COOKIE = "customer_session"
SIGNIN_COOKIE = "customer_signin"
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}
MAX_FORM = 16 * 1024
# Fixed texts for ?error= and ?done= (a link cannot put words of its own on the page).
_ERRORS = {
    "invalid": "Enter an e-mail address such as you@example.com.",
    "rate_limited": "Too many codes were asked for. Use the last code you received, or try again in an hour.",
    "code_wrong": "That code is not right. Check the e-mail and try again.",
    "code_expired": "That code has expired or was already used. Ask for a new code.",
    "too_many_tries": "Too many wrong codes. Ask for a new code.",
}
_DONE = {"signed_out": "You are signed out.", "erased": "Your account was deleted.",
         "consent": "Your e-mail preferences were saved.", "added": "The address was saved.",
         "removed": "The address was deleted.", "default": "Your default address was changed."}


def _private(response: web.Response) -> web.Response:
    response.headers.update(PRIVATE)
    return response


def _html(text: str, status: int = 200) -> web.Response:
    return _private(web.Response(text=text, status=status, content_type="text/html", charset="utf-8"))


def _see_other(location: str) -> web.Response:
    return _private(web.Response(status=303, headers={"Location": location}))


def _not_found(message: str) -> web.Response:
    return _private(error_page(404, "Not found", message))


def _cookie(request: web.Request, response: web.Response, name: str, value: str, *, max_age: int,
            path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="Lax",
                        secure=is_https(request))


def _forget(response: web.Response, name: str, path: str = "/") -> None:
    response.del_cookie(name, path=path)


async def _frame(request: web.Request) -> Frame:
    front, stylesheet, logo_url = await store_branding(request)
    return Frame(front.name if front else "Shop", front.locale if front else "en-US", stylesheet, logo_url)


async def _form(request: web.Request) -> dict[str, str]:
    if request.content_length is not None and request.content_length > MAX_FORM:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM, actual_size=request.content_length)
    form = await request.post()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _customer(request: web.Request) -> Customer | None:
    db = request[STORE].db
    return await db.call(session_customer, db, request.cookies.get(SESSION_COOKIE))


def signed_in(handler: Callable[[web.Request, Customer], Awaitable[web.Response]]
              ) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Only for a signed-in shopper; anyone else is sent to the sign-in page."""
    async def guarded(request: web.Request) -> web.Response:
        customer = await _customer(request)
        if customer is None:
            response = _see_other("/account/login")
            if SESSION_COOKIE in request.cookies:
                _forget(response, SESSION_COOKIE)
            return response
        return await handler(request, customer)
    guarded.__doc__ = handler.__doc__
    return guarded


# --- sign-in -------------------------------------------------------------------------------------------

async def login_form(request: web.Request) -> web.Response:
    """GET /account/login : the e-mail form (a signed-in shopper goes to /account)."""
    if await _customer(request) is not None:
        return _see_other("/account")
    query = request.query
    return _html(login_page(await _frame(request), error=_ERRORS.get(query.get("error", ""), ""),
                            notice=_DONE.get(query.get("done", ""), "")))


async def login_submit(request: web.Request) -> web.Response:
    """POST /account/login (email): a code is made and e-mailed (for any address alike), 303 to the
    code form."""
    form = await _form(request)
    store = request[STORE]
    frame = await _frame(request)
    site = f"{'https' if is_https(request) else 'http'}://{request.host.lower()}/"
    branding = MailBranding(store_name=frame.store_name, store_url=site, locale=frame.locale)
    try:
        started = await store.db.call(request_sign_in_code, store.db, email=form.get("email", ""),
                                      client=client_address(request), branding=branding)
    except CustomerError as exc:
        return _see_other(f"/account/login?error={exc.code}")
    response = _see_other("/account/login/code")
    _cookie(request, response, SIGNIN_COOKIE, started.token, max_age=CODE_TTL_SECONDS, path="/account")
    return response


async def code_form(request: web.Request) -> web.Response:
    """GET /account/login/code : the code form (without a pending sign-in: back to the e-mail form)."""
    if SIGNIN_COOKIE not in request.cookies:
        return _see_other("/account/login")
    return _html(code_page(await _frame(request), error=_ERRORS.get(request.query.get("error", ""), "")))


async def code_submit(request: web.Request) -> web.Response:
    """POST /account/login/code (code): signed in (session cookie, carts joined), 303 to /account; a
    wrong code back to the form; an expired one, or one out of tries, back to the e-mail form."""
    form = await _form(request)
    db = request[STORE].db
    try:
        signed = await db.call(verify_sign_in_code, db, token=request.cookies.get(SIGNIN_COOKIE),
                               code=form.get("code", ""), cart_token=request.cookies.get(CART_COOKIE))
    except CustomerError as exc:
        if exc.code == CustomerErrorCode.CODE_WRONG:
            return _see_other(f"/account/login/code?error={exc.code}")
        response = _see_other(f"/account/login?error={exc.code}")
        _forget(response, SIGNIN_COOKIE, "/account")
        return response
    response = _see_other("/account")
    _forget(response, SIGNIN_COOKIE, "/account")
    _cookie(request, response, SESSION_COOKIE, signed.session_token, max_age=SESSION_DAYS * 86400)
    if signed.cart_token:
        days = await db.run_read(idle_days)
        _cookie(request, response, CART_COOKIE, signed.cart_token, max_age=days * 86400)
    return response


async def logout(request: web.Request) -> web.Response:
    """POST /account/logout : this browser's session ends; its cart cookie is dropped (the cart stays
    with the account)."""
    db = request[STORE].db
    await db.call(sign_out, db, request.cookies.get(SESSION_COOKIE))
    return _signed_out()


@signed_in
async def logout_everywhere(request: web.Request, customer: Customer) -> web.Response:
    """POST /account/logout-everywhere : every session of the customer ends, this one too."""
    db = request[STORE].db
    await db.call(sign_out_everywhere, db, customer.id)
    return _signed_out()


def _signed_out(done: str = "signed_out") -> web.Response:
    response = _see_other(f"/account/login?done={done}")
    _forget(response, SESSION_COOKIE)
    _forget(response, CART_COOKIE)
    return response


# --- the account ---------------------------------------------------------------------------------------

@signed_in
async def overview(request: web.Request, customer: Customer) -> web.Response:
    """GET /account?before=NUMBER : orders placed with the verified e-mail (guest orders too), newest
    first, 20 a page; e-mail preferences."""
    db = request[STORE].db
    before = request.query.get("before", "")
    page = await db.call_read(list_orders, db, limit=20, email=customer.email,
                              before=int(before) if before.isdigit() and len(before) < 12 else None)
    return _html(overview_page(await _frame(request), customer, page.orders, next_before=page.next_before,
                               notice=_DONE.get(request.query.get("done", ""), "")))


@signed_in
async def order_detail(request: web.Request, customer: Customer) -> web.Response:
    """GET /account/orders/{number} : one of this customer's orders; anyone else's is 'not found'."""
    db = request[STORE].db
    number = request.match_info["number"]

    def read(conn) -> Order | None:  # noqa: ANN001 - a Connection
        found = order_id_where(conn, column="number", value=int(number))
        return load_order(conn, found) if found else None   # with its shipments and refunds

    order = await db.run_read(read) if len(number) < 12 else None
    if order is None or order.email.casefold() != customer.email.casefold():
        return _not_found("There is no such order in your account.")
    return _html(order_page(await _frame(request), customer, order))


@signed_in
async def consent_submit(request: web.Request, customer: Customer) -> web.Response:
    """POST /account/consent (marketing=1 or absent): recorded with time and source 'account'."""
    form = await _form(request)
    db = request[STORE].db
    await db.call(set_marketing_consent, db, customer.id, consented=form.get("marketing") == "1",
                  source=ConsentSource.ACCOUNT)
    return _see_other("/account?done=consent#consent")


@signed_in
async def addresses(request: web.Request, customer: Customer) -> web.Response:
    """GET /account/addresses : the saved addresses and the form to add one."""
    db = request[STORE].db
    saved = await db.run_read(lambda conn: saved_addresses(conn, customer.id))
    return _html(addresses_page(await _frame(request), customer, saved, countries(),
                                notice=_DONE.get(request.query.get("done", ""), "")))


_ADDRESS_FIELDS = ("name", "company_name", "street_address", "city", "country_area", "postal_code", "country_code")


@signed_in
async def address_add(request: web.Request, customer: Customer) -> web.Response:
    """POST /account/addresses : checked by the checkout's rules; 303 back, or the form again (422)
    with each wrong field's message."""
    form = await _form(request)
    values = {name: form.get(name, "")[:200] for name in _ADDRESS_FIELDS}
    db = request[STORE].db
    try:
        await db.call(add_address, db, customer.id, address=values, make_default=form.get("default") == "1")
    except CustomerError as exc:
        saved = await db.run_read(lambda conn: saved_addresses(conn, customer.id))
        errors = exc.fields or {"name": str(exc)}
        return _html(addresses_page(await _frame(request), customer, saved, countries(), errors=errors,
                                    values=values), status=422)
    return _see_other("/account/addresses?done=added")


@signed_in
async def address_delete(request: web.Request, customer: Customer) -> web.Response:
    """POST /account/addresses/{id}/delete : only the customer's own address; another's is 404."""
    db = request[STORE].db
    try:
        await db.call(remove_address, db, customer.id, request.match_info["address"])
    except CustomerError:
        return _not_found("There is no such address in your account.")
    return _see_other("/account/addresses?done=removed")


@signed_in
async def address_default(request: web.Request, customer: Customer) -> web.Response:
    """POST /account/addresses/{id}/default"""
    db = request[STORE].db
    try:
        await db.call(make_default_address, db, customer.id, request.match_info["address"])
    except CustomerError:
        return _not_found("There is no such address in your account.")
    return _see_other("/account/addresses?done=default")


@signed_in
async def download_data(request: web.Request, customer: Customer) -> web.Response:
    """GET /account/data.json : "Download my data" (profile, addresses, orders, consent history)."""
    db = request[STORE].db
    data = await db.call_read(export_customer, db, customer.id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _private(web.Response(text=body, content_type="application/json", charset="utf-8", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"'}))


@signed_in
async def delete_form(request: web.Request, customer: Customer) -> web.Response:
    """GET /account/delete : what is deleted and what is kept, and the confirmation."""
    return _html(delete_page(await _frame(request), customer))


@signed_in
async def delete_submit(request: web.Request, customer: Customer) -> web.Response:
    """POST /account/delete (confirm=yes): the account is erased (docs/accounts.md), signed out."""
    form = await _form(request)
    if form.get("confirm") != "yes":
        return _see_other("/account/delete")
    db = request[STORE].db
    await db.call(erase_customer, db, customer.id)
    return _signed_out("erased")


def add_account_routes(app: web.Application) -> None:
    """Register the account pages and the admin API's customers (before the storefront's catch-all)."""
    add_customers_api_routes(app)
    router = app.router
    router.add_get("/account/login", login_form)
    router.add_post("/account/login", login_submit)
    router.add_get("/account/login/code", code_form)
    router.add_post("/account/login/code", code_submit)
    router.add_post("/account/logout", logout)
    router.add_post("/account/logout-everywhere", logout_everywhere)
    router.add_get("/account", overview)
    router.add_get(r"/account/orders/{number:[0-9]{1,11}}", order_detail)
    router.add_post("/account/consent", consent_submit)
    router.add_get("/account/addresses", addresses)
    router.add_post("/account/addresses", address_add)
    router.add_post(r"/account/addresses/{address:[A-Za-z0-9-]{1,64}}/delete", address_delete)
    router.add_post(r"/account/addresses/{address:[A-Za-z0-9-]{1,64}}/default", address_default)
    router.add_get("/account/data.json", download_data)
    router.add_get("/account/delete", delete_form)
    router.add_post("/account/delete", delete_submit)
