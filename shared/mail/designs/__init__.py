"""E-mails the merchant designs (docs/mail.md "Designing e-mails"): every message kind can be arranged
from e-mail-safe vibe blocks in the studio, rendered by the storefront's sandbox with the message as
`ctx.email`, wrapped in a table-based document with the CSS inlined and a text part derived from the HTML.
A store without a design for a kind, or whose design fails, sends the built-in template."""

from __future__ import annotations

from shared.mail.designs.context import current_source, using_designs
from shared.mail.designs.errors import DesignError, DesignErrorCode
from shared.mail.designs.kinds import KINDS, MessageKind, message_data
from shared.mail.designs.model import Design, DesignBlock, default_design
from shared.mail.designs.render import (close_executors, compose_design, load_design, render_builtin_design,
                                        render_designed, render_message, try_design)

__all__ = ["KINDS", "Design", "DesignBlock", "DesignError", "DesignErrorCode", "MessageKind", "close_executors",
           "compose_design", "current_source", "default_design", "load_design", "message_data",
           "render_builtin_design", "render_designed", "render_message", "try_design", "using_designs"]
