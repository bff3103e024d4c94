"""The Checkout section's model and its commands (house style 9: each user action is a command object
with do() and undo(); widgets only show state and propose commands).

A command is applied at once through the shared setup services (shared/checkout/setup_store.py),
which validate it. A refused setup (SetupError) stores nothing: its FieldProblems go to the page that
proposed it (`problems_changed`), which shows each next to its field, and nothing goes on the undo
stack. Any other refusal (a VibeshopError) is a dialog, through the session; a bug is not caught."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from shared.checkout.errors import FieldProblem, SetupError
from shared.checkout.setup import Discount, LocalDelivery, ShippingZone, TaxSetup
from shared.checkout.setup_store import (
    PickupOption, list_discounts, list_pickup_options, load_checkout_setup, remove_discount, save_discount,
    save_hold_minutes, save_pickup, save_ship_from, save_shipping, save_tax)
from shared.checkout.setup_rows import settings_from_row, settings_setup_from_row
from shared.db.repositories import checkout_setup as repo
from shared.errors import VibeshopError
from studio.session import CHECKOUT, StudioSession

TAX, SHIPPING, PICKUP, DISCOUNT = "tax", "shipping", "pickup", "discount"


class SetupCommand:
    """One change of the checkout setup: `do()` stores it, `undo()` stores what was there before.
    `page` is the page whose fields its problems belong to; `text` names it in Undo/Redo."""

    page = ""
    text = ""

    def do(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError


@dataclass
class SaveTax(SetupCommand):
    """Replace the tax setup."""

    db: object
    before: TaxSetup
    after: TaxSetup
    page = TAX
    text = "Change taxes"

    def do(self) -> None:
        save_tax(self.db, self.after)

    def undo(self) -> None:
        save_tax(self.db, self.before)


@dataclass
class SaveShipping(SetupCommand):
    """Replace the shipping zones and local delivery."""

    db: object
    before: tuple[tuple[ShippingZone, ...], tuple[LocalDelivery, ...]]
    after: tuple[tuple[ShippingZone, ...], tuple[LocalDelivery, ...]]
    page = SHIPPING
    text = "Change shipping"

    def do(self) -> None:
        save_shipping(self.db, zones=self.after[0], local_delivery=self.after[1])

    def undo(self) -> None:
        save_shipping(self.db, zones=self.before[0], local_delivery=self.before[1])


@dataclass
class SaveShipFrom(SetupCommand):
    """Change the location shipped orders take their stock from (None: the first with stock)."""

    db: object
    before: str | None
    after: str | None
    page = SHIPPING
    text = "Change where orders ship from"

    def do(self) -> None:
        save_ship_from(self.db, self.after)

    def undo(self) -> None:
        save_ship_from(self.db, self.before)


@dataclass
class SaveHoldMinutes(SetupCommand):
    """Change how long checkout holds the cart's items."""

    db: object
    before: int
    after: int
    page = SHIPPING
    text = "Change the checkout hold time"

    def do(self) -> None:
        save_hold_minutes(self.db, self.after)

    def undo(self) -> None:
        save_hold_minutes(self.db, self.before)


def _store_pickup(db, option: PickupOption) -> None:
    save_pickup(db, option.location_id, enabled=option.enabled, country=option.country, region=option.region,
                postal_code=option.postal_code, instructions=option.instructions)


@dataclass
class SavePickup(SetupCommand):
    """Change whether and how one location offers pickup."""

    db: object
    before: PickupOption
    after: PickupOption
    page = PICKUP
    text = "Change pickup"

    def do(self) -> None:
        _store_pickup(self.db, self.after)

    def undo(self) -> None:
        _store_pickup(self.db, self.before)


@dataclass
class SaveDiscount(SetupCommand):
    """Create a discount (`before` None) or change one. After do(), `after` is the stored discount."""

    db: object
    before: Discount | None
    after: Discount
    page = DISCOUNT
    text = "Save discount"

    def do(self) -> None:
        self.after = save_discount(self.db, self.after)

    def undo(self) -> None:
        if self.before is None:
            remove_discount(self.db, self.after.id)
        else:
            save_discount(self.db, self.before)


