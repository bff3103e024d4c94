"""The checkout workflow: named steps, each with its compensation, like Medusa's completeCartWorkflow
(docs/checkout.md, "The workflow"):

    hold_stock         hold the cart's units (TTL), record the attempt      undo: release the holds
    requote_and_check  price again from the database, the holds still good  (nothing to undo)
    charge             the provider, idempotency key = the attempt id       (a decline took nothing)
    complete           finalize: order + stock movement + e-mails, ONE write

A step that fails undoes the steps before it, in reverse order: the shopper gets a CheckoutFlowError
with a message, no order exists and the holds are released. Once money is taken nothing is undone: a
failure after that leaves the attempt for `finalize` (the webhook, a retry) to complete.

Before all that, `hold_cart` holds the cart's units while the shopper fills in the page (the cart's own
hold group, renewed while they are active: the page shows "held for you until 14:32"); hold_stock
moves those units to the attempt in the same write, so nobody can take them in between.
`start_checkout` runs the first step alone, `pay_checkout` the rest; `place_order` runs them all. An
attempt started from a cart belongs to it: `check_attempt_cart` refuses it to any other cart. 3DS stops after `charge` with REQUIRES_ACTION: the browser
completes it, then calls finalize (shared/checkout/finalize.py), as does the webhook."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from shared.cart.service import hold_group
from shared.checkout.attempt import CheckoutContext, CheckoutRequest, PricedRequest, check_request, price_request
from shared.checkout.errors import CheckoutErrorCode, CheckoutFlowError
from shared.checkout.finalize import CheckoutOutcome, OutcomeStatus, complete_paid, fail_attempt, finalize
from shared.checkout.shipping import DeliveryKind
from shared.db import Connection
from shared.db.repositories import orders as repo
from shared.db.repositories.storefront import get_storefront
from shared.db.stamps import new_id
from shared.inventory import InventoryError, InventoryErrorCode, check_holds, hold_stock, release_holds
from shared.inventory.models import stamp
from shared.models.money import Money
from shared.payments import PaymentError, PaymentErrorCode, PaymentResult, PaymentStatus, capture_method_for

log = logging.getLogger(__name__)


@dataclass
class _Run:
    """What the steps of one run share."""

    ctx: CheckoutContext
    attempt_id: str
    request: CheckoutRequest | None = None
    cart_id: str | None = None           # the cart whose checkout this is: its holds move to the attempt
    card: str = ""
    priced: PricedRequest | None = None
    total: Money | None = None
    result: PaymentResult | None = None
    outcome: CheckoutOutcome | None = None
    paid: bool = False                   # money taken: nothing may be undone any more
    claimed: bool = False                # this run moved the attempt to 'charging' (a double-click's
                                         # second run did not: it must not undo the first's holds)
    held_until: datetime | None = None
    capture: str = "automatic"           # "manual": authorize now, capture at pickup (store setting)
    log: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One named step and its compensation (None: nothing to undo)."""

    name: str
    run: Callable[[_Run], Awaitable[None]]
    undo: Callable[[_Run], Awaitable[None]] | None = None


async def _run_steps(steps: tuple[Step, ...], run: _Run) -> None:
    """Run the steps in order until one sets `run.outcome` or all are done; on a failure, undo the
    finished ones in reverse (unless money was taken) and re-raise."""
    done: list[Step] = []
    try:
        for step in steps:
            await step.run(run)
            run.log.append(step.name)
            done.append(step)
            if run.outcome is not None:
                return
    except BaseException:
        if not run.paid:
            for step in reversed(done):
                if step.undo is not None:
                    try:
                        await step.undo(run)
                    except Exception:  # noqa: BLE001 - one failed undo must not hide the cause
                        log.exception("checkout %s: undoing %s failed", run.attempt_id, step.name)
        raise


# --- the steps -------------------------------------------------------------------------------------

