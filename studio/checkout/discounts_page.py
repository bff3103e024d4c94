"""Checkout ▸ Discounts: the list of discounts and an editor for one (code or automatic; percentage,
fixed amount or free shipping; minimum purchase; all products or some collections and products;
active dates; usage limits). "Save discount" stores it as one undoable step; a refused value keeps
what was typed, with the reason under its field."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDateTimeEdit, QHBoxLayout, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from shared.checkout.setup import Discount, DiscountKind, DiscountMethod
from shared.db.repositories import catalog
from studio.checkout.model import DISCOUNT, CheckoutModel, RemoveDiscount, SaveDiscount
from studio.checkout.widgets import (ProblemRouter, card, error_label, labelled, money_text, parse_money,
                                     scrolling_page)

KINDS = ((DiscountKind.PERCENTAGE, "Percentage off"), (DiscountKind.FIXED_AMOUNT, "Fixed amount off"),
         (DiscountKind.FREE_SHIPPING, "Free shipping"))


def describe(discount: Discount, currency: str) -> str:
    """One line for the list: what it is and how it applies."""
    value = {DiscountKind.PERCENTAGE: f"{discount.percent}% off",
             DiscountKind.FIXED_AMOUNT: f"{money_text(discount.amount, currency)} {currency} off",
             DiscountKind.FREE_SHIPPING: "Free shipping"}[discount.kind]
    minimum = f" · min. {money_text(discount.min_subtotal, currency)} {currency}" if discount.min_subtotal else ""
    how = "Code" if discount.method == DiscountMethod.CODE else "Automatic"
    now = datetime.now(UTC)
    state = ("Scheduled" if discount.starts_at is not None and now < discount.starts_at else
             "Expired" if discount.ends_at is not None and now >= discount.ends_at else "Active")
    return f"{discount.code or discount.title}  ·  {state}\n{how} · {value}{minimum}"


class DiscountsPage(QWidget):
    """The Discounts page of the Checkout section."""

    def __init__(self, model: CheckoutModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.current: Discount | None = None          # the stored discount being edited (None: a new one)
        zone = model.session.store.storefront().timezone
        self.zone = ZoneInfo(zone) if zone else ZoneInfo("UTC")
        area, column = scrolling_page("Discounts", "Codes shoppers type at checkout, and discounts that apply "
                                      "by themselves. One code per order; automatic discounts add to it.")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        self.page_error = error_label()
        self.router = ProblemRouter(self.page_error)

        row = QHBoxLayout()
        row.setSpacing(16)
        listing, listing_col = card("All discounts")
        self.listing = QListWidget(objectName="discountList")
        self.listing.setMinimumWidth(280)
        self.listing.setWordWrap(True)
        self.listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.listing.setMinimumHeight(420)
        listing_col.addWidget(self.listing, 1)
        self.new_button = QPushButton("Create discount", objectName="primaryButton")
        listing_col.addWidget(self.new_button)
        row.addWidget(listing, 1)
        row.addLayout(self._editor(), 2)
        column.addLayout(row)
        column.addWidget(self.page_error)
        column.addStretch(1)

        self.listing.currentRowChanged.connect(self._picked)
        self.new_button.clicked.connect(self.new_discount)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        model.changed.connect(self.reload)
        model.problems_changed.connect(lambda page, problems: page == DISCOUNT and self.router.show(problems))
        self.reload()

    # -- layout ---------------------------------------------------------------------------------------

    def _field(self, field: str, title: str, widget: QWidget, **kwargs) -> QWidget:
        holder, error = labelled(title, widget, **kwargs)
        self.router.add(f"discount.{field}", error)
        return holder

    def _editor(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(16)
        for build in (self._method_card, self._value_card, self._applies_card, self._when_card):
            column.addWidget(build())
        buttons = QHBoxLayout()
        self.delete_button = QPushButton("Delete discount", objectName="dangerButton")
        self.save_button = QPushButton("Save discount", objectName="primaryButton")
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        self.by_code.toggled.connect(self._method_shown)
        self.kind.currentIndexChanged.connect(self._kind_shown)
        return column

    def _method_card(self) -> QWidget:
        method, method_col = card("Method")
        self.by_code = QRadioButton("Discount code")
        self.automatic = QRadioButton("Automatic discount")
        group = QButtonGroup(self)
        group.addButton(self.by_code)
        group.addButton(self.automatic)
        choice = QHBoxLayout()
        choice.addWidget(self.by_code)
        choice.addWidget(self.automatic)
        choice.addStretch(1)
        method_col.addLayout(choice)
        self.code = QLineEdit(objectName="discountCode", placeholderText="e.g. SUMMER10")
        method_col.addWidget(self._field("code", "Code", self.code, hint="Shoppers type it at checkout, in any case."))
        self.title = QLineEdit(objectName="discountTitle", placeholderText="e.g. Summer sale")
        method_col.addWidget(self._field("title", "Title", self.title, hint="Shown in the order summary."))
        return method

    def _value_card(self) -> QWidget:
        value, value_col = card("Value")
        self.kind = QComboBox(objectName="discountKind")
        for kind, label in KINDS:
            self.kind.addItem(label, kind)
        value_col.addWidget(self._field("kind", "Type", self.kind))
        self.percent = QLineEdit(objectName="discountPercent", maximumWidth=160)
        self.percent_field = self._field("percent", "Percentage", self.percent, suffix="%")
        self.amount = QLineEdit(objectName="discountAmount", maximumWidth=160)
        self.amount_field = self._field("amount", "Amount", self.amount, suffix=self.model.currency)
        value_col.addWidget(self.percent_field)
        value_col.addWidget(self.amount_field)
        self.minimum = QLineEdit(objectName="discountMinimum", maximumWidth=160, placeholderText="none")
        value_col.addWidget(self._field("min_subtotal", "Minimum purchase", self.minimum, suffix=self.model.currency,
                                        hint="Of the products it applies to, before discounts."))
        return value

    def _applies_card(self) -> QWidget:

        applies, applies_col = card("Applies to", "Nothing ticked: all products.")
        self.collections = QListWidget(objectName="discountCollections")
        self.products = QListWidget(objectName="discountProducts")
        for widget in (self.collections, self.products):
            widget.setMaximumHeight(130)
        lists = QHBoxLayout()
        lists.addWidget(self._field("collection_ids", "Collections", self.collections), 1)
        lists.addWidget(self._field("product_ids", "Products", self.products), 1)
        applies_col.addLayout(lists)
        return applies

    def _when_card(self) -> QWidget:

        when, when_col = card("Active dates and limits")
        self.starts_on, self.starts_at = QCheckBox("Starts"), _date_edit()
        self.ends_on, self.ends_at = QCheckBox("Ends"), _date_edit()
        for check, edit, field in ((self.starts_on, self.starts_at, "starts_at"), (self.ends_on, self.ends_at, "ends_at")):
            line = QHBoxLayout()
            line.setContentsMargins(0, 0, 0, 0)
            check.setFixedWidth(80)
            edit.setFixedWidth(200)
            line.addWidget(check)
            line.addWidget(edit)
            line.addStretch(1)
            holder = QWidget()
            holder.setLayout(line)
            when_col.addWidget(self._field(field, "", holder))
            check.toggled.connect(edit.setEnabled)
        self.limit_on = QCheckBox("Limit the number of orders that can use it")
        self.limit = QSpinBox(minimum=1, maximum=1_000_000, maximumWidth=120)
        self.limit_on.toggled.connect(self.limit.setEnabled)
        limit_line = QHBoxLayout()
        limit_line.setContentsMargins(0, 0, 0, 0)
        limit_line.addWidget(self.limit_on)
        limit_line.addWidget(self.limit)
        limit_line.addStretch(1)
        limit_holder = QWidget()
        limit_holder.setLayout(limit_line)
        when_col.addWidget(self._field("usage_limit", "", limit_holder))
        self.once = QCheckBox("Once per customer (by e-mail address)")
        when_col.addWidget(self.once)
        return when


    def _method_shown(self, by_code: bool) -> None:
        self.code.setEnabled(by_code)

    def _kind_shown(self, _index: int) -> None:
        kind = self.kind.currentData()
        self.percent_field.setVisible(kind == DiscountKind.PERCENTAGE)
        self.amount_field.setVisible(kind == DiscountKind.FIXED_AMOUNT)

    # -- showing --------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Show the stored discounts, keeping the one being edited selected."""
        keep = self.current.id if self.current else None
        discounts = self.model.discounts()
        self._fill_choices()
        self.listing.blockSignals(True)
        self.listing.clear()
        for discount in discounts:
            item = QListWidgetItem(describe(discount, self.model.currency))
            item.setData(Qt.ItemDataRole.UserRole, discount.id)
            self.listing.addItem(item)
        self.listing.blockSignals(False)
        self._discounts = {d.id: d for d in discounts}
        chosen = keep if keep in self._discounts else (discounts[0].id if discounts else None)
        if chosen is None:
            self.new_discount()
        else:
            self.select(chosen)

    def _fill_choices(self) -> None:
        db = self.model.db
        collections = db.read(lambda conn: catalog.list_collections(conn, limit=200))
        ids = db.read(lambda conn: catalog.list_product_ids(conn, limit=500))
        products = db.read(lambda conn: catalog.get_products(conn, ids))
        for widget, entries in ((self.collections, [(c.id, c.title) for c in collections]),
                                (self.products, [(i, products[i].title) for i in ids if i in products])):
            widget.clear()
            for key, title in entries:
                item = QListWidgetItem(title)
                item.setData(Qt.ItemDataRole.UserRole, key)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                widget.addItem(item)

    def select(self, discount_id: str) -> None:
        """Edit a stored discount."""
        for row in range(self.listing.count()):
            if self.listing.item(row).data(Qt.ItemDataRole.UserRole) == discount_id:
                self.listing.blockSignals(True)
                self.listing.setCurrentRow(row)
                self.listing.blockSignals(False)
        self.show_discount(self._discounts[discount_id])

    def _picked(self, row: int) -> None:
        if row >= 0:
            self.show_discount(self._discounts[self.listing.item(row).data(Qt.ItemDataRole.UserRole)])

    def new_discount(self) -> None:
        """An empty editor for a new code discount."""
        self.listing.clearSelection()
        self.show_discount(None)

    def show_discount(self, discount: Discount | None) -> None:
        """Fill the editor with a discount (None: a new one)."""
        self.current = discount
        shown = discount or Discount("", DiscountKind.PERCENTAGE, DiscountMethod.CODE)
        (self.by_code if shown.method == DiscountMethod.CODE else self.automatic).setChecked(True)
        self._method_shown(shown.method == DiscountMethod.CODE)
        self.code.setText(shown.code)
        self.title.setText(shown.title)
        self.kind.setCurrentIndex(max(0, self.kind.findData(shown.kind)))
        self._kind_shown(0)
        self.percent.setText(shown.percent)
        self.amount.setText(money_text(shown.amount, self.model.currency) if shown.amount else "")
        self.minimum.setText(money_text(shown.min_subtotal, self.model.currency) if shown.min_subtotal else "")
        for widget, chosen in ((self.collections, shown.collection_ids), (self.products, shown.product_ids)):
            for row in range(widget.count()):
                item = widget.item(row)
                on = item.data(Qt.ItemDataRole.UserRole) in chosen
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        for check, edit, value in ((self.starts_on, self.starts_at, shown.starts_at),
                                   (self.ends_on, self.ends_at, shown.ends_at)):
            check.setChecked(value is not None)
            edit.setEnabled(value is not None)
            if value is not None:
                edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(value.timestamp())))
        self.limit_on.setChecked(shown.usage_limit is not None)
        self.limit.setEnabled(shown.usage_limit is not None)
        self.limit.setValue(shown.usage_limit or 100)
        self.once.setChecked(shown.once_per_customer)
        self.delete_button.setEnabled(discount is not None)
        self.router.show(())

    # -- editing --------------------------------------------------------------------------------------

    def _checked(self, widget: QListWidget) -> tuple[str, ...]:
        return tuple(widget.item(r).data(Qt.ItemDataRole.UserRole) for r in range(widget.count())
                     if widget.item(r).checkState() == Qt.CheckState.Checked)

    def _moment(self, check: QCheckBox, edit: QDateTimeEdit) -> datetime | None:
        if not check.isChecked():
            return None
        return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), self.zone)

    def shown(self) -> Discount:
        """The discount as the editor shows it. Raises SetupError for an amount that is not one."""
        currency = self.model.currency
        kind = self.kind.currentData()
        by_code = self.by_code.isChecked()
        amount = parse_money(self.amount.text(), currency, "discount.amount") \
            if kind == DiscountKind.FIXED_AMOUNT else 0
        percent = self.percent.text().strip().rstrip("%").strip() if kind == DiscountKind.PERCENTAGE else ""
        return Discount(
            id=self.current.id if self.current else "", kind=kind,
            method=DiscountMethod.CODE if by_code else DiscountMethod.AUTOMATIC,
            title=self.title.text().strip(), code=self.code.text().strip() if by_code else "", percent=percent,
            amount=amount or 0, min_subtotal=parse_money(self.minimum.text(), currency, "discount.min_subtotal",
                                                         optional=True) or 0,
            product_ids=self._checked(self.products), collection_ids=self._checked(self.collections),
            starts_at=self._moment(self.starts_on, self.starts_at), ends_at=self._moment(self.ends_on, self.ends_at),
            usage_limit=self.limit.value() if self.limit_on.isChecked() else None,
            once_per_customer=self.once.isChecked())

    def save(self) -> None:
        """Store the discount being edited (a new one is created)."""
        before = self.current
        done = self.model.propose(DISCOUNT, lambda: SaveDiscount(self.model.db, before, self.shown()))
        if done is not None:
            self.current = done.after
            self.select(done.after.id)

    def delete(self) -> None:
        """Delete the discount being edited."""
        if self.current is not None:
            gone = self.current
            self.current = None
            if self.model.run(RemoveDiscount(self.model.db, gone)) is None:
                self.current = gone


def _date_edit() -> QDateTimeEdit:
    edit = QDateTimeEdit(calendarPopup=True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setDateTime(QDateTime.currentDateTime())
    edit.setEnabled(False)
    return edit

