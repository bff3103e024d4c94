"""The issue's acceptance command, as a new user runs it: the schemathesis CLI over the served
/pos/v1/openapi.json with every check, against a real server on 127.0.0.1 (an address that names no
store: the device token's store answers), with the repository's schemathesis.toml (a user runs it from
the root; here the file is named, so schemathesis' cache lands in tmp_path, not in the work tree). Its
rate limit is the real server's; this test server has none, so a higher one keeps the test quick."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_run_with_all_checks_passes(live_server, tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("schemathesis")
    command = [str(cli), "--config-file", str(ROOT / "schemathesis.toml"),
               "run", f"{live_server.url}/pos/v1/openapi.json", "--checks", "all",
               "-H", f"Authorization: Bearer {live_server.token}",
               "--max-examples", "25", "--seed", "13", "--rate-limit", "1000/s", "--no-color", "--workers", "1",
               "--report-dir", str(tmp_path / "report"), "--generation-database", ":memory:"]
    env = {**os.environ, "NO_COLOR": "1", "NO_PROXY": "127.0.0.1,localhost"}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-5000:]
    assert "✅  Coverage" in done.stdout and "✅  Fuzzing" in done.stdout, done.stdout[-5000:]
