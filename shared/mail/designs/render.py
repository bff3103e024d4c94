"""Rendering a designed e-mail: the design's blocks run in the vibe sandbox (the same StoreExecutor as the
storefront's pages: a worker process per context, time and memory limits, output caps, no network, no
module loading), the message as `ctx.email`; then the document around them, CSS inlined, and the text
part derived from the HTML.

One function makes the bytes for both the studio's preview and the outbox (`render_email`), so what the
merchant sees is what is sent. A design that fails in any way (a block throws, loops, allocates too much,
writes too much, or the result is not a valid e-mail) is never sent half-made: the message falls back to
the built-in template and the failure is logged (and shown in the studio's preview)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.db import Connection, Database
from shared.db.repositories import email_designs as repo
from shared.mail.designs.context import note_failure
from shared.mail.designs.document import inline_css, wrap
from shared.mail.designs.errors import DesignError, DesignErrorCode
from shared.mail.designs.kinds import KINDS
from shared.mail.designs.model import Design, block_settings, default_design, design_from_row
from shared.mail.designs.text import html_to_text
from shared.mail.errors import MailError
from shared.mail.message import OutgoingEmail
from shared.vibe.executor import BlockJob, ExecutorPool, Limits, PageData, StoreExecutor

log = logging.getLogger(__name__)

# E-mail bodies stay far below OutgoingEmail.MAX_BODY (2 MB, HTML and text together): one block may write
# 256 KB, a whole message 1 MB; a message renders within 2 s.
MAIL_LIMITS = Limits(time_limit=2.0, max_block_chars=256 * 1024, max_page_chars=1024 * 1024)
_pool: ExecutorPool | None = None
_pool_lock = threading.Lock()


def executor_for(key: str) -> StoreExecutor:
    """The sandbox of one store's e-mails (`key`: its database), made on first use. Stores never share
    contexts, as for pages."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ExecutorPool(limits=MAIL_LIMITS, pool_size=1, max_stores=16)
    return _pool.for_store(f"mail:{key}")


def close_executors() -> None:
    """Stop every e-mail sandbox process (tests, shutdown)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()


@dataclass(frozen=True)
class RenderedDesign:
    """A design's HTML (CSS inlined), its text part and its subject."""

    subject: str
    html: str
    text: str


def _subject(design: Design, email: Mapping[str, Any]) -> str:
    if not design.subject.strip():
        return str(email["subject"])
    order = email.get("order") or {}
    return (design.subject.replace("{store}", email["brand"]["store_name"])
            .replace("{number}", str(order.get("number", ""))).replace("{code}", str(email.get("code") or "")))


def _currency(email: Mapping[str, Any]) -> str:
    order = email.get("order") or {}
    total = order.get("total") or {}
    products = email.get("products") or [{}]
    return str(total.get("currency") or (products[0].get("price") or {}).get("currency") or "USD")


def compose_design(design: Design, email: Mapping[str, Any], *, executor: StoreExecutor) -> RenderedDesign:
    """Run the design's visible blocks with `email` as ctx.email and build the message.
    Raises DesignError(BLOCK_FAILED) naming every block that failed."""
    blocks = [b for b in design.blocks if not b.hidden]
    jobs = [BlockJob(f"{design.kind}-{i}", b.kind, b.source, settings=block_settings(b)) for i, b in enumerate(blocks)]
    env = {"locale": email["brand"].get("locale") or "en-US", "currency": _currency(email), "mediaBase": "",
           "timeZone": "UTC"}
    results = executor.render_page(jobs, PageData(env=env, shared={"email": dict(email)}))
    failures = tuple((i + 1, blocks[i].kind, str(r.code), str(r.error)) for i, r in enumerate(results) if not r.ok)
    if failures:
        first = failures[0]
        raise DesignError(DesignErrorCode.BLOCK_FAILED,
                          f"block {first[0]} ({first[1]}) failed: {first[3]}", failures)
    subject = _subject(design, email)
    html = inline_css(wrap("".join(r.html or "" for r in results), {**email, "subject": subject}))
    return RenderedDesign(subject, html, html_to_text(html))


def _key(source: Connection | Database) -> str:
    return getattr(source, "database_key", None) or getattr(source, "url", "") or "store"


def load_design(source: Connection | Database, kind: str) -> Design | None:
    """The stored, enabled design of `kind`, or None (the built-in template is used)."""
    read = (lambda conn: repo.get_design(conn, kind))
    row = read(source) if isinstance(source, Connection) else source.read(read)
    if row is None or not row["enabled"]:
        return None
    return design_from_row(row)


def _email(rendered: RenderedDesign, data: Mapping[str, Any]) -> OutgoingEmail:
    return OutgoingEmail(to=data["to"], subject=rendered.subject, text=rendered.text, html=rendered.html,
                         from_name=data["brand"]["store_name"], reply_to=data.get("reply_to") or "")


def try_design(source: Connection | Database, kind: str, data: Mapping[str, Any],
               design: Design | None = None) -> tuple[OutgoingEmail | None, DesignError | None]:
    """(the designed e-mail, None), or (None, why not): no design stored (None, None), or it failed."""
    if kind not in KINDS:
        raise DesignError(DesignErrorCode.UNKNOWN_KIND, f"{kind!r} is not an e-mail the shop sends")
    design = design or load_design(source, kind)
    if design is None:
        return None, None
    try:
        return _email(compose_design(design, data, executor=executor_for(_key(source))), data), None
    except DesignError as exc:
        log.warning("e-mail design %s failed, the built-in template is sent: %s", kind, exc)
        return None, exc
    except (MailError, ValueError) as exc:      # not an e-mail (empty text, too large, bad address)
        log.warning("e-mail design %s made no valid e-mail, the built-in template is sent: %s", kind, exc)
        return None, DesignError(DesignErrorCode.BLOCK_FAILED, f"the design made no valid e-mail: {exc}")
    except Exception as exc:                    # noqa: BLE001 - the sandbox could not run: never lose the e-mail
        log.exception("e-mail design %s could not be rendered, the built-in template is sent", kind)
        return None, DesignError(DesignErrorCode.BLOCK_FAILED, f"the design could not be rendered: {exc}")


def render_designed(source: Connection | Database, kind: str, data: Mapping[str, Any]) -> OutgoingEmail | None:
    """The message `kind` made from the store's design with `data` (kinds.message_data), or None when the
    store has no design for it or the design failed: the caller then sends its built-in template."""
    email, error = try_design(source, kind, data)
    if error is not None:
        note_failure(error)
    return email


def render_builtin_design(source: Connection | Database, kind: str, data: Mapping[str, Any]) -> OutgoingEmail:
    """The message from the kind's default arrangement of built-in blocks: the built-in template of the
    kinds that have no Jinja one (abandoned checkout, newsletter). Raises DesignError only when the
    sandbox itself cannot run."""
    return _email(compose_design(default_design(kind), data, executor=executor_for(_key(source))), data)


def render_message(source: Connection | Database, kind: str, data: Mapping[str, Any]) -> OutgoingEmail:
    """For abandoned checkout and newsletter: the store's design, else the default arrangement."""
    return render_designed(source, kind, data) or render_builtin_design(source, kind, data)
