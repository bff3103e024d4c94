"""Run every benchmark: `python -m bench` (what `make bench` does)."""

from __future__ import annotations

import subprocess
import sys

from bench import checkout, orders, pos_ingest, pos_live, render_page, sqld, storefront, sync


def main() -> int:
    """Run the benchmarks in turn and print their tables."""
    print(f"Python {sys.version.split()[0]}; figures are medians, ratios < 1 mean Vibeshop is faster.\n")
    render_page.main()
    storefront.main()
    orders.main()
    # Qt and QtWebEngine own their process: the studio's figures come from a child process.
    subprocess.run([sys.executable, "-m", "bench.studio_preview"], check=False, stderr=subprocess.DEVNULL)
    sync.main()
    sqld.main()
    checkout.main()
    pos_ingest.main()
    pos_live.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
