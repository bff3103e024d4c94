"""A POS device's token revoked while its request is still arriving: nothing of it is written."""

from __future__ import annotations

import asyncio
import json

import pytest

import cloud.server.pos.auth as pos_auth
from cloud.server.keys import STORES
from pos_hostile_support import CHANGES, Hostile, answer, problem_of
from shared.accounts.service import revoke_pos_device


async def test_a_token_revoked_while_the_body_arrives_writes_nothing(hostile: Hostile,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    checked, go_on = asyncio.Event(), asyncio.Event()
    authorize = pos_auth.authorize

    async def noted(catalog, token):
        grant = await authorize(catalog, token)
        checked.set()
        return grant

    monkeypatch.setattr(pos_auth, "authorize", noted)
    raw = json.dumps({"changes": [hostile.change()]}).encode()

    async def slow_body():
        yield raw[:10]
        await go_on.wait()          # the rest comes after the revocation
        yield raw[10:]

    before = hostile.ledger_rows()
    request = asyncio.ensure_future(hostile.client.post(CHANGES, data=slow_body(), headers=hostile.headers("slow-1")))
    await asyncio.wait_for(checked.wait(), timeout=30)      # the request began with a live token
    revoke_pos_device(hostile.client.app[STORES].catalog, device_id=hostile.till_id)
    go_on.set()
    status, body = await answer(await asyncio.wait_for(request, timeout=30))
    assert status == 401 and "revoked" in problem_of(status, body)["message"]
    assert hostile.ledger_rows() == before
    status, _ = await hostile.post(CHANGES, {"changes": [hostile.change()]}, key="slow-1")
    assert status == 401


async def test_a_token_of_another_device_cannot_replay_or_see_a_key(hostile: Hostile) -> None:
    body = {"changes": [hostile.change()]}
    assert (await hostile.post(CHANGES, body, key="shared-key"))[0] == 200
    status, answer_body = await hostile.post(CHANGES, body, key="shared-key", token=hostile.back)
    # keys are per device: the warehouse device's request runs on its own (its location, not the shop's)
    assert status == 200 and answer_body["stock"][0]["location_id"] == hostile.warehouse


@pytest.mark.parametrize("authorization", ["", "Bearer", "Bearer x", "Basic Zm9vOmJhcg==", "Bearer " + "v" * 4000])
async def test_bad_authorization_headers_are_json_401s(hostile: Hostile, authorization: str) -> None:
    headers = {"Host": "demo.localhost", "Authorization": authorization, "Idempotency-Key": "k"}
    status, body = await answer(await hostile.client.post(CHANGES, json={"changes": []}, headers=headers))
    assert status == 401 and problem_of(status, body)
