"""The one-page checkout (docs/http-api.md, "Checkout"): GET /checkout and its JSON endpoints, thin
handlers over the checkout workflow (shared/checkout/workflow.py, finalize.py):

    GET  /checkout          the page; holds the cart's units for the store's hold time (hold_cart)
    POST /checkout/quote    re-price the cart for an address, delivery choice and discount code, and
                            hold its units again (the shopper is active: the hold is renewed)
    POST /checkout/start    move the units to a payment attempt (start_checkout); for a card, a
                            SetupIntent for Stripe.js
    POST /checkout/pay      pay with the browser's pm_... or in store -> the order, or 3DS to finish
    POST /checkout/confirm  after confirmCardPayment: finalize -> the order, or why it failed
    POST /checkout/cancel   the card was refused before any charge: release the holds now
    GET  /checkout/address-form?country=XX   the address fields of a country

The lines always come from the shopper's cart cookie and prices from the database; an attempt answers
only to the cart it was started from (check_attempt_cart). POSTs pass the
pipeline's Origin check; discount codes are rate-limited per client (429 with Retry-After). Nothing
here is cached."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from cloud.server.checkout_html import PageData, address_fields_html, checkout_html, options_html, summary_html
from cloud.server.commerce import SECRETS, checkout_context
from cloud.server.branding import store_branding
from cloud.server.cart import COOKIE
from cloud.server.keys import CONFIG
from cloud.server.pages import error_page
from cloud.server.middlewares import NONCE, STORE, client_address, next_nonce
from cloud.server.ratelimit import RateLimiter, retry_after
from shared.cart.models import CartView
from shared.cart.service import cart_view, clear_cart, find_cart, hold_group
from shared.checkout.addresses import address_form, normalize_shipping_address
from shared.checkout.attempt import CheckoutContext, CheckoutRequest, _all_countries, check_request, price_request
from shared.checkout.errors import AddressError, CheckoutErrorCode, CheckoutFlowError
from shared.checkout.finalize import CheckoutOutcome, OutcomeStatus, finalize
from shared.checkout.quote import Quote
from shared.checkout.shipping import DeliveryKind, Destination
from shared.checkout.workflow import (cancel_checkout, check_attempt_cart, hold_cart, pay_checkout,
                                     start_checkout)
from shared.customers import saved_addresses, session_customer
from shared.db import Connection
from shared.db.repositories.storefront import get_storefront
from shared.inventory import available
from shared.payments import PaymentError, StripeOptions, load_stripe_keys

CODE_LIMITER = web.AppKey("checkout_code_limiter", RateLimiter)
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
SHIP_KINDS = (DeliveryKind.SHIP, DeliveryKind.LOCAL_DELIVERY)
STRIPE_API = "https://api.stripe.com"
_STATUS = {CheckoutErrorCode.OUT_OF_STOCK: 409, CheckoutErrorCode.QUOTE_CHANGED: 409,
           CheckoutErrorCode.PAYMENT_NOT_SET_UP: 409, CheckoutErrorCode.ATTEMPT_CLOSED: 409,
           CheckoutErrorCode.PAYMENT_DECLINED: 402, CheckoutErrorCode.PAYMENT_UNAVAILABLE: 503,
           CheckoutErrorCode.UNKNOWN_ATTEMPT: 404}
_ADDRESS_KEYS = ("country_code", "name", "company_name", "street_address", "city_area", "city", "country_area",
                 "postal_code", "sorting_code")


class BadInput(Exception):
    """A request the page would never send: 400 with field errors."""

    def __init__(self, errors: list[dict[str, str]], status: int = 422):
        super().__init__(errors)
        self.errors, self.status = errors, status


def _now() -> datetime:
    return datetime.now(UTC)


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(code, name) of every country of Google's address dataset, by name."""
    named = ((code, form.country_name.title()) for code in _all_countries() if (form := address_form(code)))
    return tuple(sorted(named, key=lambda pair: pair[1]))


def _store_country(settings: Mapping[str, Any]) -> str:
    code = str(settings.get("country", "") or "US")[:2].upper()
    return code if address_form(code) else "US"


# --- reading the shopper's choices --------------------------------------------------------------

