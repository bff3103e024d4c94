"""A release goes live in one transaction (docs/sync-protocol.md section 7): a shopper loading the home
page while a device publishes a release that changes two blocks' text sees both old texts or both
new ones, never one of each."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import httpx

from sync_http_support import serving
from shared.db.repositories import sync as repo
from shared.storefront.service import DataDir
from shared.sync.tables import SPECS
from shared.sync.client import Syncer, link
from support import VIBESHOP, wait_for

KINDS = ("hero", "testimonials")
OLD = ("Everyday goods, made to last", "Kind words from our customers")
NEW = ("Hero text of release one", "Testimonials text of release one")
# The headings as rendered (the footer repeats the hero's words as the store's tagline).
SHOWN = ('class="vs-hero__heading">{}<', 'class="vs-section__title">{}<')
BEFORE_PUBLISH = 30    # pages the shoppers load before the publish starts
AFTER_PUBLISH = 10     # pages each shopper loads after the publish returned


def _edit_two_blocks(store) -> None:
    def write(conn) -> None:
        for block in repo.all_rows(conn, SPECS["blocks"]):
            for kind, old, new in zip(KINDS, OLD, NEW, strict=True):
                if block["kind"] == kind and old in block["settings"]:
                    repo.update_fields(conn, SPECS["blocks"], block["id"],
                                       {"settings": block["settings"].replace(old, new)})

    store.db.write(write)


def test_a_shopper_never_sees_half_a_release(demo_dir: Path, tmp_path: Path) -> None:
    with serving(demo_dir) as server:
        code = subprocess.run([VIBESHOP, "cloud", "device", "add", "--data", str(demo_dir), "--store", "demo"],
                              capture_output=True, text=True, check=True, timeout=60).stdout.strip().splitlines()[-1]
        store = link(DataDir(tmp_path / "laptop"), remote=server.url, code=code, device_name="Laptop")
        syncer = Syncer(store)
        _edit_two_blocks(store)
        assert syncer.sync().pushed == 2

        seen: list[tuple[bool, bool, bool, bool]] = []
        published = threading.Event()
        failures: list[str] = []

        def shop(address: str) -> None:
            # Shoppers from three loopback addresses, each within the per-address rate limit (20/s). Each
            # keeps shopping until it has seen AFTER_PUBLISH pages once the publish returned: counted in
            # pages, not seconds, so a loaded machine makes the test slower, never wrong.
            transport = httpx.HTTPTransport(local_address=address)
            after = 0
            with httpx.Client(transport=transport, headers={"Host": f"demo.localhost:{server.port}"},
                              timeout=30) as client:
                while after < AFTER_PUBLISH:
                    done = published.is_set()
                    response = client.get(f"{server.url}/")
                    if response.status_code != 200:
                        failures.append(f"{response.status_code}: {response.text[:200]}")
                        return
                    page = response.text
                    seen.append(tuple(shown.format(text) in page
                                      for texts in (OLD, NEW) for shown, text in zip(SHOWN, texts, strict=True)))
                    after += done
                    time.sleep(0.06)

        shoppers = [threading.Thread(target=shop, args=(f"127.0.0.{n}",)) for n in (2, 3, 4)]
        for shopper in shoppers:
            shopper.start()
        wait_for(lambda: len(seen) >= BEFORE_PUBLISH or failures, "the shoppers' first pages")
        release = syncer.publish("Two blocks")
        published.set()
        for shopper in shoppers:
            shopper.join(timeout=120)
        syncer.close()
        store.close()

    assert not failures, failures
    assert release["number"] == 1
    mixed = [s for s in seen if s not in ((True, True, False, False), (False, False, True, True))]
    assert not mixed, f"{len(mixed)} of {len(seen)} pages mixed two releases: {mixed[:3]}"
    assert seen[0] == (True, True, False, False) and seen[-1] == (False, False, True, True)
    assert len(seen) >= BEFORE_PUBLISH + 3 * AFTER_PUBLISH
