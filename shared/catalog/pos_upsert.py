"""The POS's catalogue writes: POST /pos/v1/catalog/batch-upsert (Square's BatchUpsertCatalogObjects).

Who owns what (docs/pos-api.md, "Catalogue"):
- the POS: a product's title, its options (at most 3, with their values) and, per variant, its SKU,
  barcode, price (minor units, in the store's currency), weight, option values, title and position;
  the product's status only when the POS sends one;
- the web (the studio, the demo, other tools): handle, description, vendor, product type, tags, media,
  collections, SEO, compare-at prices. An upsert never writes them (a new product gets a handle made
  from its title and empty web content);
- stock: neither; it only changes through /pos/v1/inventory/changes.

A batch is all or nothing, in one transaction: its shape is checked first (UpsertError naming the
first bad product's index and field), then each product is found (by our id, else by the POS's
`external_id`, else it is new) and its `version` compared with ours (StaleVersion, 409), then written.
Variants the upsert does not list are left as they are (never deleted: their stock and orders refer to
them), so the new options must still fit them. The storefront follows through the triggers on products
and variants (content version, product_summary's prices, the search index); the related-products
vectors of the written products are redone here, in the same transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from shared.catalog.vectors import refresh_vector
from shared.db import Connection
from shared.db.repositories import pos_catalog as repo
from shared.db.repositories.storefront import get_storefront
from shared.db.stamps import new_id, utc_now
from shared.errors import VibeshopError
from shared.slugs import slugify

MAX_PRODUCTS = 100
MAX_OPTIONS = 3
MAX_VARIANTS = 100
HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,253}[a-z0-9])?\Z")


class CatalogErrorCode(StrEnum):
    """Why a catalogue batch was refused (nothing of it was written)."""

    INVALID = "invalid"                    # a value the catalogue cannot take (index and field say which)
    DUPLICATE = "duplicate"                # the same SKU, external id or option twice in the batch
    SKU_TAKEN = "sku_taken"                # the SKU belongs to a variant of another product
    HANDLE_TAKEN = "handle_taken"
    UNKNOWN_PRODUCT = "unknown_product"    # an `id` that is not one of ours
    UNKNOWN_VARIANT = "unknown_variant"    # a variant `id` that is not one of this product's
    CURRENCY = "currency"                  # a price not in the store's currency
    STALE_VERSION = "stale_version"        # 409: someone changed the product since the POS last saw it


class UpsertError(VibeshopError):
    """A refused batch: `index` and `field` name the first bad product (index None: the batch itself)."""

    def __init__(self, code: CatalogErrorCode, message: str, *, index: int | None, field: str):
        super().__init__(code, message)
        self.index = index
        self.field = field


class StaleVersion(UpsertError):
    """The product's version is not the one the POS sent: `current_version` is ours (0: no such product)."""

    def __init__(self, message: str, *, index: int, current_version: int):
        super().__init__(CatalogErrorCode.STALE_VERSION, message, index=index, field="version")
        self.current_version = current_version


@dataclass(frozen=True)
class PosOption:
    """An option of a product (Size, Colour) and its values, in the POS's order."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class PosVariant:
    """A variant as the POS describes it: `id` (ours) or `external_id` (its own) find an existing one."""

    sku: str
    price_amount: int
    currency: str
    option_values: tuple[str, ...] = ()
    barcode: str | None = None          # None: as it is ('' for a new variant)
    weight_grams: int | None = None     # None: as it is (0 for a new variant); shipping rates weigh it
    title: str | None = None
    id: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class PosProduct:
    """A product as the POS describes it; `version` is the one it last saw (0: it thinks it is new)."""

    title: str
    variants: tuple[PosVariant, ...]
    options: tuple[PosOption, ...] = ()
    version: int = 0
    status: str | None = None
    handle: str | None = None
    id: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class UpsertedVariant:
    """A variant as written: our id next to the POS's."""

    id: str
    sku: str
    external_id: str | None


@dataclass(frozen=True)
class UpsertedProduct:
    """A product as written: our id, its new version, whether it was made now, and its listed variants."""

    index: int
    id: str
    version: int
    created: bool
    external_id: str | None
    handle: str
    variants: tuple[UpsertedVariant, ...] = field(default=())


