"""Builds checkout setups and carts from the plain dicts of rounding_cases.json."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from shared.checkout import CheckoutSetup, Destination, PricedLine
from shared.checkout.setup_json import setup_from_json

TABLE = json.loads((Path(__file__).parent / "rounding_cases.json").read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(TABLE["now"])


def build_setup(case: dict) -> CheckoutSetup:
    """The CheckoutSetup of a table case: its setup keys are the setup's JSON form (setup_json.py)."""
    return setup_from_json({key: case[key] for key in ("currency", "tax", "shipping", "discounts") if key in case})


def build_lines(case: dict) -> list[PricedLine]:
    """The cart of a table case; variant and product ids default to v0, p0, v1, p1, ..."""
    lines = []
    for index, line in enumerate(case["lines"]):
        line = dict(line)
        line.setdefault("variant_id", f"v{index}")
        line.setdefault("product_id", f"p{index}")
        line["collection_ids"] = tuple(line.get("collection_ids", ()))
        lines.append(PricedLine(**line))
    return lines


def build_destination(case: dict) -> Destination:
    """The destination of a table case."""
    return Destination(**case.get("destination", {}))
