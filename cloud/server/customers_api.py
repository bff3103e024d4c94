"""The admin API's customers (the studio's Customers section; issue 12, section 2):

    GET    /api/admin/customers?q=&limit=&before=   customers:read  -> {customers: [...], nextBefore}
    GET    /api/admin/customers/{id}                customers:read  -> the customer, addresses, orders, consentHistory
    GET    /api/admin/customers/{id}/export         customers:read  -> what the shopper's "Download my data" gives
    DELETE /api/admin/customers/{id}                customers:write -> {erased: true, ordersKept: N}

Thin handlers over shared/customers; errors are {"error": {"status", "code", "message"}} with 400/404."""

from __future__ import annotations

from aiohttp import web

from cloud.server.admin import admin, problem
from cloud.server.middlewares import STORE
from shared.customers import (CustomerError, CustomerErrorCode, customer_detail, erase_customer, export_customer,
                              list_customers)

_STATUS = {CustomerErrorCode.NOT_FOUND: 404, CustomerErrorCode.INVALID: 400}
NO_STORE = {"Cache-Control": "private, no-store"}


def _problem(exc: CustomerError) -> web.Response:
    return problem(_STATUS.get(exc.code, 400), str(exc), code=str(exc.code))


@admin("customers:read")
async def admin_customers(request: web.Request) -> web.Response:
    """GET /api/admin/customers?q=&limit=&before= : newest first, with order count, amount spent and consent."""
    query = request.query
    db = request[STORE].db
    raw_limit = query.get("limit", "50")
    try:
        page = await db.call_read(list_customers, db, query=query.get("q") or None, before=query.get("before") or None,
                                  limit=int(raw_limit) if raw_limit.isdigit() and len(raw_limit) < 6 else -1)
    except CustomerError as exc:
        return _problem(exc)
    return web.json_response({"customers": [c.to_json() for c in page.customers], "nextBefore": page.next_before},
                             headers=NO_STORE)


@admin("customers:read")
async def admin_customer(request: web.Request) -> web.Response:
    """GET /api/admin/customers/{id} : the customer with addresses, orders and consent history."""
    db = request[STORE].db
    try:
        detail = await db.call_read(customer_detail, db, request.match_info["customer"])
    except CustomerError as exc:
        return _problem(exc)
    return web.json_response(detail, headers=NO_STORE)


@admin("customers:read")
async def admin_customer_export(request: web.Request) -> web.Response:
    """GET /api/admin/customers/{id}/export : the customer's data, as the shopper downloads it."""
    db = request[STORE].db
    try:
        data = await db.call_read(export_customer, db, request.match_info["customer"])
    except CustomerError as exc:
        return _problem(exc)
    return web.json_response(data, headers={**NO_STORE, "Content-Disposition":
                                            'attachment; filename="customer-data.json"'})


@admin("customers:write")
async def admin_customer_erase(request: web.Request) -> web.Response:
    """DELETE /api/admin/customers/{id} : erase on the customer's request (docs/accounts.md)."""
    db = request[STORE].db
    try:
        kept = await db.call(erase_customer, db, request.match_info["customer"])
    except CustomerError as exc:
        return _problem(exc)
    return web.json_response({"erased": True, "ordersKept": kept}, headers=NO_STORE)


def add_customers_api_routes(app: web.Application) -> None:
    """Register the admin API's customers."""
    app.router.add_get("/api/admin/customers", admin_customers)
    app.router.add_get("/api/admin/customers/{customer}", admin_customer)
    app.router.add_get("/api/admin/customers/{customer}/export", admin_customer_export)
    app.router.add_delete("/api/admin/customers/{customer}", admin_customer_erase)
