"""The cart's services on a real libSQL file: prices from the catalog only, quantity and line bounds,
stock, notices (vanished, price changed, ran short), forged tokens, idle expiry and purge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inventory.helpers import T0, make_locations, make_product, receive
from shared.cart.errors import CartError, CartErrorCode
from shared.cart.models import MAX_LINES, NoticeKind
from shared.cart.service import (
    add_to_cart, cart_view, change_line, clear_cart, new_token, purge_idle_carts, update_cart,
)
from shared.db import Database
from shared.db.repositories import storefront as front_repo
from shared.db.stamps import new_id
from shared.models import Storefront


@pytest.fixture
def shop(db: Database):
    """(db, red, blue): red has 5 on hand, blue 1; both 25.00 USD."""
    db.write(lambda conn: front_repo.insert_storefront(conn, Storefront(new_id(), "corner", "Corner", currency="USD",
                                                                        created_at=T0.isoformat(),
                                                                        updated_at=T0.isoformat())))
    red, blue = make_product(db)
    location, _ = make_locations(db)
    receive(db, red, location, 5)
    receive(db, blue, location, 1)
    return db, red, blue


def add(db, token, variant, quantity, now=T0):
    return db.write(lambda conn: add_to_cart(conn, token, variant_id=variant, quantity=quantity, now=now))


def view(db, token, now=T0):
    return db.read(lambda conn: cart_view(conn, token, now=now))


def test_adding_makes_a_cart_priced_from_the_catalog(shop):
    db, red, blue = shop
    change = add(db, None, red, 2)
    assert len(change.token) == 32 and change.line.quantity == 2
    again = add(db, change.token, red, 1)
    assert again.token == change.token
    cart = view(db, change.token)
    assert [(l.variant_id, l.quantity, l.unit_price.amount, l.line_total.amount) for l in cart.lines] == [
        (red, 3, 2500, 7500)]
    assert cart.subtotal.amount == 7500 and cart.item_count == 3 and cart.ready_for_checkout
    # Only a hash of the token is stored.
    assert db.read(lambda c: c.scalar("SELECT count(*) FROM carts WHERE token = ?", (change.token,))) == 0


@pytest.mark.parametrize("quantity", [0, -1, "-3", "1.5", "abc", 10**12, "99999999999", None, True, 1000])
def test_bad_quantities_are_refused_and_write_nothing(shop, quantity):
    db, red, _ = shop
    with pytest.raises(CartError) as err:
        add(db, None, red, quantity)
    assert err.value.code == CartErrorCode.INVALID_QUANTITY
    assert db.read(lambda c: c.scalar("SELECT count(*) FROM carts")) == 0


@pytest.mark.parametrize("variant", ["nope", "", "x" * 500, None, 7])
def test_unknown_variants_are_refused(shop, variant):
    db, _, _ = shop
    with pytest.raises(CartError) as err:
        add(db, None, variant, 1)
    assert err.value.code == CartErrorCode.UNKNOWN_VARIANT


def test_more_than_available_is_refused_with_the_count(shop):
    db, red, blue = shop
    token = add(db, None, blue, 1).token
    with pytest.raises(CartError) as err:
        add(db, token, blue, 1)
    assert err.value.code == CartErrorCode.NOT_ENOUGH_STOCK and err.value.available == 1
    with pytest.raises(CartError):
        db.write(lambda c: change_line(c, token, variant_id=red, quantity=1, now=T0))   # not in the cart
    add(db, token, red, 2)
    with pytest.raises(CartError) as err:
        db.write(lambda c: change_line(c, token, variant_id=red, quantity=6, now=T0))
    assert "Only 5" in str(err.value)
    assert [l.quantity for l in view(db, token).lines] == [1, 2]


def test_change_by_key_position_and_variant_and_zero_removes(shop):
    db, red, blue = shop
    token = add(db, None, red, 1).token
    key = add(db, token, blue, 1).line.key
    db.write(lambda c: change_line(c, token, position="1", quantity=4, now=T0))
    assert [l.quantity for l in view(db, token).lines] == [4, 1]
    db.write(lambda c: change_line(c, token, line_key=key, quantity=0, now=T0))
    assert [l.variant_id for l in view(db, token).lines] == [red]
    db.write(lambda c: update_cart(c, token, quantities={red: 2, blue: 1}, now=T0))
    assert [(l.variant_id, l.quantity) for l in view(db, token).lines] == [(red, 2), (blue, 1)]
    cleared = db.write(lambda c: clear_cart(c, token, now=T0))
    assert cleared.lines == () and view(db, token).cart_id == cleared.cart_id


def test_update_is_all_or_nothing(shop):
    db, red, blue = shop
    token = add(db, None, red, 1).token
    with pytest.raises(CartError):
        db.write(lambda c: update_cart(c, token, quantities={red: 3, blue: 5}, now=T0))
    assert [(l.variant_id, l.quantity) for l in view(db, token).lines] == [(red, 1)]


def test_a_cart_holds_at_most_max_lines(db: Database, shop):
    db, _red, _blue = shop
    location = db.read(lambda c: c.scalar("SELECT id FROM locations ORDER BY is_default DESC LIMIT 1"))
    ids = make_product(db, variants=MAX_LINES + 1)
    for vid in ids:
        receive(db, vid, location, 1)
    token = None
    for vid in ids[:MAX_LINES]:
        token = add(db, token, vid, 1).token
    with pytest.raises(CartError) as err:
        add(db, token, ids[-1], 1)
    assert err.value.code == CartErrorCode.TOO_MANY_LINES
    with pytest.raises(CartError) as err:
        db.write(lambda c: update_cart(c, None, quantities={str(i): 1 for i in range(10_000)}, now=T0))
    assert err.value.code == CartErrorCode.TOO_MANY_LINES
    assert len(view(db, token).lines) == MAX_LINES


@pytest.mark.parametrize("token", ["", "garbage", "x" * 32, "' OR 1=1 --" + "a" * 21, "é" * 32, None])
def test_forged_tokens_find_no_cart_and_changes_start_a_new_one(shop, token):
    db, red, _ = shop
    mine = add(db, None, red, 1).token
    assert view(db, token).lines == () and view(db, token).cart_id is None
    change = add(db, token, red, 1)
    assert change.token != mine and [l.quantity for l in view(db, mine).lines] == [1]


def test_notices_for_a_price_change_a_shortage_and_a_vanished_variant(shop):
    db, red, blue = shop
    token = add(db, None, red, 3).token
    add(db, token, blue, 1)
    db.write(lambda c: c.execute("UPDATE variants SET price_amount = 3000 WHERE id = ?", (red,)))
    cart = view(db, token)
    line = cart.lines[0]
    assert line.unit_price.amount == 3000 and line.seen_price.amount == 2500
    assert [n.kind for n in line.notices] == [NoticeKind.PRICE_CHANGED] and "$25.00 to $30.00" in line.notices[0].message
    assert cart.subtotal.amount == 3 * 3000 + 2500
    # The blue unit is sold elsewhere: the line is short. Then blue's product is deleted: it vanished.
    location = db.read(lambda c: c.scalar("SELECT id FROM locations ORDER BY is_default DESC LIMIT 1"))
    receive(db, blue, location, -1)
    assert [n.kind for n in view(db, token).lines[1].notices] == [NoticeKind.SHORT]
    assert not view(db, token).ready_for_checkout
    db.write(lambda c: c.execute("DELETE FROM variants WHERE id = ?", (blue,)))
    cart = view(db, token)
    assert cart.lines[1].unit_price is None and cart.lines[1].notices[0].kind == NoticeKind.VANISHED
    assert cart.subtotal.amount == 9000 and cart.item_count == 3
    db.write(lambda c: change_line(c, token, position=2, quantity=0, now=T0))
    assert view(db, token).ready_for_checkout


def test_an_idle_cart_expires_after_the_store_setting_and_is_purged(shop):
    db, red, _ = shop
    token = add(db, None, red, 1).token
    assert view(db, token, now=T0 + timedelta(days=29)).lines
    assert view(db, token, now=T0 + timedelta(days=30)).cart_id is None
    # Activity restarts the clock.
    add(db, token, red, 1, now=T0 + timedelta(days=29))
    assert view(db, token, now=T0 + timedelta(days=58)).item_count == 2
    assert db.write(lambda c: purge_idle_carts(c, now=T0 + timedelta(days=58))) == 0
    assert db.write(lambda c: purge_idle_carts(c, now=T0 + timedelta(days=60))) == 1
    assert db.read(lambda c: c.scalar("SELECT count(*) FROM cart_lines")) == 0


def test_the_idle_days_setting(shop):
    db, red, _ = shop

    def set_days(conn):
        front = front_repo.get_storefront(conn)
        front.settings["cart_idle_days"] = 2
        front_repo.update_storefront(conn, front)

    db.write(set_days)
    token = add(db, None, red, 1).token
    assert view(db, token, now=T0 + timedelta(days=1)).lines
    assert view(db, token, now=T0 + timedelta(days=2)).cart_id is None


def test_checkout_reads_weights_and_collections(shop):
    db, red, _ = shop
    db.write(lambda c: c.execute("UPDATE variants SET weight_grams = 250 WHERE id = ?", (red,)))
    token = add(db, None, red, 2).token
    line = view(db, token).lines[0]
    assert line.weight_grams == 250 and line.product_id and line.collection_ids == ()
    assert new_token() != new_token()


def test_making_a_cart_tidies_long_idle_ones(shop):
    db, red, _ = shop
    add(db, None, red, 1)
    add(db, None, red, 1, now=T0 + timedelta(days=31))
    assert db.read(lambda c: c.scalar("SELECT count(*) FROM carts")) == 1
