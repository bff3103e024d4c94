"""Stripe behind the seam, through the official `stripe` library (async calls over httpx).

Server-side confirmation, the flow that works against real Stripe and localstripe alike: a SetupIntent
gives the browser a client secret, `confirmCardSetup` turns the card into a pm_..., and `charge`
creates a PaymentIntent with it (confirm=false), RECORDS its id for the order attempt, then confirms
it. Why two steps: Stripe keeps Idempotency-Key answers for 24 h, but a compatible host may ignore the
key (localstripe does), so the guarantee "a lost answer never charges twice" is also ours:
- a lost answer to the create: retried with the same key; at worst the host makes a second,
  unconfirmed intent that nothing ever confirms (no money moves without a confirm);
- a lost answer to the confirm: before confirming again, the intent is re-read; only if it is still
  `requires_confirmation` is the confirm sent again (with the same key);
- a second `charge` for the attempt (a retry, a double-click) finds the recorded intent and reports
  it, or finishes confirming it: never a second intent.
The library's own retries are off (they would re-send without this check); timeouts are ours.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import stripe

from shared.db import Database
from shared.db.repositories import payments as repo
from shared.db.stamps import utc_now
from shared.models.money import Money
from shared.payments.errors import PaymentError, PaymentErrorCode
from shared.payments.models import ClientSetup, PaymentResult, PaymentStatus, StripeKeys
from shared.payments.provider import STRIPE
from shared.checkout.amounts import from_provider_amount, to_provider_amount
from shared.checkout.errors import ProviderAmountError

log = logging.getLogger(__name__)
STRIPE_JS = "https://js.stripe.com/v3/"
STORE_META = "vibeshop_store"        # metadata naming the store an intent belongs to
ATTEMPT_META = "vibeshop_attempt"    # metadata naming the order attempt (the idempotency key)
REFUND_META = "vibeshop_refund"      # metadata naming the order's refund (its idempotency key)
_CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action")
_PM_ID = re.compile(r"^pm_[A-Za-z0-9_]{1,200}$")
_PI_ID = re.compile(r"^pi_[A-Za-z0-9_]{1,200}$")
_KEY = re.compile(r"^[\x21-\x7e]{8,200}$")     # printable ASCII; Stripe allows 255 with our suffixes
_DECLINED = "Your card was declined. Try another card or another way to pay."
_LOST = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)   # no answer, or "try again"


@dataclass(frozen=True)
class StripeOptions:
    """How to reach Stripe. `api_base` points test mode at a Stripe-compatible host (localstripe);
    it is refused with live keys. `retries` more tries follow a lost answer, each after `retry_pause`."""

    api_base: str | None = None
    timeout: float = 20.0
    connect_timeout: float = 5.0
    retries: int = 2
    retry_pause: float = 0.3

    @property
    def js_url(self) -> str:
        """Where Stripe.js loads from: js.stripe.com, or the test host's copy."""
        return f"{self.api_base.rstrip('/')}/js.stripe.com/v3/" if self.api_base else STRIPE_JS


def new_http_client(options: StripeOptions) -> stripe.HTTPXClient:
    """An HTTP client for Stripe calls (the request timeouts of `options`); close it with `close_async`."""
    return stripe.HTTPXClient(timeout=httpx.Timeout(options.timeout, connect=options.connect_timeout))


