"""The checkout fixtures (tests/support_checkout.py): localstripe on loopback and a shop to buy in."""

from support_checkout import shop  # noqa: F401 - a fixture for this folder (localstripe: tests/conftest.py)
