"""`vibeshop cloud orders list` with filters, a search and pages, run as a merchant would."""

from __future__ import annotations

import subprocess
from pathlib import Path

from order_list_support import small_store
from support import VIBESHOP


def _list(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VIBESHOP, "cloud", "orders", "list", "--data", str(data), "--store", "pine-and-co", *args],
                          capture_output=True, text=True, timeout=120)


def _numbers(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.split("\t")[0] for line in done.stdout.splitlines() if line.startswith("#")]


def test_merchant_filters_searches_and_pages_from_the_command_line(tmp_path: Path) -> None:
    small_store(tmp_path).close()
    paid = _list(tmp_path, "--payment-status", "paid", "--limit", "2")
    assert paid.returncode == 0 and _numbers(paid) == ["#1006", "#1005"]
    assert paid.stdout.rstrip().endswith("More: --before 1005")
    rest = _list(tmp_path, "--payment-status", "paid", "--limit", "2", "--before", "1005")
    assert _numbers(rest) == ["#1001"] and "More:" not in rest.stdout
    assert _numbers(_list(tmp_path, "-q", "hopper")) == ["#1002"]
    assert _numbers(_list(tmp_path, "--search", "#1003")) == ["#1003"]
    assert _numbers(_list(tmp_path, "--email", "ADA@example.com", "--delivery", "ship")) == ["#1004", "#1001"]
    assert _numbers(_list(tmp_path, "--since", "2026-03-01", "--until", "2026-03-01")) == ["#1003", "#1002", "#1001"]
    assert _numbers(_list(tmp_path, "--fulfillment-status", "on_hold")) == ["#1005"]
    none = _list(tmp_path, "-q", "nobody@example.com")
    assert none.returncode == 0 and none.stdout.strip() == "No orders match."
    bad_date = _list(tmp_path, "--since", "last tuesday")
    assert bad_date.returncode == 2 and "since must be an ISO 8601 date" in bad_date.stderr
    bad_status = _list(tmp_path, "--payment-status", "maybe")
    assert bad_status.returncode == 2 and "invalid choice" in bad_status.stderr
