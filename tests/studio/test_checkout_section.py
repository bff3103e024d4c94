"""The studio's Checkout section on the demo store (Qt offscreen): edits are stored through the shared
services as undoable steps, refused values show their reason next to the field and store nothing, and
the payment keys need a linked store."""

from __future__ import annotations

import pytest

from shared.checkout.setup_store import list_discounts, load_checkout_setup
from studio.checkout.payments_page import NOT_LINKED_TEXT
from studio.checkout.section import CheckoutSection


@pytest.fixture
def section(session, qtbot):
    widget = CheckoutSection(session, None)
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    widget.show()
    return widget


def _stored(session):
    return session.db.read(load_checkout_setup)


def _row_of(table, country: str, region: str) -> int:
    return next(r for r in range(table.rowCount())
                if (table.item(r, 0).text(), table.item(r, 1).text()) == (country, region))


def test_editing_a_tax_rate_stores_it_and_undo_restores_it(section, session) -> None:
    page = section.taxes
    row = _row_of(page.table, "US", "NY")
    page.table.item(row, 2).setText("9")
    rates = {(r.country, r.region): r.rate for r in _stored(session).tax.rates}
    assert rates[("US", "NY")] == "9"
    assert session.undo_stack.undoText() == "Change taxes"
    session.undo_stack.undo()
    assert {(r.country, r.region): r.rate for r in _stored(session).tax.rates}[("US", "NY")] == "8.875"
    assert page.table.item(_row_of(page.table, "US", "NY"), 2).text() == "8.875"
    session.undo_stack.redo()
    assert page.table.item(_row_of(page.table, "US", "NY"), 2).text() == "9"


def test_a_refused_value_shows_its_reason_next_to_the_field_and_stores_nothing(section, session) -> None:
    page = section.taxes
    before, steps = _stored(session), session.undo_stack.count()
    page.table.item(_row_of(page.table, "US", "NY"), 1).setText("ZZ")
    errors = page.router.labels["tax.rates"]
    assert not errors.isHidden() and "'ZZ' is not a region code of United States" in errors.text()
    assert errors.text().startswith("Rate 3 · Region")
    page.default_rate.setText("lots")
    page.default_rate.editingFinished.emit()
    rate_error = page.router.labels["tax.default_rate"]
    assert not rate_error.isHidden() and rate_error.text()
    assert _stored(session) == before and session.undo_stack.count() == steps
    assert page.table.item(_row_of(page.table, "US", "ZZ"), 1).text() == "ZZ"     # what was typed stays
    page.reload()
    assert rate_error.isHidden()


def test_prices_include_tax_is_one_click_and_undoable(section, session) -> None:
    section.taxes.includes_tax.setChecked(True)
    assert _stored(session).tax.prices_include_tax is True
    session.undo_stack.undo()
    assert _stored(session).tax.prices_include_tax is False and not section.taxes.includes_tax.isChecked()


def test_a_discount_is_created_refused_with_reasons_then_saved_and_undone(section, session) -> None:
    page = section.discounts
    page.new_discount()
    page.code.setText("welcome10")                      # the demo's code, in other letters
    page.percent.setText("15")
    page.save()
    assert not page.router.labels["discount.code"].isHidden()
    assert "already uses the code WELCOME10" in page.router.labels["discount.code"].text()
    page.code.setText("SPRING")
    page.percent.setText("0")
    page.save()
    assert "takes nothing off" in page.router.labels["discount.percent"].text()
    page.percent.setText("15")
    page.minimum.setText("fifty")
    page.save()
    assert "not an amount" in page.router.labels["discount.min_subtotal"].text()
    assert len(session.db.read(list_discounts)) == 2
    page.minimum.setText("50")
    page.save()
    stored = {d.code: d for d in session.db.read(list_discounts)}
    assert stored["SPRING"].percent == "15" and stored["SPRING"].min_subtotal == 5000
    assert page.listing.count() == 3 and page.router.labels["discount.code"].isHidden()
    session.undo_stack.undo()
    assert "SPRING" not in {d.code for d in session.db.read(list_discounts)} and page.listing.count() == 2


