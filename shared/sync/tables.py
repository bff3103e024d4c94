"""The synced tables (docs/sync-protocol.md section 1), one spec each: keys, large text fields, unique
values, parents and media references (sync), how a row is named and which values a publish parks
(releases), and the rules its values must pass (`problems`/`check`, shared/sync/rules.py). Every
table or column name the sync core and publishing put into SQL comes from here (columns from the
schema itself, PRAGMA table_info, read at first use), never from a request; the one generic row
layer over these tables is shared/db/repositories/sync.py.

Value encoding: a row or op carries each column's value exactly as the table stores it (TEXT,
INTEGER, REAL or NULL). JSON-in-TEXT columns (settings, items, widths) stay text: `{"a": 1}` travels
as the string '{"a": 1}', so a value round-trips byte for byte and comparing two versions is
comparing two strings. Lists and objects are refused in ops (`check_value`)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.db import Connection

# How a unique column clash between two rows is resolved: the newer row's slug gets -2, -3, ...
# ("suffix"), or the older row gives the value up for a reset value ("exclusive", e.g. the one
# active theme). media.hash clashes are merged instead (see merge_rules.py, "alias").
SUFFIX = "suffix"
EXCLUSIVE = "exclusive"


@dataclass(frozen=True)
class TableSpec:
    """One synced table."""

    name: str
    key: str
    rank: int                                           # parents before children
    large: frozenset[str] = frozenset()
    json_text: frozenset[str] = frozenset()
    unique: Mapping[str, tuple[str, Any]] = field(default_factory=dict)   # column -> (rule, reset)
    parent: tuple[str, str] | None = None               # (column, parent table): cascade on delete
    media_refs: tuple[str, ...] = ()                     # columns holding a media id (set null on delete)
    title: Callable[[Mapping[str, Any]], str] = lambda _row: ""    # a row's title in a release summary
    # Unique columns and the value a row holds while a publish moves values between rows (two pages
    # swapping slugs would otherwise clash half-way). Callables get the row's key.
    park: Mapping[str, Callable[[str], Any]] = field(default_factory=dict)
    # Columns only the cloud writes (see CLOUD_ONLY below): a device's value for them is dropped from
    # its ops, and publish and rollback never write them into the live database.
    cloud_only: frozenset[str] = frozenset()

    def columns(self, conn: Connection) -> tuple[str, ...]:
        """Every column of the table, key first, as the database's schema has them."""
        cache_key = (conn.database_key, self.name)
        found = _COLUMNS.get(cache_key)
        if found is None:
            from shared.db.repositories import sync as repo   # the repository imports this module

            names = repo.table_columns(conn, self)
            found = (self.key, *[n for n in names if n != self.key])
            _COLUMNS[cache_key] = found
        return found

    def fields(self, conn: Connection) -> tuple[str, ...]:
        """The columns an op may change (every column but the key)."""
        return self.columns(conn)[1:]

    def problems(self, fields: Mapping[str, Any], *, current: Mapping[str, Any] | None = None) -> list[Any]:
        """What the table's rules (shared/sync/rules.py) refuse in `fields` written onto `current`:
        a list of FieldError, empty when the values may be stored."""
        from shared.sync.rules import validate_row    # the rules import the domains, which are heavier

        return validate_row(self.name, fields, current=current)

    def check(self, fields: Mapping[str, Any], *, key: Any = None, current: Mapping[str, Any] | None = None,
              op_id: str | None = None) -> None:
        """Raise RowRefused (code "refused") unless the table's rules take `fields` onto `current`."""
        from shared.sync.rules import check_row

        check_row(self.name, fields, key=key, current=current, op_id=op_id)

    def field_set(self, conn: Connection) -> frozenset[str]:
        """`fields` as a set, for checking an op's field names."""
        cache_key = (conn.database_key, self.name)
        found = _FIELD_SETS.get(cache_key)
        if found is None:
            found = _FIELD_SETS[cache_key] = frozenset(self.fields(conn))
        return found


_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {}
_FIELD_SETS: dict[tuple[str, str], frozenset[str]] = {}

def _parked(key: str) -> str:
    return f"~release~{key}"


