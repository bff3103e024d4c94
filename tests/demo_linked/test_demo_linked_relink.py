"""link_demo_studio against a real cloud on loopback: the first call pairs DATA/studio with a one-time
code; the next keeps that device; a studio whose token was revoked, or a studio folder deleted, is paired
afresh, and every other demo studio token is revoked, so exactly one stays live."""

from __future__ import annotations

import shutil
from pathlib import Path

from shared.accounts.service import revoke_token
from shared.db.repositories.accounts import list_tokens
from shared.demo.studio_link import TOKEN_NAME, link_demo_studio, loopback_remote
from shared.storefront.service import DataDir, open_store
from shared.sync import device
from support_linked_studio import running_cloud


def _live_tokens(data: DataDir, store_id: str) -> list[tuple[str, str]]:
    catalog = data.catalog()
    try:
        return [(token_id, name) for token_id, name, _scopes, _made, _used, revoked in
                catalog.read(lambda conn: list_tokens(conn, store_id)) if revoked is None]
    finally:
        catalog.close()


def _linked_device(folder: Path) -> str:
    copy = open_store(DataDir(folder), "demo")
    try:
        return device.link_state(copy.db).device_id
    finally:
        copy.close()


def test_relinking_keeps_one_working_device(demo_dir: Path) -> None:
    data = DataDir(demo_dir)
    with running_cloud(demo_dir) as cloud:
        store = open_store(data, "demo")
        try:
            first = link_demo_studio(data, store, remote=cloud.url)
            assert not first.reused and first.folder == demo_dir / "studio"
            assert _linked_device(first.folder) == first.device_id
            assert (first.device_id, TOKEN_NAME) in _live_tokens(data, store.record.id)

            again = link_demo_studio(data, store, remote=cloud.url)
            assert again.reused and again.device_id == first.device_id

            catalog = data.catalog()
            try:
                revoke_token(catalog, token_id=first.device_id)
            finally:
                catalog.close()
            fresh = link_demo_studio(data, store, remote=cloud.url)
            assert not fresh.reused and fresh.device_id != first.device_id
            assert _linked_device(fresh.folder) == fresh.device_id
            aside = list(demo_dir.glob("studio.unlinked-*"))         # the unlinked copy is kept, not deleted
            assert len(aside) == 1 and _linked_device(aside[0]) == first.device_id

            shutil.rmtree(fresh.folder)                     # a deleted studio folder leaves its token behind
            last = link_demo_studio(data, store, remote=cloud.url)
            assert not last.reused and last.device_id != fresh.device_id
            studios = [token_id for token_id, name in _live_tokens(data, store.record.id) if name == TOKEN_NAME]
            assert studios == [last.device_id]
        finally:
            store.close()


def test_the_studio_reaches_the_demo_over_loopback_only() -> None:
    assert loopback_remote("127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert loopback_remote("localhost", 8080) == "http://127.0.0.1:8080"
    assert loopback_remote("0.0.0.0", 8080) == "http://127.0.0.1:8080"
    assert loopback_remote("::1", 8090) == "http://[::1]:8090"
    assert loopback_remote("192.0.2.7", 8080) is None
