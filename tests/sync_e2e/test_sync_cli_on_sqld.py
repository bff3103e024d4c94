"""The acceptance path of libSQL server mode through the real console script: the demo store on sqld
(no database file in the cloud's data folder), `vibeshop cloud serve --workers 2` serving it, a device
linked with `cloud device add` + `link`, an edit synced with `vibeshop sync` and made live with
`vibeshop publish`, and the store's namespaces gone after `cloud store delete`."""

from __future__ import annotations

import json
from pathlib import Path

from shared.storefront.service import list_stores
from sqld_support import Sqld, demo_on_server
from support import serving
from sync_e2e.test_sync_cli import _link, _shopper, ok


def test_a_store_on_sqld_is_served_synced_and_published(sqld: Sqld, demo_dir: Path, tmp_path: Path):
    data = demo_on_server(sqld, demo_dir, tmp_path / "cloud")
    with serving(data.root, workers=2) as server:
        assert "Harbor" in _shopper(server.url)
        laptop, files = tmp_path / "laptop", tmp_path / "files"
        _link(server.url, data.root, laptop, "Laptop")
        ok("files", "export", "--data", str(laptop), str(files))
        page = files / "pages" / "about" / "page.json"
        about = json.loads(page.read_text())
        heading = about["blocks"][0]["settings"]["heading"]
        page.write_text(page.read_text().replace(heading, "Served from namespaces"))
        ok("files", "import", "--data", str(laptop), str(files))
        assert "Pushed 1" in ok("sync", "--data", str(laptop))
        assert "Served from namespaces" not in _shopper(server.url, "/pages/about")
        assert "is live" in ok("publish", "--data", str(laptop))
        assert "Served from namespaces" in _shopper(server.url, "/pages/about")
    assert not list(data.root.rglob("*.db*"))
    assert data.server is not None
    store_id = list_stores(data)[0].id
    live, work = data.server.namespace("store", store_id), data.server.namespace("work", store_id)
    assert data.server.has_namespace(live) and data.server.has_namespace(work)
    ok("cloud", "store", "delete", "--data", str(data.root), "--store", "demo", "--yes")
    assert not data.server.has_namespace(live)
    assert not data.server.has_namespace(work)
