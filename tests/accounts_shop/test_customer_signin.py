"""Sign-in by e-mailed code, against a real libSQL file: the code e-mail, sessions, tries, expiry, rate
limits, and the hostile cases (brute force, enumeration by answer or work done, codes kept hashed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts_shop_support import queued_code
from shared.customers import (CustomerError, CustomerErrorCode, request_sign_in_code, session_customer, sign_out,
                              sign_out_everywhere, verify_sign_in_code)
from shared.customers import service as customer_service
from shared.db import database as database_module
from shared.mail import MailBranding, MailError

BRANDING = MailBranding(store_name="North Goods", store_url="https://north.example/")


def ask(db, email="ada@example.com", client="192.0.2.1", now=None):  # noqa: ANN001, ANN201
    return request_sign_in_code(db, email=email, client=client, branding=BRANDING, now=now)


def test_a_code_signs_in_once_and_makes_the_customer(db, monkeypatch) -> None:
    events = []
    monkeypatch.setattr(customer_service, "emit_event", lambda conn, **kw: events.append(kw))
    started = ask(db, "Ada@Example.com")
    code = queued_code(db, "ada@example.com")
    signed = verify_sign_in_code(db, token=started.token, code=f"{code[:3]} {code[3:]}")
    assert signed.created and signed.customer.email == "Ada@Example.com" and signed.customer.verified_at
    assert [e["event_type"] for e in events] == ["customer.created"]
    assert events[0]["data"]["email"] == "Ada@Example.com"
    assert session_customer(db, signed.session_token).id == signed.customer.id
    with pytest.raises(CustomerError) as used:           # a code works once
        verify_sign_in_code(db, token=started.token, code=code)
    assert used.value.code == CustomerErrorCode.CODE_EXPIRED
    again = ask(db, "ada@example.com")                    # the next sign-in finds the same customer
    second = verify_sign_in_code(db, token=again.token, code=queued_code(db, "ada@example.com"))
    assert not second.created and second.customer.id == signed.customer.id
    assert len(events) == 1


def test_the_code_is_kept_only_as_a_salted_hash(db) -> None:
    started = ask(db)
    code = queued_code(db, "ada@example.com")
    rows = db.read(lambda conn: conn.all("SELECT * FROM customer_login_codes"))
    assert rows and not any(code in str(value) or started.token in str(value) for value in rows[0])


def test_the_sixth_try_is_refused_even_with_the_right_code(db) -> None:
    started = ask(db)
    code = queued_code(db, "ada@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(CustomerError) as refused:
            verify_sign_in_code(db, token=started.token, code=wrong)
        assert refused.value.code == CustomerErrorCode.CODE_WRONG
        assert f"{left} tries" in str(refused.value) or not left
    with pytest.raises(CustomerError) as sixth:
        verify_sign_in_code(db, token=started.token, code=code)
    assert sixth.value.code == CustomerErrorCode.TOO_MANY_TRIES
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM customers")) == 0


def test_a_code_expires_after_ten_minutes(db) -> None:
    asked = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    started = ask(db, now=asked)
    code = queued_code(db, "ada@example.com")
    with pytest.raises(CustomerError) as late:
        verify_sign_in_code(db, token=started.token, code=code, now=asked + timedelta(minutes=10, seconds=1))
    assert late.value.code == CustomerErrorCode.CODE_EXPIRED
    assert verify_sign_in_code(db, token=started.token, code=code, now=asked + timedelta(minutes=9)).created


def test_codes_are_rate_limited_per_email_and_per_client(db) -> None:
    now = datetime.now(UTC)
    for index in range(5):
        ask(db, "ada@example.com", client=f"198.51.100.{index}", now=now)
    with pytest.raises(CustomerError) as per_email:
        ask(db, "ADA@example.com", client="198.51.100.99", now=now)
    assert per_email.value.code == CustomerErrorCode.RATE_LIMITED
    ask(db, "ada@example.com", now=now + timedelta(hours=1, seconds=1))      # an hour later: allowed again
    for index in range(20):
        ask(db, f"person{index}@example.com", client="203.0.113.7", now=now)
    with pytest.raises(CustomerError) as per_client:
        ask(db, "someone-else@example.com", client="203.0.113.7", now=now)
    assert per_client.value.code == CustomerErrorCode.RATE_LIMITED


def test_asking_for_a_code_does_the_same_work_for_known_and_unknown_emails(db, monkeypatch) -> None:
    """Enumeration: the answer's shape and the statements run are the same whether or not the e-mail
    has an account (and has orders); only the values differ."""
    first = ask(db, "known@example.com")
    verify_sign_in_code(db, token=first.token, code=queued_code(db, "known@example.com"))
    statements: list[str] = []
    real = database_module.Connection.execute

    def traced(self, sql, params=()):  # noqa: ANN001, ANN202
        statements.append(sql)
        return real(self, sql, params)

    monkeypatch.setattr(database_module.Connection, "execute", traced)
    known = ask(db, "known@example.com", client="192.0.2.50")
    known_work, statements[:] = list(statements), []
    unknown = ask(db, "nobody@example.com", client="192.0.2.51")
    assert statements == known_work
    assert type(known) is type(unknown) and len(known.token) == len(unknown.token)
    assert not any("FROM customers" in sql for sql in known_work)
    outbox = db.read(lambda conn: conn.all("SELECT json_extract(payload, '$.subject') FROM outbox "
                                           "WHERE dedupe_key LIKE 'signin:%' ORDER BY created_at DESC LIMIT 2"))
    assert {subject.split(" ", 1)[1] for (subject,) in outbox} == {"is your sign-in code for North Goods"}


def test_signing_out_ends_a_session_and_everywhere_ends_all(db) -> None:
    sessions = []
    for _ in range(3):
        started = ask(db)
        sessions.append(verify_sign_in_code(db, token=started.token, code=queued_code(db, "ada@example.com")))
    sign_out(db, sessions[0].session_token)
    assert session_customer(db, sessions[0].session_token) is None          # a copied cookie is dead too
    assert session_customer(db, sessions[1].session_token) is not None
    assert sign_out_everywhere(db, sessions[1].customer.id) == 2
    assert all(session_customer(db, s.session_token) is None for s in sessions)


@pytest.mark.parametrize("token", [None, "", "x" * 43, "../../etc", "a" * 500])
def test_forged_tokens_find_nothing(db, token) -> None:  # noqa: ANN001
    assert session_customer(db, token) is None
    with pytest.raises(CustomerError) as refused:
        verify_sign_in_code(db, token=token, code="123456")
    assert refused.value.code == CustomerErrorCode.CODE_EXPIRED


def test_a_malformed_email_is_refused_before_any_work(db) -> None:
    for bad in ("", "not-an-email", "a b@example.com", "<ada@example.com>", "x" * 300 + "@example.com"):
        with pytest.raises(CustomerError) as refused:
            ask(db, bad)
        assert refused.value.code == CustomerErrorCode.INVALID
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM customer_login_codes")) == 0


def test_a_session_ends_thirty_days_after_its_last_use(db) -> None:
    start = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    started = ask(db, now=start)
    signed = verify_sign_in_code(db, token=started.token, code=queued_code(db, "ada@example.com"), now=start)
    used = start + timedelta(days=20)
    assert session_customer(db, signed.session_token, now=used) is not None        # extended from here
    assert session_customer(db, signed.session_token, now=used + timedelta(days=29)) is not None
    assert session_customer(db, signed.session_token, now=used + timedelta(days=60)) is None


def test_the_code_email_escapes_the_store_name_and_carries_the_code() -> None:
    from shared.mail.account_mail import render_sign_in_code

    message = render_sign_in_code(to="ada@example.com", code="012345",
                                  branding=MailBranding(store_name="<b>Bad</b> & Co"))
    assert "012345" in message.html and "012345" in message.text and message.subject.startswith("012345 ")
    assert "<b>Bad</b>" not in message.html and "&lt;b&gt;Bad&lt;/b&gt; &amp; Co" in message.html
    with pytest.raises(MailError):
        render_sign_in_code(to="ada@example.com", code="12345<", branding=BRANDING)
