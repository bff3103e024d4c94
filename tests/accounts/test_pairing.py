"""Pairing codes on a real catalog database: shown once, hashed, used once, expiring."""

from __future__ import annotations

import pytest

from shared.accounts.errors import AuthError
from shared.accounts.pairing import CODE_LENGTH, create_pairing_code, redeem_pairing_code
from shared.accounts.service import check_token
from shared.storefront.service import Store


def test_a_code_pairs_one_device_once(store: Store):
    catalog = store.data_dir.catalog()
    try:
        code = create_pairing_code(catalog, store_id=store.record.id)
        assert len(code) == CODE_LENGTH and code.isupper()
        rows = catalog.read(lambda conn: conn.all("SELECT code_hash FROM pairing_codes"))
        assert rows and code not in rows[0][0]                       # only the hash is kept
        paired = redeem_pairing_code(catalog, code=code.lower()[:5] + " " + code.lower()[5:], device_name="Laptop")
        grant = check_token(catalog, paired.token)
        assert (grant.store_id, grant.token_id) == (store.record.id, paired.device_id)
        assert {"sync", "store:read", "store:write", "webhooks:read", "webhooks:write"} <= grant.scopes
        with pytest.raises(AuthError):
            redeem_pairing_code(catalog, code=code, device_name="Thief")
    finally:
        catalog.close()


@pytest.mark.parametrize("code", ["", "short", "0" * CODE_LENGTH, "A" * CODE_LENGTH, None, 12, "ÄBCDEFGHJK"])
def test_bad_or_unknown_codes_are_refused(store: Store, code):
    catalog = store.data_dir.catalog()
    try:
        with pytest.raises(AuthError):
            redeem_pairing_code(catalog, code=code, device_name="x")
        assert catalog.read(lambda conn: conn.scalar("SELECT count(*) FROM api_tokens")) == 0
    finally:
        catalog.close()


def test_an_expired_code_is_refused(store: Store):
    catalog = store.data_dir.catalog()
    try:
        code = create_pairing_code(catalog, store_id=store.record.id)
        catalog.write(lambda conn: conn.execute("UPDATE pairing_codes SET expires_at = '2000-01-01T00:00:00+00:00'"))
        with pytest.raises(AuthError):
            redeem_pairing_code(catalog, code=code, device_name="Late")
    finally:
        catalog.close()
