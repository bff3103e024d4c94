"""Checkout ▸ Shipping: zones (countries and regions) with their rates (flat, by order value, by weight;
free over a threshold; a delivery estimate), local delivery by postal code, and the stock orders take:
the location shipped orders come from and how long checkout holds the items. Each change is stored
at once when the whole shipping setup is valid; otherwise what was typed stays, with the reason."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLineEdit,
                               QListWidget, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from shared.checkout.errors import CheckoutErrorCode, FieldProblem, SetupError
from shared.checkout.setup import (
    HOLD_MINUTES_RANGE, LocalDelivery, RateKind, RateTier, ShippingRate, ShippingZone, ZoneArea)
from shared.db.stamps import new_id
from studio.checkout.model import SHIPPING, CheckoutModel, SaveHoldMinutes, SaveShipFrom, SaveShipping
from studio.checkout.widgets import (ProblemRouter, card, error_label, labelled, money_text, parse_money,
                                     parse_whole, scrolling_page)

RATE_COLUMNS = ("Name", "Type", "Price", "Tiers (from: price)", "Free over", "Days")
KINDS = ((RateKind.FLAT, "Flat rate"), (RateKind.ORDER_VALUE, "By order value"), (RateKind.WEIGHT, "By weight (g)"))
_SPLIT = re.compile(r"[\s,;]+")
FIRST_WITH_STOCK = "First location with stock"


def areas_text(areas: tuple[ZoneArea, ...]) -> str:
    """Areas as the merchant types them: "US", "CA, GB", "US-ME, US-NH"."""
    parts = []
    for area in areas:
        parts += [f"{area.country}-{region}" for region in area.regions] or [area.country]
    return ", ".join(parts)


def parse_areas(text: str, field: str) -> tuple[ZoneArea, ...]:
    """"US, CA-ON, CA-QC" as areas (a country's regions grouped). Raises SetupError naming `field`."""
    grouped: dict[str, list[str]] = {}
    for part in filter(None, _SPLIT.split(text.strip().upper())):
        country, _, region = part.partition("-")
        grouped.setdefault(country, [])
        if region:
            grouped[country].append(region)
    if not grouped:
        raise SetupError([FieldProblem(field, CheckoutErrorCode.MISSING, "list at least one country (e.g. US)")])
    return tuple(ZoneArea(country, tuple(regions)) for country, regions in grouped.items())


def days_text(low: int | None, high: int | None) -> str:
    """"3-5", "2" or ""."""
    if low is None and high is None:
        return ""
    return str(low if low is not None else high) if low == high or high is None or low is None else f"{low}-{high}"


def parse_days(text: str, field: str) -> tuple[int | None, int | None]:
    """"3-5" or "2" as (min, max) business days."""
    low, _, high = text.strip().partition("-")
    first = parse_whole(low, f"{field}.min_days")
    return first, parse_whole(high, f"{field}.max_days") if high.strip() else first


def tiers_text(tiers: tuple[RateTier, ...], kind: RateKind, currency: str) -> str:
    """Tiers as "0: 15.00, 500: 25.00" (starts in grams for weight, in money for order value)."""
    start = (lambda t: str(t.start)) if kind == RateKind.WEIGHT else (lambda t: money_text(t.start, currency))
    return ", ".join(f"{start(t)}: {money_text(t.price, currency)}" for t in tiers)


def parse_tiers(text: str, kind: RateKind, currency: str, field: str) -> tuple[RateTier, ...]:
    """"0: 15.00, 500: 25.00" as tiers."""
    tiers = []
    for index, part in enumerate(p for p in text.split(",") if p.strip()):
        start, colon, price = part.partition(":")
        if not colon:
            raise SetupError([FieldProblem(f"{field}[{index}]", CheckoutErrorCode.BAD_VALUE,
                                           f"write each tier as from: price, e.g. 500: 25.00 (not {part.strip()!r})")])
        begin = parse_whole(start, f"{field}[{index}].start", optional=False) if kind == RateKind.WEIGHT \
            else parse_money(start, currency, f"{field}[{index}].start")
        tiers.append(RateTier(begin, parse_money(price, currency, f"{field}[{index}].price")))
    return tuple(tiers)


class ShippingPage(QWidget):
    """The Shipping page of the Checkout section."""

    def __init__(self, model: CheckoutModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self._loading = False
        self.zones: list[ShippingZone] = []
        self.zone_index = -1
        area, column = scrolling_page("Shipping and delivery", "Where you ship, what it costs and how long it "
                                      "takes. A destination belongs to one zone; a region's zone wins over "
                                      "its country's.")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        self.page_error = error_label()
        self.router = ProblemRouter(self.page_error)
        column.addWidget(self._zones_card())
        column.addWidget(self._local_card())
        column.addWidget(self._stock_card())
        column.addWidget(self.page_error)
        column.addStretch(1)
        model.changed.connect(self.reload)
        model.problems_changed.connect(lambda page, problems: page == SHIPPING and self._problems(problems))
        self.reload()

    # -- layout ---------------------------------------------------------------------------------------

    def _zones_card(self) -> QWidget:
        frame, column = card("Shipping zones", "Countries as two-letter codes; only some regions: US-ME, US-NH.")
        top = QHBoxLayout()
        self.zone_list = QListWidget(objectName="zoneList", maximumWidth=230, maximumHeight=120)
        top.addWidget(self.zone_list)
        editor = QWidget()
        editor_col = QVBoxLayout(editor)
        editor_col.setContentsMargins(8, 0, 0, 0)
        self.zone_name = QLineEdit(objectName="zoneName")
        self.zone_areas = QLineEdit(objectName="zoneAreas")
        name_field, self.zone_name_error = labelled("Zone name", self.zone_name)
        areas_field, self.zone_areas_error = labelled("Countries and regions", self.zone_areas)
        editor_col.addWidget(name_field)
        editor_col.addWidget(areas_field)
        editor_col.addStretch(1)
        top.addWidget(editor, 1)
        column.addLayout(top)
        zone_buttons = QHBoxLayout()
        self.add_zone_button = QPushButton("Add zone", objectName="smallButton")
        self.remove_zone_button = QPushButton("Remove zone", objectName="smallButton")
        zone_buttons.addWidget(self.add_zone_button)
        zone_buttons.addWidget(self.remove_zone_button)
        zone_buttons.addStretch(1)
        column.addLayout(zone_buttons)

        self.rates = QTableWidget(0, len(RATE_COLUMNS), objectName="rateTable")
        self.rates.setHorizontalHeaderLabels(RATE_COLUMNS)
        self.rates.verticalHeader().setVisible(False)
        self.rates.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.rates.horizontalHeader()
        for index, width in enumerate((160, 150, 80, 220, 90, 70)):
            header.resizeSection(index, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.rates.setMinimumHeight(170)
        column.addWidget(self.rates)
        column.addWidget(self.router.add("shipping.zones", error_label()))
        rate_buttons = QHBoxLayout()
        self.add_rate_button = QPushButton("Add rate", objectName="smallButton")
        self.remove_rate_button = QPushButton("Remove rate", objectName="smallButton")
        rate_buttons.addWidget(self.add_rate_button)
        rate_buttons.addWidget(self.remove_rate_button)
        rate_buttons.addStretch(1)
        column.addLayout(rate_buttons)

        self.zone_list.currentRowChanged.connect(self._zone_picked)
        self.zone_name.editingFinished.connect(self.save)
        self.zone_areas.editingFinished.connect(self.save)
        self.rates.itemChanged.connect(lambda _item: self.save())
        self.add_zone_button.clicked.connect(self.add_zone)
        self.remove_zone_button.clicked.connect(self.remove_zone)
        self.add_rate_button.clicked.connect(self.add_rate)
        self.remove_rate_button.clicked.connect(self.remove_rate)
        return frame

    def _local_card(self) -> QWidget:
        frame, column = card("Local delivery", "You deliver yourself to the postal codes listed "
                             "(a code ending in * matches every code starting with it).")
        self.local_on = QCheckBox("Offer local delivery", objectName="localOn")
        column.addWidget(self.local_on)
        self.local_name = QLineEdit(objectName="localName")
        self.local_codes = QPlainTextEdit(objectName="localCodes", maximumHeight=80)
        self.local_price = QLineEdit(objectName="localPrice", maximumWidth=140)
        self.local_free = QLineEdit(objectName="localFree", maximumWidth=140, placeholderText="never")
        self.local_days = QLineEdit(objectName="localDays", maximumWidth=140, placeholderText="e.g. 1-2")
        currency = self.model.currency
        for field, title, widget, suffix in (
                ("name", "Name shown at checkout", self.local_name, ""),
                ("postal_codes", "Postal codes", self.local_codes, ""),
                ("price", "Price", self.local_price, currency),
                ("free_over", "Free for orders over", self.local_free, currency),
                ("min_days", "Delivery days", self.local_days, "")):
            holder, error = labelled(title, widget, suffix=suffix)
            self.router.add(f"shipping.local_delivery[0].{field}", error)
            if field == "min_days":
                self.router.add("shipping.local_delivery[0].max_days", error)
            column.addWidget(holder)
        column.addWidget(self.router.add("shipping.local_delivery", error_label()))
        self.local_on.toggled.connect(lambda _on: self.save())
        for widget in (self.local_name, self.local_price, self.local_free, self.local_days):
            widget.editingFinished.connect(self.save)
        # A plain text edit has no editingFinished: the codes are stored a moment after typing stops.
        self._codes_timer = QTimer(self, singleShot=True, interval=800)
        self._codes_timer.timeout.connect(self.save)
        self.local_codes.textChanged.connect(lambda: self._loading or self._codes_timer.start())
        return frame

    def _stock_card(self) -> QWidget:
        frame, column = card("Stock for orders", "Pickup orders always take their items from the pickup "
                             "location. While a shopper is in checkout, their items are held for them; the "
                             "hold is renewed while they are active.")
        self.ship_from = QComboBox(objectName="shipFrom", maximumWidth=320)
        holder, error = labelled("Ship orders from", self.ship_from,
                                 hint="Shipped and locally delivered orders take their items from this location "
                                      "only, or from the first location that has them.")
        self.router.add("shipping.ship_from", error)
        column.addWidget(holder)
        self.hold_minutes = QLineEdit(objectName="holdMinutes", maximumWidth=90)
        holder, error = labelled("Hold items in checkout for", self.hold_minutes, suffix="minutes",
                                 hint="Held items are not sold to anyone else; when the time is up without "
                                      "activity, they are free again.")
        self.router.add("hold_minutes", error)
        column.addWidget(holder)
        self.ship_from.currentIndexChanged.connect(lambda _i: self.save_ship_from())
        self.hold_minutes.editingFinished.connect(self.save_hold_minutes)
        return frame

    def _show_stock(self) -> None:
        """The shipping location's choices (every store location) with the stored one picked, and the
        hold time. A stored location this database lacks stays visible as such."""
        stored = self.model.ship_from()
        self.ship_from.clear()
        self.ship_from.addItem(FIRST_WITH_STOCK, None)
        for option in self.model.pickup_options():
            self.ship_from.addItem(option.name, option.location_id)
        if stored is not None and self.ship_from.findData(stored) < 0:
            self.ship_from.addItem(f"A location this store does not have ({stored})", stored)
        self.ship_from.setCurrentIndex(max(0, self.ship_from.findData(stored)))
        self.hold_minutes.setText(str(self.model.hold_minutes()))

    # -- showing --------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Show the stored shipping setup (drops what was typed and refused)."""
        zones, local = self.model.shipping()
        self.zones = list(zones)
        self._loading = True
        keep = self.zone_index
        self.zone_list.clear()
        for zone in self.zones:
            self.zone_list.addItem(zone.name)
        self.zone_index = -1
        self.zone_list.setCurrentRow(min(max(keep, 0), len(self.zones) - 1))
        self._show_zone()
        delivery = local[0] if local else None
        self.local_on.setChecked(delivery is not None)
        shown = delivery or LocalDelivery("local", "Local delivery", "US", ())
        self.local_name.setText(shown.name)
        self.local_codes.setPlainText(", ".join(shown.postal_codes))
        self.local_price.setText(money_text(shown.price, self.model.currency))
        self.local_free.setText(money_text(shown.free_over, self.model.currency))
        self.local_days.setText(days_text(shown.min_days, shown.max_days))
        self._local_id = shown.id
        self._local_country = shown.country
        self._show_stock()
        self._loading = False
        self.router.show(())

    def _zone_picked(self, row: int) -> None:
        if self._loading:
            return
        self.save()
        self._show_zone(row)

    def _show_zone(self, row: int | None = None) -> None:
        row = self.zone_list.currentRow() if row is None else row
        self.zone_index = row
        zone = self.zones[row] if 0 <= row < len(self.zones) else None
        loading, self._loading = self._loading, True
        self.zone_name.setText(zone.name if zone else "")
        self.zone_areas.setText(areas_text(zone.areas) if zone else "")
        self.rates.setRowCount(0)
        for rate in (zone.rates if zone else ()):
            self._append_rate(rate)
        for widget in (self.zone_name, self.zone_areas, self.rates, self.add_rate_button, self.remove_rate_button):
            widget.setEnabled(zone is not None)
        self._loading = loading

    def _append_rate(self, rate: ShippingRate) -> None:
        currency = self.model.currency
        row = self.rates.rowCount()
        self.rates.insertRow(row)
        values = (rate.name, "", money_text(rate.price, currency) if rate.kind == RateKind.FLAT else "",
                  tiers_text(rate.tiers, rate.kind, currency), money_text(rate.free_over, currency),
                  days_text(rate.min_days, rate.max_days))
        for index, value in enumerate(values):
            item = QTableWidgetItem(value)
            if index == 0:
                item.setData(Qt.ItemDataRole.UserRole, rate.id)
            self.rates.setItem(row, index, item)
        kind = QComboBox()
        for value, label in KINDS:
            kind.addItem(label, value)
        kind.setCurrentIndex(max(0, kind.findData(rate.kind)))
        kind.currentIndexChanged.connect(lambda _i: self.save())
        self.rates.setCellWidget(row, 1, kind)

    def _problems(self, problems: tuple[FieldProblem, ...]) -> None:
        prefix = f"shipping.zones[{self.zone_index}]"
        self.zone_name_error.setVisible(False)
        self.zone_areas_error.setVisible(False)
        beside = (prefix + ".name", prefix + ".areas")
        self.router.show([p for p in problems if not p.field.startswith(beside)], lambda p: _describe(p, self.zones))
        for problem in problems:
            if problem.field.startswith(prefix + ".name"):
                self.zone_name_error.setText(problem.message)
                self.zone_name_error.setVisible(True)
            elif problem.field.startswith(prefix + ".areas"):
                self.zone_areas_error.setText(problem.message[:1].upper() + problem.message[1:])
                self.zone_areas_error.setVisible(True)

    # -- editing --------------------------------------------------------------------------------------

    def _zone_from_editor(self) -> ShippingZone:
        zone = self.zones[self.zone_index]
        field = f"shipping.zones[{self.zone_index}]"
        currency = self.model.currency
        rates = []
        for row in range(self.rates.rowCount()):
            text = [(self.rates.item(row, i).text() if self.rates.item(row, i) else "").strip()
                    for i in range(len(RATE_COLUMNS))]
            kind = self.rates.cellWidget(row, 1).currentData()
            where = f"{field}.rates[{row}]"
            low, high = parse_days(text[5], where)
            rates.append(ShippingRate(
                id=self.rates.item(row, 0).data(Qt.ItemDataRole.UserRole) or new_id()[:8], name=text[0], kind=kind,
                price=parse_money(text[2] or "0", currency, f"{where}.price") if kind == RateKind.FLAT else 0,
                tiers=parse_tiers(text[3], kind, currency, f"{where}.tiers") if kind != RateKind.FLAT else (),
                free_over=parse_money(text[4], currency, f"{where}.free_over", optional=True),
                min_days=low, max_days=high))
        return ShippingZone(zone.id, self.zone_name.text().strip(),
                            parse_areas(self.zone_areas.text(), f"{field}.areas"), tuple(rates))

    def _local_from_editor(self) -> tuple[LocalDelivery, ...]:
        if not self.local_on.isChecked():
            return ()
        field = "shipping.local_delivery[0]"
        currency = self.model.currency
        low, high = parse_days(self.local_days.text(), field)
        codes = tuple(filter(None, _SPLIT.split(self.local_codes.toPlainText().strip().upper())))
        return (LocalDelivery(self._local_id, self.local_name.text().strip(), self._local_country, codes,
                              price=parse_money(self.local_price.text() or "0", currency, f"{field}.price"),
                              free_over=parse_money(self.local_free.text(), currency, f"{field}.free_over",
                                                    optional=True), min_days=low, max_days=high),)

    def shown(self) -> tuple[tuple[ShippingZone, ...], tuple[LocalDelivery, ...]]:
        """The shipping setup as the page shows it. Raises SetupError for text that is not a value."""
        if 0 <= self.zone_index < len(self.zones):
            self.zones[self.zone_index] = self._zone_from_editor()
        return tuple(self.zones), self._local_from_editor()

    def save(self) -> None:
        """Store what the page shows as one undoable step, if it differs and is valid."""
        if self._loading:
            return
        before = self.model.shipping()
        self.model.propose(SHIPPING, lambda: None if self.shown() == before else
                           SaveShipping(self.model.db, before, self.shown()))

    def save_ship_from(self) -> None:
        """Store the chosen shipping location as one undoable step, if it changed."""
        if self._loading:
            return
        before, after = self.model.ship_from(), self.ship_from.currentData()
        self.model.propose(SHIPPING, lambda: None if after == before else SaveShipFrom(self.model.db, before, after))

    def save_hold_minutes(self) -> None:
        """Store the typed hold time as one undoable step, if it changed and is a whole number in range."""
        if self._loading:
            return
        before = self.model.hold_minutes()

        def build() -> SaveHoldMinutes | None:
            typed = self.hold_minutes.text().strip()
            if not typed.isdigit():
                low, high = HOLD_MINUTES_RANGE
                raise SetupError([FieldProblem("hold_minutes", CheckoutErrorCode.BAD_VALUE,
                                               f"type a whole number of minutes from {low} to {high}, "
                                               f"not {typed!r}")])
            after = int(typed)
            if after == before:         # typed back to what is stored: nothing to store, nothing wrong
                self.router.labels["hold_minutes"].setVisible(False)
                return None
            return SaveHoldMinutes(self.model.db, before, after)
        self.model.propose(SHIPPING, build)

    def add_zone(self) -> None:
        """A new zone to fill in (stored once it has a country and a rate)."""
        self.save()
        self.zones.append(ShippingZone(new_id()[:8], "New zone", (), ()))
        self._loading = True
        self.zone_list.addItem("New zone")
        self._loading = False
        self.zone_list.setCurrentRow(len(self.zones) - 1)

    def remove_zone(self) -> None:
        """Remove the selected zone."""
        if 0 <= self.zone_index < len(self.zones):
            del self.zones[self.zone_index]
            self.zone_index = -1
            before = self.model.shipping()
            self.model.propose(SHIPPING, lambda: SaveShipping(self.model.db, before,
                                                              (tuple(self.zones), self._local_from_editor())))

    def add_rate(self) -> None:
        """A new flat rate row in the selected zone."""
        self._loading = True
        self._append_rate(ShippingRate(new_id()[:8], "", RateKind.FLAT))
        self._loading = False
        self.rates.editItem(self.rates.item(self.rates.rowCount() - 1, 0))

    def remove_rate(self) -> None:
        """Remove the selected rate."""
        row = self.rates.currentRow()
        if row >= 0:
            self.rates.removeRow(row)
            self.save()


def _describe(problem: FieldProblem, zones: list[ShippingZone]) -> str:
    found = re.match(r"^shipping\.zones\[(\d+)\](?:\.rates\[(\d+)\])?\.?([\w\[\]\.]*)", problem.field)
    message = problem.message
    if not found:
        return message[:1].upper() + message[1:]
    zone = zones[int(found[1])].name if int(found[1]) < len(zones) else f"zone {int(found[1]) + 1}"
    rate = f" · rate {int(found[2]) + 1}" if found[2] is not None else ""
    what = found[3].replace("_", " ").split("[")[0]
    return f"{zone}{rate}{' · ' + what if what else ''}: {message}"
