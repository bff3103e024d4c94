"""The customer account's e-mail: the one-time sign-in code. Same engine and rules as the order e-mails
(shared/mail/templates.py): Jinja2 files in shared/mail/templates with autoescape for HTML, strict
undefined, CSS inlined by css-inline. Its own environment, so the order templates can change freely."""

from __future__ import annotations

import re
from functools import cache

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from shared.mail.errors import MailError, MailErrorCode
from shared.mail.message import OutgoingEmail
from shared.mail.views import MailBranding

_CODE = re.compile(r"^[0-9]{6}\Z")
_CSS_VALUE = re.compile(r"^[A-Za-z0-9 ,'\"#.%-]*\Z")


def _css(value: str) -> Markup:
    """A font stack or colour for inside <style> (where HTML escaping does not apply)."""
    if not _CSS_VALUE.match(value):
        raise MailError(MailErrorCode.INVALID_MESSAGE, f"{value!r} is not a CSS value")
    return Markup(value)     # noqa: S704 - checked just above


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("shared.mail", "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["css"] = _css
    return env


@cache
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def _designed(*, to: str, code: str, branding: MailBranding, minutes: int, subject: str,
              preheader: str) -> OutgoingEmail | None:
    """The code e-mail from the store's design, when the caller named the store (`using_designs`) and it
    designed this e-mail; None to send the built-in template."""
    from shared.mail.designs.context import current_source

    source = current_source()
    if source is None:
        return None
    from shared.mail.designs import message_data, render_designed

    data = message_data("sign_in_code", branding, subject=subject, preheader=preheader, to=to,
                        reply_to=branding.support_email, code=code, minutes=minutes, action_url="")
    return render_designed(source, "sign_in_code", data)


def render_sign_in_code(*, to: str, code: str, branding: MailBranding, minutes: int = 10) -> OutgoingEmail:
    """The sign-in code e-mail to `to`: "123456 is your code for Shop". Raises MailError(INVALID_MESSAGE)
    for a code that is not 6 digits, MailError(INVALID_ADDRESS) for a bad address."""
    if not isinstance(code, str) or not _CODE.match(code):
        raise MailError(MailErrorCode.INVALID_MESSAGE, "a sign-in code is 6 digits")
    subject = f"{code} is your sign-in code for {branding.store_name}"
    preheader = f"It works once, for {minutes} minutes."
    designed = _designed(to=to, code=code, branding=branding, minutes=minutes, subject=subject, preheader=preheader)
    if designed is not None:
        return designed
    context = {"b": branding, "code": code, "minutes": minutes, "subject": subject,
               "preheader": preheader, "lang": branding.locale.split("-")[0] or "en"}
    env = _environment()
    html = _inliner().inline(env.get_template("sign_in_code.html").render(context))
    text = env.get_template("sign_in_code.txt").render(context)
    return OutgoingEmail(to=to, subject=subject, text=text, html=html, from_name=branding.store_name,
                         reply_to=branding.support_email)
