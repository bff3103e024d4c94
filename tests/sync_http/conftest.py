"""Fixtures of the sync HTTP tests; the helpers live in sync_http_support.py (a module name no other
test folder uses: `from conftest import ...` would pick whichever conftest was imported first)."""

from sync_http_support import cloud  # noqa: F401 - the fixture, found by pytest here