class StripeProvider:
    """Card payments through Stripe for one store (see the module docstring for the guarantees)."""

    name = STRIPE

    def __init__(self, keys: StripeKeys, *, db: Database, store_id: str, options: StripeOptions | None = None,
                 http_client: stripe.HTTPXClient | None = None):
        """`http_client`: a long-lived client to share (`new_http_client`; its owner closes it), so
        that a checkout neither loads the CA bundle nor opens a new TLS connection to Stripe each time;
        None: one of the provider's own, closed by `aclose`."""
        self.options = options or StripeOptions()
        if self.options.api_base and keys.live:
            raise PaymentError(PaymentErrorCode.LIVE_KEY_TEST_HOST,
                               "live Stripe keys are only ever sent to Stripe itself, not to a test API host")
        self._db = db
        self._store_id = store_id
        self._publishable_key = keys.publishable_key
        self._owns_http = http_client is None
        self._http = http_client or new_http_client(self.options)
        base = {"api": self.options.api_base.rstrip("/")} if self.options.api_base else None
        self._client = stripe.StripeClient(keys.secret_key, base_addresses=base, http_client=self._http,
                                           max_network_retries=0)

    def __repr__(self) -> str:
        return f"StripeProvider(store_id={self._store_id!r}, api_base={self.options.api_base!r})"

    async def aclose(self) -> None:
        """Close the HTTP connections (unless the client is shared)."""
        if self._owns_http:
            await self._http.close_async()

    async def prepare(self, *, attempt_key: str) -> ClientSetup:
        """A SetupIntent for the page: `confirmCardSetup(client_secret, ...)` gives the pm_... to charge."""
        _check_key(attempt_key)
        params = {"usage": "on_session", "payment_method_types": ["card"],
                  "metadata": {STORE_META: self._store_id, ATTEMPT_META: attempt_key}}
        setup = await self._send(lambda: self._client.v1.setup_intents.create_async(
            params, {"idempotency_key": f"{attempt_key}:setup"}))
        return ClientSetup(provider=self.name, publishable_key=self._publishable_key,
                           client_secret=setup["client_secret"], js_url=self.options.js_url)

    async def charge(self, amount: Money, *, payment_method: str, idempotency_key: str,
                     metadata: Mapping[str, str], capture_method: str = "automatic") -> PaymentResult:
        """Charge `amount` to `payment_method` once for the order attempt `idempotency_key`;
        capture_method="manual" only holds it (AUTHORIZED: `capture` at pickup, `cancel` to release).

        Returns SUCCEEDED, REQUIRES_ACTION (3DS), PROCESSING or DECLINED. Raises PaymentError:
        INVALID (bad id, key or metadata), AMOUNT_NOT_CHARGEABLE, ATTEMPT_REUSED (the key was used
        with another amount or card), PROVIDER_REFUSED, UNREACHABLE (`intent_id` None: nothing was
        charged; set: the confirm's outcome is unknown, ask `retrieve` later or await the webhook)."""
        if not isinstance(payment_method, str) or not _PM_ID.match(payment_method):
            raise PaymentError(PaymentErrorCode.INVALID, "the payment method must be a Stripe pm_... id")
        _check_key(idempotency_key)
        meta = _check_metadata(metadata)
        if capture_method not in ("automatic", "manual"):
            raise PaymentError(PaymentErrorCode.INVALID, "capture_method is automatic or manual")
        try:
            stripe_amount = to_provider_amount(amount)
        except ProviderAmountError as exc:
            raise PaymentError(PaymentErrorCode.AMOUNT_NOT_CHARGEABLE, str(exc)) from None
        attempt = await self._db.run_read(lambda conn: repo.get_attempt(conn, idempotency_key))
        if attempt is None:
            params = {"amount": stripe_amount, "currency": amount.currency.lower(), "payment_method": payment_method,
                      "payment_method_types": ["card"], "confirm": False, "capture_method": capture_method,
                      "metadata": {**meta, STORE_META: self._store_id, ATTEMPT_META: idempotency_key}}
            intent = await self._send(lambda: self._client.v1.payment_intents.create_async(
                params, {"idempotency_key": f"{idempotency_key}:create"}))
            attempt = await self._record(idempotency_key, intent["id"], amount, payment_method)
            if attempt.intent_id != intent["id"]:      # a concurrent call for the attempt recorded first
                intent = await self._fetch(attempt.intent_id)
        else:
            if (attempt.amount, attempt.currency, attempt.payment_method) != (amount.amount, amount.currency,
                                                                              payment_method):
                raise PaymentError(PaymentErrorCode.ATTEMPT_REUSED,
                                   "this order attempt was already paid with another amount or card: start a new attempt",
                                   intent_id=attempt.intent_id)
            intent = await self._fetch(attempt.intent_id)
        if intent["status"] == "requires_confirmation":
            intent = await self._confirm(intent["id"], idempotency_key)
        return _result(intent)

    async def retrieve(self, intent_id: str) -> PaymentResult:
        """Where this store's PaymentIntent stands now. Raises PaymentError(INVALID) for a malformed id,
        (FOREIGN_STORE) for another store's intent, (UNREACHABLE), (PROVIDER_REFUSED) for an unknown one."""
        if not isinstance(intent_id, str) or not _PI_ID.match(intent_id):
            raise PaymentError(PaymentErrorCode.INVALID, "not a PaymentIntent id")
        return _result(await self._fetch(intent_id))

    async def refund(self, intent_id: str, *, amount: Money | None = None, idempotency_key: str) -> str:
        """Refund `amount` (None: what is left) of this store's payment once per `idempotency_key` (the
        order's refund id); returns Stripe's re_... id. The key goes with the request AND into the
        refund's metadata: before creating, and after a lost answer, the payment's refunds are listed
        and one carrying the key is the answer, so a retry never refunds twice even on a host that
        ignores Idempotency-Key. Raises PaymentError: INVALID, FOREIGN_STORE, AMOUNT_NOT_CHARGEABLE,
        PROVIDER_REFUSED (Stripe's reason: more than is left, a failed payment), UNREACHABLE (the outcome
        is unknown: call again with the same key)."""
        _check_id(intent_id)
        _check_key(idempotency_key)
        await self._fetch(intent_id)                        # this store's, or FOREIGN_STORE
        params: dict[str, Any] = {"payment_intent": intent_id, "metadata": {STORE_META: self._store_id,
                                                                            REFUND_META: idempotency_key}}
        if amount is not None:
            params["amount"] = _provider_amount(amount)
        for attempt in range(self.options.retries + 1):
            found = await self._refund_with_key(intent_id, idempotency_key)
            if found is not None:
                return found
            try:
                created = await self._client.v1.refunds.create_async(params, {"idempotency_key": f"{idempotency_key}:refund"})
                return created.id
            except _LOST as exc:
                log.warning("no answer refunding %s (try %d): %s", intent_id, attempt + 1, type(exc).__name__)
                await asyncio.sleep(self.options.retry_pause)
            except stripe.StripeError as exc:
                raise _refused(exc, intent_id) from exc
        found = await self._refund_with_key(intent_id, idempotency_key)
        if found is not None:
            return found
        raise PaymentError(PaymentErrorCode.UNREACHABLE, "The payment service stopped answering while refunding: "
                           "try again (the same refund is never made twice).", intent_id=intent_id)

    async def capture(self, intent_id: str, *, amount: Money | None = None, idempotency_key: str) -> PaymentResult:
        """Take an authorized payment (`amount` at most what was held; None: all of it). Idempotent: a
        payment captured already (a retry, a lost answer) is reported as it is. Raises PaymentError:
        INVALID, FOREIGN_STORE, PROVIDER_REFUSED (not capturable: canceled, expired), UNREACHABLE."""
        _check_id(intent_id)
        _check_key(idempotency_key)
        params = {} if amount is None else {"amount_to_capture": _provider_amount(amount)}
        return await self._move(intent_id, "requires_capture", lambda: self._client.v1.payment_intents.capture_async(
            intent_id, params, {"idempotency_key": f"{idempotency_key}:capture"}))

    async def cancel(self, intent_id: str, *, idempotency_key: str) -> PaymentResult:
        """Release a payment not taken yet (void an authorization). Idempotent: a canceled one is
        reported as it is. Raises PaymentError: INVALID, FOREIGN_STORE, PROVIDER_REFUSED (the money was
        taken already: refund it instead), UNREACHABLE."""
        _check_id(intent_id)
        _check_key(idempotency_key)
        return await self._move(intent_id, "cancelable", lambda: self._client.v1.payment_intents.cancel_async(
            intent_id, None, {"idempotency_key": f"{idempotency_key}:cancel"}))

    # --- the steps -------------------------------------------------------------------------------

    async def _move(self, intent_id: str, wanted: str, call: Callable[[], Awaitable[stripe.StripeObject]]) -> PaymentResult:
        """Capture or cancel: send `call` only while the intent is in the `wanted` state (re-read after
        a lost answer), so a retry reports the outcome instead of failing on a done intent."""
        for attempt in range(self.options.retries + 1):
            intent = await self._fetch(intent_id)
            ready = (intent["status"] in _CANCELABLE) if wanted == "cancelable" else intent["status"] == wanted
            if not ready:
                if intent["status"] == ("canceled" if wanted == "cancelable" else "succeeded"):
                    return _result(intent)                 # done already (a retry, a lost answer)
                state = {"succeeded": "taken already: refund it instead", "canceled": "canceled"}.get(
                    intent["status"], intent["status"].replace("_", " "))
                raise PaymentError(PaymentErrorCode.PROVIDER_REFUSED, f"the payment is {state}", intent_id=intent_id)
            try:
                return _result((await call()).to_dict())
            except _LOST as exc:
                log.warning("no answer moving %s (try %d): %s", intent_id, attempt + 1, type(exc).__name__)
                await asyncio.sleep(self.options.retry_pause)
            except stripe.StripeError as exc:
                raise _refused(exc, intent_id) from exc
        raise PaymentError(PaymentErrorCode.UNREACHABLE, "The payment service stopped answering: try again.",
                           intent_id=intent_id)

    async def _refund_with_key(self, intent_id: str, key: str) -> str | None:
        """The id of this payment's refund made with our key, if any."""
        listed = await self._send(lambda: self._client.v1.refunds.list_async({"payment_intent": intent_id, "limit": 100}),
                                  unreachable="The payment service cannot be reached to check the refunds: try again.",
                                  intent_id=intent_id)
        for refund in listed.get("data", []):
            if (refund.get("metadata") or {}).get(REFUND_META) == key and refund.get("status") != "failed":
                return str(refund["id"])
        return None

    async def _record(self, key: str, intent_id: str, amount: Money, payment_method: str) -> repo.PaymentAttemptRow:
        row = repo.PaymentAttemptRow(attempt_key=key, provider=self.name, intent_id=intent_id, amount=amount.amount,
                                     currency=amount.currency, payment_method=payment_method, created_at=utc_now())
        return await self._db.run_write(lambda conn: repo.insert_attempt(conn, row))

    async def _fetch(self, intent_id: str) -> dict[str, Any]:
        intent = await self._send(lambda: self._client.v1.payment_intents.retrieve_async(intent_id),
                                  unreachable=_NO_CHECK, intent_id=intent_id)
        if (intent.get("metadata") or {}).get(STORE_META) != self._store_id:
            raise PaymentError(PaymentErrorCode.FOREIGN_STORE, "this payment belongs to another store")
        return intent

    async def _confirm(self, intent_id: str, key: str) -> dict[str, Any]:
        """Confirm once: after a lost answer, re-read before confirming again (see module docstring)."""
        for attempt in range(self.options.retries + 1):
            try:
                confirmed = await self._client.v1.payment_intents.confirm_async(
                    intent_id, None, {"idempotency_key": f"{key}:confirm"})
                return confirmed.to_dict()
            except stripe.CardError as exc:
                log.info("payment %s declined: %s", intent_id, exc.code)
                return await self._fetch(intent_id)
            except _LOST as exc:
                log.warning("no answer confirming %s (try %d): %s", intent_id, attempt + 1, type(exc).__name__)
                await asyncio.sleep(self.options.retry_pause)
                intent = await self._fetch(intent_id)
                if intent["status"] != "requires_confirmation":
                    return intent
            except stripe.StripeError as exc:
                # A concurrent confirm for the attempt (Stripe: 409 on the key; a host without keys:
                # 400, no longer confirmable), or a send whose answer was lost: the intent tells.
                intent = await self._fetch(intent_id)
                if intent["status"] != "requires_confirmation":
                    return intent
                raise _refused(exc, intent_id) from exc
        raise PaymentError(PaymentErrorCode.UNREACHABLE, _UNKNOWN, intent_id=intent_id)

    async def _send(self, call: Callable[[], Awaitable[stripe.StripeObject]], *, unreachable: str = "",
                    intent_id: str | None = None) -> dict[str, Any]:
        """One call that moves no money (create unconfirmed, retrieve, setup), retried after a lost
        answer; the answer as plain dicts. Without an answer: PaymentError(UNREACHABLE, `unreachable`)
        naming `intent_id` (None: nothing was charged)."""
        for attempt in range(self.options.retries + 1):
            try:
                return (await call()).to_dict()
            except stripe.StripeError as exc:
                if not isinstance(exc, _LOST):
                    raise _refused(exc, None) from exc
                log.warning("no answer from Stripe (try %d): %s", attempt + 1, type(exc).__name__)
                if attempt < self.options.retries:
                    await asyncio.sleep(self.options.retry_pause)
        raise PaymentError(PaymentErrorCode.UNREACHABLE, unreachable or _NOTHING_CHARGED, intent_id=intent_id)


