"""Stripe through the seam against a real localstripe process: success, declines, 3DS, lost answers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.db import Database, connect
from shared.models.money import Money
from shared.payments import (PaymentError, PaymentErrorCode, PaymentStatus, SecretBox, StripeOptions, StripeProvider,
                             load_stripe_keys, provider_for, set_stripe_keys)
from shared.payments.provider import PaymentProvider
from support_stripe import STORE_ID, LocalStripe, LosingProxy, serve

TEE = Money(2500, "USD")


def stripe_at(db: Database, box: SecretBox, api_base: str, **options: float) -> StripeProvider:
    provider = provider_for(db, store_id=STORE_ID, method="stripe", box=box,
                            options=StripeOptions(api_base=api_base, retry_pause=0.05, **options))
    assert isinstance(provider, StripeProvider) and isinstance(provider, PaymentProvider)
    return provider


@pytest.fixture
async def stripe(stripe_store: Database, box: SecretBox, localstripe: LocalStripe) -> AsyncIterator[StripeProvider]:
    provider = stripe_at(stripe_store, box, localstripe.url)
    yield provider
    await provider.aclose()


def intents(localstripe: LocalStripe) -> list[dict]:
    return localstripe.get("/v1/payment_intents?limit=100")["data"]


async def test_prepare_gives_the_browser_a_setup_intent(stripe: StripeProvider, localstripe: LocalStripe) -> None:
    setup = await stripe.prepare(attempt_key="attempt-0001")
    assert setup.client_secret.startswith("seti_") and setup.publishable_key.startswith("pk_test_")
    assert setup.js_url == f"{localstripe.url}/js.stripe.com/v3/" and setup.js_origin == localstripe.url
    assert "client_secret" not in repr(setup) and setup.client_secret not in repr(setup)


@pytest.mark.parametrize(("number", "status"), [("4242424242424242", PaymentStatus.SUCCEEDED),
                                               ("4000000000000341", PaymentStatus.DECLINED)])
async def test_the_card_the_browser_saved_is_the_one_charged(stripe: StripeProvider, localstripe: LocalStripe,
                                                             number: str, status: PaymentStatus) -> None:
    setup = await stripe.prepare(attempt_key="attempt-page")
    saved = localstripe.confirm_setup(setup.client_secret, number)       # the browser's confirmCardSetup
    assert saved["status"] == "succeeded" and saved["payment_method"].startswith("pm_")
    result = await stripe.charge(TEE, payment_method=saved["payment_method"], idempotency_key="attempt-page",
                                 metadata={})
    assert result.status is status


async def test_a_good_card_is_charged_once(stripe: StripeProvider, localstripe: LocalStripe) -> None:
    result = await stripe.charge(TEE, payment_method="pm_card_visa", idempotency_key="attempt-0001",
                                 metadata={"order_ref": "cart-1"})
    assert result.status is PaymentStatus.SUCCEEDED and result.paid
    assert result.amount == TEE and result.intent_id and result.intent_id.startswith("pi_")
    assert result.metadata["vibeshop_store"] == STORE_ID and result.metadata["vibeshop_attempt"] == "attempt-0001"
    again = await stripe.charge(TEE, payment_method="pm_card_visa", idempotency_key="attempt-0001",
                                metadata={"order_ref": "cart-1"})     # a double-click, a retried request
    assert (again.status, again.intent_id) == (PaymentStatus.SUCCEEDED, result.intent_id)
    assert [i["id"] for i in intents(localstripe)] == [result.intent_id]
    assert (await stripe.retrieve(result.intent_id)).status is PaymentStatus.SUCCEEDED


async def test_zero_and_three_decimal_amounts_reach_stripe_in_its_units(stripe: StripeProvider,
                                                                        localstripe: LocalStripe) -> None:
    yen = await stripe.charge(Money(2400, "JPY"), payment_method="pm_card_visa", idempotency_key="attempt-jpy1",
                              metadata={})
    dinar = await stripe.charge(Money(5120, "KWD"), payment_method="pm_card_visa", idempotency_key="attempt-kwd1",
                                metadata={})
    sent = {i["id"]: (i["amount"], i["currency"]) for i in intents(localstripe)}
    assert sent == {yen.intent_id: (2400, "jpy"), dinar.intent_id: (5120, "kwd")}
    assert (yen.amount, dinar.amount) == (Money(2400, "JPY"), Money(5120, "KWD"))
    with pytest.raises(PaymentError) as caught:
        await stripe.charge(Money(5125, "KWD"), payment_method="pm_card_visa", idempotency_key="attempt-kwd2",
                            metadata={})
    assert caught.value.code == PaymentErrorCode.AMOUNT_NOT_CHARGEABLE
    assert len(intents(localstripe)) == 2


async def test_concurrent_charges_of_one_attempt_charge_once(stripe: StripeProvider, localstripe: LocalStripe) -> None:
    results = await asyncio.gather(*(stripe.charge(TEE, payment_method="pm_card_visa", idempotency_key="attempt-race",
                                                   metadata={}) for _ in range(4)))
    assert {r.intent_id for r in results} == {results[0].intent_id}
    assert {r.status for r in results} == {PaymentStatus.SUCCEEDED}
    charged = [i["id"] for i in intents(localstripe) if i["status"] == "succeeded"]
    assert charged == [results[0].intent_id]


async def test_a_card_declined_at_charge_is_a_declined_result(stripe: StripeProvider, localstripe: LocalStripe) -> None:
    card = localstripe.card("4000000000000341")
    result = await stripe.charge(TEE, payment_method=card, idempotency_key="attempt-0002", metadata={})
    assert result.status is PaymentStatus.DECLINED and not result.paid
    assert "declined" in result.message.lower() and result.intent_id
    again = await stripe.charge(TEE, payment_method=card, idempotency_key="attempt-0002", metadata={})
    assert (again.status, again.intent_id) == (PaymentStatus.DECLINED, result.intent_id)
    with pytest.raises(PaymentError) as caught:     # another card needs another attempt key
        await stripe.charge(TEE, payment_method="pm_card_visa", idempotency_key="attempt-0002", metadata={})
    assert caught.value.code == PaymentErrorCode.ATTEMPT_REUSED


@pytest.mark.parametrize(("passes", "status"), [(True, PaymentStatus.SUCCEEDED), (False, PaymentStatus.DECLINED)])
async def test_3ds_requires_action_then_retrieve_tells_the_outcome(stripe: StripeProvider, localstripe: LocalStripe,
                                                                  passes: bool, status: PaymentStatus) -> None:
    card = localstripe.card("4000002500003155")
    result = await stripe.charge(TEE, payment_method=card, idempotency_key="attempt-3ds1", metadata={})
    assert result.status is PaymentStatus.REQUIRES_ACTION and result.client_secret
    assert result.client_secret not in repr(result)
    localstripe.authenticate(result.intent_id, result.client_secret, success=passes)   # the browser's part
    final = await stripe.retrieve(result.intent_id)
    assert (final.status, final.intent_id) == (status, result.intent_id)


@pytest.mark.parametrize(("lost_call", "mode", "forward", "sends"), [
    ("confirm", "drop", True, 1),    # confirmed, answer lost: re-read shows it succeeded, no second confirm
    ("confirm", "hang", True, 1),    # the same after a client timeout
    ("confirm", "drop", False, 2),   # the confirm never arrived: sent again, with the same key
    ("create", "drop", True, 2),     # create retried with the same key (localstripe ignores it: one
                                     # unconfirmed orphan, never charged)
])
async def test_a_lost_answer_is_retried_and_charges_once(stripe_store: Database, box: SecretBox,
                                                        localstripe: LocalStripe, lost_call: str, mode: str,
                                                        forward: bool, sends: int) -> None:
    def lose(method: str, path: str) -> bool:
        is_confirm = path.endswith("/confirm")
        return method == "POST" and path.startswith("/v1/payment_intents") and is_confirm == (lost_call == "confirm")

    proxy = LosingProxy(localstripe.url, lose, mode=mode, forward=forward)
    runner, url = await serve(proxy.app())
    # "hang" ends at the client's timeout; the other calls must never reach it, even on a loaded machine.
    provider = stripe_at(stripe_store, box, url, timeout=5.0 if mode == "hang" else 30.0)
    try:
        result = await provider.charge(TEE, payment_method="pm_card_visa", idempotency_key="attempt-lost",
                                       metadata={})
        again = await provider.charge(TEE, payment_method="pm_card_visa", idempotency_key="attempt-lost",
                                      metadata={})
    finally:
        await provider.aclose()
        await runner.cleanup()
    assert proxy.lost == 1 and result.status is PaymentStatus.SUCCEEDED and again.intent_id == result.intent_id
    charged = [i for i in intents(localstripe) if i["status"] == "succeeded"]
    assert [i["id"] for i in charged] == [result.intent_id]
    keys = [key for method, path, key in proxy.seen
            if method == "POST" and lose(method, path)]
    assert len(keys) == sends and keys == [f"attempt-lost:{lost_call}"] * sends


async def test_stripe_unreachable_is_a_typed_error_and_nothing_is_charged(stripe_store: Database,
                                                                         box: SecretBox) -> None:
    with socket.socket() as sock:                   # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = stripe_at(stripe_store, box, f"http://127.0.0.1:{port}", timeout=1.0)
    try:
        with pytest.raises(PaymentError) as caught:
            await provider.charge(TEE, payment_method="pm_card_visa", idempotency_key="attempt-down", metadata={})
        with pytest.raises(PaymentError) as prepared:
            await provider.prepare(attempt_key="attempt-down")
        with pytest.raises(PaymentError) as checked:        # after 3DS: the outcome is unknown, not "none"
            await provider.retrieve("pi_known")
    finally:
        await provider.aclose()
    assert caught.value.code == prepared.value.code == checked.value.code == PaymentErrorCode.UNREACHABLE
    assert caught.value.intent_id is None and "nothing was charged" in str(caught.value)
    assert checked.value.intent_id == "pi_known" and "nothing was charged" not in str(checked.value)


async def test_bad_input_is_refused_before_reaching_stripe(stripe: StripeProvider, localstripe: LocalStripe) -> None:
    bad = [dict(payment_method="card_4242", idempotency_key="attempt-0003", metadata={}),
           dict(payment_method="pm_card_visa", idempotency_key="short", metadata={}),
           dict(payment_method="pm_card_visa", idempotency_key="attempt-0003", metadata={"vibeshop_store": "x"}),
           dict(payment_method="pm_card_visa", idempotency_key="attempt-0003", metadata={"k": "v" * 501})]
    for kwargs in bad:
        with pytest.raises(PaymentError) as caught:
            await stripe.charge(TEE, **kwargs)
        assert caught.value.code == PaymentErrorCode.INVALID
    with pytest.raises(PaymentError):
        await stripe.retrieve("pi_../../v1/customers")
    assert intents(localstripe) == []


async def test_another_stores_intent_is_not_reported(stripe: StripeProvider, stripe_store: Database, box: SecretBox,
                                                     localstripe: LocalStripe, tmp_path: Path) -> None:
    result = await stripe.charge(TEE, payment_method="pm_card_visa", idempotency_key="attempt-0004", metadata={})
    other_db = connect(tmp_path / "other.db")
    set_stripe_keys(other_db, store_id="other-store", box=box,
                    keys=load_stripe_keys(stripe_store, store_id=STORE_ID, box=box))   # one Stripe account, two stores
    other = provider_for(other_db, store_id="other-store", method="stripe", box=box,
                         options=StripeOptions(api_base=localstripe.url))
    try:
        with pytest.raises(PaymentError) as caught:
            await other.retrieve(result.intent_id)
    finally:
        await other.aclose()
        other_db.close()
    assert caught.value.code == PaymentErrorCode.FOREIGN_STORE


async def test_pay_in_store_takes_nothing_online(stripe_store: Database) -> None:
    provider = provider_for(stripe_store, store_id=STORE_ID, method="pay_in_store")
    assert (await provider.prepare(attempt_key="attempt-0005")).js_url == ""
    result = await provider.charge(TEE, payment_method="pay_in_store", idempotency_key="attempt-0005", metadata={})
    assert (result.status, result.paid, result.intent_id, result.amount) == (PaymentStatus.PAY_IN_STORE, False, None, TEE)
