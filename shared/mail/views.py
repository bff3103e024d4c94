"""What the order e-mails show: plain dataclasses the orders domain fills in (the templates never read
the database), and the store's branding taken from its theme.

Every text here is the merchant's or the shopper's and is escaped by the templates; URLs are kept only
when they are http(s), and colours only when they are #rgb / #rrggbb (they go into a style attribute)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from shared.compose.theme import effective_settings, fonts
from shared.mail.message import check_address
from shared.models import Theme
from shared.models.money import Money

DeliveryMethod = Literal["shipping", "local_delivery", "pickup"]
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
_FONT_STACK = re.compile(r"^[A-Za-z0-9 ,'\"-]{1,300}\Z")
DEFAULT_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def safe_url(value: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL without spaces, else None (no javascript:, no data:)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if re.match(r"^https?://[^\s<>\"']+\Z", text, re.I) else None


@dataclass(frozen=True)
class MailAddress:
    """A postal address as the shopper gave it (already validated by checkout)."""

    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""                 # the country's name as shown ("United States")
    phone: str = ""

    def lines(self) -> list[str]:
        """The address as printed on an envelope, one line each, empty parts left out."""
        city = " ".join(part for part in (self.city, self.region, self.postal_code) if part)
        parts = (self.name, self.company, self.line1, self.line2, city, self.country, self.phone)
        return [part.strip() for part in parts if part and part.strip()]


@dataclass(frozen=True)
class PickupLocation:
    """A shop where the order is picked up."""

    name: str
    address: MailAddress = field(default_factory=MailAddress)
    instructions: str = ""            # "Usually ready in 2 hours. Bring your order number."


@dataclass(frozen=True)
class OrderLine:
    """One line of the order as bought (a snapshot, not the live product)."""

    title: str
    quantity: int
    unit_price: Money
    line_total: Money                 # after the line's own discounts
    variant: str = ""                 # "Large / Blue"; empty for a product without options
    sku: str = ""
    image_url: str | None = None      # absolute http(s) URL of a small product image


@dataclass(frozen=True)
class Discount:
    """A discount applied to the order (its code or its automatic discount's title)."""

    label: str
    amount: Money                     # positive: what was taken off


@dataclass(frozen=True)
class OrderSummary:
    """The order as the e-mails show it.

    `placed_at` is already formatted for the shopper ("5 December 2026, 14:32"); money is integer
    minor units of one currency throughout; `shipping` None means nothing was charged for delivery."""

    number: str                       # "#1001"
    contact_email: str
    lines: tuple[OrderLine, ...]
    subtotal: Money
    total: Money
    tax: Money
    delivery_method: DeliveryMethod
    status_url: str                   # the shopper's order page, /orders/TOKEN
    discounts: tuple[Discount, ...] = ()
    shipping: Money | None = None
    shipping_label: str = ""          # "Standard (3-5 business days)", "Local delivery"
    taxes_included: bool = False      # prices include tax: the tax line reads "Including ... in taxes"
    shipping_address: MailAddress | None = None
    billing_address: MailAddress | None = None
    pickup: PickupLocation | None = None
    payment_label: str = ""           # "Visa ending in 4242", "Pay in store at pickup"
    placed_at: str = ""
    customer_name: str = ""
    admin_url: str | None = None      # where the merchant sees the order (the "new order" e-mail)

    def __post_init__(self) -> None:
        check_address(self.contact_email, "contact_email")
        if self.delivery_method == "pickup" and self.pickup is None:
            raise ValueError("a pickup order needs its pickup location")
        for money in (self.subtotal, self.tax, self.shipping, *(d.amount for d in self.discounts),
                      *(line.line_total for line in self.lines)):
            if money is not None and money.currency != self.total.currency:
                raise ValueError(f"the order is in {self.total.currency}, not {money.currency}")

    @property
    def discount_total(self) -> Money:
        """Every discount added up (zero in the order's currency when there is none)."""
        total = Money(0, self.total.currency)
        for discount in self.discounts:
            total = total + discount.amount
        return total

    @property
    def item_count(self) -> int:
        """Units bought."""
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class MailBranding:
    """The store as its e-mails show it: name, logo, colours and font from the theme, contact."""

    store_name: str
    store_url: str | None = None          # the storefront's home page
    logo_url: str | None = None           # absolute http(s) URL (mail clients fetch it)
    logo_width: int = 140
    accent: str = "#1559a8"               # buttons
    accent_text: str = "#ffffff"
    text: str = "#0f172a"
    muted: str = "#526077"
    border: str = "#dde4ec"
    surface: str = "#f1f5f9"
    link: str = "#1559a8"                 # the accent when it reads on white, else the text colour
    font_stack: str = DEFAULT_FONT
    support_email: str = ""               # the store's own address: replies and "contact us"
    locale: str = "en-US"

    def __post_init__(self) -> None:
        defaults = MailBranding.__dataclass_fields__
        for name in ("accent", "accent_text", "text", "muted", "border", "surface", "link"):
            if not _COLOR.match(str(getattr(self, name))):
                object.__setattr__(self, name, defaults[name].default)
        if not _FONT_STACK.match(self.font_stack):
            object.__setattr__(self, "font_stack", DEFAULT_FONT)
        object.__setattr__(self, "logo_url", safe_url(self.logo_url))
        object.__setattr__(self, "store_url", safe_url(self.store_url))
        object.__setattr__(self, "logo_width", max(60, min(320, int(self.logo_width))))
        if self.support_email:
            object.__setattr__(self, "support_email", check_address(self.support_email, "support_email"))


def _luminance(color: str) -> float:
    hex_digits = color[1:] if len(color) == 7 else "".join(c * 2 for c in color[1:])
    channels = [int(hex_digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _reads_on_white(color: str) -> bool:
    """WCAG contrast of at least 4.5 against white."""
    return 1.05 / (_luminance(color) + 0.05) >= 4.5


def branding_from_theme(theme: Theme, *, store_name: str, logo_url: str | None = None,
                        store_url: str | None = None, support_email: str = "", locale: str = "en-US",
                        logo_width: int = 140) -> MailBranding:
    """The e-mail branding of a store: its theme's accent for buttons and its body font.

    E-mails are always light (mail clients apply their own dark mode): text colours from a dark theme
    that would not read on white fall back to the default ones; a light accent (a lime) keeps its
    button but links use the text colour."""
    settings = effective_settings(theme)
    colors: Mapping[str, str] = settings["colors"]
    defaults = MailBranding.__dataclass_fields__
    readable = {name: colors[name] if _reads_on_white(colors[name]) else defaults[name].default
                for name in ("text", "muted")}
    light_surface = {name: colors[name] if _luminance(colors[name]) > 0.6 else defaults[name].default
                     for name in ("surface", "border")}
    font = fonts().get(settings["typography"]["body_font"], {}).get("stack", DEFAULT_FONT)
    return MailBranding(
        store_name=store_name, store_url=store_url, logo_url=logo_url, logo_width=logo_width,
        accent=colors["accent"], accent_text=colors["accent_text"],
        link=colors["accent"] if _reads_on_white(colors["accent"]) else readable["text"],
        font_stack=font, support_email=support_email, locale=locale, **readable, **light_surface)