def upsert_pos_products(conn: Connection, products: Sequence[PosProduct]) -> list[UpsertedProduct]:
    """Create or update the products of one POS batch inside the caller's write transaction; all or
    nothing. Raises UpsertError (422: shape, unknown ids, SKU clashes, currency) or StaleVersion (409);
    the caller's transaction then writes nothing."""
    if not products:
        raise UpsertError(CatalogErrorCode.INVALID, "The batch has no products", index=None, field="products")
    if len(products) > MAX_PRODUCTS:
        raise UpsertError(CatalogErrorCode.INVALID, f"A batch holds at most {MAX_PRODUCTS} products",
                          index=None, field="products")
    front = get_storefront(conn)
    currency = front.currency if front is not None else ""
    for index, product in enumerate(products):
        _check_shape(index, product, currency)
    _check_batch_duplicates(products)
    targets = [_resolve_product(conn, index, product) for index, product in enumerate(products)]
    _check_same_product_twice(targets)
    plans = [_plan_variants(conn, index, product, target) for index, (product, target)
             in enumerate(zip(products, targets, strict=True))]
    _check_skus(conn, products, plans)
    now = utc_now()
    taken_handles: set[str] = set()
    return [_write(conn, index, product, target, plan, now=now, taken_handles=taken_handles)
            for index, (product, target, plan) in enumerate(zip(products, targets, plans, strict=True))]


def _refuse(index: int | None, field: str, message: str, code: CatalogErrorCode = CatalogErrorCode.INVALID
            ) -> UpsertError:
    return UpsertError(code, message, index=index, field=field)


def _check_shape(index: int, product: PosProduct, currency: str) -> None:
    """What a product must be on its own, before anything is looked up."""
    if not product.title.strip():
        raise _refuse(index, "title", "A product needs a title")
    if product.handle is not None and not HANDLE_RE.match(product.handle):
        raise _refuse(index, "handle", "A handle uses lowercase letters, digits and hyphens")
    if len(product.options) > MAX_OPTIONS:
        raise _refuse(index, "options", f"A product has at most {MAX_OPTIONS} options")
    names: set[str] = set()
    for o, option in enumerate(product.options):
        if not option.name.strip() or option.name.strip().lower() in names:
            raise _refuse(index, f"options[{o}].name", "Option names are non-empty and differ",
                          CatalogErrorCode.DUPLICATE)
        names.add(option.name.strip().lower())
        values = option.values
        if not values or len(set(values)) != len(values) or not all(v.strip() for v in values):
            raise _refuse(index, f"options[{o}].values", "An option has distinct, non-empty values")
    if not product.variants or len(product.variants) > MAX_VARIANTS:
        raise _refuse(index, "variants", f"A product has 1 to {MAX_VARIANTS} variants")
    if not product.options and len(product.variants) > 1:
        raise _refuse(index, "options", "Variants of one product differ by their option values: give options")
    combos: set[tuple[str, ...]] = set()
    for v, variant in enumerate(product.variants):
        _check_variant(index, v, variant, product.options, currency)
        if variant.option_values in combos:
            raise _refuse(index, f"variants[{v}].option_values", "Two variants have the same option values",
                          CatalogErrorCode.DUPLICATE)
        combos.add(variant.option_values)


def _check_variant(index: int, v: int, variant: PosVariant, options: Sequence[PosOption], currency: str) -> None:
    where = f"variants[{v}]"
    if not variant.sku.strip() or variant.sku != variant.sku.strip():
        raise _refuse(index, f"{where}.sku", "A SKU is non-empty, without leading or trailing spaces")
    if variant.price_amount < 0:
        raise _refuse(index, f"{where}.price.amount", "A price is a non-negative amount in minor units")
    if variant.currency != currency:
        raise _refuse(index, f"{where}.price.currency", f"Prices are in the store's currency, {currency}",
                      CatalogErrorCode.CURRENCY)
    if variant.weight_grams is not None and variant.weight_grams < 0:
        raise _refuse(index, f"{where}.weight_grams", "A weight is a non-negative number of grams")
    if len(variant.option_values) != len(options):
        raise _refuse(index, f"{where}.option_values", f"A variant has one value per option ({len(options)})")
    for value, option in zip(variant.option_values, options, strict=True):
        if value not in option.values:
            raise _refuse(index, f"{where}.option_values", f"{value!r} is not a value of option {option.name!r}")


