"""`vibeshop pos count` and `vibeshop pos upload` against a real server: the count lands, the store is
reached by Host header or by a *.localhost address, a count made while the cloud is unreachable waits
in the queue file, and refusals (401, 403, 422) print the cloud's problem and exit non-zero."""

from __future__ import annotations

import socket

from support_pos_client import Device, device_args, run_pos

from shared.accounts.service import create_pos_device_token, create_token
from shared.storefront.service import DataDir, open_store


def _sku(device: Device) -> str:
    return sorted(device.on_hand())[0]


async def test_a_count_sets_the_shops_stock(cloud: str, device: Device) -> None:
    sku = _sku(device)
    code, out, err = await run_pos("count", sku, "7", *device_args(device, cloud))
    assert code == 0, err
    assert f"{sku}: on hand 7" in out and "1 applied" in out
    assert device.on_hand()[sku] == 7


async def test_remote_and_token_from_the_environment_with_a_host_header(cloud: str, device: Device) -> None:
    sku = _sku(device)
    port = cloud.rsplit(":", 1)[1]
    env = {"VIBESHOP_POS_REMOTE": f"http://127.0.0.1:{port}", "VIBESHOP_POS_TOKEN": device.token,
           "VIBESHOP_POS_HOST": "demo.localhost", "VIBESHOP_POS_QUEUE": str(device.queue)}
    code, out, err = await run_pos("count", sku, "4", env=env)
    assert code == 0, err
    assert device.on_hand()[sku] == 4
    code, _, err = await run_pos("count", sku, "5", env={**env, "VIBESHOP_POS_HOST": ""})
    assert code == 0, err       # 127.0.0.1 names no store: the device token's store answers (tests/pos_contract)
    assert device.on_hand()[sku] == 5


async def test_a_count_made_offline_waits_in_the_queue_and_goes_with_the_next_upload(cloud: str, device: Device
                                                                                     ) -> None:
    sku = _sku(device)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    code, _, err = await run_pos("count", sku, "9", *device_args(device, f"http://demo.localhost:{closed}"))
    assert code == 1 and "1 changes stay queued" in err
    assert device.on_hand()[sku] != 9
    other = create_pos_device_token(DataDir(device.data).catalog(), store_id=_store_id(device),
                                    location_id=device.location_id, name="other till")[1]
    code, _, err = await run_pos("upload", "--remote", cloud, "--token", other, "--queue", str(device.queue))
    assert code == 2 and "another device" in err        # a queue is one device's until it is drained
    code, out, err = await run_pos("upload", *device_args(device, cloud))
    assert code == 0, err
    assert "sent 1 changes: 1 applied" in out and device.on_hand()[sku] == 9


def _store_id(device: Device) -> str:
    store = open_store(DataDir(device.data), "demo")
    store.close()
    return store.record.id


async def test_refusals_print_the_problem_and_exit_non_zero(cloud: str, device: Device) -> None:
    code, _, err = await run_pos("count", "NO-SUCH-SKU", "3", *device_args(device, cloud))
    assert code == 1 and "422" in err and "no variant has this SKU" in err and "changes[0].sku" in err
    code, out, _ = await run_pos("upload", *device_args(device, cloud))
    assert code == 0 and "nothing queued" in out        # a refused change is kept, never sent again
    code, _, err = await run_pos("count", _sku(device), "3", "--remote", cloud, "--token", "vs_nope",
                                 "--queue", str(device.queue) + ".2")
    assert code == 1 and "401" in err
    catalog = DataDir(device.data).catalog()
    try:
        admin = create_token(catalog, store_id=_store_id(device), name="admin", scopes=["pos", "store:read"])
    finally:
        catalog.close()
    code, _, err = await run_pos("count", _sku(device), "3", "--remote", cloud, "--token", admin,
                                 "--queue", str(device.queue) + ".3")
    assert code == 1 and "403" in err and "POS device" in err
    code, _, err = await run_pos("count", _sku(device), "3", "--token", admin)
    assert code == 2 and "--remote" in err
