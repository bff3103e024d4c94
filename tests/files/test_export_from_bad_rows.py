"""Export from a database that already holds bad values (written with plain SQL first, as a device
file edited by hand or an old cloud would hold them): paths come only from checked names and stay
inside the folder; a page address that is no address stops the export before anything is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shared.files import export_store
from shared.files.errors import FilesError
from shared.files.export import write_folder
from shared.storefront.service import Store


def _sql(store: Store, statement: str, params: tuple = ()) -> None:
    store.db.close()            # nothing of the application stays open on the file while it is edited
    with sqlite3.connect(store.db.url) as conn:
        conn.execute(statement, params)


def _reopen(store: Store) -> None:
    from shared.db import connect

    store.db = connect(store.db.url)


@pytest.mark.parametrize("slug", ["../../../../outside-pages", "/tmp/absolute", "a/../../b", ".hidden", "Spaces here"])
def test_a_page_address_that_is_no_address_writes_nothing(demo: Store, tmp_path: Path, slug: str) -> None:
    _sql(demo, "UPDATE pages SET slug = ? WHERE slug = 'about'", (slug,))
    _reopen(demo)
    target = tmp_path / "deep" / "er" / "files"
    with pytest.raises(FilesError) as refused:
        export_store(demo.db, target)
    assert any("not a page address" in p.message for p in refused.value.problems)
    assert not (tmp_path / "outside-pages").exists()
    assert not any(target.rglob("*.json")) if target.exists() else True


def test_a_block_kind_that_is_no_kind_never_names_a_file(demo: Store, tmp_path: Path) -> None:
    code = 'function render(ctx, h) { return "<section>x</section>"; }'
    _sql(demo, "UPDATE blocks SET kind = '../../../../escaped', code = ? WHERE kind = 'hero'", (code,))
    _reopen(demo)
    target = tmp_path / "files"
    export_store(demo.db, target)
    assert not any(tmp_path.rglob("escaped*"))
    assert all(path.resolve().is_relative_to(target.resolve()) for path in target.rglob("*"))
    assert any(target.glob("pages/home/*-custom.js"))


def test_a_block_with_no_kind_and_no_code_is_named_not_written(demo: Store, tmp_path: Path) -> None:
    _sql(demo, "UPDATE blocks SET kind = '../../../../escaped' WHERE kind = 'hero' AND code IS NULL")
    _reopen(demo)
    with pytest.raises(FilesError) as refused:
        export_store(demo.db, tmp_path / "files")
    assert any("no block kind" in p.message for p in refused.value.problems)
    assert not any(tmp_path.rglob("escaped*"))


@pytest.mark.parametrize("rel", ["../x.js", "pages/../../x.js", "/etc/x", "pages//x", "pages/.x/page.json"])
def test_write_folder_refuses_paths_outside_before_writing_anything(tmp_path: Path, rel: str) -> None:
    target = tmp_path / "files"
    with pytest.raises(FilesError):
        write_folder(target, {"README.md": "x", rel: "y"})
    assert not (target / "README.md").exists()
    assert not (tmp_path / "x.js").exists()
