"""The document around a design's blocks: a table-based layout mail clients agree on (Outlook ignores
max-width on divs), the store's colours and font in one stylesheet, the hidden preheader, and for
marketing messages the unsubscribe link after every block (a design cannot remove it). The stylesheet is
inlined into style attributes by css-inline; only the phone @media rule stays in a <style>."""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

import css_inline

from shared.mail.views import safe_url

_STYLE = """
body {{ margin: 0; padding: 0; background: {surface}; }}
.em-body {{ background: {surface}; }}
.em-card {{ background: #ffffff; border: 1px solid {border}; border-radius: 8px; }}
.em-shell, .em-card td {{ font-family: {font}; color: {text}; font-size: 15px; line-height: 1.5; }}
.em-header {{ padding: 24px 32px 8px 32px; }}
.em-store {{ font-size: 20px; font-weight: 700; color: {text}; }}
.em-logo {{ border: 0; height: auto; display: inline-block; }}
.em-section {{ padding: 12px 32px; }}
.em-box {{ background: {surface}; }}
.em-h1 {{ font-size: 24px; line-height: 1.25; margin: 8px 0 4px 0; color: {text}; }}
.em-h2 {{ font-size: 17px; margin: 8px 0; color: {text}; }}
.em-text {{ margin: 0 0 8px 0; color: {text}; }}
.em-muted {{ color: {muted}; font-size: 13px; margin: 0 0 4px 0; }}
.em-link {{ color: {link}; }}
.em-plain {{ color: {text}; text-decoration: none; }}
.em-button-cell {{ background: {accent}; border-radius: 6px; }}
.em-button {{ display: inline-block; padding: 12px 22px; color: {accent_text}; font-weight: 600;
  text-decoration: none; border-radius: 6px; }}
.em-table {{ border-collapse: collapse; }}
.em-line {{ padding: 10px 0; border-bottom: 1px solid {border}; vertical-align: top; }}
.em-thumb-cell {{ padding-right: 12px; }}
.em-thumb {{ border: 0; border-radius: 4px; display: block; }}
.em-total-label, .em-total-value {{ padding: 4px 0; }}
.em-grand {{ padding: 8px 0 4px 0; font-weight: 700; font-size: 17px; border-top: 1px solid {border}; }}
.em-code {{ font-size: 34px; letter-spacing: 8px; font-weight: 700; margin: 8px 0; color: {text}; }}
.em-product {{ padding: 8px 12px 8px 0; }}
.em-product-img {{ border: 0; width: 100%; max-width: 260px; height: auto; border-radius: 4px; }}
.em-hr {{ border: 0; border-top: 1px solid {border}; margin: 8px 0; }}
.em-footer {{ padding: 16px 32px 28px 32px; color: {muted}; font-size: 12px; text-align: center; }}
.em-legal {{ padding: 16px 32px; color: {muted}; font-size: 12px; text-align: center; }}
.em-preheader {{ display: none; font-size: 1px; line-height: 1px; max-height: 0; max-width: 0; opacity: 0;
  overflow: hidden; mso-hide: all; }}
@media only screen and (max-width: 620px) {{
  .em-wrap {{ width: 100% !important; }}
  .em-card {{ border-radius: 0 !important; }}
  .em-section, .em-header, .em-footer {{ padding-left: 18px !important; padding-right: 18px !important; }}
}}
"""


@cache
def _inliner() -> css_inline.CSSInliner:
    # @media rules stay in a <style> (phones); nothing is fetched from elsewhere.
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def stylesheet(brand: dict[str, Any]) -> str:
    """The document's CSS in the store's colours and font (MailBranding checked every value)."""
    return _STYLE.format(font=brand["font_stack"], **{k: brand[k] for k in (
        "surface", "border", "text", "muted", "link", "accent", "accent_text")})


def wrap(body: str, email: dict[str, Any]) -> str:
    """The whole HTML document of a message around its blocks' rows, CSS not yet inlined."""
    brand = email["brand"]
    lang = escape((brand.get("locale") or "en").split("-")[0] or "en")
    legal = ""
    unsubscribe = safe_url(email.get("unsubscribe_url"))
    if unsubscribe:
        legal = (f'<tr><td class="em-legal">You receive this because you agreed to hear from '
                 f'{escape(brand["store_name"])}. <a class="em-link" href="{escape(unsubscribe)}">Unsubscribe</a>'
                 f'</td></tr>')
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="color-scheme" content="light"><title>{escape(email["subject"])}</title>'
        f'<style>{stylesheet(brand)}</style></head>'
        f'<body class="em-shell"><div class="em-preheader">{escape(email.get("preheader") or "")}</div>'
        f'<table role="presentation" class="em-body" width="100%" cellpadding="0" cellspacing="0" border="0">'
        f'<tr><td align="center" style="padding: 24px 8px;">'
        f'<table role="presentation" class="em-card em-wrap" width="600" cellpadding="0" cellspacing="0" border="0">'
        f'{body}</table>'
        f'<table role="presentation" class="em-wrap" width="600" cellpadding="0" cellspacing="0" border="0">'
        f'{legal}</table>'
        f'</td></tr></table></body></html>\n')


def inline_css(html: str) -> str:
    """The document with its stylesheet moved into style attributes (what mail clients keep)."""
    return _inliner().inline(html)
