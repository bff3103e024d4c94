"""`vibeshop files export/import` and `vibeshop dev` as real processes."""

from __future__ import annotations

import queue
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from files_support import fingerprint, read_json, vibeshop, write_json
from shared.storefront.service import DataDir, Store, create_store
from support import VIBESHOP


def test_export_and_import_round_trip_through_the_console_script(demo: Store, tmp_path: Path):
    data = str(demo.data_dir.root)
    before = fingerprint(demo.db)
    exported = vibeshop("files", "export", "--data", data, "out", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("Exported 'demo' to out: ")
    imported = vibeshop("files", "import", "--data", data, "out", cwd=tmp_path)
    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "No changes\n", "")
    assert fingerprint(demo.db) == before
    doc = read_json(tmp_path / "out/pages/faq/page.json")
    doc["title"] = "Questions"
    write_json(tmp_path / "out/pages/faq/page.json", doc)
    imported = vibeshop("files", "import", "--data", data, "out", cwd=tmp_path)
    assert (imported.returncode, imported.stdout) == (0, "Imported: 1 page changed\n")


def test_store_is_needed_when_the_data_folder_holds_several(demo: Store, tmp_path: Path):
    other = create_store(DataDir(demo.data_dir.root), slug="north-goods", name="North Goods")
    other.close()
    data = str(demo.data_dir.root)
    result = vibeshop("files", "export", "--data", data, "out", cwd=tmp_path)
    assert result.returncode == 2 and "--store" in result.stderr and "north-goods" in result.stderr
    result = vibeshop("files", "export", "--data", data, "--store", "north-goods", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out/pages").iterdir()) == ["home"]
    # The demo's folder imported into the other store fills that store (its home page too), not the demo.
    before = fingerprint(demo.db)
    vibeshop("files", "export", "--data", data, "--store", "demo", "demo-files", cwd=tmp_path)
    result = vibeshop("files", "import", "--data", data, "--store", "north-goods", "demo-files", cwd=tmp_path)
    # Images belong to a store: the home page's social image is not north-goods' to use.
    assert result.returncode == 2
    assert re.match(r"demo-files/pages/home/page\.json:\d+:\d+: seo\.social_image_id: no image", result.stderr)
    home = read_json(tmp_path / "demo-files/pages/home/page.json")
    home["seo"]["social_image_id"] = None
    write_json(tmp_path / "demo-files/pages/home/page.json", home)
    result = vibeshop("files", "import", "--data", data, "--store", "north-goods", "demo-files", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("Imported: 3 pages created, 17 blocks added, 1 page changed, theme updated, "
                             "checkout setup updated\n")
    assert "pickup at 'Pine Street shop' left out: this store has no such location" in result.stderr
    assert fingerprint(demo.db) == before
    result = vibeshop("files", "export", "--data", data, "--store", "north-goods", "out", cwd=tmp_path)
    assert sorted(p.name for p in (tmp_path / "out/pages").iterdir()) == ["about", "contact", "faq", "home"]


def test_import_of_a_missing_folder_is_refused(demo: Store, tmp_path: Path):
    result = vibeshop("files", "import", "--data", str(demo.data_dir.root), "nowhere", cwd=tmp_path)
    assert result.returncode == 2 and "nowhere is not a folder" in result.stderr


# vibeshop dev ------------------------------------------------------------------------------------------

class DevServer:
    """A running `vibeshop dev` process and the lines it prints."""

    def __init__(self, data: Path, folder: Path, cwd: Path):
        self.proc = subprocess.Popen([VIBESHOP, "dev", "--data", str(data), "--dir", str(folder), "--port", "0"],
                                     cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.url = self.wait_for(r"Previewing on (http://127\.0\.0\.1:\d+)/")[1]

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """The first printed line matching `pattern`."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r} in {seen}")

    def stop(self) -> None:
        """SIGTERM, and wait for a clean exit."""
        self.proc.terminate()
        assert self.proc.wait(timeout=20) == 0


@pytest.fixture
def dev(demo: Store, tmp_path: Path) -> Iterator[tuple[DevServer, Path]]:
    """`vibeshop dev` on an empty folder (so it exports first), on a free loopback port."""
    folder = tmp_path / "files"
    folder.mkdir()
    demo.close()                       # the dev process owns the store while it runs
    server = DevServer(demo.data_dir.root, folder, tmp_path)
    try:
        yield server, folder
    finally:
        server.stop()


class Events:
    """Reads /_dev/events in a thread; `versions` receives each `version` event's data."""

    def __init__(self, url: str):
        self.versions: queue.Queue[int] = queue.Queue()
        self._client = httpx.Client(timeout=httpx.Timeout(5, read=60))
        threading.Thread(target=self._read, args=(url,), daemon=True).start()

    def _read(self, url: str) -> None:
        with self._client.stream("GET", f"{url}/_dev/events") as response:
            event = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "version":
                    self.versions.put(int(line[6:]))

    def next(self, timeout: float = 30) -> int:
        """The next version announced."""
        return self.versions.get(timeout=timeout)


def test_dev_exports_serves_and_reloads_on_each_change(dev: tuple[DevServer, Path]):
    server, folder = dev
    assert (folder / "pages/about/page.json").is_file()             # exported into the empty folder
    page = httpx.get(f"{server.url}/pages/about")
    assert page.status_code == 200
    assert "Made to last, sold with care" in page.text
    assert "new EventSource('/_dev/events')" in page.text and page.text.rstrip().endswith("</body>\n</html>")
    events = Events(server.url)
    assert events.next() == 0                                        # the current version, on connect

    hero = folder / "pages/home/02-hero.js"
    hero.write_text(hero.read_text(encoding="utf-8").replace('class="vs-hero', 'class="vs-hero vs-hero--edited', 1),
                    encoding="utf-8")
    assert events.next() == 1
    server.wait_for(r"^Imported: 1 code revision saved$")
    home = httpx.get(f"{server.url}/")
    assert "vs-hero--edited" in home.text and "var v=1," in home.text

    # A broken file: the last good state stays, the overlay names the file, line and column.
    hero.write_text("function render(ctx, h) {\n  return eval('1');\n}\n", encoding="utf-8")
    assert events.next() == 2
    server.wait_for(r"02-hero\.js:2:10: `eval` is not allowed")
    home = httpx.get(f"{server.url}/")
    assert "vs-hero--edited" in home.text
    assert 'id="vibeshop-dev-overlay"' in home.text and "pages/home/02-hero.js:2:10:" in home.text
    status = httpx.get(f"{server.url}/_dev/status").json()
    assert status["version"] == 2 and status["problems"][0].startswith("pages/home/02-hero.js:2:10:")

    # Fixed again: the overlay goes away.
    hero.write_text(hero.read_text(encoding="utf-8").replace("eval('1')", "h.html`<p class=\"fixed\">ok</p>`"),
                    encoding="utf-8")
    assert events.next() == 3
    home = httpx.get(f"{server.url}/")
    assert 'class="fixed"' in home.text and "vibeshop-dev-overlay" not in home.text


def test_dev_serves_templates_drafts_and_media(dev: tuple[DevServer, Path]):
    server, folder = dev
    product = httpx.get(f"{server.url}/products/waxed-canvas-tote")
    assert product.status_code == 200 and "vs-block--main-product" in product.text
    missing = httpx.get(f"{server.url}/products/no-such-thing")
    assert missing.status_code == 404 and "new EventSource" in missing.text
    redirect = httpx.get(f"{server.url}/pages/home")
    assert (redirect.status_code, redirect.headers["location"]) == (302, "/")
    image = re.search(r'src="(/media/[0-9a-f]{64}-\d+\.webp)"', httpx.get(f"{server.url}/").text)
    assert image is not None
    media = httpx.get(f"{server.url}{image[1]}")
    assert media.status_code == 200 and media.content[:4] == b"RIFF"
    assert httpx.get(f"{server.url}/media/..%2Fcatalog.db").status_code == 404
    # The theme stylesheet the pages link.
    sheet = re.search(r'<link rel="stylesheet" href="(/assets/theme-[0-9a-f]{20}\.css)">',
                      httpx.get(f"{server.url}/").text)
    assert sheet is not None
    css = httpx.get(f"{server.url}{sheet[1]}")
    assert css.status_code == 200 and "--vs-color-accent" in css.text
    assert css.headers["content-type"].startswith("text/css")
    assert httpx.get(f"{server.url}/assets/theme-0123456789abcdef0123.css").status_code == 404
    # A draft page shows in the dev preview.
    doc = read_json(folder / "pages/faq/page.json")
    doc["status"] = "draft"
    events = Events(server.url)
    assert events.next() == 0
    write_json(folder / "pages/faq/page.json", doc)
    assert events.next() == 1
    assert httpx.get(f"{server.url}/pages/faq").status_code == 200


def test_the_live_reload_script_is_dev_only(demo: Store, tmp_path: Path):
    result = vibeshop("render", "--data", str(demo.data_dir.root), "--preview", "/", cwd=tmp_path)
    assert result.returncode == 0 and "</body>" in result.stdout
    assert "EventSource" not in result.stdout and "_dev" not in result.stdout
