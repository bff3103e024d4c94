"""What the cart's services return: a view of the cart priced from the catalog now."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.models.money import Money

MAX_QUANTITY = 999          # units of one variant in one line
MAX_LINES = 100             # lines in one cart
DEFAULT_IDLE_DAYS = 30      # the store setting `cart_idle_days` when unset


class NoticeKind(StrEnum):
    """Why a line needs the shopper's attention."""

    VANISHED = "vanished"             # the variant was deleted or its product is no longer for sale
    PRICE_CHANGED = "price_changed"   # the price now differs from the price seen when adding
    SHORT = "short"                   # fewer units are available than the line asks for


@dataclass(frozen=True)
class LineNotice:
    """A notice shown on a cart line."""

    kind: NoticeKind
    message: str


@dataclass(frozen=True)
class CartLineView:
    """One line as the cart shows it and checkout prices it. `unit_price`/`line_total` are None for a
    vanished variant (it cannot be bought; checkout must refuse or drop it)."""

    key: str                          # the line's id, stable while it exists
    position: int                     # 1-based, as Shopify's `line`
    variant_id: str
    quantity: int
    title: str                        # product title (the title when added, for a vanished variant)
    variant_title: str
    product_id: str | None
    handle: str | None
    sku: str
    unit_price: Money | None
    compare_at_price: Money | None
    seen_price: Money
    line_total: Money | None
    available: int                    # units a shopper can still get (inventory's `available`)
    weight_grams: int
    image_id: str | None
    collection_ids: tuple[str, ...]
    notices: tuple[LineNotice, ...] = ()

    @property
    def purchasable(self) -> bool:
        """Whether the line can be bought as it is (exists, and enough is available)."""
        return self.unit_price is not None and self.quantity <= self.available

    @property
    def url(self) -> str | None:
        """The product page of this variant."""
        return f"/products/{self.handle}?variant={self.variant_id}" if self.handle else None


@dataclass(frozen=True)
class CartView:
    """A cart priced now. `subtotal` sums the lines that still exist; `item_count` counts their units."""

    cart_id: str | None               # None: no cart (an empty view)
    currency: str
    lines: tuple[CartLineView, ...]
    subtotal: Money
    item_count: int
    updated_at: str = ""

    @property
    def notices(self) -> tuple[LineNotice, ...]:
        """Every line's notices, in line order."""
        return tuple(n for line in self.lines for n in line.notices)

    @property
    def ready_for_checkout(self) -> bool:
        """Whether every line can be bought and there is at least one."""
        return bool(self.lines) and all(line.purchasable for line in self.lines)


@dataclass(frozen=True)
class CartChange:
    """The result of a change: the cart's token (new when a cart was made), the line touched (if
    any) and the cart as it is now."""

    token: str
    view: CartView
    line: CartLineView | None = None
