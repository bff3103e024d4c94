"""The checkout fixtures (tests/support_checkout.py): localstripe on loopback and a shop to buy in."""

from support_checkout import localstripe, localstripe_process, shop  # noqa: F401 - fixtures for this folder
