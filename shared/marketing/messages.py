"""The marketing e-mails' built-in renders: a newsletter (the campaign's own subject, HTML and text,
with the unsubscribe footer) and the abandoned-checkout reminder. Jinja2 with autoescape and strict
undefined as in shared/mail/templates.py; every shopper or merchant string is escaped by the engine, except
the campaign's HTML, which goes in as markup after the same nh3 sanitising as a design's `body_html`
(shared.compose.schema.sanitize_richtext), so both renders carry the same body.
Each message carries `list_unsubscribe`, so the mail's List-Unsubscribe and List-Unsubscribe-Post headers
(RFC 8058 one-click) are set. Inside `using_designs(conn)` (shared/mail/designs), a store that designed
the newsletter or the reminder in the studio gets its design (same sandbox as pages; a failing design
falls back to the built-in render below): the functions return an OutgoingEmail either way."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from shared.compose.schema import sanitize_richtext
from shared.mail.designs import message_data, render_designed
from shared.mail.designs.context import current_source
from shared.mail.message import OutgoingEmail
from shared.mail.views import MailBranding
from shared.models.money import MoneyError, major_text

_LAYOUT = """<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="margin:0;padding:0;background:{{ b.surface }};color:{{ b.text }};font-family:{{ b.font_stack }}">
<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff">
<p style="font-size:18px;font-weight:bold;margin:0 0 16px">{{ b.store_name }}</p>
{% block body %}{% endblock %}
<hr style="border:0;border-top:1px solid {{ b.border }};margin:32px 0 12px">
<p style="font-size:12px;color:{{ b.muted }}">You receive this because you agreed to hear from {{ b.store_name }}.
<a href="{{ unsubscribe_url }}" style="color:{{ b.muted }}">Unsubscribe</a> with one click.</p>
</div></body></html>
"""
_NEWSLETTER = """{% extends "layout.html" %}{% block body %}<div>{{ content }}</div>
{% if products %}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:24px 0 0">
{% for p in products %}<tr><td style="padding:8px 0;border-top:1px solid {{ b.border }}">
{% if p.image_url %}<a href="{{ p.url }}"><img src="{{ p.image_url }}" alt="{{ p.title }}" width="120"
style="display:block;width:120px;max-width:100%;border:0;margin:0 0 8px"></a>{% endif %}
<a href="{{ p.url }}" style="color:{{ b.link }};font-weight:bold;text-decoration:none">{{ p.title }}</a>
{% if p.price_text %}<div style="color:{{ b.text }}">{{ p.price_text }}</div>{% endif %}
</td></tr>{% endfor %}</table>{% endif %}{% endblock %}"""
_ABANDONED = """{% extends "layout.html" %}{% block body %}
<h1 style="font-size:22px;margin:0 0 12px">You left something in your cart</h1>
<p>Your items are waiting for you. Pick up where you left off:</p>
<ul>{% for line in lines %}<li>{{ line.quantity }} × {{ line.title }}</li>{% endfor %}</ul>
<p><a href="{{ restore_url }}" style="display:inline-block;padding:12px 20px;background:{{ b.accent }};
color:{{ b.accent_text }};text-decoration:none;border-radius:6px">Return to your cart</a></p>
{% endblock %}"""
_ABANDONED_TXT = """You left something in your cart at {{ b.store_name }}.

{% for line in lines %}- {{ line.quantity }} x {{ line.title }}
{% endfor %}
Return to your cart: {{ restore_url }}

