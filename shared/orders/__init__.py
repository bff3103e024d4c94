"""Orders: what a checkout made, as bought (docs/checkout.md, "Orders").

Public API:
- `create_order(conn, NewOrder(...))` inside the checkout's write -> Order (#1001, ...);
- `get_order(db, order_id=... | number=...)`, `list_orders(db, before=..., limit=..., ...)` -> OrderPage (filters
  and search: shared/orders/filters.py, `OrderFilters`, `InvalidOrderFilter`),
  `order_by_token(db, token)` for /orders/TOKEN, `order_for_payment(conn, intent_id=..., attempt_id=...)`;
- `add_order_event(conn, order_id=..., kind=..., message=...)` for the timeline;
- after the order (lifecycle.py, refunds.py): `fulfil_order`, `mark_ready_for_pickup`, `mark_picked_up`,
  `cancel_order`, `refund_order`, `retry_refund`, `expire_authorizations`, `read_order` (with
  fulfilments, refunds and e-mails); illegal changes raise OrderError(ILLEGAL_TRANSITION) saying why.
Orders live only in the cloud's live store database: never synced, never in a device snapshot."""

from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.filters import DELIVERY_METHODS, InvalidOrderFilter, OrderFilters
from shared.orders.models import (FIRST_NUMBER, Fulfillment, FulfillmentStatus, LineQuantity, NewOrder, Order,
                                  OrderEvent, OrderLine, OrderMessage, OrderPage, PaymentStatus, PickupStatus, Refund)
from shared.orders.service import (add_order_event, create_order, get_order, list_orders, new_status_token,
                                   order_by_token, order_for_payment)

__all__ = [
    "DELIVERY_METHODS", "FIRST_NUMBER", "FulfillmentStatus", "InvalidOrderFilter", "NewOrder", "Order", "OrderError",
    "OrderErrorCode", "OrderEvent", "OrderFilters", "OrderLine", "OrderPage", "PaymentStatus", "add_order_event",
    "create_order", "get_order", "list_orders", "new_status_token", "order_by_token", "order_for_payment",
]

# The lifecycle imports the package's models and service above (and shared.mail, shared.payments): last.
from shared.orders.lifecycle import (TRANSITIONS, ExpiryReport, Payments, cancel_order, expire_authorizations,  # noqa: E402
                                     fulfil_order, mark_picked_up, mark_ready_for_pickup, read_order)
from shared.orders.refunds import refund_order, retry_refund  # noqa: E402

__all__ += [
    "TRANSITIONS", "ExpiryReport", "Fulfillment", "LineQuantity", "OrderMessage", "Payments", "PickupStatus", "Refund",
    "cancel_order", "expire_authorizations", "fulfil_order", "mark_picked_up", "mark_ready_for_pickup", "read_order",
    "refund_order", "retry_refund",
]
