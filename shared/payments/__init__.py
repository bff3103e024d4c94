"""Payments: the provider seam (Stripe, pay in store), the store's sealed Stripe keys, webhooks in.

Public API (see docs/payments.md):
- `provider_for(db, store_id=..., method="stripe"|"pay_in_store", box=..., options=StripeOptions(...))`
  -> PaymentProvider with `prepare`, `charge`, `retrieve` (async); `open_provider` the same from async
  code (keys read off the event loop; a shared `new_http_client` for Stripe calls);
- `set_stripe_keys`, `stripe_settings` (masked), `remove_stripe_keys`, `load_stripe_keys`;
- `accept_webhook` -> WebhookEvent | None, `finish_webhook`;
- `secrets_box_from_env` (VIBESHOP_SECRETS_KEY). Amounts go through the checkout's one conversion,
  `shared.checkout.amounts.to_provider_amount` / `from_provider_amount` (Stripe's rules, UGX/ISK cases).
"""

from shared.payments.errors import PaymentError, PaymentErrorCode
from shared.payments.models import (ClientSetup, PaymentResult, PaymentStatus, StripeKeys, StripeSettings, WebhookEvent,
                                    WebhookKind, mask_key)
from shared.payments.provider import PAY_IN_STORE, PROVIDERS, STRIPE, PaymentProvider, PayInStoreProvider
from shared.payments.secrets import DEMO_SECRETS_KEY, ENV_VAR, SecretBox, secrets_box_from_env
from shared.payments.service import (CAPTURE_AT_PICKUP, capture_method_for, check_stripe_keys, load_stripe_keys, open_provider, provider_for,
                                     remove_stripe_keys, set_stripe_keys, stripe_settings)
from shared.payments.stripe_provider import StripeOptions, StripeProvider, new_http_client
from shared.payments.webhooks import accept_webhook, finish_webhook

__all__ = [
    "CAPTURE_AT_PICKUP", "PAY_IN_STORE", "PROVIDERS", "STRIPE", "DEMO_SECRETS_KEY", "ENV_VAR", "capture_method_for",
    "ClientSetup", "PayInStoreProvider", "PaymentError", "PaymentErrorCode", "PaymentProvider", "PaymentResult",
    "PaymentStatus", "SecretBox", "StripeKeys", "StripeOptions", "StripeProvider", "StripeSettings",
    "WebhookEvent", "WebhookKind", "accept_webhook", "check_stripe_keys", "finish_webhook",
    "load_stripe_keys", "mask_key", "new_http_client", "open_provider", "provider_for", "remove_stripe_keys", "secrets_box_from_env",
    "set_stripe_keys", "stripe_settings",
]