def _check_batch_duplicates(products: Sequence[PosProduct]) -> None:
    """The same product, variant or SKU named twice in one batch is refused (which one would win?)."""
    seen: dict[tuple[str, str], int] = {}
    for index, product in enumerate(products):
        keys = [("product id", product.id, "id"), ("product external_id", product.external_id, "external_id")]
        for v, variant in enumerate(product.variants):
            keys += [("SKU", variant.sku, f"variants[{v}].sku"), ("variant id", variant.id, f"variants[{v}].id"),
                     ("variant external_id", variant.external_id, f"variants[{v}].external_id")]
        local: set[tuple[str, str]] = set()
        for kind, value, where in keys:
            if value is None:
                continue
            if (kind, value) in seen or (kind, value) in local:
                raise _refuse(index, where, f"The {kind} {value!r} appears twice in this batch",
                              CatalogErrorCode.DUPLICATE)
            local.add((kind, value))
        seen.update(dict.fromkeys(local, index))


@dataclass(frozen=True)
class _Target:
    """The stored product an upsert writes to (None: a new one)."""

    id: str | None
    version: int
    handle: str


def _resolve_product(conn: Connection, index: int, product: PosProduct) -> _Target:
    found = repo.product_head(conn, product_id=product.id) if product.id else None
    if product.id and found is None:
        raise _refuse(index, "id", f"There is no product {product.id!r}", CatalogErrorCode.UNKNOWN_PRODUCT)
    if product.external_id:
        by_external = repo.product_head(conn, external_id=product.external_id)
        if found is not None and by_external is not None and by_external.id != found.id:
            raise _refuse(index, "external_id", "This external_id belongs to another product",
                          CatalogErrorCode.DUPLICATE)
        found = found or by_external
    if found is None:
        if product.version:
            raise StaleVersion(f"Product {index} does not exist here (version {product.version} was sent)",
                               index=index, current_version=0)
        return _Target(None, 0, "")
    if product.version != found.version:
        raise StaleVersion(f"Product {index} was changed since version {product.version}; it is at "
                           f"version {found.version}", index=index, current_version=found.version)
    return _Target(found.id, found.version, found.handle)


def _check_same_product_twice(targets: Sequence[_Target]) -> None:
    """One stored product named twice (by id in one place, by external id in another) is refused."""
    seen: set[str] = set()
    for index, target in enumerate(targets):
        if target.id is not None and target.id in seen:
            raise _refuse(index, "id", "This product appears twice in this batch", CatalogErrorCode.DUPLICATE)
        if target.id is not None:
            seen.add(target.id)


@dataclass
class _VariantPlan:
    """Which stored variant each listed variant writes (None: new), and the stored ones left as they are."""

    ids: list[str | None]
    unlisted: list[repo.StoredVariant]


def _plan_variants(conn: Connection, index: int, product: PosProduct, target: _Target) -> _VariantPlan:
    stored = repo.variants_of(conn, target.id) if target.id else []
    by_id = {v.id: v for v in stored}
    by_sku = {v.sku: v for v in stored if v.sku}
    ids: list[str | None] = []
    for v, variant in enumerate(product.variants):
        match = by_id.get(variant.id) if variant.id else None
        if variant.id and match is None:
            raise _refuse(index, f"variants[{v}].id", f"Variant {variant.id!r} is not one of this product's",
                          CatalogErrorCode.UNKNOWN_VARIANT)
        if variant.external_id:             # names one variant: the one it names, or none yet
            owner = repo.variant_by_external_id(conn, variant.external_id)
            if owner is not None and (owner.product_id != target.id or (match and match.id != owner.id)):
                raise _refuse(index, f"variants[{v}].external_id", "This external_id belongs to another variant",
                              CatalogErrorCode.DUPLICATE)
            match = match or owner
        match = match or by_sku.get(variant.sku)
        if match is not None and match.id in ids:
            raise _refuse(index, f"variants[{v}]", "Two variants of the batch are the same stored variant",
                          CatalogErrorCode.DUPLICATE)
        ids.append(match.id if match else None)
    unlisted = [v for v in stored if v.id not in ids]
    for variant in unlisted:                    # they stay: the new options must still describe them
        values = tuple(x for x in variant.option_values if x is not None)
        fits = len(values) == len(product.options) and all(
            value in option.values for value, option in zip(values, product.options, strict=True))
        if not fits:
            raise _refuse(index, "variants", f"The stored variant {variant.sku or variant.id!r} is not listed and "
                          "does not fit the new options: list it too")
    return _VariantPlan(ids, unlisted)


