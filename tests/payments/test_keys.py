"""Stripe keys at rest: sealed with VIBESHOP_SECRETS_KEY, never synced, never shown or logged in clear."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import pytest

from shared.db import Database
from shared.payments import (DEMO_SECRETS_KEY, PAY_IN_STORE, PaymentError, PaymentErrorCode, PayInStoreProvider,
                             SecretBox, StripeKeys, StripeOptions, load_stripe_keys, provider_for, remove_stripe_keys,
                             secrets_box_from_env, set_stripe_keys, stripe_settings)
from shared.releases.snapshot import read_snapshot
from shared.sync.tables import spec_for

from support_stripe import STORE_ID

SECRET = "sk_test_51SuperSecretValue9876"
PUBLIC = "pk_test_51PublicValue12345678"
HOOK = "whsec_SigningSecretValue5555"
KEYS = StripeKeys(SECRET, PUBLIC, HOOK)


def test_keys_are_sealed_at_rest_and_shown_masked(store_db: Database, box: SecretBox, tmp_path: Path) -> None:
    shown = set_stripe_keys(store_db, store_id=STORE_ID, keys=KEYS, box=box)
    assert (shown.configured, shown.mode) == (True, "test")
    assert (shown.secret_key, shown.publishable_key, shown.webhook_secret) == (
        "sk_test_…9876", "pk_test_…5678", "whsec_…5555")
    assert stripe_settings(store_db) == shown
    store_db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("store.db"))
    for secret in (SECRET, PUBLIC, HOOK):
        assert secret.encode() not in raw


def test_keys_open_only_with_the_same_secrets_key_and_store(store_db: Database, box: SecretBox) -> None:
    set_stripe_keys(store_db, store_id=STORE_ID, keys=KEYS, box=box)
    assert load_stripe_keys(store_db, store_id=STORE_ID, box=box) == KEYS
    for other_box, other_store in ((SecretBox(os.urandom(32)), STORE_ID), (box, "another-store")):
        with pytest.raises(PaymentError) as caught:
            load_stripe_keys(store_db, store_id=other_store, box=other_box)
        assert caught.value.code == PaymentErrorCode.SECRETS_KEY_WRONG


def test_keys_never_appear_in_repr_logs_or_errors(caplog: pytest.LogCaptureFixture, store_db: Database,
                                                    box: SecretBox) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").info("keys %s %r", KEYS, [KEYS])
    text = caplog.text + repr(KEYS) + str(KEYS) + repr(box)
    for secret in (SECRET, PUBLIC, HOOK):
        assert secret not in text
    assert "sk_test_…9876" in text
    with pytest.raises(PaymentError) as caught:     # a bad key is named, never echoed
        set_stripe_keys(store_db, store_id=STORE_ID, keys=StripeKeys("sk_test_bad key!", PUBLIC), box=box)
    assert "bad key" not in str(caught.value)


@pytest.mark.parametrize("keys", [
    StripeKeys("pk_test_12345678", PUBLIC),                 # a publishable key as the secret one
    StripeKeys(SECRET, "sk_test_12345678"),
    StripeKeys("sk_live_12345678", PUBLIC),                 # live and test mixed
    StripeKeys(SECRET, PUBLIC, "not-a-whsec"),
    StripeKeys("", ""),
])
def test_malformed_keys_are_refused_and_nothing_is_written(store_db: Database, box: SecretBox,
                                                           keys: StripeKeys) -> None:
    with pytest.raises(PaymentError) as caught:
        set_stripe_keys(store_db, store_id=STORE_ID, keys=keys, box=box)
    assert caught.value.code == PaymentErrorCode.INVALID
    assert stripe_settings(store_db).configured is False


def test_secrets_key_comes_from_the_environment() -> None:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    box = secrets_box_from_env({"VIBESHOP_SECRETS_KEY": key})
    assert box.open(box.seal("x", context="c"), context="c") == "x"
    for env in ({}, {"VIBESHOP_SECRETS_KEY": "short"}, {"VIBESHOP_SECRETS_KEY": "!!!"}):
        with pytest.raises(PaymentError) as caught:
            secrets_box_from_env(env)
        assert caught.value.code == PaymentErrorCode.SECRETS_KEY_MISSING
        assert "VIBESHOP_SECRETS_KEY" in str(caught.value)
    demo = secrets_box_from_env({}, demo=True)          # only `vibeshop demo` asks for this
    assert demo.fingerprint == secrets_box_from_env({"VIBESHOP_SECRETS_KEY": DEMO_SECRETS_KEY}).fingerprint


def test_payment_tables_are_neither_synced_nor_in_snapshots(store_db: Database, box: SecretBox) -> None:
    set_stripe_keys(store_db, store_id=STORE_ID, keys=KEYS, box=box)
    for table in ("stripe_credentials", "payment_attempts", "payment_webhook_events"):
        assert spec_for(table) is None
    snapshot = store_db.write(read_snapshot)
    assert "stripe_credentials" not in snapshot["tables"]
    assert "sk_test_" not in repr(snapshot)


def test_provider_choice(store_db: Database, box: SecretBox) -> None:
    assert isinstance(provider_for(store_db, store_id=STORE_ID, method=PAY_IN_STORE), PayInStoreProvider)
    with pytest.raises(PaymentError) as caught:
        provider_for(store_db, store_id=STORE_ID, method="stripe", box=box)
    assert caught.value.code == PaymentErrorCode.NOT_CONFIGURED
    with pytest.raises(PaymentError) as caught:
        provider_for(store_db, store_id=STORE_ID, method="bitcoin", box=box)
    assert caught.value.code == PaymentErrorCode.INVALID
    set_stripe_keys(store_db, store_id=STORE_ID, box=box, keys=StripeKeys("sk_live_12345678", "pk_live_12345678"))
    with pytest.raises(PaymentError) as caught:       # live keys never go to a test host
        provider_for(store_db, store_id=STORE_ID, method="stripe", box=box,
                     options=StripeOptions(api_base="http://127.0.0.1:9"))
    assert caught.value.code == PaymentErrorCode.LIVE_KEY_TEST_HOST
    assert remove_stripe_keys(store_db) is True
    assert stripe_settings(store_db).configured is False