async def _hold_stock(run: _Run) -> None:
    """Price the request, hold its units for the TTL and record the attempt, in one write."""
    ctx, request = run.ctx, run.request
    assert request is not None
    now = ctx.clock()

    def write(conn: Connection) -> PricedRequest:
        priced = price_request(conn, ctx, request, now=now)
        if run.cart_id is not None:     # the cart's own hold gives way to the attempt's, in this write
            release_holds(conn, group_id=hold_group(run.cart_id))
        try:
            group = hold_stock(conn, group_id=run.attempt_id, lines=[(l.variant_id, l.quantity) for l in priced.quote.lines],
                               location_policy=priced.policy, now=now, ttl=ctx.ttl(priced.setup))
        except InventoryError as exc:
            raise _stock_error(exc, priced, run.attempt_id) from None
        run.held_until = group.expires_at
        repo.insert_attempt(conn, repo.AttemptRow(
            id=run.attempt_id, status="open", request=_stored_request(request, priced, run.cart_id, ctx.site_url),
            quote=priced.quote.to_json(),
            hold_group=run.attempt_id, payment_method=request.payment_method, payment_intent_id=None, order_id=None,
            error="", created_at=stamp(now), updated_at=stamp(now)))
        return priced

    run.priced = await ctx.db.run_write(write)


async def _release(run: _Run) -> None:
    """Undo of hold_stock: the units go back at once; the attempt is marked failed. Only an attempt
    this run owns: one still open, or one this run took to 'charging'."""
    def write(conn: Connection) -> None:
        attempt = repo.get_attempt(conn, attempt_id=run.attempt_id)
        if attempt is not None and (run.claimed or attempt.status == "open"):
            fail_attempt(conn, run.attempt_id, error="", now=run.ctx.clock())

    await run.ctx.db.run_write(write)


async def _requote_and_check(run: _Run) -> None:
    """Price again from the database (the shopper must pay what they saw, and what the database says),
    check the holds are still good (renewing them for the payment's window), mark the attempt charging."""
    ctx = run.ctx
    now = ctx.clock()

    def write(conn: Connection) -> Money:
        attempt = repo.get_attempt(conn, attempt_id=run.attempt_id)
        if attempt is None:
            raise CheckoutFlowError(CheckoutErrorCode.UNKNOWN_ATTEMPT, "This checkout has expired. Start again.")
        if attempt.status not in ("open",):
            raise CheckoutFlowError(CheckoutErrorCode.ATTEMPT_CLOSED, "This checkout was already paid or closed.",
                                    attempt_id=run.attempt_id)
        request = CheckoutRequest.from_json(attempt.request)
        priced = price_request(conn, ctx, request, now=now)
        if priced.quote.to_json()["total"] != attempt.quote["total"]:
            raise CheckoutFlowError(CheckoutErrorCode.QUOTE_CHANGED,
                                    "Prices changed since you started checking out. Review your order.")
        try:
            check = check_holds(conn, group_id=run.attempt_id, now=now, ttl=ctx.ttl(priced.setup))
        except InventoryError as exc:
            raise _stock_error(exc, priced, run.attempt_id) from None
        if not check.ok:
            raise _stock_error(InventoryError(InventoryErrorCode.OUT_OF_STOCK, "short", shortages=check.shortages),
                               priced, run.attempt_id)
        repo.update_attempt(conn, run.attempt_id, now=stamp(now), status="charging")
        run.request, run.priced, run.claimed = request, priced, True
        front = get_storefront(conn)
        run.capture = capture_method_for(front.settings if front else {},
                                         delivery_method=attempt.request.get("delivery", {}).get("method", ""))
        return priced.quote.total

    run.total = await ctx.db.run_write(write)


