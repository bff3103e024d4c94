"""Three devices edit at random while the network drops pushes, answers and pulls; after a full sync
every device and the cloud hold the same rows, and no block code edit vanished without a trace."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shared.db.repositories import sync as repo
from shared.pages import service as pages
from shared.pages.errors import PageError
from shared.storefront.service import DataDir, create_store
from shared.sync import device, merge
from shared.themes import service as themes
from tests.sync.conftest import Device, World, make_world, pull, state, store_db

CODE = 'function render(ctx, h) {{ return "<section>{}</section>"; }}'
TITLES = ("Sale", "About", "Lookbook", "Sale")        # repeats: slug clashes between devices
EDITS = ("create_page", "rename_page", "delete_page", "add_block", "move_block", "remove_block", "save_code",
         "hide_block", "custom_css")
NETWORK = ("ok", "ok", "push_lost", "answer_lost", "pull_lost", "pull_only")

edit_step = st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(EDITS), st.integers(0, 1_000))
sync_step = st.tuples(st.just("sync"), st.integers(0, 2), st.sampled_from(NETWORK), st.integers(0, 0))
scripts = st.lists(st.one_of(edit_step, edit_step, edit_step, sync_step), min_size=10, max_size=60)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh store (home page, theme, menus): small, so each example copies it quickly."""
    root = tmp_path_factory.mktemp("sync-template")
    created = create_store(DataDir(root), slug="north-goods", name="North Goods")
    home = created.db.read(pages.repo.list_pages)[0]
    for n in range(2):
        pages.add_block(created.db, page_id=home.id, kind="custom", code=CODE.format(f"start {n}"))
    extra = pages.create_page(created.db, title="Extra")
    pages.add_block(created.db, page_id=extra.id, kind="custom", code=CODE.format("extra"))
    created.close()
    return store_db(root)


class Editor:
    """Random edits through the real services; remembers every block code it wrote."""

    def __init__(self) -> None:
        self.codes: list[tuple[str, str]] = []
        self.replaced: set[tuple[str, str]] = set()     # (block, code) a later save started from
        self.deleted: set[str] = set()          # blocks removed, or on a page deleted, on some device
        self.counter = itertools.count()

    def edit(self, dev: Device, kind: str, pick: int) -> None:
        """Make one edit of `kind` on dev's store; edits the services refuse are skipped."""
        db = dev.db
        page_list = db.read(pages.repo.list_pages)
        blocks = db.read(lambda conn: [b for p in page_list for b in pages.repo.list_blocks(conn, p.id)])
        page = page_list[pick % len(page_list)] if page_list else None
        block = blocks[pick % len(blocks)] if blocks else None
        n = next(self.counter)
        actions: dict[str, Callable[[], object]] = {
            "create_page": lambda: pages.create_page(db, title=TITLES[pick % len(TITLES)]),
            "rename_page": lambda: page and pages.rename_page(db, page_id=page.id, title=f"Title {n}"),
            "delete_page": lambda: page and page.slug != "home" and self._delete_page(dev, page.id, blocks),
            "add_block": lambda: page and self._add_block(dev, page.id, n, pick),
            "move_block": lambda: block and pages.move_block(db, block_id=block.id, position=pick % 4),
            "remove_block": lambda: block and self._remove_blocks(dev, [block], block.id),
            "save_code": lambda: block and self._save_code(dev, block.id, n),
            "hide_block": lambda: block and pages.set_block_hidden(db, block_id=block.id, hidden=not block.hidden),
            "custom_css": lambda: themes.set_custom_css(db, css=f".x{n} {{ color: red }}"),
        }
        try:
            actions[kind]()
        except PageError:
            pass

    def _delete_page(self, dev: Device, page_id: str, blocks: list) -> None:
        self._remove_blocks(dev, [b for b in blocks if b.page_id == page_id], None)
        pages.delete_page(dev.db, page_id=page_id)

    def _remove_blocks(self, dev: Device, blocks: list, block_id: str | None) -> None:
        """A merchant removing blocks is done with the code they hold (another device may still
        edit them, which brings them back)."""
        if block_id is not None:
            pages.remove_block(dev.db, block_id=block_id)
        self.deleted.update(b.id for b in blocks)
        self.replaced.update((b.id, b.code) for b in blocks)

    def _add_block(self, dev: Device, page_id: str, n: int, pick: int) -> None:
        if pick % 2:
            pages.add_block(dev.db, page_id=page_id, kind="rich-text")
            return
        code = CODE.format(f"new {n}")
        block = pages.add_block(dev.db, page_id=page_id, kind="custom", code=code)
        self.codes.append((block.id, code))

    def _save_code(self, dev: Device, block_id: str, n: int) -> None:
        code = CODE.format(f"{dev.name} {n}")
        before = dev.db.read(lambda conn: pages.repo.get_block(conn, block_id)).code
        pages.save_block_code(dev.db, block_id=block_id, code=code)
        self.replaced.add((block_id, before))
        self.codes.append((block_id, code))


