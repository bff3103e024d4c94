"""The migration that adds the hold time and the shipping location to checkout_settings, on databases
made before it: a linked device with an edited settings row (its shadow as last pulled) and a cloud
working copy with the row logged. The row keeps its edits and gets the defaults; the shadow and the log
get them too, so the device has nothing to push until the merchant changes one, and then just that."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.checkout import TaxRate, TaxSetup
from shared.checkout.setup_store import load_checkout_setup, save_hold_minutes
from shared.db import DatabaseError, connect, migrate
from shared.db.repositories import checkout_setup as repo
from shared.db.repositories import sync as sync_repo
from shared.sync import device, merge
from shared.sync.tables import SPECS
from tests.sync.conftest import copy_db

TAX = TaxSetup(default_rate="5", rates=(TaxRate("US", "8.875", "NY"),))


def _edit_tax_as_before(db) -> None:
    """What the code before the migration wrote when the merchant saved taxes (its columns only)."""
    db.write(lambda conn: conn.execute(
        "UPDATE checkout_settings SET default_rate = '5', "
        "tax_rates = '[{\"country\": \"US\", \"rate\": \"8.875\", \"region\": \"NY\", \"name\": \"\"}]', "
        "updated_at = '2030-01-01T12:00:00.000000+00:00'"))


def _upgraded(path: Path) -> Path:
    """The closed database file under a new name, as the next version of the app opens it (a fresh
    process: the synced tables' columns are cached per database address)."""
    return copy_db(path, path.with_name("upgraded-" + path.name))


def _holds_migration() -> int:
    """This migration's number, found by its name (the integrator renumbers migrations at merge)."""
    return next(m.version for m in migrate.migrations_for("store") if m.name == "checkout_holds")


def _before_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped, version = migrate.migrations_for, _holds_migration()
    monkeypatch.setattr(migrate, "migrations_for",
                        lambda kind: [m for m in shipped(kind) if kind != "store" or m.version < version])


def test_a_linked_device_keeps_its_setup_and_has_nothing_new_to_push(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = migrate.migrations_for
    _before_holds(monkeypatch)
    old = connect(tmp_path / "device.db")
    assert "hold_minutes" not in old.read(lambda conn: [c[1] for c in conn.all("PRAGMA table_info(checkout_settings)")])
    device.enable_capture(old, "device-a")
    _edit_tax_as_before(old)
    [*_others, last] = device.form_ops(old)
    device.acknowledge(old, int(last.op_id.rpartition(":")[2]))   # pushed: the shadow is the row as edited
    shadow = old.read(lambda conn: sync_repo.get_shadow(conn, "checkout_settings", "checkout"))
    assert shadow["default_rate"] == "5" and "hold_minutes" not in shadow
    old.close()

    monkeypatch.setattr(migrate, "migrations_for", shipped)
    db = connect(_upgraded(tmp_path / "device.db"))
    try:
        setup = db.read(load_checkout_setup)
        assert setup.tax == TAX and (setup.hold_minutes, setup.shipping.ship_from) == (10, None)
        shadow = db.read(lambda conn: sync_repo.get_shadow(conn, "checkout_settings", "checkout"))
        assert (shadow["hold_minutes"], shadow["ship_from"]) == (10, None)
        assert device.form_ops(db) == []                     # the migration is nobody's edit
        save_hold_minutes(db, 30)
        [op] = device.form_ops(db)
        assert (op.table, set(op.fields)) == ("checkout_settings", {"hold_minutes", "updated_at"})
        with pytest.raises(DatabaseError):                   # the table refuses what the rules refuse
            db.write(lambda conn: conn.execute("UPDATE checkout_settings SET hold_minutes = 0"))
    finally:
        db.close()


def test_a_cloud_working_copy_logs_the_new_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = migrate.migrations_for
    _before_holds(monkeypatch)
    old = connect(tmp_path / "cloud.db")
    _edit_tax_as_before(old)
    # The working copy was logged by the code of its time: only the synced tables it had then.
    tables = set(old.read(lambda conn: [r[0] for r in conn.all("SELECT name FROM sqlite_master WHERE type = 'table'")]))
    with monkeypatch.context() as then:
        then.setattr(merge, "ORDER", tuple(spec for spec in merge.ORDER if spec.name in tables))
        assert merge.seed_log(old) >= 1
    old.close()

    monkeypatch.setattr(migrate, "migrations_for", shipped)
    db = connect(_upgraded(tmp_path / "cloud.db"))
    try:
        row = db.read(repo.get_settings)
        assert (row["default_rate"], row["hold_minutes"], row["ship_from"]) == ("5", 10, None)
        changes = [c for c in merge.pull_page(db, 0, 1000).changes if c["table"] == "checkout_settings"]
        assert changes and all((c["row"]["hold_minutes"], c["row"]["ship_from"]) == (10, None) for c in changes)
        assert set(changes[-1]["row"]) == set(db.read(SPECS["checkout_settings"].columns))
    finally:
        db.close()
