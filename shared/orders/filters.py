"""What the merchant's order list is narrowed to (issue 12, section 2): statuses, delivery method, a date
range, a search (an order number, an e-mail, a name) and the keyset cursor; checked here, once, for the
admin API, the studio and the CLI alike.

`OrderFilters` holds the values as a person or a URL gives them; `check_filters` turns them into an
`OrderListQuery` the repository can run, or raises `InvalidOrderFilter` (an OrderError INVALID that
names the field) with a message a merchant can act on."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.models import FulfillmentStatus, PaymentStatus

MAX_PAGE = 100
MAX_SEARCH = 200                                   # characters of a search; longer is no one's typing
# How an order reaches the shopper (shared/checkout/shipping.py DeliveryKind, and "none" when nothing
# needed delivering); the delivery's "method" as the checkout recorded it.
DELIVERY_METHODS = ("ship", "local_delivery", "pickup", "none")
_NUMBER = re.compile(r"^#?\s*(\d{1,12})\Z")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")


class InvalidOrderFilter(OrderError):
    """A filter, search or cursor the order list cannot take; `field` names it (for a 400's body)."""

    def __init__(self, field: str, message: str):
        super().__init__(OrderErrorCode.INVALID, message)
        self.field = field


class SearchKind(StrEnum):
    """What a search text was read as."""

    NUMBER = "number"          # "1001" or "#1001": that order
    EMAIL = "email"            # text with an @: e-mails starting with it (the whole address included)
    TEXT = "text"              # anything else: a name's first, second or last word, or an e-mail, starting with it


@dataclass(frozen=True)
class OrderSearch:
    """A search as the repository runs it: `text` trimmed with single spaces, `number` for NUMBER."""

    kind: SearchKind
    text: str
    number: int | None = None


@dataclass(frozen=True)
class OrderFilters:
    """The order list's parameters as given (text from a URL or a command line; None: not narrowed).
    Its fields are `list_orders`'s keyword arguments: `list_orders(db, **filters.as_kwargs())`."""

    payment_status: str | None = None
    fulfillment_status: str | None = None
    delivery: str | None = None             # ship | local_delivery | pickup | none
    since: str | None = None                # ISO date or date and time: created at or after
    until: str | None = None                # ISO date (that whole day) or date and time: created at or before
    q: str | None = None                    # "1001" / "#1001", an e-mail or its start, a name's word start
    email: str | None = None                # exactly this e-mail, any case
    before: int | str | None = None         # the previous page's next_before
    limit: int = 50

    def as_kwargs(self) -> dict[str, Any]:
        """The fields as keyword arguments of `list_orders`."""
        return asdict(self)


@dataclass(frozen=True)
class DateBound:
    """A bound of the date range: a whole day (`day`) or an instant (`moment`, naive = the store's time)."""

    day: date | None = None
    moment: datetime | None = None

    def resolve(self, zone: ZoneInfo, *, end: bool) -> str:
        """The bound as created_at text (UTC, microseconds: it sorts as the stored stamps do); an end
        bound is exclusive: the day after a whole day, the next microsecond after an instant."""
        if self.day is not None:
            moment = datetime.combine(self.day + timedelta(days=1 if end else 0), time(), zone)
        else:
            assert self.moment is not None
            moment = self.moment if self.moment.tzinfo is not None else self.moment.replace(tzinfo=zone)
            moment += timedelta(microseconds=1 if end else 0)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")

    @property
    def needs_zone(self) -> bool:
        """Whether the store's time zone says when this bound is (a day, or a time without an offset)."""
        return self.day is not None or (self.moment is not None and self.moment.tzinfo is None)


@dataclass(frozen=True)
class OrderListQuery:
    """Checked list parameters: what `repositories.orders.list_orders` runs once the date bounds are
    resolved in the store's time zone (`created_from` inclusive, `created_before` exclusive)."""

    limit: int
    before: int | None = None
    payment_status: str | None = None
    fulfillment_status: str | None = None
    delivery: str | None = None
    since: DateBound | None = None
    until: DateBound | None = None
    search: OrderSearch | None = None
    email: str | None = None
    created_from: str | None = None
    created_before: str | None = None


def check_filters(filters: OrderFilters) -> OrderListQuery:
    """The list parameters checked and normalised. Raises InvalidOrderFilter naming the first bad one."""
    limit = filters.limit
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise InvalidOrderFilter("limit", f"limit must be a whole number from 1 to {MAX_PAGE}")
    before = None if filters.before is None else _cursor(filters.before)
    return OrderListQuery(
        limit=limit, before=before,
        payment_status=_one_of(filters.payment_status, [str(s) for s in PaymentStatus], "payment_status"),
        fulfillment_status=_one_of(filters.fulfillment_status, [str(s) for s in FulfillmentStatus],
                                   "fulfillment_status"),
        delivery=_one_of(filters.delivery, list(DELIVERY_METHODS), "delivery"),
        since=_date_bound(filters.since, "since"), until=_date_bound(filters.until, "until"),
        search=parse_search(filters.q), email=_email(filters.email))


def resolve_dates(query: OrderListQuery, zone_name: str) -> OrderListQuery:
    """The query with its date bounds as created_at text, days and times without an offset read in the
    store's time zone `zone_name` (UTC if it is unknown). Raises InvalidOrderFilter for a range that
    ends before it starts or a date out of the calendar's range."""
    if query.since is None and query.until is None:
        return query
    zone = store_zone(zone_name)
    try:
        start = query.since.resolve(zone, end=False) if query.since else None
        end = query.until.resolve(zone, end=True) if query.until else None
    except OverflowError:
        field = "since" if query.since else "until"
        raise InvalidOrderFilter(field, "the dates must be within the years 1 to 9999") from None
    if start is not None and end is not None and start >= end:
        raise InvalidOrderFilter("until", "until is before since: the range holds no time")
    return replace(query, created_from=start, created_before=end)


def store_zone(name: str) -> ZoneInfo:
    """The store's time zone, UTC for a name this machine does not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_search(q: str | None) -> OrderSearch | None:
    """What a search text asks for: an order number ("1001", "#1001"), an e-mail (has an @) or a word
    start (names and e-mails); None for no search. Raises InvalidOrderFilter for text over 200 characters."""
    if q is None:
        return None
    if not isinstance(q, str):
        raise InvalidOrderFilter("q", "the search must be text")
    text = " ".join(q.split())
    if not text:
        return None
    if len(text) > MAX_SEARCH or "\x00" in text:
        raise InvalidOrderFilter("q", f"the search must be at most {MAX_SEARCH} characters of text")
    number = _NUMBER.match(text)
    if number:
        return OrderSearch(SearchKind.NUMBER, number[1], int(number[1]))
    return OrderSearch(SearchKind.EMAIL if "@" in text else SearchKind.TEXT, text)


def _cursor(value: int | str) -> int:
    text = str(value).strip().removeprefix("#")
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or len(text) > 12:
        raise InvalidOrderFilter("before", f"before is an order number such as 1001 or #1001, not {value!r}")
    return int(text)


def _one_of(value: str | None, allowed: list[str], field: str) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise InvalidOrderFilter(field, f"{field} must be one of {', '.join(allowed)}, not {str(value)[:40]!r}")
    return value


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 320 or "\x00" in value:
        raise InvalidOrderFilter("email", "email must be an e-mail address (at most 320 characters)")
    return value.strip() or None


def _date_bound(value: str | None, field: str) -> DateBound | None:
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else ""
    try:
        if _DATE.match(text):
            return DateBound(day=date.fromisoformat(text))
        if 10 < len(text) <= 40 and text[:4].isdigit():
            return DateBound(moment=datetime.fromisoformat(text))
    except ValueError:
        pass
    raise InvalidOrderFilter(field, f"{field} must be an ISO 8601 date (2026-05-01) or date and time "
                                    f"(2026-05-01T09:00:00+02:00), not {str(value)[:40]!r}")

