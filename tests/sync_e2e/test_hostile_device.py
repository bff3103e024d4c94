"""The issue's acceptance point through the real console script and a real `vibeshop cloud serve`: a
device whose database file is edited by hand to hold hostile values cannot get them into the cloud,
its exports or anyone's storefront, and `vibeshop sync` names the refused edits and ops."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support import serving
from tests.sync_e2e.test_sync_cli import _link, ok, vibeshop

TRAVERSAL = "../../../../tmp/vibeshop-escaped"


@pytest.fixture
def cloud(demo_dir: Path) -> Iterator[str]:
    """`vibeshop cloud serve` on the demo data; its base URL."""
    with serving(demo_dir) as server:
        yield server.url


def _db(folder: Path) -> Path:
    return next((folder / "stores").glob("*.db"))


def _hand_edit(folder: Path, *statements: tuple[str, tuple]) -> None:
    """Edit the store file with the sqlite3 module (the studio's capture triggers still fire)."""
    with sqlite3.connect(_db(folder)) as conn:
        for sql, params in statements:
            conn.execute(sql, params)


def _query(folder: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(_db(folder)) as conn:
        return conn.execute(sql).fetchall()


def _shopper(cloud: str, path: str) -> httpx.Response:
    return httpx.get(f"{cloud}{path}", headers={"Host": f"demo.localhost:{cloud.rsplit(':', 1)[1]}"}, timeout=30)


def test_hand_edited_device_cannot_reach_cloud_exports_or_storefront(cloud: str, demo_dir: Path,
                                                                      tmp_path: Path) -> None:
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    _link(cloud, demo_dir, laptop, "Laptop")
    post_slug = _query(laptop, "SELECT slug FROM posts ORDER BY slug LIMIT 1")[0][0]
    _hand_edit(laptop,
               ("UPDATE pages SET slug = ? WHERE slug = 'about'", (TRAVERSAL,)),
               ("UPDATE storefront SET locale = 'en_US'", ()),
               ("UPDATE posts SET body_html = '<p>x</p><script>alert(document.cookie)</script>' WHERE slug = ?",
                (post_slug,)),
               ("UPDATE blocks SET kind = ?, code = NULL WHERE kind = 'hero'", (TRAVERSAL,)),
               ("UPDATE media SET hash = ? WHERE id = (SELECT min(id) FROM media)", (TRAVERSAL,)),
               ("UPDATE pages SET title = 'Questions, edited by hand' WHERE slug = 'faq'", ()))
    result = vibeshop("sync", "--data", str(laptop))
    assert result.returncode == 1, result.stdout + result.stderr
    refused = [line for line in result.stdout.splitlines() if line.startswith("Refused: ")]
    for words in ("slug", "locale", "body_html", "kind", "hash"):
        assert any(f": {words} " in line for line in refused), (words, result.stdout)
    assert all("kept on this device" in line for line in refused)

    # An op written into the outbox by hand (past the device's own checks): the cloud refuses it
    # by its id, the device keeps it as an edit, and `vibeshop sync` names it.
    device_id, formed = (dict(_query(laptop, "SELECT key, value FROM sync_state"))[k] for k in ("device_id", "formed_op"))
    page_id = _query(laptop, "SELECT id FROM pages WHERE slug = 'contact'")[0][0]
    n = int(formed) + 1
    op = {"op_id": f"{device_id}:{n}", "hlc": f"{'9' * 13}-00000-{device_id}", "table": "pages", "key": page_id,
          "fields": {"canonical_url": "javascript:alert(1)"}, "base": {"canonical_url": None}, "delete": False}
    _hand_edit(laptop, ("INSERT INTO sync_outbox (n, op) VALUES (?, ?)", (n, json.dumps(op))),
               ("UPDATE sync_state SET value = ? WHERE key = 'formed_op'", (str(n),)))
    result = vibeshop("sync", "--data", str(laptop))
    assert result.returncode == 1
    assert f"op {device_id}:{n} refused by the cloud" in result.stdout, result.stdout
    assert "canonical_url" in result.stdout
    # Publishing is refused while edits are refused (the merchant fixes them first).
    assert vibeshop("publish", "--data", str(laptop)).returncode != 0

    # Another device gets only good values, exports inside its folder, and publishes them.
    _link(cloud, demo_dir, desktop, "Desktop")
    assert _query(desktop, "SELECT title FROM pages WHERE slug = 'faq'") == [("Questions, edited by hand",)]
    assert not _query(desktop, f"SELECT 1 FROM pages WHERE slug = '{TRAVERSAL}' OR canonical_url LIKE 'javascript%'")
    assert _query(desktop, "SELECT locale FROM storefront") == [("en-US",)]
    assert not _query(desktop, "SELECT 1 FROM posts WHERE body_html LIKE '%<script%'")
    assert not _query(desktop, "SELECT 1 FROM blocks WHERE kind LIKE '%/%'")
    assert not _query(desktop, "SELECT 1 FROM media WHERE hash LIKE '%/%'")
    files = tmp_path / "files"
    ok("files", "export", "--data", str(desktop), str(files))
    assert not Path("/tmp/vibeshop-escaped").exists()
    assert all(path.resolve().is_relative_to(files.resolve()) for path in files.rglob("*"))
    ok("publish", "--data", str(desktop), "--note", "after the hostile laptop")
    home = _shopper(cloud, "/")
    assert home.status_code == 200 and "$" in home.text       # Intl still formats prices
    post = _shopper(cloud, f"/blog/{post_slug}")
    assert post.status_code == 200 and "alert(document.cookie)" not in post.text
