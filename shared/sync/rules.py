"""What a row of each synced table may hold, in the form the table stores it (JSON-in-TEXT columns as
text, flags as 0/1): one rule per column and the checks that span columns. The rules are gathered
from the domains that own them (shared/storefront/validation.py, shared/pages, shared/posts,
shared/themes, shared/media/names.py, shared/compose/schema.py, shared/vibe/validator.py), not
written again here.

Every way authored content enters a store database runs them: the studio's services, a files
import, the admin API and the demo seed (the repositories call `check_write` before their SQL), a
push applied by the cloud and a conflict settled with new text (merge_rules.py, merge.py), a pull
applied on a device (device.py), ops formed on a device (refusals.py), cloud-made changes
(`merge.record_cloud_row` / `record_cloud_edit`) and a publish or rollback (releases/snapshot.py).
Entry points: `validate_row(table, fields, current=...) -> list[FieldError]`, `check_row` (raises
RowRefused, code "refused"), `check_write` (inside a transaction, reads the row when a rule needs
it), and `TableSpec.problems` / `TableSpec.check`.
Checks look only at the fields being written (plus, for rules that span columns, the row they are
written onto), so an op that changes a block's position never runs the block's code through V8."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson

from shared.compose.schema import SettingsError, clean_settings, link_problem, richtext_problems
from shared.media import names as media_names
from shared.storefront.errors import FieldError, StoreError
from shared.storefront.validation import (currency_problem, locale_problem, name_problem, slug_problem,
                                          timezone_problem, validate_storefront)

Rule = Callable[[Any], "str | None"]
Checks = Callable[[Mapping[str, Any]], list[FieldError]]
_UNSEEN = object()


@dataclass(frozen=True)
class Spanning:
    """A check over several columns, run when an op writes any of `columns` (on the merged row)."""

    columns: frozenset[str]
    check: Checks


@dataclass(frozen=True)
class RowRules:
    """The rules of one table: per column, and spanning columns."""

    columns: Mapping[str, Rule] = field(default_factory=dict)
    spanning: tuple[Spanning, ...] = ()
    _seen: dict[tuple[str, Any], str | None] = field(default_factory=dict, compare=False, repr=False)

    def problems(self, fields: Mapping[str, Any], current: Mapping[str, Any] | None = None) -> list[FieldError]:
        """Every problem of the values in `fields`, written onto `current` (None: a new row)."""
        errors = []
        seen = self._seen
        for name, value in fields.items():
            # Rows of one push repeat many short values (a kind, a page id, a time stamp): each
            # (column, value) is checked once. Only exact str and int values, which compare by value.
            short = (type(value) is str and len(value) <= 80) or type(value) is int
            reason = seen.get((name, value), _UNSEEN) if short else _UNSEEN
            if reason is _UNSEEN:
                rule = self.columns.get(name)
                try:
                    reason = rule(value) if rule is not None else None
                except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
                    reason = "is not a value this field takes"   # a check that cannot read it refuses it
                if short:
                    if len(seen) >= 50_000:
                        seen.clear()
                    seen[(name, value)] = reason
            if reason:
                errors.append(FieldError(name, reason))
        if self.spanning:
            bad = {e.field for e in errors}
            merged = {**(current or {}), **fields}
            for span in self.spanning:
                if span.columns.intersection(fields) and not span.columns & bad:
                    try:
                        errors += span.check(merged)
                    except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
                        errors.append(FieldError(sorted(span.columns & fields.keys())[0], "is not a value this field takes"))
        return errors


# --- column rules ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?\Z")
_HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")


def text(limit: int, *, required: bool = False, multiline: bool = False) -> Rule:
    """Text of at most `limit` characters without control characters (tabs and newlines when multiline)."""
    control = _CONTROL if multiline else _LINE_CONTROL

    def rule(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be text"
        if len(value) > limit:
            return f"must be at most {limit:,} characters"
        if required and not value.strip():
            return "is required"
        if control.search(value):
            return "must not contain control characters"
        return None
    return rule


def one_of(*allowed: Any) -> Rule:
    """One of the allowed values."""
    def rule(value: Any) -> str | None:
        return None if value in allowed and type(value) in {type(a) for a in allowed} else \
            f"must be one of {', '.join(map(str, allowed))}"
    return rule


def whole(low: int, high: int) -> Rule:
    """A whole number from low to high."""
    def rule(value: Any) -> str | None:
        return None if type(value) is int and low <= value <= high else f"must be a whole number from {low} to {high}"
    return rule


def row_id(value: Any) -> str | None:
    """A row id: letters, digits, '-' and '_', at most 64."""
    return None if isinstance(value, str) and _ID.match(value) else "must be an id (letters, digits, - and _)"


def optional(rule: Rule) -> Rule:
    """`rule`, or NULL."""
    return lambda value: None if value is None else rule(value)


def stamp(value: Any) -> str | None:
    """An ISO 8601 date and time."""
    return None if isinstance(value, str) and _STAMP.match(value) else "must be an ISO 8601 date and time"


def json_text(check: Callable[[Any], str | None]) -> Rule:
    """JSON text whose value passes `check`."""
    def rule(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be JSON text"
        try:
            parsed = orjson.loads(value)     # refuses NaN and Infinity, which SQLite's JSON does not take
        except ValueError:
            return "must be JSON text"
        return check(parsed)
    return rule


def _raised(check: Callable[[Any], Any], errors: tuple[type[Exception], ...]) -> Rule:
    """A domain check that raises (PageError, PostError...) as a rule returning its message."""
    def rule(value: Any) -> str | None:
        try:
            check(value)
        except errors as exc:
            return str(exc)
        return None
    return rule


FLAG = one_of(0, 1)
STAMPS = {"created_at": stamp, "updated_at": stamp}


# --- storefront, media, themes, menus ----------------------------------------------------------

def _storefront_settings(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return "must be an object"
    try:
        validate_storefront({"settings": value}, partial=True)
    except StoreError as exc:
        return "; ".join(f"{e.field} {e.message}" for e in exc.errors)
    return None


def _widths(value: Any) -> str | None:
    if not isinstance(value, list) or not 0 < len(value) <= 10:
        return "must be a list of 1 to 10 widths"
    return next((media_names.width_problem(w) for w in value if media_names.width_problem(w)), None)


def _theme_settings(value: Any) -> str | None:
    from shared.themes.service import theme_settings_problems

    problems = theme_settings_problems(value)
    return "; ".join(f"{f} {m}" for f, m in problems) or None


def _preset(value: Any) -> str | None:
    from shared.compose.theme import starters

    return None if isinstance(value, str) and value in starters() else "is not a starter theme"


def _custom_css(value: Any) -> str | None:
    from shared.compose.theme import MAX_CUSTOM_CSS

    return text(MAX_CUSTOM_CSS, multiline=True)(value)


_MENU_ITEM = text(200, required=True)


def _menu_items(value: Any) -> str | None:
    if not isinstance(value, list) or len(value) > 50:
        return "must be a list of at most 50 links"
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or set(item) != {"title", "url"}:
            return f"[{i}] must be {{\"title\", \"url\"}}"
        problem = _MENU_ITEM(item["title"]) or link_problem(item["url"])
        if problem:
            return f"[{i}] {problem}"
    return None


# --- pages, blocks, posts ----------------------------------------------------------------------

@cache
def _template_slugs() -> dict[str, str]:
    from shared.compose.templates import DEFAULTS

    return {f"template-{name.replace('_', '-')}": name for name in DEFAULTS}


def _template(value: Any) -> str | None:
    return None if value is None or value in _template_slugs().values() else "is not a page template"


def _page_slug_template(row: Mapping[str, Any]) -> list[FieldError]:
    """Template addresses (template-product, ...) are reserved for the template pages."""
    reserved_for = _template_slugs().get(row.get("slug"))
    if reserved_for is not None and row.get("template") != reserved_for:
        return [FieldError("slug", f"'{row['slug']}' is reserved for the {reserved_for} template")]
    return []


def _page_rules() -> RowRules:
    from shared.pages.errors import PageError
    from shared.pages.service import check_seo, check_slug, check_status, check_title

    return RowRules({
        "slug": _raised(check_slug, (PageError,)), "title": _raised(check_title, (PageError,)),
        "status": _raised(check_status, (PageError,)), "position": whole(0, 1_000_000),
        "seo_title": _raised(lambda v: check_seo(seo_title=v, seo_description="", canonical_url=""), (PageError,)),
        "seo_description": _raised(lambda v: check_seo(seo_title="", seo_description=v, canonical_url=""),
                                   (PageError,)),
        "canonical_url": _raised(lambda v: check_seo(seo_title="", seo_description="", canonical_url=v),
                                 (PageError,)),
        "social_image_id": optional(row_id), "noindex": FLAG, "published_at": optional(stamp),
        "template": _template, **STAMPS,
    }, (Spanning(frozenset({"slug", "template"}), _page_slug_template),))


@cache
def _blocks() -> tuple[frozenset[str], Callable[[str], Any], Callable[[str], Any]]:
    """(every block kind a row may have, built-in block by kind, the code validator), imported once:
    the rules run for every block of a push."""
    from shared.compose.registry import builtin_block, builtin_kinds
    from shared.pages.service import CUSTOM
    from shared.vibe.validator import check_block

    return frozenset({CUSTOM, *builtin_kinds()}), builtin_block, check_block


def _kind(value: Any) -> str | None:
    return None if isinstance(value, str) and value in _blocks()[0] else "is not a block kind"


def _code(value: Any) -> str | None:
    """Block code through the validator (V8; cached by the code's hash)."""
    if value is None:
        return None
    check = _blocks()[2](value)
    if check.ok:
        return None
    first = check.diagnostics[0]
    return f"line {first.line}, column {first.column}: {first.message}"


def _block_settings(row: Mapping[str, Any]) -> list[FieldError]:
    """Settings against the block's schema (its code's, or its built-in kind's), rich text sanitised."""
    kinds, builtin_block, check_block = _blocks()
    kind, code = row.get("kind"), row.get("code")
    if code is None and kind not in kinds - {"custom"}:
        # No code: the kind names the block's source. Unknown (a partial row): nothing to check against.
        return [FieldError("code", "a custom block needs code")] if kind == "custom" else []
    try:
        settings = orjson.loads(row.get("settings") or "{}")      # refuses NaN and Infinity, as SQLite does
    except (TypeError, ValueError):
        return [FieldError("settings", "must be JSON text")]
    if not isinstance(settings, Mapping):
        return [FieldError("settings", "must be an object")]
    schema = check_block(code).schema if code is not None else builtin_block(kind).schema
    try:
        clean_settings(schema, settings)
    except SettingsError as exc:
        return [FieldError(f"settings.{exc.setting}", exc.detail)]
    return [FieldError(f"settings.{name}", "is not sanitised rich text") for name in richtext_problems(schema, settings)]


def _block_rules() -> RowRules:
    return RowRules({
        # settings: parsed once, by the check against the block's schema below
        "page_id": row_id, "kind": _kind, "code": _code,
        "settings": lambda v: None if isinstance(v, str) else "must be JSON text",
        "position": whole(0, 1_000_000), "hidden": FLAG, **STAMPS,
    }, (Spanning(frozenset({"kind", "code", "settings"}), _block_settings),))


def _body(value: Any) -> str | None:
    """Post HTML through nh3: it must be what sanitising it gives (the posts service stores that)."""
    from shared.posts.service import MAX_BODY, sanitize_body

    problem = text(MAX_BODY, multiline=True)(value)
    if problem:
        return problem
    return None if sanitize_body(value) == value else "is not sanitised HTML"


def _post_rules() -> RowRules:
    from shared.posts.errors import PostError
    from shared.posts.service import (MAX_AUTHOR, MAX_EXCERPT, MAX_SEO_DESCRIPTION, MAX_SEO_TITLE, STATES,
                                      check_slug, check_title)

    return RowRules({
        "slug": _raised(check_slug, (PostError,)), "title": _raised(check_title, (PostError,)),
        "excerpt": text(MAX_EXCERPT, multiline=True), "body_html": _body, "author": text(MAX_AUTHOR),
        "status": one_of(*STATES), "published_at": optional(stamp), "image_id": optional(row_id),
        "seo_title": text(MAX_SEO_TITLE), "seo_description": text(MAX_SEO_DESCRIPTION, multiline=True), **STAMPS,
    })


# --- checkout setup (shared/checkout/setup_rows.py builds each part and runs validate_setup) -------

def _problems_of(check: Callable[[Mapping[str, Any]], list[tuple[str, str]]]) -> Checks:
    return lambda row: [FieldError(name, message) for name, message in check(row)]


def _json_list(value: Any) -> str | None:
    from shared.checkout.setup_rows import MAX_JSON_CHARS

    if isinstance(value, str) and len(value) > MAX_JSON_CHARS:
        return f"must be at most {MAX_JSON_CHARS:,} characters of JSON"
    return json_text(lambda v: None if isinstance(v, list) else "must be a list")(value)


def _checkout_rules() -> RowRules:
    from shared.checkout.setup import HOLD_MINUTES_RANGE
    from shared.checkout.setup_rows import SETTINGS_COLUMNS, SETTINGS_ID, settings_row_problems

    return RowRules({
        "id": one_of(SETTINGS_ID), "prices_include_tax": FLAG, "tax_shipping": FLAG, "default_rate": text(20),
        "tax_rates": _json_list, "shipping_zones": _json_list, "local_delivery": _json_list,
        # Whether the store has the location is not a row rule: locations are not synced, each database has
        # its own (the setup services check it; a checkout falls back to the first location with stock).
        "ship_from": optional(row_id), "hold_minutes": whole(*HOLD_MINUTES_RANGE), "updated_at": stamp,
    }, (Spanning(frozenset(SETTINGS_COLUMNS), _problems_of(settings_row_problems)),))


def _pickup_rules() -> RowRules:
    from shared.checkout.setup_rows import pickup_row_problems

    return RowRules({
        "enabled": FLAG, "name": text(200, required=True), "address": text(500, multiline=True),
        "country": text(2), "region": text(10), "postal_code": text(20), "instructions": text(500, multiline=True),
        "updated_at": stamp,
    }, (Spanning(frozenset({"enabled", "country", "region", "postal_code"}), _problems_of(pickup_row_problems)),))


def _discount_rules() -> RowRules:
    from shared.checkout.setup_rows import DISCOUNT_COLUMNS, discount_row_problems

    return RowRules({
        "method": one_of("code", "automatic"), "kind": one_of("percentage", "fixed_amount", "free_shipping"),
        "code": optional(text(64)), "title": text(200), "percent": text(20), "amount": whole(0, 2**53),
        "min_subtotal": whole(0, 2**53), "product_ids": _json_list, "collection_ids": _json_list,
        "starts_at": optional(stamp), "ends_at": optional(stamp), "usage_limit": optional(whole(1, 2**53)),
        "once_per_customer": FLAG, "position": whole(0, 1_000_000), **STAMPS,
    }, (Spanning(frozenset(DISCOUNT_COLUMNS), _problems_of(discount_row_problems)),))


def _email_design_rules() -> RowRules:
    from shared.mail.designs.kinds import KINDS
    from shared.mail.designs.model import MAX_SUBJECT, blocks_problem

    return RowRules({
        "id": one_of(*KINDS), "subject": text(MAX_SUBJECT), "blocks": json_text(blocks_problem), "enabled": FLAG,
        **STAMPS,
    })


@cache
def rules_for(table: str) -> RowRules:
    """The rules of one synced table (built on first use: some domains import V8 and the themes)."""
    from shared.storefront.service import STATUSES

    builders: dict[str, Callable[[], RowRules]] = {
        "storefront": lambda: RowRules({
            "slug": slug_problem, "name": name_problem, "status": one_of(*STATUSES), "currency": currency_problem,
            "locale": locale_problem, "timezone": timezone_problem,
            "settings": json_text(_storefront_settings), **STAMPS}),
        "media": lambda: RowRules({
            "hash": media_names.digest_problem, "filename": text(200, required=True),
            "mime": one_of(*media_names.MIMES), "width": whole(1, 1_000_000), "height": whole(1, 1_000_000),
            "bytes": whole(0, 2**40), "format": media_names.format_problem, "widths": json_text(_widths),
            "alt": text(500, multiline=True), "created_at": stamp}),
        "themes": lambda: RowRules({
            "name": name_problem, "preset": _preset, "settings": json_text(_theme_settings),
            "custom_css": _custom_css, "is_active": FLAG, **STAMPS}),
        "menus": lambda: RowRules({
            "handle": lambda v: None if isinstance(v, str) and _HANDLE.match(v) else
            "must be lowercase letters, digits and hyphens", "items": json_text(_menu_items), "updated_at": stamp}),
        "pages": _page_rules,
        "blocks": _block_rules,
        "posts": _post_rules,
        "checkout_settings": _checkout_rules,
        "pickup_locations": _pickup_rules,
        "discounts": _discount_rules,
        "email_designs": _email_design_rules,
    }
    built = builders[table]()
    # Keys are ids everywhere but menus, whose key is its handle, and e-mail designs, keyed by their kind
    # (both ruled above).
    return built if table in ("menus", "email_designs") else RowRules({"id": row_id, **built.columns}, built.spanning)


def validate_row(table: str, fields: Mapping[str, Any], *, current: Mapping[str, Any] | None = None
                 ) -> list[FieldError]:
    """Every problem of the values `fields` (stored form: JSON columns as text, flags as 0/1) written
    into a row of the synced table `table`; `current` is the row they are written onto (None for a
    new row; rules over several columns read the others from it). The key column may be among the
    fields. Empty when the values may be stored. Raises KeyError for a table that is not synced."""
    return rules_for(table).problems(fields, current)


def check_row(table: str, fields: Mapping[str, Any], *, key: Any = None, current: Mapping[str, Any] | None = None,
              op_id: str | None = None) -> None:
    """`validate_row`, raising RowRefused (code "refused") naming the table, key, fields and reasons."""
    errors = validate_row(table, fields, current=current)
    if errors:
        from shared.sync.errors import RowRefused

        raise RowRefused(table, key, errors, op_id=op_id)


def check_write(conn: Any, table: str, fields: Mapping[str, Any], *, key: Any, new: bool = False) -> None:
    """`check_row` for a repository's write of `fields` (stored form) into the row `key` of `table`
    (`new`: an insert, fields are the whole row). The row as stored is read only when a rule over
    several columns needs columns the write does not carry (a block's settings without its kind).

    Raises RowRefused (code "refused")."""
    rules = rules_for(table)
    current = None
    if not new and any(span.columns & fields.keys() and not span.columns <= fields.keys() for span in rules.spanning):
        from shared.db.repositories import sync as rows
        from shared.sync.tables import SPECS

        current = rows.get_row(conn, SPECS[table], key)
    check_row(table, fields, key=key, current=current)
