"""`vibeshop cloud pos device add|list|revoke` with what a new user types wrong, and a till whose device
was revoked: one line and exit 2 for the command's mistakes (no folder made by a typo in --data, no
device with a name that breaks `list`), 401 and the change kept queued for the revoked till."""

from __future__ import annotations

from pathlib import Path

import pytest
from support_pos_client import Device, device_args, run_pos

from vibeshop.cli import main


def _cloud(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["cloud", "pos", "device", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_mistakes_are_refused_before_anything_is_written(capsys: pytest.CaptureFixture[str], demo_dir: Path,
                                                         tmp_path: Path) -> None:
    missing = tmp_path / "no-such-data"
    code, _, err = _cloud(capsys, "revoke", "--data", str(missing), "0123456789abcdef")
    assert code == 2 and "no data folder at" in err and not missing.exists()
    for given in ("", "vs_", "  "):
        code, _, err = _cloud(capsys, "revoke", "--data", str(demo_dir), given)
        assert code == 2 and "give the POS device's id" in err
    code, _, err = _cloud(capsys, "add", "--data", str(demo_dir), "--store", "demo", "--location", "Pine Street shop",
                          "--name", "till\none")
    assert code == 2 and "one line of printable characters" in err
    code, _, err = _cloud(capsys, "add", "--data", str(demo_dir), "--store", "demo", "--location", "Nowhere")
    assert code == 2 and "no location 'Nowhere'" in err
    code, _, err = _cloud(capsys, "add", "--data", str(demo_dir), "--store", "demo")
    assert code == 2 and "--location" in err
    code, out, _ = _cloud(capsys, "list", "--data", str(demo_dir), "--store", "demo")
    assert code == 0 and "till" not in out


async def test_a_revoked_device_is_refused_and_its_count_stays_queued(cloud: str, device: Device,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    device_id = device.token.split("_")[1]
    code, out, err = _cloud(capsys, "revoke", "--data", str(device.data), device.token)     # the whole token works
    assert code == 0 and "Revoked" in out, err
    code, _, err = _cloud(capsys, "revoke", "--data", str(device.data), device_id)
    assert code == 2 and "already revoked" in err
    code, out, _ = _cloud(capsys, "list", "--data", str(device.data), "--store", "demo")
    assert f"{device_id}\ttill\t" in out and "\trevoked " in out
    sku = sorted(device.on_hand())[0]
    code, _, err = await run_pos("count", sku, "4", *device_args(device, cloud))
    lines = [line for line in err.splitlines() if line.startswith("vibeshop pos:")]
    assert code == 1 and len(lines) == 1 and "401" in lines[0] and "1 changes stay queued" in lines[0], err
    code, _, err = await run_pos("feed", *device_args(device, cloud))
    assert code == 1 and "401" in err and "Traceback" not in err
