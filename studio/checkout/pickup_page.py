"""Checkout ▸ Pickup: which of the store's locations (its shops) let shoppers collect their order, the
address it is taxed at, and what shoppers are told. Each change is stored at once when it is valid."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from shared.checkout.errors import FieldProblem
from shared.checkout.setup_store import PickupOption
from studio.checkout.model import PICKUP, CheckoutModel, SavePickup
from studio.checkout.widgets import ProblemRouter, card, error_label, labelled, scrolling_page


class _LocationCard:
    """The card of one location: its switch and its fields, each with its error line."""

    def __init__(self, page: PickupPage, option: PickupOption):
        self.page, self.location_id, self.name = page, option.location_id, option.name
        self.frame, column = card(option.name, option.address)
        self.enabled = QCheckBox("Shoppers can pick up orders here", objectName="pickupEnabled")
        column.addWidget(self.enabled)
        self.router = ProblemRouter(error_label())
        self.country = QLineEdit(maximumWidth=90, placeholderText="US", objectName="pickupCountry")
        self.region = QLineEdit(maximumWidth=90, placeholderText="ME", objectName="pickupRegion")
        self.postal_code = QLineEdit(maximumWidth=120, objectName="pickupPostalCode")
        self.instructions = QLineEdit(objectName="pickupInstructions",
                                      placeholderText="Usually ready in 24 hours")
        row = QHBoxLayout()
        for field, title, widget in (("country", "Country", self.country), ("region", "Region", self.region),
                                     ("postal_code", "Postal code", self.postal_code)):
            holder, error = labelled(title, widget)
            self.router.add(f"pickup.{field}", error)
            row.addWidget(holder)
        row.addStretch(1)
        column.addLayout(row)
        holder, error = labelled("Pickup instructions", self.instructions,
                                 hint="Shown at checkout and in the confirmation e-mail.")
        self.router.add("pickup.ready_text", error)
        column.addWidget(holder)
        column.addWidget(self.router.fallback)
        self.enabled.toggled.connect(lambda _on: page.save(self))
        for widget in (self.country, self.region, self.postal_code, self.instructions):
            widget.editingFinished.connect(lambda: page.save(self))

    def show(self, option: PickupOption) -> None:
        """Show the stored setting of this location."""
        self.enabled.setChecked(option.enabled)
        self.country.setText(option.country)
        self.region.setText(option.region)
        self.postal_code.setText(option.postal_code)
        self.instructions.setText(option.instructions)
        for widget in (self.country, self.region, self.postal_code, self.instructions):
            widget.setEnabled(option.enabled)
        self.router.show(())

    def shown(self, stored: PickupOption) -> PickupOption:
        """The setting as the card shows it."""
        return dataclasses.replace(stored, enabled=self.enabled.isChecked(), country=self.country.text().strip().upper(),
                                   region=self.region.text().strip().upper(),
                                   postal_code=self.postal_code.text().strip(),
                                   instructions=self.instructions.text().strip())


class PickupPage(QWidget):
    """The Pickup page of the Checkout section."""

    def __init__(self, model: CheckoutModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self._loading = False
        self.cards: dict[str, _LocationCard] = {}
        self._pending: str | None = None
        area, self.column = scrolling_page("Pickup", "Shoppers collect their order free of charge at the "
                                           "locations you choose. The location's address is where its orders "
                                           "are taxed.")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        self.empty = QLabel("This store has no locations yet. Locations are the shops and warehouses "
                            "your stock is kept in.", objectName="emptyState", wordWrap=True)
        self.column.addWidget(self.empty)
        self.cards_column = QVBoxLayout()
        self.cards_column.setSpacing(16)
        self.column.addLayout(self.cards_column)
        self.column.addStretch(1)
        model.changed.connect(self.reload)
        model.problems_changed.connect(self._problems)
        self.reload()

    def reload(self) -> None:
        """Show every location's stored setting."""
        self._loading = True
        options = self.model.pickup_options()
        self.empty.setVisible(not options)
        for option in options:
            location_card = self.cards.get(option.location_id)
            if location_card is None:
                location_card = self.cards[option.location_id] = _LocationCard(self, option)
                self.cards_column.addWidget(location_card.frame)
            location_card.show(option)
        self._loading = False

    def save(self, location_card: _LocationCard) -> None:
        """Store one location's setting as an undoable step, if it changed and is valid."""
        if self._loading:
            return
        stored = next(o for o in self.model.pickup_options() if o.location_id == location_card.location_id)
        after = location_card.shown(stored)
        for widget in (location_card.country, location_card.region, location_card.postal_code,
                       location_card.instructions):
            widget.setEnabled(after.enabled)
        if after == stored:
            location_card.router.show(())
            return
        self._pending = stored.location_id
        self.model.run(SavePickup(self.model.db, stored, after))

    def _problems(self, page: str, problems: tuple[FieldProblem, ...]) -> None:
        if page == PICKUP and self._pending in self.cards:
            self.cards[self._pending].router.show(problems)
