"""Encryption at rest of a store's payment credentials, with a key from the deployment's environment.

`VIBESHOP_SECRETS_KEY` holds 32 random bytes in URL-safe base64 (make one with
`python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`). Each
value is sealed with AES-256-GCM under a fresh 96-bit nonce, bound (associated data) to its store and
field, so a ciphertext copied into another store's row or another column does not open. Without the
variable nothing is sealed or opened: a clear SECRETS_KEY_MISSING error, never a silent default. The
one exception is `vibeshop demo`, which runs on loopback with test keys: it asks for DEMO_SECRETS_KEY
(`secrets_box_from_env(demo=True)`), a published, worthless key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.payments.errors import PaymentError, PaymentErrorCode

ENV_VAR = "VIBESHOP_SECRETS_KEY"
#: The demo's key: public, so it protects nothing. Only `vibeshop demo` may use it.
DEMO_SECRETS_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"vibeshop demo: not a secret").digest()).decode()
_VERSION = "v1."
_NONCE = 12


class SecretBox:
    """Seals and opens short secrets with one AES-256-GCM key. Its repr never shows the key."""

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise PaymentError(PaymentErrorCode.SECRETS_KEY_MISSING,
                               f"{ENV_VAR} must be 32 bytes in URL-safe base64 (44 characters)")
        self._aead = AESGCM(key)
        # A short public fingerprint, to tell in an error which key sealed what (not the key).
        self.fingerprint = hashlib.sha256(b"vibeshop-fingerprint" + key).hexdigest()[:8]

    def __repr__(self) -> str:
        return f"SecretBox(fingerprint={self.fingerprint!r})"

    def seal(self, plaintext: str, *, context: str) -> str:
        """The text form of `plaintext` encrypted and bound to `context` (e.g. 'store-id:secret_key')."""
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, token: str, *, context: str) -> str:
        """The plaintext `seal` was given. Raises PaymentError(SECRETS_KEY_WRONG) when the token was
        sealed with another key or for another context, or was altered."""
        try:
            if not token.startswith(_VERSION):
                raise ValueError("unknown format")
            raw = base64.urlsafe_b64decode(token[len(_VERSION):].encode("ascii"))
            plain = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], context.encode("utf-8"))
        except (InvalidTag, ValueError, binascii.Error):
            raise PaymentError(PaymentErrorCode.SECRETS_KEY_WRONG,
                               f"stored payment credentials do not open with this {ENV_VAR} "
                               f"(fingerprint {self.fingerprint}): was the key changed? Enter the keys again") from None
        return plain.decode("utf-8")


def secrets_box_from_env(environ: Mapping[str, str] | None = None, *, demo: bool = False) -> SecretBox:
    """The SecretBox for the key in `VIBESHOP_SECRETS_KEY` (from `environ`, default os.environ).

    `demo=True` (only `vibeshop demo`) falls back to DEMO_SECRETS_KEY when the variable is unset.
    Raises PaymentError(SECRETS_KEY_MISSING) when it is unset or not 32 bytes of URL-safe base64."""
    env = os.environ if environ is None else environ
    text = (env.get(ENV_VAR) or "").strip()
    if not text:
        if demo:
            text = DEMO_SECRETS_KEY
        else:
            raise PaymentError(PaymentErrorCode.SECRETS_KEY_MISSING,
                               f"{ENV_VAR} is not set: payment keys are stored encrypted with it. Make one with "
                               "python -c \"import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())\" "
                               "and set it in the deployment's environment (keep it: stored keys need it)")
    try:
        key = base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise PaymentError(PaymentErrorCode.SECRETS_KEY_MISSING,
                           f"{ENV_VAR} is not URL-safe base64 (32 random bytes, 44 characters)") from None
    return SecretBox(key)
