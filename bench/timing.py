"""Timing helpers for the benchmarks: warm-up, repeated runs, medians."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], *, runs: int, warmup: int = 3) -> float:
    """Median wall time of fn() in milliseconds over `runs` calls after `warmup` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        if gc_was:
            gc.enable()
    return statistics.median(samples)


def table(title: str, rows: list[tuple[str, float, str]]) -> str:
    """A plain-text table: name, figure, note. Figures are milliseconds unless the name says req/s,
    bytes, ends in /s (a rate) or % (a share), or the figure is an int (a count)."""
    width = max(len(r[0]) for r in rows)
    lines = [title, "-" * len(title)]
    for name, value, note in rows:
        if "req/s" in name:
            figure = f"{value:9.0f} /s"
        elif "bytes" in name:
            figure = f"{value:9.0f} B "
        elif name.endswith("/s"):
            figure = f"{value:9.1f} /s"
        elif name.endswith("%"):
            figure = f"{value:9.0f} % "
        elif isinstance(value, int):
            figure = f"{value:9d}    "
        else:
            figure = f"{value:9.3f} ms"
        lines.append(f"  {name:<{width}}  {figure}  {note}")
    return "\n".join(lines)
