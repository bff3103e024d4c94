"""The oversold rule's fixtures: the checkout's shop (tests/support_checkout.py) with localstripe."""

from support_checkout import shop  # noqa: F401 - a fixture for this folder (localstripe: tests/conftest.py)
