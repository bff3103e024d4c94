"""The shopper's account pages' HTML (cloud/server/account.py serves them): sign-in, the code, the
overview with orders, one order, addresses, and the privacy pages. They share the checkout's frame
(the theme's colours and fonts, the store's logo; cloud/server/checkout_html.shell_html), run no script
at all and work as plain forms. Every value is escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from cloud.server.checkout_html import shell_html
from shared.checkout.addresses import address_lines
from shared.customers import Customer, SavedAddress
from shared.models.money import Money
from shared.models.money_format import format_money
from shared.orders import Order

esc = html.escape
@cache
def _style() -> str:
    """The account pages' few rules on top of the checkout's (cloud/server/account.css)."""
    return "<style>" + resources.files("cloud.server").joinpath("account.css").read_text(encoding="utf-8") + "</style>"


@dataclass(frozen=True)
class Frame:
    """The store's look and name for a page."""

    store_name: str
    locale: str
    stylesheet: str
    logo_url: str = ""


def _page(frame: Frame, *, title: str, main: str, customer: Customer | None = None) -> str:
    aside = _nav(customer) if customer else ('<p class="ck-muted">Sign in to see your orders, addresses and '
                                              'e-mail preferences.</p>')
    # The frame's <head> is the checkout's: the account's rules are the first child of <main> (HTML allows
    # a <style> in <body> there, for the elements after it); the aside, before <main>, styles inline.
    body = f'{_style()}<div class="ck-form ac-stack">{main}</div>'
    return shell_html(title=f"{title} · {frame.store_name}", stylesheet=frame.stylesheet, store_name=frame.store_name,
                      logo_url=frame.logo_url, aside=aside, main=body, cart_link=True, summary_first=False)


_ITEM = 'style="margin:0 0 10px"'
_BUTTON = ('style="background:none;border:0;padding:0;font:inherit;color:inherit;text-decoration:underline;'
           'cursor:pointer"')


def _nav(customer: Customer) -> str:
    who = (f'<strong>{esc(customer.name)}</strong><br><span class="ck-muted">{esc(customer.email)}</span>'
           if customer.name else f'<strong>{esc(customer.email)}</strong>')
    links = (("/account", "Orders"), ("/account/addresses", "Addresses"), ("/account#consent", "E-mail preferences"),
             ("/account/data.json", "Download my data"), ("/account/delete", "Delete my account"))
    items = "".join(f'<li {_ITEM}><a href="{href}" style="color:inherit"'
                    f'{" download" if href.endswith(".json") else ""}>{label}</a></li>' for href, label in links)
    forms = "".join(f'<li {_ITEM}><form method="post" action="{action}" style="margin:0"><button type="submit" '
                    f'{_BUTTON}>{label}</button></form></li>'
                    for action, label in (("/account/logout", "Sign out"),
                                          ("/account/logout-everywhere", "Sign out everywhere")))
    return (f'<p>{who}</p><nav aria-label="Account"><ul style="list-style:none;margin:0;padding:0">{items}{forms}'
            '</ul></nav>')


def _notice(text: str, *, problem: bool = False) -> str:
    if not text:
        return ""
    return (f'<p class="{"ac-problem" if problem else "ac-flash"}" role="{"alert" if problem else "status"}">'
            f'{esc(text)}</p>')


def login_page(frame: Frame, *, error: str = "", notice: str = "", email: str = "") -> str:
    """Step 1: the e-mail address."""
    main = (f'<h1>Sign in</h1>{_notice(notice)}{_notice(error, problem=True)}'
            '<p class="ck-muted">Enter your e-mail address and we will send you a code. No password needed.</p>'
            '<form method="post" action="/account/login" class="ac-stack"><div class="ck-field">'
            '<label for="ac-email">E-mail</label><input id="ac-email" name="email" type="email" required '
            f'autocomplete="email" value="{esc(email)}"></div>'
            '<button class="ck-button" type="submit">Send me a code</button></form>')
    return _page(frame, title="Sign in", main=main)


def code_page(frame: Frame, *, error: str = "") -> str:
    """Step 2: the code from the e-mail (the same words whatever the address)."""
    main = (f'<h1>Enter your code</h1>{_notice(error, problem=True)}'
            '<p>If the address you entered can receive e-mail, we sent a 6-digit code to it. '
            'It works once, for 10 minutes.</p>'
            '<form method="post" action="/account/login/code" class="ac-stack"><div class="ck-field">'
            '<label for="ac-code">6-digit code</label><input id="ac-code" class="ac-code" name="code" required '
            'inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7"></div>'
            '<button class="ck-button" type="submit">Sign in</button></form>'
            '<p class="ck-muted"><a href="/account/login">Use another e-mail or get a new code</a></p>')
    return _page(frame, title="Enter your code", main=main)


