"""The customers domain's dataclasses: a customer, their saved addresses, their consent history, and
what sign-in hands back. `to_json` gives the admin API's (and the data export's) camelCase shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.models.money import Money

CODE_TTL_SECONDS = 600          # a sign-in code lives 10 minutes
CODE_TRIES = 5                  # and allows 5 tries
CODES_PER_EMAIL = 5             # codes asked for one e-mail per CODE_WINDOW
CODES_PER_CLIENT = 20           # codes asked from one client address per CODE_WINDOW
CODE_WINDOW_SECONDS = 3600
SESSION_DAYS = 30               # a session lives 30 days after its last use


class ConsentSource:
    """Where a change of marketing consent came from (recorded with it)."""

    CHECKOUT = "checkout"
    ACCOUNT = "account"
    NEWSLETTER_FORM = "newsletter_form"
    ADMIN = "admin"
    UNSUBSCRIBE_LINK = "unsubscribe_link"


@dataclass(frozen=True)
class ConsentEvent:
    """One change of marketing consent: given or withdrawn, when, and where."""

    consented: bool
    source: str
    at: str

    def to_json(self) -> dict[str, Any]:
        """The export's shape."""
        return {"consented": self.consented, "source": self.source, "at": self.at}


@dataclass(frozen=True)
class SavedAddress:
    """A saved address: the checkout's fields (name, company_name, street_address, city, city_area,
    postal_code, country_area, country_code, sorting_code, phone), normalised."""

    id: str
    address: dict[str, str]
    is_default: bool
    created_at: str

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape (the fields keep the checkout's snake_case names)."""
        return {"id": self.id, "address": dict(self.address), "isDefault": self.is_default,
                "createdAt": self.created_at}


@dataclass(frozen=True)
class Customer:
    """A shopper known by e-mail: made by an order or a sign-in. `orders_count` and `total_spent` (the
    paid orders' totals in the store's currency) come with the admin list and detail."""

    id: str
    email: str
    name: str
    phone: str
    accepts_marketing: bool
    created_at: str
    updated_at: str = ""
    verified_at: str | None = None
    orders_count: int = 0
    total_spent: Money | None = None

    def to_json(self) -> dict[str, Any]:
        """The admin API's list shape."""
        return {"id": self.id, "email": self.email, "name": self.name, "phone": self.phone,
                "ordersCount": self.orders_count,
                "totalSpent": self.total_spent.to_json() if self.total_spent else None,
                "marketingConsent": self.accepts_marketing, "createdAt": self.created_at,
                "verifiedAt": self.verified_at}


@dataclass(frozen=True)
class CustomerPage:
    """One page of `list_customers`, newest first; `next_before` is the cursor for the next page."""

    customers: tuple[Customer, ...]
    next_before: str | None


@dataclass(frozen=True)
class SignInStarted:
    """What asking for a code gives the browser: the pending sign-in's token (a cookie). The same shape
    whether or not the e-mail has an account."""

    token: str = field(repr=False)
    expires_at: str


@dataclass(frozen=True)
class SignedIn:
    """A verified sign-in: the customer, the new session's token (the cookie) and the cart token the
    browser should now hold (None: leave its cart cookie alone)."""

    customer: Customer
    session_token: str = field(repr=False)
    session_expires_at: str
    cart_token: str | None = field(default=None, repr=False)
    created: bool = False
