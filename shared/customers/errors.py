"""Error codes of the customers domain (accounts, sign-in, addresses, consent, privacy requests)."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class CustomerErrorCode(StrEnum):
    """Why a customer operation was refused; the HTTP status a handler should answer is in brackets."""

    INVALID = "invalid"                  # a malformed e-mail, address, cursor or limit [400/422]
    NOT_FOUND = "not_found"              # no such customer or address [404]
    RATE_LIMITED = "rate_limited"        # too many codes asked for this e-mail or from this address [429]
    CODE_WRONG = "code_wrong"            # the code does not match (a try was spent) [422]
    CODE_EXPIRED = "code_expired"        # no live code for this sign-in: expired, used or unknown [422]
    TOO_MANY_TRIES = "too_many_tries"    # the code's 5 tries are spent: ask for a new one [429]
    SIGNED_OUT = "signed_out"            # no valid session [401 / redirect to sign-in]


class CustomerError(VibeshopError):
    """A refused customer operation; nothing was written (except a spent try of a wrong code).
    `fields` maps a form field to its message (address forms)."""

    def __init__(self, code: CustomerErrorCode, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(code, message)
        self.fields = dict(fields or {})