def _check_skus(conn: Connection, products: Sequence[PosProduct], plans: Sequence[_VariantPlan]) -> None:
    """A SKU names one variant in the store: refuse one that a variant this batch does not rewrite holds."""
    rewritten = {vid for plan in plans for vid in plan.ids if vid}
    holders = repo.variant_ids_by_skus(conn, [v.sku for p in products for v in p.variants])
    for index, (product, plan) in enumerate(zip(products, plans, strict=True)):
        for v, (variant, vid) in enumerate(zip(product.variants, plan.ids, strict=True)):
            clash = [h for h in holders.get(variant.sku, ()) if h != vid and h not in rewritten]
            if clash:
                raise _refuse(index, f"variants[{v}].sku", f"SKU {variant.sku!r} belongs to another variant",
                              CatalogErrorCode.SKU_TAKEN)


def _write(conn: Connection, index: int, product: PosProduct, target: _Target, plan: _VariantPlan, *,
           now: str, taken_handles: set[str]) -> UpsertedProduct:
    if target.id is None:
        product_id, handle = new_id(), _free_handle(conn, index, product, taken_handles)
        repo.insert_product(conn, product_id=product_id, handle=handle, title=product.title.strip(),
                            status=product.status or "active", external_id=product.external_id, now=now)
        version = 1
    else:
        product_id, handle, version = target.id, target.handle, target.version + 1
        repo.update_product(conn, product_id, title=product.title.strip(), status=product.status,
                            external_id=product.external_id, version=version, now=now)
    options = [(o.name.strip(), list(o.values)) for o in product.options]
    if repo.options_of(conn, product_id) != options:
        repo.replace_options(conn, product_id, options, ids=[new_id() for _ in options])
    written = []
    for position, (variant, vid) in enumerate(zip(product.variants, plan.ids, strict=True)):
        fields = _variant_fields(variant, position)
        if vid is None:
            vid = new_id()
            repo.insert_variant(conn, vid, product_id, fields, now=now)
        else:
            repo.update_variant(conn, vid, fields, now=now)
        written.append(UpsertedVariant(vid, variant.sku, variant.external_id))
    _refresh_vector(conn, product_id)
    return UpsertedProduct(index, product_id, version, target.id is None, product.external_id, handle,
                           tuple(written))


def _variant_fields(variant: PosVariant, position: int) -> repo.VariantFields:
    values = list(variant.option_values) + [None] * (MAX_OPTIONS - len(variant.option_values))
    title = (variant.title or "").strip() or " / ".join(variant.option_values) or "Default"
    return repo.VariantFields(title=title, sku=variant.sku, barcode=variant.barcode,
                              price_amount=variant.price_amount, currency=variant.currency,
                              weight_grams=variant.weight_grams, options=(values[0], values[1], values[2]),
                              position=position, external_id=variant.external_id)


def _free_handle(conn: Connection, index: int, product: PosProduct, taken: set[str]) -> str:
    """The handle the POS asked for (refused when taken), else one made from the title: `-2`, `-3`... on a clash."""
    if product.handle is not None:
        if product.handle in taken or repo.handle_exists(conn, product.handle):
            raise _refuse(index, "handle", f"The handle {product.handle!r} is taken", CatalogErrorCode.HANDLE_TAKEN)
        taken.add(product.handle)
        return product.handle
    base = slugify(product.title, fallback="product", max_length=200)
    handle, n = base, 1
    while handle in taken or repo.handle_exists(conn, handle):
        n += 1
        handle = f"{base}-{n}"
    taken.add(handle)
    return handle


def _refresh_vector(conn: Connection, product_id: str) -> None:
    """Redo the product's related-products vector when its words changed (as the indexer would)."""
    found = repo.product_words(conn, product_id)
    if found is not None:
        refresh_vector(conn, product_id, found[:5], found[5])
