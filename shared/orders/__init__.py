"""Orders: what a checkout made, as bought (docs/checkout.md, "Orders").

Public API:
- `create_order(conn, NewOrder(...))` inside the checkout's write -> Order (#1001, ...);
- `get_order(db, order_id=... | number=...)`, `list_orders(db, before=..., limit=..., ...)` -> OrderPage (filters
  and search: shared/orders/filters.py, `OrderFilters`, `InvalidOrderFilter`),
  `order_by_token(db, token)` for /orders/TOKEN, `order_for_payment(conn, intent_id=..., attempt_id=...)`;
- `add_order_event(conn, order_id=..., kind=..., message=...)` for the timeline.
Orders live only in the cloud's live store database: never synced, never in a device snapshot."""

from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.filters import DELIVERY_METHODS, InvalidOrderFilter, OrderFilters
from shared.orders.models import (FIRST_NUMBER, FulfillmentStatus, NewOrder, Order, OrderEvent, OrderLine, OrderPage,
                                  PaymentStatus)
from shared.orders.service import (add_order_event, create_order, get_order, list_orders, new_status_token,
                                   order_by_token, order_for_payment)

__all__ = [
    "DELIVERY_METHODS", "FIRST_NUMBER", "FulfillmentStatus", "InvalidOrderFilter", "NewOrder", "Order", "OrderError",
    "OrderErrorCode", "OrderEvent", "OrderFilters", "OrderLine", "OrderPage", "PaymentStatus", "add_order_event",
    "create_order", "get_order", "list_orders", "new_status_token", "order_by_token", "order_for_payment",
]