def test_shipping_rate_edits_are_stored_and_bad_money_is_refused(section, session) -> None:
    page = section.shipping
    page.zone_list.setCurrentRow(0)
    page.rates.item(0, 2).setText("4.50")
    assert _stored(session).shipping.zones[0].rates[0].price == 450
    page.rates.item(0, 2).setText("cheap")
    shown = page.router.labels["shipping.zones"]
    assert not shown.isHidden() and "United States · rate 1 · price" in shown.text()
    assert _stored(session).shipping.zones[0].rates[0].price == 450
    session.undo_stack.undo()
    assert _stored(session).shipping.zones[0].rates[0].price == 500
    assert page.rates.item(0, 2).text() == "5.00"


def test_the_shipping_location_is_chosen_from_the_stores_locations_and_undone(section, session) -> None:
    page = section.shipping
    choices = [page.ship_from.itemText(i) for i in range(page.ship_from.count())]
    assert choices[0] == "First location with stock" and set(choices[1:]) == {"Pine Street shop", "Harbor warehouse"}
    assert page.ship_from.currentIndex() == 0
    page.ship_from.setCurrentIndex(choices.index("Harbor warehouse"))
    warehouse = page.ship_from.currentData()
    assert _stored(session).shipping.ship_from == warehouse
    assert session.undo_stack.undoText() == "Change where orders ship from"
    session.undo_stack.undo()
    assert _stored(session).shipping.ship_from is None
    assert page.ship_from.currentText() == "First location with stock"
    session.undo_stack.redo()
    assert _stored(session).shipping.ship_from == warehouse and page.ship_from.currentText() == "Harbor warehouse"


def test_the_hold_time_is_typed_and_a_bad_one_is_refused_beside_it(section, session) -> None:
    page = section.shipping
    error = page.router.labels["hold_minutes"]
    assert page.hold_minutes.text() == "10"
    for typed, reason in (("0", "from 1 to 1440"), ("2000", "from 1 to 1440"),
                          ("soon", "Type a whole number of minutes from 1 to 1440, not 'soon'")):
        page.hold_minutes.setText(typed)
        page.hold_minutes.editingFinished.emit()
        assert not error.isHidden() and reason in error.text()
        assert _stored(session).hold_minutes == 10 and page.hold_minutes.text() == typed   # what was typed stays
    page.hold_minutes.setText("10")
    page.hold_minutes.editingFinished.emit()
    assert error.isHidden()
    page.hold_minutes.setText("25")
    page.hold_minutes.editingFinished.emit()
    assert error.isHidden() and _stored(session).hold_minutes == 25
    assert session.undo_stack.undoText() == "Change the checkout hold time"
    session.undo_stack.undo()
    assert _stored(session).hold_minutes == 10 and page.hold_minutes.text() == "10"


def test_pickup_at_a_location_is_switched_on_with_its_address(section, session) -> None:
    page = section.pickup
    warehouse = next(c for c in page.cards.values() if c.name == "Harbor warehouse")
    warehouse.country.setText("US")
    warehouse.region.setText("QQ")
    warehouse.enabled.setChecked(True)
    assert "'QQ' is not a region code" in warehouse.router.labels["pickup.region"].text()
    warehouse.region.setText("ME")
    warehouse.region.editingFinished.emit()
    names = {p.name for p in _stored(session).shipping.pickup}
    assert names == {"Pine Street shop", "Harbor warehouse"}


def test_payments_need_a_linked_store(section) -> None:
    section.show_page("payments")
    page = section.payments
    assert page.notice.text() == NOT_LINKED_TEXT
    assert not page.secret.isEnabled() and not page.save_button.isEnabled()


def test_the_main_window_opens_the_checkout_section(studio_window) -> None:
    studio_window.show_section("checkout")
    assert studio_window.center.currentWidget() is studio_window.checkout
    assert studio_window.left.isHidden() and studio_window.right.isHidden()
    studio_window.checkout.show_page("discounts")
    assert studio_window.checkout.stack.currentWidget() is studio_window.checkout.discounts


