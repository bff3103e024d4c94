"""The store's payment connection: setting the Stripe keys (sealed at rest), showing them masked, and
choosing the provider for a checkout. Keys live only in the cloud's live store database
(`stripe_credentials`, never synced, never in a snapshot) and in memory while a request uses them."""

from __future__ import annotations

import re
from typing import Any

from shared.db import Database
from shared.db.repositories import payments as repo
from shared.db.stamps import utc_now
from shared.payments.errors import PaymentError, PaymentErrorCode
from shared.payments.models import StripeKeys, StripeSettings, mask_key
from shared.payments.provider import PAY_IN_STORE, STRIPE, PaymentProvider, PayInStoreProvider
from shared.payments.secrets import SecretBox
from shared.payments.stripe_provider import StripeOptions, StripeProvider

_SECRET = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9_]{4,250}$")
_PUBLISHABLE = re.compile(r"^pk_(test|live)_[A-Za-z0-9_]{4,250}$")
_WEBHOOK = re.compile(r"^whsec_[A-Za-z0-9_+/=]{4,250}$")
_FIELDS = ("secret_key", "publishable_key", "webhook_secret")


def _context(store_id: str, field: str) -> str:
    return f"vibeshop:{store_id}:stripe:{field}"


def check_stripe_keys(keys: StripeKeys) -> str:
    """The keys' mode ('test' or 'live') if they are well-formed and of one mode.

    Raises PaymentError(INVALID) naming the bad key, never echoing it."""
    secret = _SECRET.match(keys.secret_key or "")
    public = _PUBLISHABLE.match(keys.publishable_key or "")
    if not secret:
        raise PaymentError(PaymentErrorCode.INVALID, "the secret key must look like sk_test_... or sk_live_...")
    if not public:
        raise PaymentError(PaymentErrorCode.INVALID, "the publishable key must look like pk_test_... or pk_live_...")
    if secret[2] != public[1]:
        raise PaymentError(PaymentErrorCode.INVALID, "the secret and publishable keys must both be test or both live keys")
    if keys.webhook_secret and not _WEBHOOK.match(keys.webhook_secret):
        raise PaymentError(PaymentErrorCode.INVALID, "the webhook signing secret must look like whsec_...")
    return secret[2]


def set_stripe_keys(db: Database, *, store_id: str, keys: StripeKeys, box: SecretBox) -> StripeSettings:
    """Store the store's Stripe keys sealed (replacing any), and return them as shown: masked.

    Raises PaymentError(INVALID) for malformed or mixed-mode keys; nothing is written then."""
    mode = check_stripe_keys(keys)
    sealed = {f: box.seal(getattr(keys, f), context=_context(store_id, f)) if getattr(keys, f) else ""
              for f in _FIELDS}
    row = repo.SealedStripeCredentials(
        mode=mode, secret_key_sealed=sealed["secret_key"], publishable_key_sealed=sealed["publishable_key"],
        webhook_secret_sealed=sealed["webhook_secret"], secret_key_hint=mask_key(keys.secret_key),
        publishable_key_hint=mask_key(keys.publishable_key), webhook_secret_hint=mask_key(keys.webhook_secret),
        updated_at=utc_now())
    db.write(lambda conn: repo.put_stripe_credentials(conn, row))
    return _settings(row)


def remove_stripe_keys(db: Database) -> bool:
    """Forget the store's Stripe keys (card payments stop); True if there were some."""
    return db.write(repo.delete_stripe_credentials)


def stripe_settings(db: Database) -> StripeSettings:
    """The store's Stripe connection as the merchant may see it: masked keys, mode, when set."""
    row = db.read(repo.get_stripe_credentials)
    return StripeSettings(configured=False) if row is None else _settings(row)


def load_stripe_keys(db: Database, *, store_id: str, box: SecretBox) -> StripeKeys:
    """The store's Stripe keys in clear, for a provider or webhook check (keep them in memory only).

    Raises PaymentError(NOT_CONFIGURED) when none are set, (SECRETS_KEY_WRONG) when they do not open."""
    row = db.read(repo.get_stripe_credentials)
    if row is None:
        raise PaymentError(PaymentErrorCode.NOT_CONFIGURED, "card payments are not set up for this store")
    opened = {f: box.open(getattr(row, f"{f}_sealed"), context=_context(store_id, f)) if getattr(row, f"{f}_sealed")
              else "" for f in _FIELDS}
    return StripeKeys(**opened)


def provider_for(db: Database, *, store_id: str, method: str, box: SecretBox | None = None,
                 options: StripeOptions | None = None) -> PaymentProvider:
    """The provider for a checkout's payment method: 'stripe' (the store's keys, `options.api_base`
    for a test host) or 'pay_in_store'. Close it with `await provider.aclose()`.

    Raises PaymentError(INVALID) for another method, (NOT_CONFIGURED) without Stripe keys,
    (SECRETS_KEY_MISSING/WRONG), (LIVE_KEY_TEST_HOST) for live keys with a test host."""
    if method == PAY_IN_STORE:
        return PayInStoreProvider()
    if method != STRIPE:
        raise PaymentError(PaymentErrorCode.INVALID, f"payment method must be one of {STRIPE}, {PAY_IN_STORE}")
    if box is None:
        raise PaymentError(PaymentErrorCode.SECRETS_KEY_MISSING, "card payments need the deployment's secrets key")
    keys = load_stripe_keys(db, store_id=store_id, box=box)
    return StripeProvider(keys, db=db, store_id=store_id, options=options)


async def open_provider(db: Database, *, store_id: str, method: str, box: SecretBox | None = None,
                        options: StripeOptions | None = None, http_client: Any = None) -> PaymentProvider:
    """provider_for from async code: the keys are read on the database's reader thread (never on the
    event loop), and Stripe calls go through `http_client` when one is shared (a stripe.HTTPXClient the
    caller owns and closes). Raises like provider_for."""
    if method != STRIPE:
        return provider_for(db, store_id=store_id, method=method, box=box, options=options)
    if box is None:
        raise PaymentError(PaymentErrorCode.SECRETS_KEY_MISSING, "card payments need the deployment's secrets key")
    keys = await db.call_read(load_stripe_keys, db, store_id=store_id, box=box)
    return StripeProvider(keys, db=db, store_id=store_id, options=options, http_client=http_client)


def _settings(row: repo.SealedStripeCredentials) -> StripeSettings:
    return StripeSettings(configured=True, mode=row.mode, secret_key=row.secret_key_hint,
                          publishable_key=row.publishable_key_hint, webhook_secret=row.webhook_secret_hint,
                          updated_at=row.updated_at)


#: The store setting (a key of the storefront's settings) "capture at pickup": card payments of pickup
#: orders are only authorized at checkout and captured when the order is picked up.
CAPTURE_AT_PICKUP = "capture_at_pickup"


def capture_method_for(settings: Any, *, delivery_method: str) -> str:
    """"manual" for a pickup order of a store with the capture-at-pickup setting on, else
    "automatic": what checkout passes to `charge(..., capture_method=...)`."""
    on = isinstance(settings, dict) and settings.get(CAPTURE_AT_PICKUP) is True
    return "manual" if on and delivery_method == "pickup" else "automatic"
