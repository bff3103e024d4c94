"""Hostile folders through the real console script: each is refused with its file, line and column,
exit status 2, and the store is exactly as before, even though every folder also carries a good edit."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from files_support import fingerprint, read_json, vibeshop, write_json
from shared.storefront.service import Store

Edit = Callable[[Path, Path], None]       # (folder, outside) -> None


def _good_edit(folder: Path) -> None:
    doc = read_json(folder / "pages/about/page.json")
    doc["blocks"][0]["settings"]["heading"] = "This edit must not be stored"
    write_json(folder / "pages/about/page.json", doc)


def _bad_json(folder: Path, _outside: Path) -> None:
    text = (folder / "pages/faq/page.json").read_text(encoding="utf-8")
    (folder / "pages/faq/page.json").write_text(text.replace('"status": "published",', '"status": "published",,'),
                                                encoding="utf-8")


def _bad_js(folder: Path, _outside: Path) -> None:
    (folder / "pages/home/02-hero.js").write_text("function render(ctx, h) {\n  return h.html`<p>`;\n}}\n",
                                                  encoding="utf-8")


def _eval(folder: Path, _outside: Path) -> None:
    (folder / "pages/contact/02-shop-hours.js").write_text(
        'const schema = { name: "Hours" };\nfunction render(ctx, h) {\n  return eval("1");\n}\n', encoding="utf-8")


def _unknown_kind(folder: Path, _outside: Path) -> None:
    doc = read_json(folder / "pages/home/page.json")
    doc["blocks"][2]["kind"] = "carousel"
    write_json(folder / "pages/home/page.json", doc)


def _bad_setting(folder: Path, _outside: Path) -> None:
    doc = read_json(folder / "pages/home/page.json")
    doc["blocks"][2]["settings"]["limit"] = "lots"
    write_json(folder / "pages/home/page.json", doc)


def _duplicate_slug(folder: Path, _outside: Path) -> None:
    # The faq folder is gone (its page is kept without --prune) and the contact page moves to its address.
    shutil.rmtree(folder / "pages/faq")
    (folder / "pages/contact").rename(folder / "pages/faq")


def _duplicate_block_id(folder: Path, _outside: Path) -> None:
    doc = read_json(folder / "pages/home/page.json")
    copy = dict(doc["blocks"][1], file="10-hero.js")
    shutil.copy(folder / "pages/home/02-hero.js", folder / "pages/home/10-hero.js")
    doc["blocks"].append(copy)
    write_json(folder / "pages/home/page.json", doc)


def _huge_file(folder: Path, _outside: Path) -> None:
    with open(folder / "pages/home/02-hero.js", "wb") as handle:
        handle.write(b"// " + b"x" * (10 * 1024 * 1024) + b"\nfunction render(ctx, h) { return ''; }\n")


def _not_utf8(folder: Path, _outside: Path) -> None:
    (folder / "pages/home/02-hero.js").write_bytes(b"// caf\xe9 au lait\nfunction render(ctx, h) { return ''; }\n")


def _traversal(folder: Path, outside: Path) -> None:
    (outside / "x.js").write_text("function render(ctx, h) { return 'outside'; }\n", encoding="utf-8")
    doc = read_json(folder / "pages/home/page.json")
    doc["blocks"][1]["file"] = "../../../outside/x.js"
    write_json(folder / "pages/home/page.json", doc)


def _dotdot_name(folder: Path, _outside: Path) -> None:
    doc = read_json(folder / "pages/home/page.json")
    doc["blocks"][1]["file"] = "../x"
    write_json(folder / "pages/home/page.json", doc)


def _symlinked_block(folder: Path, outside: Path) -> None:
    (outside / "secret.js").write_text("function render(ctx, h) { return 'outside'; }\n", encoding="utf-8")
    (folder / "pages/home/02-hero.js").unlink()
    os.symlink(outside / "secret.js", folder / "pages/home/02-hero.js")


def _symlinked_page(folder: Path, outside: Path) -> None:
    shutil.copytree(folder / "pages/faq", outside / "faq")
    shutil.rmtree(folder / "pages/faq")
    os.symlink(outside / "faq", folder / "pages/faq")


def _bad_theme(folder: Path, _outside: Path) -> None:
    doc = read_json(folder / "theme/theme.json")
    doc["settings"]["colors"] = {"accent": "red; background: url(//evil)"}
    write_json(folder / "theme/theme.json", doc)


def _bad_slug_folder(folder: Path, _outside: Path) -> None:
    shutil.copytree(folder / "pages/faq", folder / "pages/Big Sale!")
    doc = read_json(folder / "pages/Big Sale!/page.json")
    del doc["id"]
    for block in doc["blocks"]:
        del block["id"]
    write_json(folder / "pages/Big Sale!/page.json", doc)


def _at(folder: Path, where: str | tuple[str, str]) -> str:
    """`path:line:col` as given, or where a piece of text starts in a file (JSON problems point at the value)."""
    if isinstance(where, str):
        return where
    rel, needle = where
    text = (folder / rel).read_text(encoding="utf-8")
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return f"{rel}:{line}:{offset - text.rfind(chr(10), 0, offset)}"


CASES: dict[str, tuple[Edit, str | tuple[str, str], str]] = {
    # name: (edit, where the stderr line points: "path:line:col" or (path, text found there), its words)
    "bad JSON": (_bad_json, "pages/faq/page.json:4:25", "invalid JSON"),
    "bad JS": (_bad_js, "pages/home/02-hero.js:3:2", "SyntaxError"),
    "eval": (_eval, "pages/contact/02-shop-hours.js:3:10", "eval"),
    "unknown kind": (_unknown_kind, ("pages/home/page.json", '"carousel"'), "unknown block kind 'carousel'"),
    "bad setting": (_bad_setting, ("pages/home/page.json", '"lots"'), "limit: must be a number"),
    "duplicate slug": (_duplicate_slug, "pages/faq/page.json:1:1", "address 'faq' is also used"),
    "duplicate block id": (_duplicate_block_id, "pages/home/page.json:1:1", "is also used by pages/home/02-hero.js"),
    "10 MB file": (_huge_file, "pages/home/02-hero.js:1:1", "over 1024 KB"),
    "not UTF-8": (_not_utf8, "pages/home/02-hero.js:1:7", "not UTF-8"),
    "path traversal": (_traversal, ("pages/home/page.json", '"../../../outside/x.js"'), "must be a .js file name"),
    "dot-dot name": (_dotdot_name, ("pages/home/page.json", '"../x"'), "must be a .js file name"),
    "symlinked block": (_symlinked_block, "pages/home/02-hero.js:1:1", "symbolic link"),
    "symlinked page": (_symlinked_page, "pages/faq:1:1", "symbolic link"),
    "bad theme": (_bad_theme, ("theme/theme.json", '"red; background'), "colour"),
    "bad page folder name": (_bad_slug_folder, "pages/Big Sale!/page.json:1:1", "folder name is the page's address"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_folder_changes_nothing(case: str, demo: Store, folder: Path, tmp_path: Path):
    edit, where, words = CASES[case]
    outside = tmp_path / "outside"
    outside.mkdir()
    _good_edit(folder)
    edit(folder, outside)
    before = fingerprint(demo.db)
    data = str(demo.data_dir.root)
    result = vibeshop("files", "import", "--data", data, "--store", "demo", "files", cwd=folder.parent)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    hits = [line for line in lines if line.startswith(f"files/{_at(folder, where)}: ")]
    assert hits and words in hits[0], result.stderr
    assert lines[-1].startswith("vibeshop files import:") and "nothing was imported" in lines[-1]
    assert all(re.match(r"^files/[^:]+:\d+:\d+: ", line) for line in lines[:-1]), result.stderr
    assert fingerprint(demo.db) == before


def test_every_problem_is_reported_at_once(demo: Store, folder: Path, tmp_path: Path):
    for name in ("bad JS", "eval", "bad setting", "bad theme"):
        CASES[name][0](folder, tmp_path)
    before = fingerprint(demo.db)
    result = vibeshop("files", "import", "--data", str(demo.data_dir.root), "files", cwd=folder.parent)
    assert result.returncode == 2
    places = [line.split(": ", 1)[0] for line in result.stderr.splitlines()[:-1]]
    assert places == sorted(f"files/{_at(folder, CASES[n][1])}" for n in ("bad JS", "eval", "bad setting", "bad theme"))
    assert result.stderr.splitlines()[-1] == "vibeshop files import: 4 problems; nothing was imported"
    assert fingerprint(demo.db) == before