def _money(value: Money, locale: str) -> str:
    return esc(format_money(value, locale))


def _status(order: Order) -> str:
    """"Paid · fulfilled", from the order's admin JSON (the contract's fields: pickupStatus and cancelledAt
    come with the order lifecycle)."""
    data = order.to_json(detail=False)
    if data.get("cancelledAt"):
        return "Cancelled"
    payment = str(data.get("paymentStatus", "")).replace("_", " ")
    if payment == "unpaid" and order.payment_provider == "pay_in_store":
        payment = "to pay at pickup"
    pickup = {"ready": "ready for pickup", "picked_up": "picked up"}.get(str(data.get("pickupStatus", "")))
    return f"{payment.capitalize()} · {pickup or str(data.get('fulfillmentStatus', '')).replace('_', ' ')}"


def _tracking(order: Order) -> str:
    """The shipments with their carrier and tracking (the lifecycle's `fulfillments`; none before it)."""
    items = []
    for shipment in order.to_json().get("fulfillments") or ():
        number = esc(str(shipment.get("trackingNumber") or ""))
        url = str(shipment.get("trackingUrl") or "")
        if number and url.startswith(("https://", "http://")):
            number = f'<a href="{esc(url)}" rel="noopener noreferrer">{number}</a>'
        carrier = esc(str(shipment.get("carrier") or "Shipped"))
        items.append(f"<li>{carrier}{' · ' + number if number else ''} "
                     f"<span class=\"ck-muted\">{esc(str(shipment.get('createdAt') or '')[:10])}</span></li>")
    return f'<section class="ck-panel"><h2>Shipments</h2><ul>{"".join(items)}</ul></section>' if items else ""


def overview_page(frame: Frame, customer: Customer, orders: Sequence[Order], *, next_before: int | None,
                  notice: str = "") -> str:
    """The account's home: the orders placed with this e-mail (guest ones too), then consent."""
    if orders:
        rows = "".join(
            f'<tr><td><a href="/account/orders/{order.number}">{esc(order.name)}</a></td>'
            f'<td>{esc(order.created_at[:10])}</td><td>{esc(_status(order))}</td>'
            f'<td class="ac-num">{_money(order.total, frame.locale)}</td></tr>' for order in orders)
        more = f'<p><a href="/account?before={next_before}">Older orders</a></p>' if next_before else ""
        table = (f'<table class="ac-table"><thead><tr><th>Order</th><th>Date</th><th>Status</th>'
                 f'<th class="ac-num">Total</th></tr></thead><tbody>{rows}</tbody></table>{more}')
    else:
        table = '<p class="ck-muted">You have no orders yet.</p>'
    checked = " checked" if customer.accepts_marketing else ""
    main = (f'<h1>Your account</h1>{_notice(notice)}<section class="ck-panel"><h2>Orders</h2>{table}</section>'
            '<section class="ck-panel" id="consent"><h2>E-mail preferences</h2>'
            '<form method="post" action="/account/consent" class="ac-stack"><label class="ck-choice">'
            f'<input type="checkbox" name="marketing" value="1"{checked}><span class="ck-choice__text">'
            'Send me news and offers by e-mail</span></label>'
            '<button class="ck-button ck-button--secondary" type="submit">Save preferences</button></form>'
            '</section>')
    return _page(frame, title="Your account", main=main, customer=customer)


def order_page(frame: Frame, customer: Customer, order: Order) -> str:
    """One of the customer's orders: lines, totals, delivery, status."""
    rows = "".join(
        f'<tr><td>{line.quantity} × {esc(line.title)}'
        f'{f"<br><small>{esc(line.variant_title)}</small>" if line.variant_title else ""}</td>'
        f'<td class="ac-num">{_money(line.subtotal, frame.locale)}</td></tr>' for line in order.lines)
    totals = [("Subtotal", order.subtotal), ("Shipping", order.shipping), ("Tax", order.tax)]
    if order.discount_total.amount:
        totals.insert(1, ("Discount", order.discount_total))
    rows += "".join(f'<tr><td>{label}</td><td class="ac-num">{_money(value, frame.locale)}</td></tr>'
                    for label, value in totals)
    rows += f'<tr><th>Total</th><th class="ac-num">{_money(order.total, frame.locale)}</th></tr>'
    delivery = order.delivery or {}
    if delivery.get("method") == "pickup":
        where = f'Pickup at {esc(str(delivery.get("locationName", "")))}'
    else:
        where = "<br>".join(esc(str(part)) for part in address_lines(order.shipping_address or {}) if part)
    main = (f'<p><a href="/account">← Your orders</a></p><h1>Order {esc(order.name)}</h1>'
            f'<p class="ck-muted">Placed {esc(order.created_at[:10])} · <span class="ck-badge">'
            f'{esc(_status(order))}</span></p>'
            f'<section class="ck-panel"><h2>Items</h2><table class="ac-table">{rows}</table></section>'
            f'<section class="ck-panel"><h2>Delivery</h2><p>{where or "—"}</p></section>{_tracking(order)}')
    return _page(frame, title=f"Order {order.name}", main=main, customer=customer)