_NOTHING_CHARGED = "The payment service cannot be reached right now; nothing was charged. Try again in a moment."
_NO_CHECK = ("The payment service cannot be reached right now to check your payment. Do not pay again: "
             "we will confirm the outcome shortly.")
_UNKNOWN = ("The payment service stopped answering while confirming your payment. Do not pay again: "
            "we will confirm the outcome shortly.")


def _refused(exc: stripe.StripeError, intent_id: str | None) -> PaymentError:
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        message = "the store's Stripe key was refused: check the payment settings"
    else:
        message = exc.user_message or "the payment service refused the request"
    return PaymentError(PaymentErrorCode.PROVIDER_REFUSED, message, intent_id=intent_id)


def _result(intent: dict[str, Any]) -> PaymentResult:
    """Our PaymentResult for a Stripe PaymentIntent."""
    status = intent["status"]
    meta = {str(k): str(v) for k, v in (intent.get("metadata") or {}).items()}
    try:
        amount = from_provider_amount(intent["amount"], intent["currency"])
    except ProviderAmountError as exc:      # not a whole number of ISO minor units: no amount to trust
        raise PaymentError(PaymentErrorCode.INVALID, f"the payment's amount cannot be read: {exc}") from None
    common = {"provider": STRIPE, "intent_id": intent["id"], "amount": amount, "metadata": meta}
    if status == "succeeded":
        return PaymentResult(status=PaymentStatus.SUCCEEDED, **common)
    if status == "requires_action":
        return PaymentResult(status=PaymentStatus.REQUIRES_ACTION, client_secret=intent["client_secret"], **common)
    if status == "canceled":
        return PaymentResult(status=PaymentStatus.CANCELED, **common)
    if status == "requires_capture":
        return PaymentResult(status=PaymentStatus.AUTHORIZED, **common)
    error = intent.get("last_payment_error")
    if status == "requires_payment_method" and error:
        code = error.get("decline_code") or error.get("code") or ""
        return PaymentResult(status=PaymentStatus.DECLINED, message=error.get("message") or _DECLINED,
                             decline_code=code, **common)
    # processing, requires_confirmation: not final yet; the webhook or a later
    # `retrieve` tells. A requires_payment_method without an error was never tried.
    return PaymentResult(status=PaymentStatus.PROCESSING, **common)


