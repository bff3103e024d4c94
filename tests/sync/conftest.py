"""Sync worlds: a cloud working copy and devices, each a real libSQL file copied from one store."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from shared.db import Database, connect
from shared.db.repositories import sync as repo
from shared.sync import device, hlc, merge
from shared.sync.tables import ORDER


@dataclass
class Device:
    """One linked device: its database and id."""

    db: Database
    device_id: str
    name: str


@dataclass
class World:
    """A cloud working copy and its devices."""

    cloud: Database
    devices: list[Device] = field(default_factory=list)

    def close(self) -> None:
        """Close every database."""
        for dev in self.devices:
            dev.db.close()
        self.cloud.close()


def copy_db(source: Path, target: Path) -> Path:
    """Copy a closed database file (and its WAL, if any)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
    return target


def make_world(template: Path, folder: Path, count: int, *, cloud: Database | None = None) -> World:
    """A cloud (seeded log) and `count` devices that have made their first pull. The cloud is a copy of
    the template file, or `cloud` (a namespace on sqld holding the template's rows)."""
    world = World(cloud if cloud is not None else connect(copy_db(template, folder / "cloud.db")))
    merge.seed_log(world.cloud)
    for index in range(count):
        name = f"Device {chr(65 + index)}"
        dev = Device(connect(copy_db(template, folder / f"device{index}.db")), str(uuid.uuid4()), name)
        merge.ensure_device(world.cloud, dev.device_id, name)
        device.enable_capture(dev.db, dev.device_id)
        pull(dev, world.cloud)
        world.devices.append(dev)
    return world


def push(dev: Device, cloud: Database) -> merge.PushResult:
    """Form ops and push the outbox; acknowledge the answer."""
    device.form_ops(dev.db)
    result = merge.apply_push(cloud, dev.device_id, [op.to_json() for op in device.pending_ops(dev.db)])
    device.acknowledge(dev.db, result.last_op)
    return result


def pull(dev: Device, cloud: Database, *, limit: int = 1000) -> None:
    """Pull until `more` is false."""
    while True:
        start = device.cursor(dev.db)
        page = merge.pull_page(cloud, start, limit)
        device.apply_pull(dev.db, page.changes, page.cursor, conflicts=page.conflicts)
        if not page.more:
            return


def cycle(dev: Device, cloud: Database) -> None:
    """One sync cycle: form, push, acknowledge, pull."""
    push(dev, cloud)
    pull(dev, cloud)


def state(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of the synced tables."""
    return db.read(lambda conn: {spec.name: repo.all_rows(conn, spec) for spec in ORDER})


def store_db(folder: Path) -> Path:
    """The one store database of a data folder."""
    return next((folder / "stores").glob("*.db"))


@pytest.fixture
def world(demo_source: Path, tmp_path: Path, engine: str, request: pytest.FixtureRequest) -> Iterator[World]:
    """A cloud and two devices, all from the demo store; the cloud's working copy is a file or, as a
    cloud on a libSQL server keeps it, a namespace on sqld (the `engine` parameter)."""
    cloud = None
    if engine == "sqld":
        template = connect(copy_db(store_db(demo_source), tmp_path / "template.db"))
        try:
            cloud = request.getfixturevalue("sqld").copy_of(template)
        finally:
            template.close()
    made = make_world(store_db(demo_source), tmp_path, 2, cloud=cloud)
    yield made
    made.close()


@pytest.fixture(autouse=True)
def distinct_milliseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reading of the wall clock is at least a millisecond after the one before, so an edit a test
    makes later gets a later HLC on whichever device makes it. (A real clock can give two devices'
    edits the same millisecond; the device ids, random per test, then break the tie, and a test that
    means 'the newer edit wins' would pass or fail by chance.)"""
    last = [0]

    def wall_ms() -> int:
        last[0] = max(time.time_ns() // 1_000_000, last[0] + 1)
        return last[0]

    monkeypatch.setattr(hlc, "wall_ms", wall_ms)