def _text(body: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise BadInput([{"field": name, "message": "This value is not valid."}], 400)
    return value.strip()


def _choices(body: Mapping[str, Any], view: CartView, country: str, *, strict: bool) -> CheckoutRequest:
    """The CheckoutRequest for the cart's lines and the page's fields. `strict` (start): the address
    must follow its country's rules (AddressError -> BadInput with each field's message)."""
    if not view.lines:
        raise BadInput([{"field": "lines", "message": "Your cart is empty."}], 409)
    if not view.ready_for_checkout:
        raise BadInput([{"field": "lines", "message": _short_lines(view)}], 409)
    delivery = _text(body, "delivery") or "ship"
    method = _text(body, "paymentMethod") or "stripe"
    if delivery not in ("ship", "pickup") or method not in ("stripe", "pay_in_store"):
        raise BadInput([{"field": "payment", "message": "Choose how to get and pay for your order."}], 400)
    if method == "pay_in_store" and delivery != "pickup":
        raise BadInput([{"field": "payment", "message": "Pay in store is only for orders picked up in the shop."}])
    raw = body.get("address") or {}
    if not isinstance(raw, Mapping):
        raise BadInput([{"field": "address", "message": "The address is not valid."}], 400)
    address = {key: _text(raw, key) for key in _ADDRESS_KEYS if key in raw}
    email = _text(body, "email", 320)
    errors = _email_errors(email) if strict else []
    shipping_address, destination = None, Destination(country)
    if delivery == "ship":
        if strict and not address.get("name"):
            errors.append({"field": "name", "message": "Enter your full name."})
        try:
            normalized = normalize_shipping_address(address)
            shipping_address, destination = asdict(normalized), normalized.destination()
        except AddressError as exc:
            errors += [{"field": k, "message": v} for k, v in exc.errors.items()] if strict else []
            code = address.get("country_code", "").upper()
            if address_form(code):
                destination = Destination(code, address.get("country_area", "").upper(), address.get("postal_code", ""))
    if errors:          # every field at fault at once, the e-mail first (the page's order)
        raise BadInput(errors)
    option = _text(body, "shippingOptionId", 100) or None
    code = _text(body, "code", 64) or None
    return CheckoutRequest(lines=tuple((line.variant_id, line.quantity) for line in view.lines),
                           email=email, payment_method=method, shipping_option_id=option,
                           destination=destination, shipping_address=shipping_address, discount_code=code,
                           customer_name=address.get("name", ""))


def _short_lines(view: CartView) -> str:
    """What ran out or vanished, by name ("Sold out: Canvas Apron. Nothing was charged.")."""
    names = []
    for line in view.lines:
        if line.purchasable:
            continue
        title = line.title + (f" ({line.variant_title})" if line.variant_title not in ("", "Default") else "")
        names.append(title if line.unit_price is None or not line.available else f"{title} (only {line.available} left)")
    return f"Sold out: {', '.join(names)}. Nothing was charged; review your cart."


def _email_errors(email: str) -> list[dict[str, str]]:
    """The workflow's own e-mail rule (check_request), as a field error."""
    try:
        check_request(CheckoutRequest(lines=(("-", 1),), email=email, payment_method="stripe"))
    except CheckoutFlowError as exc:
        return [{"field": "email", "message": str(exc)}]
    return []


def _quote(conn: Connection, ctx: CheckoutContext, request: CheckoutRequest, delivery: str, now: datetime) -> Quote:
    """The quote for the page: the chosen option when it is offered, else the first of the kind."""
    kinds = (DeliveryKind.PICKUP,) if delivery == "pickup" else SHIP_KINDS
    quote = price_request(conn, ctx, request, now=now, require_option=False).quote
    if quote.shipping_option is None or quote.shipping_option.kind not in kinds:
        first = next((o for o in quote.shipping_options if o.kind in kinds), None)
        if first is not None:
            quote = price_request(conn, ctx, replace(request, shipping_option_id=first.id), now=now).quote
    return quote


async def _hold(ctx: CheckoutContext, choice: CheckoutRequest, quote: Quote, view: CartView) -> datetime | None:
    """Hold the cart's units for the delivery the quote priced (pickup: at its shop); until when."""
    option = quote.shipping_option.id if quote.shipping_option is not None else None
    assert view.cart_id is not None
    held = await hold_cart(ctx, replace(choice, shipping_option_id=option), cart_id=view.cart_id)
    return held.held_until


async def _body(request: web.Request) -> Mapping[str, Any]:
    if request.content_length is not None and request.content_length > 64 * 1024:
        raise BadInput([{"field": "payment", "message": "The request is too large."}], 413)
    try:
        body = await request.json()
    except ValueError:
        raise BadInput([{"field": "payment", "message": "The request could not be read."}], 400) from None
    if not isinstance(body, Mapping):
        raise BadInput([{"field": "payment", "message": "The request could not be read."}], 400)
    return body


def _problem(status: int, errors: list[dict[str, str]], **extra: Any) -> web.Response:
    return web.json_response({"errors": errors, "error": errors[0], **extra}, status=status, headers=NO_STORE)


def _flow_problem(exc: CheckoutFlowError) -> web.Response:
    return _problem(_STATUS.get(exc.code, 422), [{"field": exc.field or "payment", "message": str(exc),
                                                  "code": str(exc.code)}])


# --- the page -----------------------------------------------------------------------------------

def _stripe_js(request: web.Request) -> tuple[str, str]:
    """(the Stripe.js URL, the API origin the browser talks to): js.stripe.com and api.stripe.com, or
    the configured test host for both."""
    options = StripeOptions(api_base=request.app[CONFIG].stripe_api)
    api = options.api_base.rstrip("/") if options.api_base else STRIPE_API
    return options.js_url, api


def _csp(nonce: str, js_url: str, api: str, media_base: str) -> str:
    """The page's own policy: its nonce'd scripts and Stripe.js from exactly its origin."""
    scheme, _, rest = js_url.partition("://")
    js = f"{scheme}://{rest.split('/', 1)[0]}"
    media = f" {media_base}" if media_base else ""
    return (f"default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
            f"img-src 'self' data:{media}; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
            f"script-src 'nonce-{nonce}' {js}; connect-src 'self' {' '.join(sorted({js, api}))}; frame-src {js}")


async def checkout_page(request: web.Request) -> web.StreamResponse:
    """GET /checkout: the one-page checkout for the cart of the cookie (an empty cart goes back to /cart)."""
    store = request[STORE]
    token, now = request.cookies.get(COOKIE), _now()
    ctx = checkout_context(request, store)
    keys = None
    if request.app[SECRETS] is not None:
        try:
            keys = await store.db.call_read(load_stripe_keys, store.db, store_id=store.record.id,
                                            box=request.app[SECRETS])
        except PaymentError:
            keys = None
    js_url, api = _stripe_js(request)

    front, stylesheet, logo_url = await store_branding(request)
    country = _store_country(front.settings if front else {})
    signed_in_as, address = await _shopper(request)
    if address.get("country_code") and address_form(address["country_code"]) is not None:
        country = address["country_code"]
    destination = Destination(country, address.get("country_area", ""), address.get("postal_code", "")) \
        if address else Destination(country)

    def read(conn: Connection) -> tuple[CartView, Quote | None, CheckoutRequest]:
        view = cart_view(conn, token, now=now)
        base = CheckoutRequest(lines=tuple((l.variant_id, l.quantity) for l in view.lines), email="",
                               payment_method="stripe", destination=destination)
        if not view.ready_for_checkout:
            return view, None, base
        return view, _quote(conn, ctx, base, "ship", now), base

    try:
        view, quote, base = await store.db.call_read(lambda: store.db.read(read))
        held = await _hold(ctx, base, quote, view) if quote is not None else None
    except CheckoutFlowError:       # sold out meanwhile: the cart page says what
        quote = None
    if quote is None:
        raise web.HTTPSeeOther("/cart", headers=NO_STORE)
    pickup_quote = await store.db.call_read(lambda: store.db.read(lambda conn: _quote(
        conn, ctx, CheckoutRequest(lines=tuple((l.variant_id, l.quantity) for l in view.lines), email="",
                                   payment_method="pay_in_store", destination=_pickup_destination(front)),
        "pickup", now)))
    pickup = tuple(o for o in pickup_quote.shipping_options if o.kind == DeliveryKind.PICKUP)
    short = await store.db.run_read(lambda conn: _pickup_shortages(conn, view, pickup, now))
    nonce = request.get(NONCE) or next_nonce()
    data = PageData(store_name=front.name if front else "Shop", locale=front.locale if front else "en-US",
                    stylesheet=stylesheet, nonce=nonce, cart=view, quote=quote, form=address_form(country),
                    countries=countries(),
                    pickup=pickup, pickup_short=short,
                    stripe={"publishableKey": keys.publishable_key, "jsUrl": js_url} if keys else None,
                    logo_url=logo_url,
                    held_text=_held_text(held, front), held_until=held.isoformat() if held else "",
                    signed_in_as=signed_in_as, address=address)
    headers = {**NO_STORE, "Referrer-Policy": "same-origin",
               "Content-Security-Policy": _csp(nonce, js_url, api, request.app[CONFIG].media_base)}
    return web.Response(text=checkout_html(data), content_type="text/html", charset="utf-8", headers=headers)


async def _shopper(request: web.Request) -> tuple[str, dict[str, str]]:
    """The signed-in customer of the 'customer_session' cookie (docs/accounts.md): their e-mail and their
    default saved address, to prefill the page; ('', {}) for a guest or a session that ended."""
    from cloud.server.account import SESSION_COOKIE   # here: account.py imports this module (countries)

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return "", {}
    db = request[STORE].db
    customer = await db.call(session_customer, db, token)
    if customer is None:
        return "", {}
    saved = await db.run_read(lambda conn: saved_addresses(conn, customer.id))
    default = next((a for a in saved if a.is_default), saved[0] if saved else None)
    return customer.email, {k: str(v) for k, v in (default.address if default else {}).items() if v}


def _pickup_shortages(conn: Connection, view: CartView, options: tuple[Any, ...], now: datetime) -> dict[str, str]:
    """Pickup option id -> what that shop cannot give now ("Not in stock here: Canvas Apron"), so the
    page greys it out instead of refusing it once chosen (the cart's own hold counts as its own)."""
    ids = [line.variant_id for line in view.lines]
    out = {}
    for option in options:
        if not option.location_id or view.cart_id is None:
            continue
        free = available(conn, ids, now=now, location_id=option.location_id, exclude_group=hold_group(view.cart_id))
        missing = [line.title for line in view.lines if free.get(line.variant_id, 0) < line.quantity]
        if missing:
            out[option.id] = f"Not in stock here: {', '.join(missing)}"
    return out


async def no_script(request: web.Request) -> web.Response:
    """POST /checkout: the page's form sent without JavaScript (its fields stay out of the URL)."""
    response = error_page(400, "Checkout needs JavaScript", "Turn JavaScript on to check out (card payment uses "
                          "Stripe.js), or visit the shop to buy these items. Your cart is kept.")
    response.headers.update(NO_STORE)
    return response


def _pickup_destination(front: Any) -> Destination:
    """Where a pickup order is taxed: the store's own country."""
    return Destination(_store_country(front.settings if front else {}))


async def address_fields(request: web.Request) -> web.Response:
    """GET /checkout/address-form?country=XX : {"html": the country's address fields}."""
    form = address_form(request.query.get("country", ""))
    if form is None:
        return _problem(404, [{"field": "country_code", "message": "Choose a country from the list."}])
    return web.json_response({"html": address_fields_html(form, countries())}, headers=NO_STORE)


# --- the JSON endpoints ---------------------------------------------------------------------------

def _code_key(request: web.Request) -> tuple[str, str]:
    return client_address(request), (request.host or "").lower()


def _code_refused(request: web.Request, body: Mapping[str, Any]) -> web.Response | None:
    """A 429 when this client has tried too many wrong discount codes (guessing): every try with a
    code is refused then, a right one too, so the answer tells a guesser nothing. Only wrong codes
    spend (`_charge_wrong_code`): re-pricing with a code that applies never runs out."""
    if not body.get("code"):
        return None
    wait = request.app[CODE_LIMITER].waiting(_code_key(request))
    if wait <= 0:
        return None
    response = _problem(429, [{"field": "code", "message": "Too many discount codes tried. Wait a moment."}])
    response.headers["Retry-After"] = retry_after(wait)
    return response


async def _priced(request: web.Request, body: Mapping[str, Any], *, strict: bool
                  ) -> tuple[CheckoutContext, CheckoutRequest, Quote, CartView, Any]:
    store = request[STORE]
    ctx, token, now = checkout_context(request, store), request.cookies.get(COOKIE), _now()

    def read(conn: Connection) -> tuple[CheckoutRequest, Quote, CartView, Any]:
        view, front = cart_view(conn, token, now=now), get_storefront(conn)
        choice = _choices(body, view, _store_country(front.settings if front else {}), strict=strict)
        return choice, _quote(conn, ctx, choice, _text(body, "delivery") or "ship", now), view, front

    choice, quote, view, front = await store.db.call_read(lambda: store.db.read(read))
    return ctx, choice, quote, view, front


def _quote_json(quote: Quote, view: CartView, locale: str, delivery: str) -> dict[str, Any]:
    return {"quote": quote.to_json(), "summaryHtml": summary_html(view, quote, locale),
            "optionsHtml": options_html(quote, locale, kinds=SHIP_KINDS) if delivery != "pickup" else None,
            "codeProblem": quote.code_problem.message if quote.code_problem else None}


async def quote_checkout(request: web.Request) -> web.Response:
    """POST /checkout/quote : the summary for the page's current choices."""
    try:
        body = await _body(request)
        if (refused := _code_refused(request, body)) is not None:
            return refused
        ctx, choice, quote, view, front = await _priced(request, body, strict=False)
        _charge_wrong_code(request, quote)
        held = await _hold(ctx, choice, quote, view)
    except BadInput as exc:
        return _problem(exc.status, exc.errors)
    except CheckoutFlowError as exc:
        return _flow_problem(exc)
    answer = _quote_json(quote, view, front.locale if front else "en-US", _text(body, "delivery") or "ship")
    answer.update(heldUntil=held.isoformat() if held else None, heldText=_held_text(held, front))
    if answer["optionsHtml"] is None:
        del answer["optionsHtml"]
    return web.json_response(answer, headers=NO_STORE)


def _charge_wrong_code(request: web.Request, quote: Quote) -> None:
    if quote.code_problem is not None:
        request.app[CODE_LIMITER].take(_code_key(request))


def _held_text(held_until: datetime | None, front: Any) -> str:
    if held_until is None:
        return ""
    try:
        zone = ZoneInfo(front.timezone if front else "UTC")
    except (ValueError, KeyError, OSError):
        zone = ZoneInfo("UTC")
    return f"Your items are held for you until {held_until.astimezone(zone).strftime('%H:%M')}."


async def start(request: web.Request) -> web.Response:
    """POST /checkout/start : hold the units -> {attemptId, heldUntil, heldText, quote, payment}."""
    try:
        body = await _body(request)
        if (refused := _code_refused(request, body)) is not None:
            return refused
        ctx, choice, quote, view, front = await _priced(request, body, strict=True)
        _charge_wrong_code(request, quote)
        if quote.code_problem is not None:
            return _problem(422, [{"field": "code", "message": quote.code_problem.message}])
        if choice.shipping_option_id is None and quote.shipping_option is not None:
            choice = replace(choice, shipping_option_id=quote.shipping_option.id)
        started = await start_checkout(ctx, choice, cart_id=view.cart_id)
    except BadInput as exc:
        return _problem(exc.status, exc.errors)
    except CheckoutFlowError as exc:
        return _flow_problem(exc)
    payment: dict[str, Any] = {"provider": choice.payment_method}
    if choice.payment_method == "stripe":
        try:
            provider = await ctx.provider("stripe")
            try:
                payment = (await provider.prepare(attempt_key=started.attempt_id)).to_json()
            finally:
                await provider.aclose()
        except PaymentError:
            await cancel_checkout(ctx, attempt_id=started.attempt_id)
            return _problem(503, [{"field": "payment", "message": "Card payments cannot be reached right now. "
                                                                  "Nothing was charged; try again in a moment."}])
    return web.json_response({"attemptId": started.attempt_id, "quote": started.quote,
                              "heldUntil": started.held_until.isoformat() if started.held_until else None,
                              "heldText": _held_text(started.held_until, front), "payment": payment},
                             headers=NO_STORE)


async def _outcome(request: web.Request, outcome: CheckoutOutcome) -> web.Response:
    if outcome.status == OutcomeStatus.COMPLETED and outcome.order is not None:
        store, token = request[STORE], request.cookies.get(COOKIE)
        if token:       # the cart is bought: empty it (the order keeps the lines)
            await store.db.run_write(lambda conn: clear_cart(conn, token, now=_now()))
        return web.json_response({"orderUrl": f"/orders/{outcome.order.status_token}"}, headers=NO_STORE)
    if outcome.status == OutcomeStatus.REQUIRES_ACTION:
        return web.json_response({"requiresAction": True, "clientSecret": outcome.client_secret}, headers=NO_STORE)
    if outcome.status == OutcomeStatus.PROCESSING:
        return _problem(202, [{"field": "payment", "message": "Your payment is being processed. Check your e-mail "
                                                              "for the confirmation in a few minutes."}])
    return _problem(402, [{"field": "payment", "message": outcome.message or
                           "Your payment was not completed. Nothing was charged; try again."}])


async def _attempt(request: web.Request, ctx: CheckoutContext, body: Mapping[str, Any]) -> str:
    """The body's attempt id, when it is one of this shopper's cart (CheckoutFlowError UNKNOWN_ATTEMPT
    otherwise, 404)."""
    attempt = body.get("attemptId")
    if not isinstance(attempt, str) or not 0 < len(attempt) <= 100:
        raise BadInput([{"field": "payment", "message": "This checkout has expired. Start again."}], 400)
    token, store = request.cookies.get(COOKIE), request[STORE]
    cart = await store.db.run_read(lambda conn: find_cart(conn, token, now=_now()))
    await check_attempt_cart(ctx, attempt_id=attempt, cart_id=cart.id if cart is not None else None)
    return attempt


async def pay(request: web.Request) -> web.Response:
    """POST /checkout/pay {attemptId, paymentMethodId} -> {orderUrl} | {requiresAction, clientSecret}."""
    try:
        body, ctx = await _body(request), checkout_context(request, request[STORE])
        card = body.get("paymentMethodId") or ""
        if not isinstance(card, str) or len(card) > 255 or (card and not card.startswith("pm_")):
            raise BadInput([{"field": "payment", "message": "Enter your card details again."}], 400)
        outcome = await pay_checkout(ctx, attempt_id=await _attempt(request, ctx, body), card=card)
    except BadInput as exc:
        return _problem(exc.status, exc.errors)
    except CheckoutFlowError as exc:
        return _flow_problem(exc)
    return await _outcome(request, outcome)


async def confirm(request: web.Request) -> web.Response:
    """POST /checkout/confirm {attemptId}: after the browser's 3DS step, finalize."""
    try:
        ctx = checkout_context(request, request[STORE])
        outcome = await finalize(ctx, attempt_id=await _attempt(request, ctx, await _body(request)))
    except BadInput as exc:
        return _problem(exc.status, exc.errors)
    except CheckoutFlowError as exc:
        return _flow_problem(exc)
    return await _outcome(request, outcome)


async def cancel(request: web.Request) -> web.Response:
    """POST /checkout/cancel {attemptId}: the card was refused before any charge; release the holds."""
    ctx = checkout_context(request, request[STORE])
    try:
        attempt = await _attempt(request, ctx, await _body(request))
    except BadInput as exc:
        return _problem(exc.status, exc.errors)
    except CheckoutFlowError as exc:
        return _flow_problem(exc)
    cancelled = await cancel_checkout(ctx, attempt_id=attempt)
    return web.json_response({"cancelled": cancelled}, headers=NO_STORE)


def add_checkout_routes(app: web.Application, *, code_rate: float = 0.2, code_burst: int = 10) -> None:
    """Register /checkout and its endpoints; discount codes: `code_burst` at once, then `code_rate`/s."""
    app[CODE_LIMITER] = RateLimiter(rate=code_rate, burst=code_burst)
    app.router.add_get("/checkout", checkout_page)
    app.router.add_post("/checkout", no_script)
    app.router.add_get("/checkout/address-form", address_fields)
    app.router.add_post("/checkout/quote", quote_checkout)
    app.router.add_post("/checkout/start", start)
    app.router.add_post("/checkout/pay", pay)
    app.router.add_post("/checkout/confirm", confirm)
    app.router.add_post("/checkout/cancel", cancel)