async def _charge(run: _Run) -> None:
    """Charge the quoted total once for the attempt (its id is the idempotency key)."""
    assert run.total is not None and run.request is not None
    try:
        provider = await run.ctx.provider(run.request.payment_method)
    except PaymentError as exc:         # not set up (no keys, no secrets key): nothing was charged
        raise _payment_error(exc) from None
    try:
        result = await provider.charge(run.total, payment_method=run.card or run.request.payment_method,
                                       idempotency_key=run.attempt_id, metadata={}, capture_method=run.capture)
    except PaymentError as exc:
        unknown = exc.intent_id
        if unknown:     # the outcome is unknown: finalize (webhook, retry) learns it later
            await run.ctx.db.run_write(lambda conn: repo.update_attempt(
                conn, run.attempt_id, now=stamp(run.ctx.clock()), payment_intent_id=unknown))
        raise _payment_error(exc) from None
    finally:
        await provider.aclose()
    run.result = result
    if result.intent_id:
        await run.ctx.db.run_write(lambda conn: repo.update_attempt(
            conn, run.attempt_id, now=stamp(run.ctx.clock()), payment_intent_id=result.intent_id))
    if result.status in (PaymentStatus.SUCCEEDED, PaymentStatus.AUTHORIZED, PaymentStatus.PAY_IN_STORE):
        run.paid = result.status in (PaymentStatus.SUCCEEDED, PaymentStatus.AUTHORIZED)
        return
    if result.status in (PaymentStatus.DECLINED, PaymentStatus.CANCELED):
        raise CheckoutFlowError(CheckoutErrorCode.PAYMENT_DECLINED,
                                result.message or "Your card was declined. Try another card.", field="payment",
                                attempt_id=run.attempt_id)
    # 3DS or still processing: the holds stay (renewed by the check) while the browser or Stripe finishes.
    status = "requires_action" if result.status is PaymentStatus.REQUIRES_ACTION else "charging"
    await run.ctx.db.run_write(lambda conn: repo.update_attempt(conn, run.attempt_id, now=stamp(run.ctx.clock()),
                                                                status=status))
    run.outcome = CheckoutOutcome(
        status=OutcomeStatus.REQUIRES_ACTION if status == "requires_action" else OutcomeStatus.PROCESSING,
        attempt_id=run.attempt_id, client_secret=result.client_secret, payment_intent_id=result.intent_id)


async def _complete(run: _Run) -> None:
    """finalize with the charge's answer (no second look-up): the order, the sale and the e-mails."""
    assert run.result is not None
    run.outcome = await complete_paid(run.ctx, attempt_id=run.attempt_id, result=run.result)


HOLD = Step("hold_stock", _hold_stock, _release)
REQUOTE = Step("requote_and_check", _requote_and_check)
CHARGE = Step("charge", _charge)
COMPLETE = Step("complete", _complete)


async def _held_earlier(run: _Run) -> None:
    """pay_checkout's first step: start_checkout held the units; only its undo is needed here."""


# The undo of hold_stock also runs when a later step of pay_checkout fails.
_PAY_STEPS = (Step("hold_stock", _held_earlier, _release), REQUOTE, CHARGE, COMPLETE)


# --- the services ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StartedCheckout:
    """A checkout with its units held: the attempt id (the payment's idempotency key), the quote the
    shopper sees and until when the units are held."""

    attempt_id: str
    quote: dict
    held_until: datetime | None


async def start_checkout(ctx: CheckoutContext, request: CheckoutRequest, *,
                         cart_id: str | None = None) -> StartedCheckout:
    """Price the request and hold its units for the store's hold time (taking over the units `hold_cart`
    held for `cart_id`). Raises CheckoutFlowError (BAD_EMAIL, EMPTY_CART, UNKNOWN_VARIANT,
    NO_SHIPPING_OPTION, OUT_OF_STOCK with `shortages`, PAYMENT_NOT_SET_UP); nothing changes then (the
    cart's hold stays)."""
    check_request(request)
    run = _Run(ctx, new_id(), request=request, cart_id=cart_id)
    await _run_steps((HOLD,), run)
    assert run.priced is not None
    return StartedCheckout(run.attempt_id, run.priced.quote.to_json(), run.held_until)


@dataclass(frozen=True)
class CartHold:
    """The cart's units held while its shopper fills in the checkout page, until `held_until`."""

    held_until: datetime | None