def _text(name: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda row: row.get(name) if isinstance(row.get(name), str) else ""


def _block_title(row: Mapping[str, Any]) -> str:
    try:
        settings = json.loads(row.get("settings") or "{}")
    except (TypeError, ValueError):
        settings = {}
    settings = settings if isinstance(settings, dict) else {}
    heading = next((settings[k] for k in ("heading", "title", "text") if isinstance(settings.get(k), str)), "")
    kind = _text("kind")(row)
    return f"{kind}: {heading[:60]}" if heading else kind


# The storefront row mixes authored content with two facts that belong to the cloud, decided per column:
# - name, currency, locale, timezone, settings (and created_at/updated_at): authored content. The
#   studio edits them and so does the admin API; an admin edit is a cloud change of the working copy
#   (cloud/sync/cloud_edits.py), so devices pull it and publish keeps it.
# - status (active/inactive/suspended): whether shoppers may see the store at all. The cloud decides it
#   (the merchant through the admin API, or an operator suspending a store); the catalog holds it and
#   the storefront rows mirror it. A publish or a rollback from a device must never reopen a suspended
#   store, nor close an open one.
# - slug: the store's address (SLUG.base-domain) and its key in the catalog, given when the store is
#   created in the cloud; a device changing it would leave the row disagreeing with the address.
# Custom domains, tokens and pairing codes live only in the catalog: no store database holds them.
CLOUD_ONLY: dict[str, frozenset[str]] = {"storefront": frozenset({"status", "slug"})}

SPECS: dict[str, TableSpec] = {spec.name: spec for spec in (
    TableSpec("storefront", "id", 0, json_text=frozenset({"settings"}), title=_text("name"), park={"slug": _parked},
              cloud_only=CLOUD_ONLY["storefront"]),
    TableSpec("media", "id", 1, json_text=frozenset({"widths"}),
              title=lambda r: _text("alt")(r) or _text("filename")(r), park={"hash": _parked}),
    TableSpec("themes", "id", 2, large=frozenset({"custom_css"}), json_text=frozenset({"settings"}),
              unique={"is_active": (EXCLUSIVE, 0)}, title=_text("name"), park={"is_active": lambda _key: 0}),
    TableSpec("menus", "handle", 3, json_text=frozenset({"items"}), title=_text("handle")),
    TableSpec("pages", "id", 4, unique={"slug": (SUFFIX, None), "template": (EXCLUSIVE, None)},
              media_refs=("social_image_id",), title=_text("title"),
              park={"slug": _parked, "template": lambda _key: None}),
    TableSpec("blocks", "id", 5, large=frozenset({"code"}), json_text=frozenset({"settings"}),
              parent=("page_id", "pages"), title=_block_title),
    TableSpec("posts", "id", 6, large=frozenset({"body_html"}), unique={"slug": (SUFFIX, None)},
              media_refs=("image_id",), title=_text("title"), park={"slug": _parked}),
    # The checkout setup (migration 0016, docs/checkout.md "Setup"): one settings row, a row per pickup
    # location and per discount, so that two devices editing two discounts do not overwrite each other.
    TableSpec("checkout_settings", "id", 7, json_text=frozenset({"tax_rates", "shipping_zones", "local_delivery"}),
              title=lambda _row: "Checkout settings"),
    TableSpec("pickup_locations", "id", 8, title=_text("name")),
    TableSpec("discounts", "id", 9, json_text=frozenset({"product_ids", "collection_ids"}),
              unique={"code": (SUFFIX, None)}, title=lambda r: _text("code")(r) or _text("title")(r),
              park={"code": _parked}),
    # E-mails the merchant designs (migration 0023, docs/mail.md "Designing e-mails"): one row per message.
    TableSpec("email_designs", "id", 10, large=frozenset({"blocks"}), json_text=frozenset({"blocks"}),
              title=lambda r: _text("id")(r).replace("_", " ").capitalize()),
)}
ORDER: tuple[TableSpec, ...] = tuple(sorted(SPECS.values(), key=lambda s: s.rank))
# What a merchant calls a row of each table (sync messages, conflicts, the publish preview).
NOUNS: dict[str, str] = {"storefront": "Store settings", "media": "Image", "themes": "Theme", "menus": "Menu",
                         "pages": "Page", "blocks": "Block", "posts": "Post",
                         "checkout_settings": "Checkout settings", "pickup_locations": "Pickup location",
                         "discounts": "Discount", "email_designs": "E-mail design"}


SUFFIXED_MAX = 80          # page and post addresses: a clash's suffix keeps them within the rules


def suffixed(value: str, suffix: str) -> str:
    """`value-suffix`, shortened so that it stays an address the table rules take (at most 80
    characters, no hyphen before the suffix's own)."""
    suffix = "".join(c for c in suffix.lower() if c.isascii() and c.isalnum()) or "x"
    return f"{value[:SUFFIXED_MAX - len(suffix) - 1].rstrip('-')}-{suffix}"


def spec_for(table: object) -> TableSpec | None:
    """The spec of a synced table, or None for any other name."""
    return SPECS.get(table) if isinstance(table, str) else None


def children_of(table: str) -> list[TableSpec]:
    """Tables whose rows are deleted with a row of `table` (ON DELETE CASCADE)."""
    return [s for s in ORDER if s.parent is not None and s.parent[1] == table]


def referrers_of_media() -> list[TableSpec]:
    """Tables with a column holding a media id."""
    return [s for s in ORDER if s.media_refs]


def is_text(value: object) -> bool:
    """Whether value is text that can be stored: a str that is valid Unicode (JSON's "\\ud800" escape
    makes a lone surrogate, which no UTF-8 database or JSON encoder takes)."""
    if not isinstance(value, str):
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_value(value: object) -> bool:
    """Whether value is a column value as stored (text, integer, real or NULL; no lists or objects;
    text valid Unicode, integers within SQLite's 64 bits, reals finite: nothing else can be stored or
    sent back as JSON)."""
    kind = type(value)          # exact types: JSON gives no subclasses, and a bool is not a number here
    if kind is str:
        return value.isascii() or is_text(value)
    if value is None:
        return True
    if kind is int:
        return -2**63 <= value < 2**63
    return kind is float and math.isfinite(value)
