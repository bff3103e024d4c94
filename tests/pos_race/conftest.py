"""The checkout race's server: `vibeshop cloud serve --workers 2` on the demo, paying through localstripe."""

from checkout_race.test_last_unit_over_http import cloud  # noqa: F401 - a fixture for this folder