async def hold_cart(ctx: CheckoutContext, request: CheckoutRequest, *, cart_id: str) -> CartHold:
    """Hold the units of `request` (the cart's lines, from the stock its delivery choice takes) for the
    cart's checkout, until now + the store's hold time (`ctx.ttl`): on opening the page, and again each time the shopper
    is active on it (a re-hold replaces the group's holds and renews them). The request needs no
    e-mail yet. Raises CheckoutFlowError OUT_OF_STOCK naming what ran out (the earlier hold stays as it
    was), UNKNOWN_VARIANT, EMPTY_CART."""
    now = ctx.clock()

    def write(conn: Connection) -> CartHold:
        priced = price_request(conn, ctx, request, now=now, require_option=False)
        try:
            group = hold_stock(conn, group_id=hold_group(cart_id), lines=[(l.variant_id, l.quantity)
                                                                          for l in priced.quote.lines],
                               location_policy=priced.policy, now=now, ttl=ctx.ttl(priced.setup))
        except InventoryError as exc:
            raise _stock_error(exc, priced, "") from None
        return CartHold(group.expires_at)

    if not request.lines:
        raise CheckoutFlowError(CheckoutErrorCode.EMPTY_CART, "Your cart is empty.", field="lines")
    return await ctx.db.run_write(write)


async def check_attempt_cart(ctx: CheckoutContext, *, attempt_id: str, cart_id: str | None) -> None:
    """Refuse (UNKNOWN_ATTEMPT, as if there were none) an attempt started from another cart than the
    shopper's: knowing an attempt id is not enough to pay, confirm or cancel it."""
    attempt = await ctx.db.run_read(lambda conn: repo.get_attempt(conn, attempt_id=attempt_id))
    owner = attempt.request.get("cartId") if attempt is not None else None
    if attempt is None or (owner is not None and owner != cart_id):
        raise CheckoutFlowError(CheckoutErrorCode.UNKNOWN_ATTEMPT, "This checkout has expired. Start again.")


async def pay_checkout(ctx: CheckoutContext, *, attempt_id: str, card: str = "") -> CheckoutOutcome:
    """Pay a started checkout with `card` (the browser's pm_...; '' for pay in store): re-quote and
    check the holds, charge once (idempotency key = attempt id), then finalize. Returns COMPLETED
    with the order, or REQUIRES_ACTION (3DS: `client_secret` for the browser, then call finalize) /
    PROCESSING. Raises CheckoutFlowError (OUT_OF_STOCK, QUOTE_CHANGED, PAYMENT_DECLINED,
    PAYMENT_UNAVAILABLE, ATTEMPT_CLOSED, ...): no order, holds released. A retried call after a lost
    answer never charges twice."""
    existing = await ctx.db.run_read(lambda conn: repo.get_attempt(conn, attempt_id=attempt_id))
    if existing is None:
        raise CheckoutFlowError(CheckoutErrorCode.UNKNOWN_ATTEMPT, "This checkout has expired. Start again.")
    if existing.status != "open":       # a retried request: the attempt's own state answers it
        return await finalize(ctx, attempt_id=attempt_id)
    run = _Run(ctx, attempt_id, card=card)
    try:
        await _run_steps(_PAY_STEPS, run)
    except CheckoutFlowError as exc:
        if exc.code != CheckoutErrorCode.ATTEMPT_CLOSED:
            raise
        return await finalize(ctx, attempt_id=attempt_id)     # a concurrent request is paying it
    assert run.outcome is not None
    return run.outcome


async def place_order(ctx: CheckoutContext, request: CheckoutRequest, *, card: str = "") -> CheckoutOutcome:
    """start_checkout then pay_checkout in one call (see both)."""
    started = await start_checkout(ctx, request)
    return await pay_checkout(ctx, attempt_id=started.attempt_id, card=card)


# --- errors ---------------------------------------------------------------------------------------

def _stock_error(exc: InventoryError, priced: PricedRequest, attempt_id: str) -> CheckoutFlowError:
    """The shopper's message for a stock failure: what ran out, by name (at the pickup shop, when the
    order is picked up), and, at payment, that nothing was charged."""
    if exc.code == InventoryErrorCode.OUT_OF_STOCK:
        names = ", ".join(_title(priced, s.variant_id) + (f" (only {s.available} left)" if s.available else "")
                          for s in exc.shortages)
        shop = _pickup_name(priced)
        message = f"Not enough at {shop} for pickup: {names}." if shop else f"Sold out: {names}."
        return CheckoutFlowError(CheckoutErrorCode.OUT_OF_STOCK, message + (" Nothing was charged." if attempt_id else ""),
                                 field="lines", shortages=exc.shortages, attempt_id=attempt_id)
    if exc.code == InventoryErrorCode.UNKNOWN_VARIANT:
        return CheckoutFlowError(CheckoutErrorCode.UNKNOWN_VARIANT, "Some items are no longer for sale.", field="lines")
    if exc.code == InventoryErrorCode.NO_HOLDS:
        return CheckoutFlowError(CheckoutErrorCode.OUT_OF_STOCK, "Your items are no longer held. Start again.",
                                 field="lines", attempt_id=attempt_id)
    return CheckoutFlowError(CheckoutErrorCode.OUT_OF_STOCK, str(exc), field="lines", attempt_id=attempt_id)