def _check_id(intent_id: str) -> None:
    if not isinstance(intent_id, str) or not _PI_ID.match(intent_id):
        raise PaymentError(PaymentErrorCode.INVALID, "not a PaymentIntent id")


def _provider_amount(amount: Money) -> int:
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise PaymentError(PaymentErrorCode.INVALID, "the amount must be Money above zero")
    try:
        return to_provider_amount(amount)
    except ProviderAmountError as exc:
        raise PaymentError(PaymentErrorCode.AMOUNT_NOT_CHARGEABLE, str(exc)) from None


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not _KEY.match(key):
        raise PaymentError(PaymentErrorCode.INVALID, "an idempotency key is 8 to 200 printable ASCII characters")


def _check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Stripe's limits: 50 keys of up to 40 characters, values up to 500; ours are reserved."""
    meta = dict(metadata or {})
    if len(meta) > 40:
        raise PaymentError(PaymentErrorCode.INVALID, "at most 40 metadata entries")
    for key, value in meta.items():
        if (not isinstance(key, str) or not 0 < len(key) <= 40 or key in (STORE_META, ATTEMPT_META)
                or not isinstance(value, str) or len(value) > 500):
            raise PaymentError(PaymentErrorCode.INVALID, f"metadata {key!r} is not allowed")
    return meta
