"""The query string of GET /api/admin/orders (docs/http-api.md) read into `OrderFilters`, for every
handler that lists orders: `list_orders(db, **parse_order_filters(request.query).as_kwargs())`."""

from __future__ import annotations

from collections.abc import Mapping

from shared.orders.filters import InvalidOrderFilter, OrderFilters

# The parameters the list takes; anything else is refused, so that a typo ("status=paid") is a 400
# that says so rather than an unfiltered list that looks filtered.
PARAMETERS = ("limit", "before", "payment_status", "fulfillment_status", "delivery", "since", "until", "q", "email")
DEFAULT_LIMIT = 50


def parse_order_filters(query: Mapping[str, str]) -> OrderFilters:
    """The list's filters from a query string (an aiohttp `request.query`, or any mapping): empty values
    are no filter; `list_orders` checks the values themselves.

    Raises InvalidOrderFilter (an OrderError INVALID: answer 400 with its `field`) for an unknown or
    repeated parameter, or a limit that is not a whole number."""
    for name in query:
        if name not in PARAMETERS:
            raise InvalidOrderFilter(name[:40], f"unknown parameter {name[:40]!r}: the order list takes "
                                                f"{', '.join(PARAMETERS)}")
        getall = getattr(query, "getall", None)
        if getall is not None and len(getall(name)) > 1:
            raise InvalidOrderFilter(name, f"give {name} once")
    values = {name: (query.get(name) or "").strip() or None for name in PARAMETERS}
    limit = values.pop("limit")
    if limit is not None and not (limit.isascii() and limit.isdigit() and len(limit) <= 6):
        raise InvalidOrderFilter("limit", f"limit must be a whole number from 1 to 100, not {limit[:20]!r}")
    return OrderFilters(limit=int(limit) if limit is not None else DEFAULT_LIMIT, **values)
