"""Never a mixed page: while a release goes live, every page a shopper gets is all old or all new."""

from __future__ import annotations

import threading

import pytest

from shared.compose import data as compose_data
from shared.db import connect
from shared.pages import service as pages
from shared.releases import publish, rollback
from shared.themes import service as themes

from releases.helpers import home_blocks, render

OLD = ("Harbour light, slow mornings", "Picked this week")   # texts found nowhere else on the page
NEW = ("Quiet things for loud weeks", "Just landed")


def set_headings(copies, pair: tuple[str, str]) -> None:
    """Give the home page's hero and product grid (two different blocks) these headings."""
    blocks = home_blocks(copies.work)
    for kind, heading in zip(("hero", "product-grid"), pair, strict=True):
        block = next(b for b in blocks if b.kind == kind)
        pages.update_block_settings(copies.work, block_id=block.id, settings={**block.settings, "heading": heading})


def two_releases(copies) -> None:
    """Release 1 and release 2 differ in two different blocks of the home page (OLD, then NEW)."""
    set_headings(copies, OLD)
    publish(copies.work, copies.live, device_id="device-a", note="old headings")
    set_headings(copies, NEW)
    publish(copies.work, copies.live, device_id="device-a", note="new headings")
    rollback(copies.live, number=1, device_id="device-a")


def texts(html: str, pair: tuple[str, str]) -> tuple[bool, bool]:
    """Which of the two texts the page shows."""
    return pair[0] in html, pair[1] in html


def test_a_page_rendered_during_publishing_is_never_half_old_half_new(copies, executors) -> None:
    """A second Database on the live file plays another cloud worker serving shoppers, while this one
    makes release 2, then release 1, live again and again (each a publish-style transaction)."""
    two_releases(copies)
    shopper = connect(copies.live_path)
    seen: dict[str, int] = {"old": 0, "new": 0}
    mixed: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def serve() -> None:
        try:
            while not stop.is_set():
                html = render(shopper, executors[0], "/")[1]
                old, new = texts(html, OLD), texts(html, NEW)
                if old == (True, True) and new == (False, False):
                    seen["old"] += 1
                elif new == (True, True) and old == (False, False):
                    seen["new"] += 1
                else:
                    mixed.append(html)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        rounds = 0
        while rounds < 60 or min(seen.values()) < 5:
            rollback(copies.live, number=2, device_id="device-a")
            rollback(copies.live, number=1, device_id="device-a")
            rounds += 1
            assert rounds < 2000, f"the shopper thread is not rendering: {seen}"
    finally:
        stop.set()
        thread.join()
        shopper.close()
    assert not failures, failures
    assert not mixed, f"{len(mixed)} mixed page(s) out of {sum(seen.values()) + len(mixed)}"
    assert seen["old"] >= 5 and seen["new"] >= 5


def test_one_render_reads_one_release_even_across_statements(copies, executors, monkeypatch) -> None:
    """Deterministic: a release commits between the theme read and the blocks read of one render."""
    set_headings(copies, OLD)
    publish(copies.work, copies.live, device_id="device-a", note="old headings")
    set_headings(copies, NEW)
    themes.update_theme_settings(copies.work, changes={"sections": {"footer": {"menu_heading": "Around the harbour"}}})
    publish(copies.work, copies.live, device_id="device-a", note="hero and footer")
    assert texts(render(copies.live, executors[0], "/")[1], (NEW[0], "Around the harbour")) == (True, True)
    rollback(copies.live, number=1, device_id="device-a")
    shopper = connect(copies.live_path)
    original = compose_data.page_repo.list_blocks
    done: list[bool] = []

    def list_blocks_then_publish(conn, page_id, **kwargs):
        if not done:
            done.append(True)
            rollback(copies.live, number=2, device_id="device-a")   # another worker commits, now
        return original(conn, page_id, **kwargs)

    monkeypatch.setattr(compose_data.page_repo, "list_blocks", list_blocks_then_publish)
    try:
        html = render(shopper, executors[0], "/")[1]
    finally:
        shopper.close()
    assert done
    assert (NEW[0] in html) == ("Around the harbour" in html)
