"""The checkout benchmark (bench/checkout.py) runs end to end in a few seconds: shoppers get orders
through a real `vibeshop cloud serve` and localstripe, nothing is oversold, every order the shoppers
were given is in the database once, and nothing answered 5xx. Figures are printed by `make bench`,
never asserted here."""

from __future__ import annotations

from pathlib import Path

from bench import checkout


def test_a_short_run_sells_without_overselling(demo_source: Path) -> None:
    # 5 units of the limited variant, so that it can sell out even in two seconds; a copy of the
    # session's seeded demo instead of seeding again.
    result = checkout.measure(seconds=2, shoppers=10, limited_units=5, peer_seconds=0.5, peer_sequential=10,
                              template=demo_source)
    assert result.tally.orders, result.tally.statuses
    assert result.audit.oversold == 0
    assert result.audit.limited_sold <= 5 and result.audit.limited_left >= 0
    assert result.audit.orders_in_db == result.audit.given_found == len(result.tally.orders)
    assert result.audit.ledger_agrees
    assert not result.tally.errors
    assert not [key for key in result.server_statuses if key[1] >= 500]
    assert result.peer_ms and result.peer_sequential_ms
    assert not result.tally.unexpected
    rows = checkout.rows(result)
    assert dict((name, value) for name, value, _note in rows)["oversold units"] == 0
