"""The POS ingest benchmark (bench/pos_ingest.py) runs end to end in a few seconds: every batch of 100
is answered 200 by the shop and by the peer (run() raises otherwise). Figures are printed by
`make bench`, never asserted here."""

from __future__ import annotations

from pathlib import Path

from bench import pos_ingest


def test_a_short_run_gets_every_batch_acknowledged(demo_source: Path) -> None:
    rows = dict((name, value) for name, value, _note in pos_ingest.run(0.3, template=demo_source))
    assert len(rows) == 4 and all(value > 0 for value in rows.values())
