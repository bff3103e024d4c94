"""The orders domain: numbers without gaps or duplicates across processes, one order per payment,
look-ups by number and token, listing with filters and a cursor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.models.money import Money
from shared.orders import (NewOrder, OrderError, OrderErrorCode, OrderLine, PaymentStatus, create_order, get_order,
                           list_orders, order_by_token)
from shared.payments import SecretBox
from support_checkout import make_shop

WORKER = Path(__file__).with_name("place_worker.py")


def _new(**changes) -> NewOrder:
    usd = lambda amount: Money(amount, "USD")  # noqa: E731
    line = OrderLine(title="Tee", variant_title="M", sku="TEE-M", unit_price=usd(2500), quantity=1, subtotal=usd(2500),
                     discount=usd(0), tax=usd(0), total=usd(2500))
    values = dict(email="ada@example.com", currency="USD", lines=(line,), subtotal=2500, discount_total=0, shipping=0,
                  tax=0, total=2500, payment_status=PaymentStatus.PAID, payment_provider="stripe",
                  delivery={"method": "ship"}, payment_intent_id="pi_1", attempt_id="a1")
    return NewOrder(**{**values, **changes})


def test_one_order_per_payment_and_lookups(tmp_path: Path) -> None:
    shop = make_shop(tmp_path / "store.db", box=SecretBox(os.urandom(32)), api_base="http://127.0.0.1:9")
    order = shop.db.write(lambda conn: create_order(conn, _new()))
    assert order.number == 1001 and len(order.status_token) >= 43
    for changes in ({"attempt_id": "a2"}, {"payment_intent_id": "pi_2"}):
        with pytest.raises(OrderError) as caught:
            shop.db.write(lambda conn: create_order(conn, _new(**changes)))
        assert caught.value.code == OrderErrorCode.DUPLICATE
    with pytest.raises(OrderError):
        shop.db.write(lambda conn: create_order(conn, _new(lines=(), payment_intent_id="pi_3", attempt_id="a3")))
    second = shop.db.write(lambda conn: create_order(conn, _new(payment_intent_id=None, attempt_id="a4",
                                                                 payment_status=PaymentStatus.UNPAID,
                                                                 email="Bob@Example.com")))
    assert second.number == 1002
    assert get_order(shop.db, number="#1001").id == order.id and get_order(shop.db, number=1002).id == second.id
    assert order_by_token(shop.db, order.status_token).id == order.id
    assert order_by_token(shop.db, "x" * 43) is None and order_by_token(shop.db, "../../etc") is None
    with pytest.raises(OrderError) as caught:
        get_order(shop.db, number="1003")
    assert caught.value.code == OrderErrorCode.NOT_FOUND
    assert [o.number for o in list_orders(shop.db, payment_status="unpaid").orders] == [1002]
    assert [o.number for o in list_orders(shop.db, email="bob@example.com").orders] == [1002]
    for bad in ({"limit": 0}, {"limit": 101}, {"payment_status": "maybe"}, {"before": "x"}):
        with pytest.raises(OrderError):
            list_orders(shop.db, **bad)
    shop.db.close()


def test_numbers_have_no_gaps_or_duplicates_across_processes(tmp_path: Path) -> None:
    shop = make_shop(tmp_path / "store.db", box=SecretBox(os.urandom(32)), api_base="http://127.0.0.1:9", stock=50)
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]),
                                                        os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, str(WORKER), str(tmp_path / "store.db"), shop.variants[0],
                               shop.shop_location, "8", str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for _ in range(3)]
    go.touch()
    results = [proc.communicate(timeout=180) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], [err[-2000:] for _, err in results]
    numbers = sorted(int(n) for out, _ in results for n in out.split())
    assert numbers == list(range(1001, 1025))
    assert shop.stock(shop.variants[0]) == 50 - 24
    shop.db.close()
