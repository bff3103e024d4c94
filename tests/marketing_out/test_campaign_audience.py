"""Who a campaign reaches: customers consenting when it starts, minus those who withdrew or were erased
before their turn; drafts only change before sending; the background worker with an injected clock
sends the batches at the store's rate and the abandoned-checkout reminder once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketing_seed import T0, seed_customers, set_rate
from shared.customers import erase_customer, record_consent
from shared.db import connect
from shared.db.repositories.customers import customer_id_by_email
from shared.mail import outbox_entries
from shared.marketing import (MarketingError, MarketingWorker, create_campaign, get_campaign, start_sending,
                              unsubscribe, update_campaign)
from shared.marketing.settings import settings_row
from shared.marketing.tokens import unsubscribe_token


class Clock:
    """A clock the test moves."""

    def __init__(self, now):  # noqa: ANN001
        self.now = now

    def __call__(self):  # noqa: ANN204
        return self.now


async def test_withdrawn_and_erased_customers_are_skipped_and_the_rate_holds(tmp_path):  # noqa: ANN001
    db = connect(tmp_path / "store.db")
    seed_customers(db, consenting=5, refusing=2)
    set_rate(db, 2)
    campaign = db.write(lambda conn: create_campaign(conn, {"subject": "News", "text": "Hello"}, now=T0))
    db.write(lambda conn: start_sending(conn, campaign.row.id, now=T0))
    with pytest.raises(MarketingError) as refused:
        db.write(lambda conn: update_campaign(conn, campaign.row.id, {"subject": "Changed"}, now=T0))
    assert refused.value.code == "not_draft"

    secret = db.write(lambda conn: settings_row(conn, now=T0).secret)
    ids = sorted(db.read(lambda conn: [customer_id_by_email(conn, f"sub{i}@example.com") for i in range(5)]))
    emails = {i: db.read(lambda conn, i=i: conn.one("SELECT email FROM customers WHERE id = ?", (i,))[0]) for i in ids}
    db.write(lambda conn: unsubscribe(conn, unsubscribe_token(secret, email=emails[ids[-1]]), now=T0))
    erase_customer(db, ids[-2])

    clock = Clock(T0)
    worker = MarketingWorker(lambda: [db], clock=clock)
    counts = []
    for step in range(1, 6):
        clock.now = T0 + timedelta(seconds=step)
        await worker.run_pass()
        counts.append(db.read(lambda conn: get_campaign(conn, campaign.row.id)).counts)
    assert counts[0] == {"pending": 3, "queued": 2}                    # two per second
    final = db.read(lambda conn: get_campaign(conn, campaign.row.id))
    assert final.row.status == "sent" and final.counts == {"queued": 3, "skipped": 2}
    sent_to = {r.payload for r in db.read(lambda conn: outbox_entries(conn, kind="email"))}
    assert not any(emails[ids[-1]] in p or emails[ids[-2]] in p for p in sent_to)
    assert not any("no0@example.com" in p for p in sent_to)
    db.close()


async def test_the_worker_reminds_an_abandoned_checkout_once_by_its_clock(demo_store):  # noqa: ANN001
    from marketing_seed import T0 as start
    from shared.marketing import update_settings
    from test_abandoned_reminder import add_attempt, first_variant

    db = demo_store.db
    db.write(lambda conn: update_settings(conn, {"abandonedCheckout": {"enabled": True, "delaySeconds": 600}}, now=start))
    db.write(lambda conn: record_consent(conn, email="ada@example.com", consented=True, source="checkout"))
    variant = db.read(first_variant)
    db.write(lambda conn: add_attempt(conn, email="ada@example.com", at=start + timedelta(seconds=5), variant=variant))
    clock = Clock(start + timedelta(minutes=5))
    worker = MarketingWorker(lambda: [db], clock=clock, remind_interval=0)

    def reminders() -> int:
        return len([r for r in db.read(lambda conn: outbox_entries(conn)) if r.dedupe_key.startswith("abandoned:")])

    await worker.run_pass()
    assert reminders() == 0                                 # before the delay
    for minutes in (11, 12, 60):
        clock.now = start + timedelta(minutes=minutes)
        await worker.run_pass()
        assert reminders() == 1                             # once, however often the loop runs


def test_a_designed_newsletter_is_what_subscribers_get_with_the_one_click_headers(tmp_path):  # noqa: ANN001
    """The merchant's newsletter design (the studio's E-mails section) wraps the campaign's text; the
    copy still carries List-Unsubscribe and List-Unsubscribe-Post."""
    import dataclasses
    import json

    from shared.mail.designs import close_executors
    from shared.mail.designs.service import customise, save_design
    from shared.marketing.campaigns import send_test

    db = connect(tmp_path / "store.db")
    seed_customers(db, consenting=1, refusing=0)
    design = customise(db, "newsletter")
    save_design(db, dataclasses.replace(design, subject="Harbor news: {store}"))
    campaign = db.write(lambda conn: create_campaign(conn, {"subject": "News", "text": "Hello from the shop"},
                                                     now=T0))
    try:
        db.write(lambda conn: send_test(conn, campaign.row.id, to="owner@shop.example", now=T0))
    finally:
        close_executors()
    [entry] = db.read(lambda conn: outbox_entries(conn, kind="email"))
    payload = json.loads(entry.payload)
    assert payload["subject"].startswith("[Test] Harbor news:")         # the design's subject
    assert "Hello from the shop" in payload["html"] and "Hello from the shop" in payload["text"]
    assert payload["list_unsubscribe"].startswith("http") and "/unsubscribe?t=" in payload["list_unsubscribe"]
