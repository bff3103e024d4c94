"""The order e-mails: the confirmation to the shopper and "new order" to the merchant, each with an
HTML part (the store's logo and colours, CSS inlined for mail clients by css-inline) and a text part.

Templates are Jinja2 files in shared/mail/templates with autoescape on for HTML: every merchant or
shopper string is escaped by the engine, so no template can forget one (with string.Template each
value would have to be escaped by hand, and loops and conditions would move into Python code that
builds HTML). StrictUndefined makes a misspelt field an error, not an empty string."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from shared.mail.errors import MailError, MailErrorCode
from shared.mail.message import OutgoingEmail, one_line
from shared.mail.views import MailBranding, OrderSummary, safe_url
from shared.models.money import Money
from shared.models.money_format import format_money


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("shared.mail", "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["money"] = _money
    env.filters["css"] = _css
    return env


_CSS_VALUE = re.compile(r"^[A-Za-z0-9 ,'\"#.%-]*\Z")


def _css(value: str) -> Markup:
    """A value for inside <style>, where HTML escaping does not apply (the browser would read
    '&#39;' literally): only a font stack or colour's characters pass, so it cannot end the rule."""
    if not _CSS_VALUE.match(value):
        raise MailError(MailErrorCode.INVALID_MESSAGE, f"{value!r} is not a CSS value")
    return Markup(value)     # noqa: S704 - checked just above: no '<', ';', '{', '}' or '\\'


@pass_context
def _money(context: Context, value: Money | None) -> str:
    """`{{ amount | money }}`: the store's locale, the storefront's format."""
    return "" if value is None else format_money(value, context["b"].locale)


@cache
def _inliner() -> css_inline.CSSInliner:
    # @media rules stay in a <style> (phones); nothing is fetched from elsewhere.
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def _render(name: str, *, order: OrderSummary, branding: MailBranding, subject: str,
            preheader: str) -> tuple[str, str]:
    """(html, text) of one e-mail."""
    env = _environment()
    context: dict[str, Any] = {"order": order, "b": branding, "subject": subject, "preheader": preheader,
                               "lang": branding.locale.split("-")[0] or "en"}
    html = env.get_template(f"{name}.html").render(context)
    text = env.get_template(f"{name}.txt").render(context)
    return _inliner().inline(html), _tidy(text)


def _tidy(text: str) -> str:
    """The text part without runs of blank lines (what the template's conditions leave behind)."""
    out: list[str] = []
    for line in text.splitlines():
        if line.strip() or (out and out[-1].strip()):
            out.append(line.rstrip())
    return "\n".join(out).strip() + "\n"


def _checked(order: OrderSummary) -> OrderSummary:
    if safe_url(order.status_url) is None:
        raise MailError(MailErrorCode.INVALID_MESSAGE, "the order status URL must be an absolute http(s) URL")
    if not order.lines:
        raise MailError(MailErrorCode.INVALID_MESSAGE, "an order e-mail needs at least one line")
    return order


def render_order_confirmation(order: OrderSummary, branding: MailBranding) -> OutgoingEmail:
    """The shopper's confirmation: "Order #1001 confirmed", from the store's name, replies to the store.

    Raises MailError(INVALID_MESSAGE) for an order without lines or with a status URL that is not
    http(s), MailError(INVALID_ADDRESS) for a bad contact address."""
    order = _checked(order)
    subject = f"Order {order.number} confirmed"
    html, text = _render("order_confirmation", order=order, branding=branding, subject=subject,
                         preheader=f"Thank you for your purchase from {branding.store_name}.")
    return OutgoingEmail(to=order.contact_email, subject=subject, text=text, html=html,
                         from_name=branding.store_name, reply_to=branding.support_email)


def render_new_order(order: OrderSummary, branding: MailBranding, *, to: str) -> OutgoingEmail:
    """The merchant's "new order" e-mail to `to` (the store's address); replies go to the shopper."""
    order = _checked(order)
    who = one_line(order.customer_name or order.contact_email, 80)
    subject = f"[{branding.store_name}] Order {order.number} placed by {who}"
    html, text = _render("new_order", order=order, branding=branding, subject=subject,
                         preheader=f"{format_money(order.total, branding.locale)} from {who}")
    return OutgoingEmail(to=to, subject=subject, text=text, html=html, from_name=branding.store_name,
                         reply_to=order.contact_email)