@dataclass
class RemoveDiscount(SetupCommand):
    """Delete a discount (undo brings it back, at the end of the list)."""

    db: object
    discount: Discount
    page = DISCOUNT
    text = "Delete discount"

    def do(self) -> None:
        remove_discount(self.db, self.discount.id)

    def undo(self) -> None:
        save_discount(self.db, self.discount)


class _Step(QUndoCommand):
    """A command already done, on the session's undo stack."""

    def __init__(self, model: CheckoutModel, command: SetupCommand):
        super().__init__(command.text)
        self._model, self._command, self._done = model, command, True

    def redo(self) -> None:
        if self._done:              # pushed after it was done: the stack's first redo() is a no-op
            self._done = False
            return
        self._model.session.apply(self._command.do, (CHECKOUT,))

    def undo(self) -> None:
        self._model.session.apply(self._command.undo, (CHECKOUT,))


class CheckoutModel(QObject):
    """The stored checkout setup as the section shows it, and the one way to change it (`run`)."""

    changed = Signal()                      # the stored setup changed (an edit, undo, redo or a pull)
    problems_changed = Signal(str, object)  # page, tuple[FieldProblem, ...] (empty: the page is fine)

    def __init__(self, session: StudioSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.db = session.db
        self.currency = session.store.storefront().currency
        session.changed.connect(lambda scope: scope == CHECKOUT and self.changed.emit())

    # -- reads ----------------------------------------------------------------------------------------

    def tax(self) -> TaxSetup:
        """The stored tax setup."""
        return self.db.read(lambda conn: settings_from_row(repo.get_settings(conn))[0])

    def shipping(self) -> tuple[tuple[ShippingZone, ...], tuple[LocalDelivery, ...]]:
        """The stored shipping zones and local delivery areas."""
        shipping = self.db.read(lambda conn: settings_from_row(repo.get_settings(conn))[1])
        return shipping.zones, shipping.local_delivery

    def ship_from(self) -> str | None:
        """The stored shipping location (None: the first location with stock)."""
        return self.db.read(lambda conn: settings_setup_from_row(repo.get_settings(conn)).shipping.ship_from)

    def hold_minutes(self) -> int:
        """The stored checkout hold time, in minutes."""
        return self.db.read(lambda conn: settings_setup_from_row(repo.get_settings(conn)).hold_minutes)

    def pickup_options(self) -> list[PickupOption]:
        """Every store location with its pickup setting."""
        return self.db.read(list_pickup_options)

    def discounts(self) -> list[Discount]:
        """Every discount, in order."""
        return self.db.read(list_discounts)

    def check_whole(self) -> tuple[FieldProblem, ...]:
        """Problems of the setup as a whole (after a sync merged edits from two devices): empty when fine."""
        try:
            self.db.read(load_checkout_setup)
        except SetupError as error:
            return error.problems
        return ()

    # -- changes --------------------------------------------------------------------------------------

    def propose(self, page: str, build: Callable[[], SetupCommand | None]) -> SetupCommand | None:
        """Build a command from what the page shows (parsing may raise SetupError) and run it."""
        try:
            command = build()
        except SetupError as error:
            self.problems_changed.emit(page, error.problems)
            return None
        return None if command is None else self.run(command)

    def run(self, command: SetupCommand) -> SetupCommand | None:
        """Do the command and put it on the undo stack; None when it was refused (nothing stored)."""
        try:
            command.do()
        except SetupError as error:
            self.problems_changed.emit(command.page, error.problems)
            return None
        except VibeshopError as error:
            self.session.problem.emit(command.text, str(error))
            return None
        self.problems_changed.emit(command.page, ())
        self.session.undo_stack.push(_Step(self, command))
        self.session.notify(CHECKOUT)
        return command