def network_cycle(world: World, dev: Device, mode: str) -> None:
    """One sync cycle in which the network may drop the push, its answer, or the pull."""
    if mode != "pull_only":
        device.form_ops(dev.db)
        if mode == "push_lost":
            return
        result = merge.apply_push(world.cloud, dev.device_id, [op.to_json() for op in device.pending_ops(dev.db)])
        if mode == "answer_lost":
            return
        device.acknowledge(dev.db, result.last_op)
        if mode == "pull_lost":
            merge.changes_since(world.cloud, device.cursor(dev.db))     # answered, never applied
            return
    pull(dev, world.cloud, limit=7)


def check_converged(world: World, editor: Editor) -> None:
    """Every side holds the same rows, nothing is left unsynced, and every code edit is accounted for."""
    cloud = state(world.cloud)
    for dev in world.devices:
        assert state(dev.db) == cloud, dev.name
        assert device.has_unsynced(dev.db) == []
    final = {b["id"]: b["code"] for b in cloud["blocks"]}
    kept = {(c["key"], c["value"]) for c in world.cloud.read(lambda conn: repo.conflicts_since(conn, 0))}
    revisions = set(world.cloud.read(lambda conn: conn.all("SELECT block_id, code FROM block_revisions")))
    for block_id, code in editor.codes:
        if block_id not in final:
            # Gone only because a merchant deleted it or its page; kept recoverable when its page
            # was deleted on another device.
            tomb = world.cloud.read(lambda conn: repo.get_tombstone(conn, "blocks", block_id))
            assert block_id in editor.deleted or (tomb and tomb["reason"] in ("parent", "orphan")), block_id
            continue
        assert final[block_id] == code or (block_id, code) in kept or (block_id, code) in editor.replaced, \
            (block_id, code)
    # A conflict's losing block code is also a block revision on the cloud while the block exists.
    for block_id, code in kept:
        if block_id in final:
            assert (block_id, code) in revisions


@settings(max_examples=250, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=scripts)
def test_random_edits_and_lossy_network_converge(template: Path, script: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = make_world(template, Path(folder), 3)
        editor = Editor()
        try:
            for step, index, what, pick in script:
                dev = world.devices[index]
                if step == "edit":
                    editor.edit(dev, what, pick)
                else:
                    network_cycle(world, dev, what)
            for _ in range(2):
                for dev in world.devices:
                    network_cycle(world, dev, "ok")
            check_converged(world, editor)
            cloud = world.cloud.read
            event(f"conflicts: {min(len(cloud(lambda c: repo.conflicts_since(c, 0))), 3)}")
            event(f"tombstones: {min(cloud(lambda c: c.scalar('SELECT count(*) FROM sync_tombstones')), 3)}")
            event(f"suffixed slugs: {cloud(_suffixed)}")
        finally:
            world.close()


def _suffixed(conn) -> int:
    """Pages whose slug got a clash suffix."""
    return conn.scalar("SELECT count(*) FROM pages WHERE slug GLOB '*-[0-9]'")
