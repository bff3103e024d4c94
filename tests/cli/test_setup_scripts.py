"""`make test` installs what the suite needs: scripts/install-system-packages checks the one list of
system packages and, when it cannot install them itself, stops with the one command that does."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-system-packages"


def _as_a_plain_user(command: list[str]) -> list[str]:
    """The command run without root (the script installs only as root), whoever runs the tests."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]


def test_everything_the_suite_needs_is_installed() -> None:
    # `make test` ran the script before the suite; it finds nothing missing now.
    run = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_a_missing_package_stops_with_the_one_command_that_installs_it() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    text = text.replace('  "wrk"', '  "wrk" "vibeshop-missing-package-a cmd:vibeshop-no-such-command" "vibeshop-missing-b|wrk"', 1)
    run = subprocess.run(_as_a_plain_user(["bash", "-c", text]), capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    if shutil.which("apt-get") is None:   # not Debian: the names are Debian's, and the script says so
        assert "install the equivalents" in lines[-1]
        return
    assert lines[-1].strip() == ("sudo apt-get update && sudo apt-get install -y -qq --no-install-recommends "
                                 "vibeshop-missing-package-a"), run.stderr   # one of "a|b" installed: satisfied
