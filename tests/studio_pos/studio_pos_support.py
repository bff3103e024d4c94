"""Helpers of the studio Point of sale tests: a real `vibeshop cloud serve` on loopback that a studio
data folder is linked to (real pairing, so the studio's token has the scopes pairing grants)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from shared.storefront.service import DataDir
from shared.sync.client import link
from support import VIBESHOP, free_port, start_cloud


class LiveCloud:
    """`vibeshop cloud serve` on one loopback port over a data folder."""

    def __init__(self, data: Path):
        self.data, self.port = data, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = start_cloud(self.data, self.port)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)

    def link(self, folder: Path, name: str = "Laptop") -> None:
        """Pair the studio data folder `folder` with the demo store, as `vibeshop link` does."""
        code = subprocess.run([VIBESHOP, "cloud", "device", "add", "--data", str(self.data), "--store", "demo"],
                              capture_output=True, text=True, timeout=60, check=True).stdout.strip().splitlines()[-1]
        link(DataDir(folder), remote=self.url, code=code, device_name=name).close()

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """A `vibeshop cloud ...` command on this cloud's data folder."""
        return subprocess.run([VIBESHOP, "cloud", *args, "--data", str(self.data)], capture_output=True, text=True,
                              timeout=60)
