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
from shared.mail.views import MailBranding, OrderLine, OrderSummary, safe_url
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
            preheader: str, **extra: Any) -> tuple[str, str]:
    """(html, text) of one e-mail; `extra` are more template variables."""
    env = _environment()
    context: dict[str, Any] = {"order": order, "b": branding, "subject": subject, "preheader": preheader,
                               "lang": branding.locale.split("-")[0] or "en", **extra}
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


def _designed(kind: str, order: OrderSummary | None, branding: MailBranding, *, to: str, reply_to: str,
              subject: str, preheader: str, **extra: Any) -> OutgoingEmail | None:
    """The message from the store's design of `kind` when the caller named the store (`using_designs`)
    and it has one that renders; None to send the built-in template (docs/mail.md "Designing e-mails")."""
    from shared.mail.designs.context import current_source

    source = current_source()
    if source is None:
        return None
    from shared.mail.designs import message_data, render_designed

    data = message_data(kind, branding, subject=subject, preheader=preheader, order=order, to=to,
                        reply_to=reply_to, **extra)
    return render_designed(source, kind, data)


def _lines(lines: tuple[OrderLine, ...]) -> list[dict[str, Any]]:
    from shared.mail.designs.kinds import line_data

    return [line_data(line) for line in lines]


def _json_money(value: Money | None) -> dict[str, Any] | None:
    return None if value is None else {"amount": value.amount, "currency": value.currency}


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
    preheader = f"Thank you for your purchase from {branding.store_name}."
    designed = _designed("order_confirmation", order, branding, to=order.contact_email,
                         reply_to=branding.support_email, subject=subject, preheader=preheader)
    if designed is not None:
        return designed
    html, text = _render("order_confirmation", order=order, branding=branding, subject=subject, preheader=preheader)
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


# --- after the order (issue 12): each from the store, replies to the store, to the shopper ----------

def _to_shopper(order: OrderSummary, branding: MailBranding, name: str, subject: str, preheader: str,
                design: dict[str, Any], **extra: Any) -> OutgoingEmail:
    """`design`: what this kind adds to `ctx.email` (JSON) when the store designed it."""
    designed = _designed(name, _checked(order), branding, to=order.contact_email, reply_to=branding.support_email,
                         subject=subject, preheader=preheader, **design)
    if designed is not None:
        return designed
    html, text = _render(name, order=_checked(order), branding=branding, subject=subject, preheader=preheader,
                         **extra)
    return OutgoingEmail(to=order.contact_email, subject=subject, text=text, html=html,
                         from_name=branding.store_name, reply_to=branding.support_email)


def render_shipping_confirmation(order: OrderSummary, branding: MailBranding, *, shipped: tuple[OrderLine, ...],
                                 partial: bool = False, carrier: str = "", tracking_number: str = "",
                                 tracking_url: str = "") -> OutgoingEmail:
    """"Your order is on the way": the `shipped` lines (units of this shipment), the carrier and the
    tracking number, and a tracking button when `tracking_url` is http(s) (any other URL is left out).
    Raises MailError(INVALID_MESSAGE) like render_order_confirmation."""
    subject = f"{'Some items of order' if partial else 'Order'} {order.number} {'are' if partial else 'is'} on the way"
    facts = {"partial": partial, "carrier": one_line(carrier, 100), "tracking_number": one_line(tracking_number, 100),
             "tracking_url": safe_url(tracking_url) or ""}
    return _to_shopper(order, branding, "shipping_confirmation", subject,
                       f"{one_line(carrier, 60) + ' ' if carrier else ''}{one_line(tracking_number, 80)}".strip()
                       or "Your order has shipped.", {"shipment": {"lines": _lines(shipped), **facts}},
                       shipment={"lines": shipped}, **facts)


def render_ready_for_pickup(order: OrderSummary, branding: MailBranding, *, unpaid: bool = False) -> OutgoingEmail:
    """"Your order is ready for pickup" at the order's pickup location; `unpaid` (pay in store) adds the
    amount to pay at the counter. Raises MailError(INVALID_MESSAGE) for an order without pickup."""
    if order.pickup is None:
        raise MailError(MailErrorCode.INVALID_MESSAGE, "a ready-for-pickup e-mail needs a pickup order")
    return _to_shopper(order, branding, "ready_for_pickup", f"Order {order.number} is ready for pickup",
                       f"Pick it up at {order.pickup.name}.", {"pickup_unpaid": unpaid}, unpaid=unpaid)


def render_order_cancelled(order: OrderSummary, branding: MailBranding, *, reason: str = "",
                           refund: Money | None = None, released: bool = False) -> OutgoingEmail:
    """"Your order has been cancelled", with the reason, the refund on its way (`refund`) or the card
    authorization released (`released`)."""
    refund = refund if refund and refund.amount > 0 else None
    return _to_shopper(order, branding, "order_cancelled", f"Order {order.number} has been cancelled",
                       f"Order {order.number} has been cancelled.",
                       {"cancel": {"reason": one_line(reason, 300), "refund": _json_money(refund),
                                   "released": released}},
                       reason=one_line(reason, 300), refund=refund, released=released)


def render_order_refunded(order: OrderSummary, branding: MailBranding, *, amount: Money,
                          refunded: tuple[OrderLine, ...] = (), reason: str = "", counter: bool = False) -> OutgoingEmail:
    """"You have been refunded" `amount`, with the refunded lines (none for a refund by amount);
    `counter` for money given back at the counter (paid in store)."""
    return _to_shopper(order, branding, "order_refunded", f"Refund for order {order.number}",
                       f"{format_money(amount, branding.locale)} refunded.",
                       {"refund": {"amount": _json_money(amount), "lines": _lines(refunded),
                                   "reason": one_line(reason, 300), "counter": counter}}, amount=amount,
                       refunded={"lines": refunded}, reason=one_line(reason, 300), counter=counter)
