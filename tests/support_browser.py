"""A real browser for the tests: Playwright driving Debian's chromium (never a downloaded build), with
`*.localhost` mapped to loopback so a store is reached by its own host name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP *.localhost 127.0.0.1"]

# Every browser test's `expect(...)` waits up to 20 s (Playwright's default is 5 s): a bound on a hang on a
# loaded machine, not a timing assertion. Set here, so a module run alone gets it too.
expect.set_options(timeout=20_000)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium, headless, closed after the test."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium (.ci/run does)"
    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        await instance.close()