--
You receive this because you agreed to hear from {{ b.store_name }}.
Unsubscribe: {{ unsubscribe_url }}
"""


@dataclass(frozen=True)
class ReminderLine:
    """One line of an abandoned checkout as the reminder shows it."""

    title: str
    quantity: int


@cache
def _environment() -> Environment:
    templates = {"layout.html": _LAYOUT, "newsletter.html": _NEWSLETTER, "abandoned.html": _ABANDONED,
                 "abandoned.txt": _ABANDONED_TXT}
    return Environment(loader=DictLoader(templates), undefined=StrictUndefined, keep_trailing_newline=True,
                       autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False))


def _lang(branding: MailBranding) -> str:
    return branding.locale.split("-")[0] or "en"


def _designed(kind: str, *, to: str, subject: str, branding: MailBranding, unsubscribe_url: str,
              **extra: Any) -> OutgoingEmail | None:
    """The store's design of `kind` with the one-click headers, or None (no `using_designs`, no design,
    or it failed: the built-in render goes instead)."""
    source = current_source()
    if source is None:
        return None
    data = message_data(kind, branding, subject=subject, preheader="", to=to, unsubscribe_url=unsubscribe_url,
                        **extra)
    email = render_designed(source, kind, data)
    return dataclasses.replace(email, list_unsubscribe=unsubscribe_url) if email is not None else None


def _price_text(price: dict[str, Any] | None) -> str:
    """A Money JSON as the shopper reads it ("24.00 USD"); empty for none or a malformed one."""
    try:
        return f"{major_text(int(price['amount']), str(price['currency']))} {price['currency']}" if price else ""
    except (KeyError, TypeError, ValueError, MoneyError):
        return ""


def _products_text(products: list[dict[str, Any]]) -> str:
    lines = [f"- {p['title']}" + (f" ({_price_text(p.get('price'))})" if _price_text(p.get("price")) else "")
             + f": {p['url']}" for p in products]
    return ("\n\n" + "\n".join(lines)) if lines else ""


def render_newsletter(*, to: str, subject: str, html: str, text: str, branding: MailBranding,
                      unsubscribe_url: str, products: list[dict[str, Any]] | None = None) -> OutgoingEmail:
    """One subscriber's copy of a campaign: its HTML in the store's frame with the unsubscribe footer,
    then its featured `products` ({title, url, image_url, price: Money JSON}, see shared/marketing/products.py),
    its text with the products and the unsubscribe link, and the one-click headers. The studio's preview
    calls this too, so the merchant sees what a subscriber gets. Raises MailError for a bad address."""
    products = list(products or [])
    designed = _designed("newsletter", to=to, subject=subject, branding=branding, unsubscribe_url=unsubscribe_url,
                         body_html=html or f"<p>{Markup.escape(text)}</p>", products=products)
    if designed is not None:
        return designed
    context = {"b": branding, "subject": subject, "lang": _lang(branding), "unsubscribe_url": unsubscribe_url,
               "content": Markup(sanitize_richtext(html)) if html.strip()  # noqa: S704 - sanitised
               else Markup("<pre>") + text + Markup("</pre>"),
               "products": [{**p, "price_text": _price_text(p.get("price"))} for p in products]}
    body = _environment().get_template("newsletter.html").render(context)
    footer = (f"\n\n--\nYou receive this because you agreed to hear from {branding.store_name}.\n"
              f"Unsubscribe: {unsubscribe_url}\n")
    return OutgoingEmail(to=to, subject=subject, text=text.rstrip() + _products_text(products) + footer, html=body,
                         from_name=branding.store_name, reply_to=branding.support_email,
                         list_unsubscribe=unsubscribe_url)


def render_abandoned_checkout(*, to: str, lines: list[ReminderLine], branding: MailBranding, restore_url: str,
                              unsubscribe_url: str) -> OutgoingEmail:
    """The one reminder for a checkout left without an order: its lines and a link that restores the
    cart. Raises MailError for a bad address."""
    designed = _designed("abandoned_checkout", to=to, subject=f"You left something in your cart at "
                         f"{branding.store_name}", branding=branding, unsubscribe_url=unsubscribe_url,
                         action_url=restore_url, action_label="Return to your cart")
    if designed is not None:
        return designed
    context = {"b": branding, "subject": "", "lang": _lang(branding), "unsubscribe_url": unsubscribe_url,
               "lines": lines, "restore_url": restore_url}
    subject = f"You left something in your cart at {branding.store_name}"
    context["subject"] = subject
    env = _environment()
    return OutgoingEmail(to=to, subject=subject, text=env.get_template("abandoned.txt").render(context),
                         html=env.get_template("abandoned.html").render(context), from_name=branding.store_name,
                         reply_to=branding.support_email, list_unsubscribe=unsubscribe_url)