def addresses_page(frame: Frame, customer: Customer, addresses: Sequence[SavedAddress],
                   countries: Sequence[tuple[str, str]], *, errors: dict[str, str] | None = None,
                   values: dict[str, str] | None = None, notice: str = "") -> str:
    """The saved addresses, each with its actions, and the form to add one."""
    items = []
    for saved in addresses:
        lines = "<br>".join(esc(str(part)) for part in address_lines(saved.address) if part)
        default = ('<p class="ck-badge">Default</p>' if saved.is_default else
                   f'<form class="ac-inline" method="post" action="/account/addresses/{esc(saved.id)}/default">'
                   '<button class="ac-link" type="submit">Make default</button></form> · ')
        items.append(f'<section class="ck-panel"><p>{lines}</p>{default}'
                     f'<form class="ac-inline" method="post" action="/account/addresses/{esc(saved.id)}/delete">'
                     '<button class="ac-link" type="submit">Delete</button></form></section>')
    errors, values = errors or {}, values or {}
    problem = _notice("Check the highlighted fields." if errors else "", problem=True)
    main = (f'<h1>Addresses</h1>{_notice(notice)}{"".join(items) or "<p class=ck-muted>No saved addresses yet.</p>"}'
            f'<section class="ck-panel"><h2>Add an address</h2>{problem}'
            f'<form method="post" action="/account/addresses" class="ac-stack">'
            f'{_address_fields(countries, errors, values)}'
            '<label class="ck-choice"><input type="checkbox" name="default" value="1"><span class="ck-choice__text">'
            'Use as my default address</span></label>'
            '<button class="ck-button" type="submit">Save address</button></form></section>')
    return _page(frame, title="Addresses", main=main, customer=customer)


_FIELDS = (("name", "Full name", "name", True), ("company_name", "Company", "organization", False),
           ("street_address", "Address", "address-line1", True), ("city", "City", "address-level2", False),
           ("country_area", "State / province / region", "address-level1", False),
           ("postal_code", "Postal code", "postal-code", False))


def _address_fields(countries: Sequence[tuple[str, str]], errors: dict[str, str], values: dict[str, str]) -> str:
    chosen = values.get("country_code", "US")
    options = "".join(f'<option value="{esc(code)}"{" selected" if code == chosen else ""}>{esc(name)}</option>'
                      for code, name in countries)
    parts = [_field_error("country_code", errors,
                          f'<label for="ac-country_code">Country/region</label><select id="ac-country_code" '
                          f'name="country_code" autocomplete="country">{options}</select>')]
    for name, label, auto, required in _FIELDS:
        parts.append(_field_error(name, errors, (
            f'<label for="ac-{name}">{esc(label)}{"" if required else " (if your country uses it)"}</label>'
            f'<input id="ac-{name}" name="{name}" value="{esc(values.get(name, ""))}" autocomplete="{auto}"'
            f'{" required" if required else ""}>')))
    return "".join(parts)


def _field_error(name: str, errors: dict[str, str], inner: str) -> str:
    message = errors.get(name, "")
    return (f'<div class="ck-field" data-field="{name}">{inner}'
            f'<p class="ck-error" role="alert">{esc(message)}</p></div>')


def delete_page(frame: Frame, customer: Customer) -> str:
    """The confirmation before erasing the account, saying what is kept."""
    main = ('<h1>Delete my account</h1><p>This deletes your profile, saved addresses, e-mail preferences and '
            'sign-ins. It cannot be undone.</p><p class="ck-muted">Your past orders are kept for the shop\'s '
            'accounting and tax records, with your name, e-mail and street address removed (the country and '
            'region stay, because tax depends on them).</p>'
            '<p><a href="/account/data.json" download>Download my data first</a></p>'
            '<form method="post" action="/account/delete" class="ac-stack"><label class="ck-choice">'
            '<input type="checkbox" name="confirm" value="yes" required><span class="ck-choice__text">'
            'Yes, delete my account</span></label>'
            '<button class="ck-button ac-danger" type="submit">Delete my account</button></form>')
    return _page(frame, title="Delete my account", main=main, customer=customer)