def _pickup_name(priced: PricedRequest) -> str:
    option = priced.quote.shipping_option
    if option is None or option.kind != DeliveryKind.PICKUP:
        return ""
    return next((p.name for p in priced.setup.shipping.pickup if p.id == option.location_id), "")


def _title(priced: PricedRequest, variant_id: str) -> str:
    snap = priced.snapshots.get(variant_id)
    if snap is None:
        return variant_id
    return snap.product_title + (f" ({snap.variant_title})" if snap.variant_title not in ("", "Default") else "")


def _payment_error(exc: PaymentError) -> CheckoutFlowError:
    if exc.code == PaymentErrorCode.UNREACHABLE:
        return CheckoutFlowError(CheckoutErrorCode.PAYMENT_UNAVAILABLE, str(exc), field="payment")
    if exc.code in (PaymentErrorCode.NOT_CONFIGURED, PaymentErrorCode.SECRETS_KEY_MISSING,
                    PaymentErrorCode.SECRETS_KEY_WRONG, PaymentErrorCode.LIVE_KEY_TEST_HOST):
        return CheckoutFlowError(CheckoutErrorCode.PAYMENT_NOT_SET_UP,
                                 "Card payments are not available in this shop right now.", field="payment")
    if exc.code == PaymentErrorCode.INVALID:
        return CheckoutFlowError(CheckoutErrorCode.PAYMENT_DECLINED, "Enter your card details again.", field="payment")
    return CheckoutFlowError(CheckoutErrorCode.PAYMENT_UNAVAILABLE,
                             "The payment could not be made. Nothing was charged; try again.", field="payment")


def _stored_request(request: CheckoutRequest, priced: PricedRequest, cart_id: str | None, site_url: str) -> dict:
    """The request with each line's snapshot (titles, SKU), for the order made maybe in another process,
    the cart it was started from (only that cart may pay, confirm or cancel it) and the shop's address
    the shopper used (links made later, in the background, lead there)."""
    data = request.to_json()
    data["cartId"] = cart_id
    data["siteUrl"] = site_url
    data["snapshots"] = {v: {"title": s.product_title, "variantTitle": s.variant_title, "sku": s.sku,
                             "productId": s.product_id} for v, s in priced.snapshots.items()}
    data["delivery"] = _delivery(priced)
    return data


def _delivery(priced: PricedRequest) -> dict:
    option = priced.quote.shipping_option
    if option is None:
        return {"method": "none", "name": "No delivery", "pricesIncludeTax": priced.quote.prices_include_tax}
    out = {"method": str(option.kind), "optionId": option.id, "name": option.name, "estimate": option.estimate,
           "pricesIncludeTax": priced.quote.prices_include_tax}
    if option.location_id:
        location = next((p for p in priced.setup.shipping.pickup if p.id == option.location_id), None)
        if location is not None:
            out.update({"locationId": location.id, "locationName": location.name,
                        "locationAddress": location.address, "readyText": location.ready_text})
    return out


async def cancel_checkout(ctx: CheckoutContext, *, attempt_id: str) -> bool:
    """Give up a started checkout that was never charged (the shopper's card was refused before any
    charge, e.g. by confirmCardSetup): its holds are released at once. An attempt already charging,
    paid or closed is left alone. Returns whether it was cancelled."""
    def write(conn: Connection) -> bool:
        attempt = repo.get_attempt(conn, attempt_id=attempt_id)
        if attempt is None or attempt.status != "open":
            return False
        fail_attempt(conn, attempt_id, error="cancelled", now=ctx.clock())
        return True

    return await ctx.db.run_write(write)
