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
    assert lines[-1].strip() == ("sudo apt-get update && sudo apt-get install -y --no-install-recommends "
                                 "vibeshop-missing-package-a"), run.stderr   # one of "a|b" installed: satisfied


def test_as_root_with_apt_get_it_installs_what_is_missing(tmp_path: Path) -> None:
    # Stand-ins for id (root), apt-get and apt-cache that record what they were asked: nothing is installed.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    for name, body in (("id", "echo 0"), ("apt-get", f'echo "apt-get $*" >> {log}'),
                       ("apt-cache", 'echo "  Candidate: 1.0"')):
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    text = SCRIPT.read_text(encoding="utf-8").replace(
        '  "wrk"', '  "wrk" "vibeshop-missing-package-a cmd:vibeshop-no-such-command"', 1)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    for args, expected in (([], ["apt-get update -qq"]), (["--update"], ["apt-get update -qq"])):
        log.unlink(missing_ok=True)
        run = subprocess.run(["bash", "-c", text, "install-system-packages", *args], capture_output=True, text=True,
                             timeout=120, env=env)
        assert run.returncode == 0, run.stderr
        assert log.read_text().splitlines() == [
            *expected, "apt-get install -y --no-install-recommends vibeshop-missing-package-a -qq"]
