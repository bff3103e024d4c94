"""localstripe fixtures for the checkout page's tests (tests/support_checkout.py)."""

from support_checkout import localstripe, localstripe_process  # noqa: F401 - fixtures for this folder
