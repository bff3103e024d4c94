"""`vibeshop pos` with options a new user gets wrong: each ends in argparse's exit 2 with one line
naming the option (or, for a bad address or token, one `vibeshop pos:` line), never a traceback, and
nothing is queued. Run in-process: none of these reaches a network."""

from __future__ import annotations

from pathlib import Path

import pytest

from vibeshop.cli import main

TOKEN = "vs_0123456789abcdef_" + "x" * 43


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        code = main(["pos", *args])
    except SystemExit as exc:               # argparse's usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err


@pytest.mark.parametrize("args, says", [
    (["simulate", "--sales-per-second", "0"], "more than 0 and at most 1000"),
    (["simulate", "--sales-per-second=-1"], "more than 0"),
    (["simulate", "--sales-per-second", "abc"], "sales a second"),
    (["simulate", "--sales-per-second", "1e9"], "at most 1000"),
    (["simulate", "--sales-per-second", "nan"], "more than 0"),
    (["simulate", "--offline-for", "abc"], "a duration like 30s"),
    (["simulate", "--offline-for=-5"], "a duration like 30s"),
    (["simulate", "--offline-for", "100h"], "to 72h"),
    (["simulate", "--duration", "1e400"], "a duration like 30s"),
    (["simulate", "--duration", "abc"], "a duration like 30s"),
    (["simulate", "--skus"], "expected at least one argument"),
    (["simulate", "--skus", ""], "a SKU of 1 to 200"),
    (["count", "SKU-1", "-5"], "from 0 to 1,000,000 units"),
    (["count", "SKU-1", "99999999999999999999999"], "from 0 to 1,000,000 units"),
    (["count", "SKU-1", "1e3"], "a whole number of units"),
    (["count", " ", "3"], "a SKU of 1 to 200"),
    (["count", "SKU-1"], "required: QUANTITY"),
    (["feed", "--after=-5"], "a seq from 0"),
    (["feed", "--after", "99999999999999999999999"], "a seq from 0"),
    (["feed", "--interval", "0"], "from 0.1s"),
    (["pickup", "#"], "an order's number"),
    (["pickup", ""], "an order's number"),
    (["pickup"], "required: ORDER"),
])
def test_usage_errors_exit_2_naming_the_option(capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str],
                                               says: str) -> None:
    queue = tmp_path / "q.sqlite"
    code, err = _run(capsys, *args, "--remote", "http://demo.localhost:1", "--token", TOKEN, "--queue", str(queue))
    assert code == 2 and says in err, err
    assert not queue.exists()


@pytest.mark.parametrize("remote, token, host, says", [
    ("ftp://demo.localhost:8080", TOKEN, "", "must be an http(s) address"),
    ("http://", TOKEN, "", "must be an http(s) address"),
    ("demo.localhost:8080", TOKEN, "", "must be an http(s) address"),
    ("http://[::1", TOKEN, "", "Invalid IPv6 URL"),
    ("http://demo.localhost:99999", TOKEN, "", "Port out of range"),
    ("http://demo.localhost:abc", TOKEN, "", "must be an http(s) address"),
    ("http://127.0.0.1:8080", TOKEN, "demo localhost", "--host must be a host name"),
    ("http://demo.localhost:8080", "vs_é", "", "characters a header cannot carry"),
    ("http://demo.localhost:8080", "vs_a\nb", "", "characters a header cannot carry"),
    ("", TOKEN, "", "give the cloud's address and the device token"),
    ("http://demo.localhost:8080", "", "", "give the cloud's address and the device token"),
])
def test_a_bad_address_host_or_token_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                            remote: str, token: str, host: str, says: str) -> None:
    for action in (["count", "SKU-1", "3"], ["feed"], ["pickup", "1001"], ["simulate"], ["upload"]):
        code, err = _run(capsys, *action, "--remote", remote, "--token", token, "--host", host,
                         "--queue", str(tmp_path / "q.sqlite"))
        assert code == 2 and says in err and len(err.strip().splitlines()) == 1, (action, err)
    assert not (tmp_path / "q.sqlite").exists()


def test_every_action_and_option_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("simulate", "count", "upload", "feed", "pickup"):
        code, _ = _run(capsys, action, "--help")
        assert code == 0
    # Each option's help line is there, with its unit where it has one.
    with pytest.raises(SystemExit):
        main(["pos", "simulate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "sales a second" in text and "e.g. 30s or 2m" in text and "how long to sell" in text
    for option in ("--sales-per-second", "--offline-for", "--offline-after", "--duration", "--skus", "--seed",
                   "--remote", "--token", "--host", "--queue"):
        assert option in text
    with pytest.raises(SystemExit):
        main(["pos", "count", "--help"])
    assert "units counted, from 0 to 1,000,000" in " ".join(capsys.readouterr().out.split())
