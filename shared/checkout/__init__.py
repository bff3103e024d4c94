"""Checkout pricing: tax, shipping, discounts, one rounding rule, totals, and the payment provider's
amount rules (docs/checkout.md). Pure functions over frozen dataclasses; no I/O.

The public API, in the order a checkout uses it:
- setup dataclasses (`CheckoutSetup`, `TaxSetup`, `ShippingSetup`, `Discount`, ...) and
  `validate_setup` / `find_setup_problems` for what the merchant authors, `setup_from_json` /
  `setup_to_json` for its stored form;
- `normalize_shipping_address` / `address_form` for the shopper's address (Google's rules, offline);
- `quote_order(setup, lines=..., destination=..., now=..., charge_step=charge_step(currency))` -> Quote;
- `to_provider_amount(quote.total)` / `check_chargeable` at the payment seam.
"""

from shared.checkout.addresses import AddressForm, ShippingAddress, address_form, normalize_shipping_address
from shared.checkout.amounts import (
    PAY_IN_STORE, STRIPE, AmountRules, charge_step, check_chargeable, from_provider_amount, to_provider_amount)
from shared.checkout.discounts import CodeProblem, CodeProblemCode
from shared.checkout.errors import (
    AddressError, CheckoutError, CheckoutErrorCode, FieldProblem, ProviderAmountError, SetupError)
from shared.checkout.quote import AppliedDiscount, PricedLine, Quote, QuoteLine, quote_order
from shared.checkout.setup import (
    CheckoutSetup, Discount, DiscountKind, DiscountMethod, DiscountUsage, LocalDelivery, PickupLocation,
    RateKind, RateTier, ShippingRate, ShippingSetup, ShippingZone, TaxRate, TaxSetup, ZoneArea)
from shared.checkout.shipping import DeliveryKind, Destination, ShippingOption
from shared.checkout.setup_json import setup_from_json, setup_to_json
from shared.checkout.validation import find_setup_problems, validate_setup

__all__ = [
    "AddressError", "AddressForm", "AmountRules", "AppliedDiscount", "CheckoutError", "CheckoutErrorCode",
    "CheckoutSetup", "CodeProblem", "CodeProblemCode", "DeliveryKind", "Destination", "Discount",
    "DiscountKind", "DiscountMethod", "DiscountUsage", "FieldProblem", "LocalDelivery", "PAY_IN_STORE",
    "PickupLocation", "PricedLine", "ProviderAmountError", "Quote", "QuoteLine", "RateKind", "RateTier",
    "STRIPE", "SetupError", "ShippingAddress", "ShippingOption", "ShippingRate", "ShippingSetup",
    "ShippingZone", "TaxRate", "TaxSetup", "ZoneArea", "address_form", "charge_step", "check_chargeable",
    "find_setup_problems", "from_provider_amount", "normalize_shipping_address", "quote_order",
    "setup_from_json", "setup_to_json", "to_provider_amount", "validate_setup",
]
