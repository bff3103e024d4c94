"""`checkout/checkout.json` in a store's authoring folder: the whole checkout setup (taxes, shipping zones
and local delivery, pickup per location, discounts) as one JSON file, exported and imported like
theme/theme.json. Problems are placed at the value they are about (path:line:column).

    {"tax": {"prices_include_tax", "default_rate", "rates": [...], "tax_shipping"},
     "shipping": {"zones": [...], "local_delivery": [...], "ship_from": location id or null},
     "pickup": [{"location_id", "name", "enabled", "country", "region", "postal_code", "instructions"}],
     "discounts": [{"id", "kind", "method", "code", ...}],
     "hold_minutes": 10}

The shapes are setup_to_json's (docs/checkout.md); money is in minor units. A discount without an id
gets one derived from its code or title, so importing the same file twice adds nothing. Discounts not
listed are deleted; pickup of locations not listed is left as it is, and pickup for a location the store
does not have is left out with a warning, and so is a `ship_from` naming such a location (the store's
own setting is kept). `name` in pickup is for reading. A file without `ship_from` or `hold_minutes` (one
written before they existed) sets the defaults: the first location with stock, 10 minutes."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from shared.checkout.errors import SetupError
from shared.checkout.setup_json import setup_from_json, setup_to_json
from shared.checkout.setup import DEFAULT_HOLD_MINUTES
from shared.checkout.setup_store import (
    PickupOption, SetupReplacement, list_discounts, list_pickup_options, replace_checkout_setup_in)
from shared.checkout.setup_rows import settings_setup_from_row
from shared.db import Connection
from shared.db.repositories import checkout_setup as repo
from shared.db.repositories.inventory import list_locations
from shared.files.errors import Problem
from shared.files.jsonpos import LocatedJson, dump

CHECKOUT_JSON = "checkout/checkout.json"
_TOP = {"tax", "shipping", "pickup", "discounts", "hold_minutes"}
_PICKUP = {"location_id", "name", "enabled", "country", "region", "postal_code", "instructions"}
_STEP = re.compile(r"\.?([A-Za-z_]+)|\[(\d+)\]")


def checkout_file(conn: Connection) -> str:
    """The store's checkout setup as the text of checkout/checkout.json."""
    settings = settings_setup_from_row(repo.get_settings(conn))
    data = setup_to_json(dataclasses.replace(settings, discounts=tuple(list_discounts(conn))))
    pickup = [{"location_id": o.location_id, "name": o.name, "enabled": o.enabled, "country": o.country,
               "region": o.region, "postal_code": o.postal_code, "instructions": o.instructions}
              for o in list_pickup_options(conn)]
    return dump({"tax": data["tax"], "shipping": {"zones": data["shipping"]["zones"],
                                                   "local_delivery": data["shipping"]["local_delivery"],
                                                   "ship_from": data["shipping"]["ship_from"]},
                 "pickup": pickup, "discounts": data["discounts"], "hold_minutes": data["hold_minutes"]})


def json_path(field: str) -> tuple[str | int, ...]:
    """A setup field path ("shipping.zones[0].rates[1].price") as a JSON path."""
    return tuple(name if name else int(index) for name, index in _STEP.findall(field))


def placed(doc: LocatedJson, error: SetupError) -> list[Problem]:
    """Each problem of a SetupError at its value in checkout.json."""
    out = []
    for problem in error.problems:
        line, column = doc.position(json_path(problem.field))
        out.append(Problem(CHECKOUT_JSON, line, column, f"{problem.field}: {problem.message}"))
    return out


def load_checkout(doc: LocatedJson) -> tuple[SetupReplacement | None, list[Problem]]:
    """The setup checkout.json holds, or the problems that keep it from being imported."""
    value = doc.value

    def at(path: tuple[str | int, ...], message: str) -> Problem:
        line, column = doc.position(path)
        return Problem(CHECKOUT_JSON, line, column, message)

    if not isinstance(value, dict):
        return None, [at((), 'checkout.json must be an object: '
                             '{"tax", "shipping", "pickup", "discounts", "hold_minutes"}')]
    problems = [at((key,), f'unknown key "{key}" (expected one of {", ".join(sorted(_TOP))})')
                for key in value if key not in _TOP]
    discounts = value.get("discounts", [])
    if isinstance(discounts, list):
        from shared.files.layout import derived_id

        discounts = [{**d, "id": d.get("id") or derived_id("discount", str(d.get("code") or d.get("title") or i))}
                     if isinstance(d, dict) else d for i, d in enumerate(discounts)]
    try:
        setup = setup_from_json({"currency": "USD", "tax": value.get("tax", {}), "shipping": value.get("shipping", {}),
                                 "discounts": discounts,
                                 "hold_minutes": value.get("hold_minutes", DEFAULT_HOLD_MINUTES)})
    except SetupError as error:
        problems += placed(doc, error)
        setup = None
    pickup = _pickup(value.get("pickup", []), at, problems)
    if problems or setup is None:
        return None, problems
    return SetupReplacement(setup.tax, setup.shipping.zones, setup.shipping.local_delivery, pickup,
                            setup.discounts, setup.shipping.ship_from, setup.hold_minutes), []


def _pickup(entries: Any, at, problems: list[Problem]) -> tuple[PickupOption, ...]:
    if not isinstance(entries, list):
        problems.append(at(("pickup",), "pickup must be a list"))
        return ()
    out = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(at(("pickup", index), "must be an object"))
            continue
        problems += [at(("pickup", index, key), f'unknown key "{key}"') for key in entry if key not in _PICKUP]
        texts = {key: entry.get(key, "") for key in ("location_id", "country", "region", "postal_code", "instructions")}
        bad = [key for key, text in texts.items() if not isinstance(text, str)]
        problems += [at(("pickup", index, key), "must be text") for key in bad]
        if not isinstance(entry.get("enabled", False), bool):
            problems.append(at(("pickup", index, "enabled"), "must be true or false"))
        elif not bad:
            out.append(PickupOption(texts["location_id"], str(entry.get("name", "")), "", entry.get("enabled", False),
                                    texts["country"].upper(), texts["region"].upper(), texts["postal_code"],
                                    texts["instructions"]))
    return tuple(out)


def apply_checkout(conn: Connection, doc: LocatedJson, new: SetupReplacement,
                   warnings: list[str]) -> tuple[bool, list[Problem]]:
    """Store the setup inside the import's transaction: (changed, []) or (False, problems). Pickup for a
    location this store does not have (a folder exported from another store) is left out, with a warning."""
    known = {location.id for location in list_locations(conn)}
    kept = []
    for index, option in enumerate(new.pickup):
        if option.location_id in known:
            kept.append(option)
        else:
            line, column = doc.position(("pickup", index, "location_id"))
            warnings.append(f"{CHECKOUT_JSON}:{line}:{column}: pickup at {option.name or option.location_id!r} left "
                            "out: this store has no such location")
    ship_from = new.ship_from
    if ship_from is not None and ship_from not in known:
        line, column = doc.position(("shipping", "ship_from"))
        ship_from = settings_setup_from_row(repo.get_settings(conn)).shipping.ship_from
        warnings.append(f"{CHECKOUT_JSON}:{line}:{column}: ship_from {new.ship_from!r} left out: this store has no "
                        "such location (shipping keeps taking stock as it did)")
    try:
        return replace_checkout_setup_in(conn, dataclasses.replace(new, pickup=tuple(kept), ship_from=ship_from)), []
    except SetupError as error:
        return False, placed(doc, error)
