"""Which discounts apply to an order, and how much each line gets.

How automatic discounts and a code combine (Shopify's rules for discounts that are not set to combine,
documented in docs/checkout.md):
- one code per order;
- at most ONE amount discount (percentage or fixed amount) applies: among the active automatic ones and
  the code, the one that saves the shopper most (a tie goes to the code the shopper typed, then to the
  first in the setup). A code beaten by an automatic discount is reported as NOT_COMBINABLE;
- a free-shipping discount (automatic, or the code) combines with that amount discount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from shared.checkout.errors import CheckoutErrorCode, FieldProblem, SetupError
from shared.checkout.rounding import allocate, parse_percent, round_half_up
from shared.checkout.setup import Discount, DiscountKind, DiscountMethod, DiscountUsage

if TYPE_CHECKING:
    from shared.checkout.quote import PricedLine


class CodeProblemCode(StrEnum):
    """Why the code the shopper typed does not apply (shown next to the code field)."""

    UNKNOWN_CODE = "unknown_code"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    ALREADY_USED = "already_used"
    MINIMUM_NOT_MET = "minimum_not_met"
    NOT_APPLICABLE = "not_applicable"
    NOT_COMBINABLE = "not_combinable"


_MESSAGES = {
    CodeProblemCode.UNKNOWN_CODE: "This discount code does not exist.",
    CodeProblemCode.NOT_STARTED: "This discount code is not active yet.",
    CodeProblemCode.EXPIRED: "This discount code has expired.",
    CodeProblemCode.USAGE_LIMIT_REACHED: "This discount code has reached its usage limit.",
    CodeProblemCode.ALREADY_USED: "This discount code can be used once per customer.",
    CodeProblemCode.MINIMUM_NOT_MET: "Spend at least {minimum} on eligible items to use this code.",
    CodeProblemCode.NOT_APPLICABLE: "This discount code does not apply to the items in your cart.",
    CodeProblemCode.NOT_COMBINABLE: "A better discount already applies; codes do not combine with it.",
}


@dataclass(frozen=True)
class CodeProblem:
    """The code the shopper typed, why it does not apply, and the sentence to show."""

    code: str
    reason: CodeProblemCode
    message: str


@dataclass(frozen=True)
class DiscountSelection:
    """What applies: the amount discount with its per-line allocation, the free-shipping discount,
    and the problem with the typed code if any."""

    amount_discount: Discount | None
    allocations: tuple[int, ...]
    shipping_discount: Discount | None
    code_problem: CodeProblem | None


def normalize_code(code: str) -> str:
    """Codes match case-insensitively and without surrounding spaces, as on Shopify."""
    return str(code).strip().upper()


def is_eligible(discount: Discount, line: PricedLine) -> bool:
    """Whether the discount's product/collection targets include the line (no targets: every line)."""
    if not discount.product_ids and not discount.collection_ids:
        return True
    return line.product_id in discount.product_ids or any(
        collection in discount.collection_ids for collection in line.collection_ids)


def find_problem(discount: Discount, lines: tuple[PricedLine, ...], *, now: datetime,
                 usage: DiscountUsage, email: str) -> CodeProblemCode | None:
    """Why this discount cannot apply to the order now, or None if it can."""
    if discount.starts_at is not None and now < discount.starts_at:
        return CodeProblemCode.NOT_STARTED
    if discount.ends_at is not None and now >= discount.ends_at:
        return CodeProblemCode.EXPIRED
    if discount.usage_limit is not None and usage.times_used.get(discount.id, 0) >= discount.usage_limit:
        return CodeProblemCode.USAGE_LIMIT_REACHED
    if discount.once_per_customer and email and discount.id in usage.used_by_customer:
        return CodeProblemCode.ALREADY_USED
    eligible = [line for line in lines if is_eligible(discount, line)]
    if not eligible:
        return CodeProblemCode.NOT_APPLICABLE
    if sum(line.amount for line in eligible) < discount.min_subtotal:
        return CodeProblemCode.MINIMUM_NOT_MET
    return None


def allocate_discount(discount: Discount, lines: tuple[PricedLine, ...]) -> tuple[int, ...]:
    """Each line's share of an amount discount. The order-level amount (percentage: eligible amount
    x rate, rounded half up; fixed: the amount, at most the eligible amount) is split over the
    eligible lines by largest remainder, so the shares sum to it exactly and none exceeds its line."""
    weights = [line.amount if is_eligible(discount, line) else 0 for line in lines]
    eligible_total = sum(weights)
    if discount.kind == DiscountKind.PERCENTAGE:
        try:
            rate = parse_percent(discount.percent)
        except ValueError as error:  # validate_setup refuses it; a quote never guesses a rate
            raise SetupError([FieldProblem(f"discount {discount.id}.percent", CheckoutErrorCode.BAD_RATE,
                                           str(error))]) from None
        total = round_half_up(eligible_total * rate)
    else:
        total = discount.amount
    return tuple(allocate(min(total, eligible_total), weights)) if eligible_total else tuple(weights)


def select_discounts(discounts: tuple[Discount, ...], lines: tuple[PricedLine, ...], *, code: str | None,
                     now: datetime, usage: DiscountUsage, email: str, minimum_text) -> DiscountSelection:
    """Apply the combination rules of this module's docstring. `minimum_text(amount)` formats a
    minimum for the MINIMUM_NOT_MET message."""
    typed, problem = _find_code(discounts, lines, code=code, now=now, usage=usage, email=email,
                                minimum_text=minimum_text)
    automatic = [d for d in discounts if d.method == DiscountMethod.AUTOMATIC
                 and find_problem(d, lines, now=now, usage=usage, email=email) is None]
    amount_candidates = [d for d in ([typed] if typed else []) + automatic if d.kind != DiscountKind.FREE_SHIPPING]
    best, best_allocations, best_total = None, tuple(0 for _ in lines), -1
    for candidate in amount_candidates:
        allocations = allocate_discount(candidate, lines)
        if sum(allocations) > best_total:
            best, best_allocations, best_total = candidate, allocations, sum(allocations)
    if typed is not None and typed.kind != DiscountKind.FREE_SHIPPING and best is not typed:
        problem = CodeProblem(code or "", CodeProblemCode.NOT_COMBINABLE, _MESSAGES[CodeProblemCode.NOT_COMBINABLE])
    shipping_candidates = [d for d in ([typed] if typed else []) + automatic if d.kind == DiscountKind.FREE_SHIPPING]
    return DiscountSelection(amount_discount=best, allocations=best_allocations,
                             shipping_discount=shipping_candidates[0] if shipping_candidates else None,
                             code_problem=problem)


def _find_code(discounts, lines, *, code, now, usage, email, minimum_text):
    if code is None or not normalize_code(code):
        return None, None
    wanted = normalize_code(code)
    match = next((d for d in discounts if d.method == DiscountMethod.CODE and normalize_code(d.code) == wanted), None)
    if match is None:
        return None, CodeProblem(code, CodeProblemCode.UNKNOWN_CODE, _MESSAGES[CodeProblemCode.UNKNOWN_CODE])
    reason = find_problem(match, lines, now=now, usage=usage, email=email)
    if reason is None:
        return match, None
    message = _MESSAGES[reason].format(minimum=minimum_text(match.min_subtotal))
    return None, CodeProblem(code, reason, message)
