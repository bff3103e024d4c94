"""The order lifecycle's fixtures: the checkout's shop (localstripe, a tee in two sizes, stock at the
Pine Street shop) and ways to place orders in it as checkout does."""

from support_checkout import shop  # noqa: F401 - a fixture for this folder (localstripe: tests/conftest.py)
