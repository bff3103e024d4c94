"""Customers: shoppers known by e-mail, made by an order (`customer_for_order` in finalize's write) or a
sign-in; their accounts (passwordless sign-in by e-mailed code, sessions), saved addresses, marketing
consent with its history, and the privacy requests (export, erase). See docs/accounts.md.

Public API:
- `customer_for_order(conn, email=..., name=..., now=...) -> id` inside the order's write;
- `saved_addresses(conn, customer_id)` for the checkout to prefill; `add_address`, `remove_address`,
  `make_default_address`;
- `request_sign_in_code(db, email=..., client=..., branding=...)`, `verify_sign_in_code(db, token=...,
  code=..., cart_token=...)`, `session_customer(db, token)`, `sign_out`, `sign_out_everywhere`;
- `list_customers`, `get_customer`, `customer_detail`, `export_customer`, `erase_customer`,
  `set_marketing_consent`, `record_consent` (by e-mail, in the caller's write: checkout box, unsubscribe
  link), `consent_history`, `subscribe` (the newsletter form).
Customers live only in the cloud's live store database: never synced, never in a device snapshot."""

from shared.customers.errors import CustomerError, CustomerErrorCode
from shared.customers.models import (ConsentEvent, ConsentSource, Customer, CustomerPage, SavedAddress, SignedIn,
                                     SignInStarted)
from shared.customers.service import (add_address, clean_email, consent_history, customer_detail, customer_for_order,
                                      erase_customer, export_customer, get_customer, list_customers,
                                      make_default_address, record_consent, remove_address, saved_addresses,
                                      set_marketing_consent, subscribe)
from shared.customers.signin import (request_sign_in_code, session_customer, sign_out, sign_out_everywhere,
                                     verify_sign_in_code)

__all__ = [
    "ConsentEvent", "ConsentSource", "Customer", "CustomerError", "CustomerErrorCode", "CustomerPage", "SavedAddress",
    "SignInStarted", "SignedIn", "add_address", "clean_email", "consent_history", "customer_detail",
    "customer_for_order", "erase_customer", "export_customer", "get_customer", "list_customers",
    "make_default_address", "record_consent", "remove_address", "request_sign_in_code", "saved_addresses",
    "session_customer",
    "set_marketing_consent", "sign_out", "sign_out_everywhere", "subscribe", "verify_sign_in_code",
]
