"""POS API v1, catalogue: POST /pos/v1/catalog/batch-upsert (Square's BatchUpsertCatalogObjects).
Thin handler: decode with the msgspec types below (the same ones /pos/v1/openapi.json describes), call
shared.catalog.pos_upsert on the store's writer thread, answer JSON."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from aiohttp import web
from msgspec import Meta

from cloud.server.admin import problem
from cloud.server.middlewares import STORE
from cloud.server.pos.auth import pos
from cloud.server.pos.idempotency import BODY, idempotent
from cloud.server.pos.spec import NO_CONTROLS, Operation, decode_body, typed_response
from shared.catalog.pos_upsert import (MAX_OPTIONS, MAX_PRODUCTS, MAX_VARIANTS, PosOption, PosProduct, PosVariant,
                                       StaleVersion, UpsertedProduct, UpsertError, upsert_pos_products)
from shared.db import Connection

MAX_BODY = 1024 * 1024      # the app's client_max_size
MAX_PRICE = 10 ** 12          # minor units; far above any till, far below int64

Text = Annotated[str, Meta(min_length=1, max_length=255, pattern=NO_CONTROLS)]
ShortText = Annotated[str, Meta(min_length=1, max_length=100, pattern=NO_CONTROLS)]
Handle = Annotated[str, Meta(min_length=1, max_length=255, pattern="^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")]
ExternalId = Annotated[str, Meta(min_length=1, max_length=255, pattern=NO_CONTROLS,
                                 description="The POS's own id (Square's client id)")]
OurId = Annotated[str, Meta(min_length=1, max_length=64, pattern=NO_CONTROLS)]


class PosMoneyIn(msgspec.Struct, forbid_unknown_fields=True):
    """An amount in minor units (cents) of an ISO 4217 currency: the store's."""

    amount: Annotated[int, Meta(ge=0, le=MAX_PRICE)]
    currency: Annotated[str, Meta(pattern="^[A-Z]{3}$")]


class PosOptionIn(msgspec.Struct, forbid_unknown_fields=True):
    """An option (Size, Colour) and its values in order."""

    name: ShortText
    values: Annotated[list[ShortText], Meta(min_length=1, max_length=100)]


class PosVariantIn(msgspec.Struct, forbid_unknown_fields=True):
    """A variant: found by `id` (ours), else `external_id` (the POS's), else the product's variant with
    this SKU; otherwise new. `option_values` has one value per product option, in the options' order."""

    sku: ShortText
    price: PosMoneyIn
    option_values: Annotated[list[ShortText], Meta(max_length=MAX_OPTIONS)] = []
    barcode: Annotated[str, Meta(max_length=64, pattern=NO_CONTROLS)] | None = None  # absent: as it is ('' when new)
    weight_grams: Annotated[int, Meta(ge=0, le=10 ** 9)] | None = None  # absent: as it is (0 when new)
    title: Text | None = None
    id: OurId | None = None
    external_id: ExternalId | None = None


class PosProductIn(msgspec.Struct, forbid_unknown_fields=True):
    """A product: found by `id` (ours), else `external_id`; otherwise new. `version` is the one the POS
    last saw (0 or absent: new). Web content (description, media, SEO, collections) is not sent here."""

    title: Text
    variants: Annotated[list[PosVariantIn], Meta(min_length=1, max_length=MAX_VARIANTS)]
    options: Annotated[list[PosOptionIn], Meta(max_length=MAX_OPTIONS)] = []
    version: Annotated[int, Meta(ge=0, le=2 ** 53)] = 0
    status: Literal["active", "draft", "archived"] | None = None
    handle: Handle | None = None
    id: OurId | None = None
    external_id: ExternalId | None = None


class BatchUpsertRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Up to 100 products, all or nothing."""

    products: Annotated[list[PosProductIn], Meta(min_length=1, max_length=MAX_PRODUCTS)]


class UpsertedVariantOut(msgspec.Struct):
    """A listed variant: our id next to the POS's."""

    id: str
    sku: str
    external_id: str | None


class UpsertedProductOut(msgspec.Struct):
    """A product as written: send `version` back with its next upsert."""

    index: int
    id: str
    version: int
    created: bool
    handle: str
    external_id: str | None
    variants: list[UpsertedVariantOut]


class BatchUpsertResponse(msgspec.Struct):
    """Each product of the batch, in the batch's order."""

    products: list[UpsertedProductOut]


OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/pos/v1/catalog/batch-upsert", "batchUpsertCatalog",
              "Create or update up to 100 products with their options and variants (all or nothing)",
              responses={200: BatchUpsertResponse}, request=BatchUpsertRequest,
              errors=(400, 401, 403, 409, 413, 422), idempotent=True, tags=("catalog",),
              description="Prices, SKUs, barcodes, weights and options are the POS's; the web's content "
                          "(description, media, SEO, collections) is left as it is. A stale `version` gives "
                          "409 (code stale_version, with index and current_version); any bad product 422 "
                          "naming its index and field. Stock is not written here."),
)

def _to_domain(product: PosProductIn) -> PosProduct:
    variants = tuple(PosVariant(sku=v.sku, price_amount=v.price.amount, currency=v.price.currency,
                                option_values=tuple(v.option_values), barcode=v.barcode,
                                weight_grams=v.weight_grams, title=v.title, id=v.id, external_id=v.external_id)
                     for v in product.variants)
    return PosProduct(title=product.title, variants=variants,
                      options=tuple(PosOption(o.name, tuple(o.values)) for o in product.options),
                      version=product.version, status=product.status, handle=product.handle, id=product.id,
                      external_id=product.external_id)


def _answer(done: list[UpsertedProduct]) -> BatchUpsertResponse:
    return BatchUpsertResponse([
        UpsertedProductOut(p.index, p.id, p.version, p.created, p.handle, p.external_id,
                           [UpsertedVariantOut(v.id, v.sku, v.external_id) for v in p.variants])
        for p in done])


@pos
@idempotent(max_body=MAX_BODY)
async def post_batch_upsert(request: web.Request) -> web.Response:
    """POST /pos/v1/catalog/batch-upsert {"products": [...]}: all or nothing; 409 on a stale version."""
    body = decode_body(request[BODY], BatchUpsertRequest, batch="products")
    if isinstance(body, web.Response):
        return body
    products = [_to_domain(p) for p in body.products]

    def write(conn: Connection) -> list[UpsertedProduct]:
        return upsert_pos_products(conn, products)

    try:
        done = await request[STORE].db.run_write(write)
    except StaleVersion as exc:
        return problem(409, str(exc), index=exc.index, field=exc.field, code=str(exc.code),
                       current_version=exc.current_version)
    except UpsertError as exc:
        return problem(422, str(exc), index=exc.index, field=exc.field, code=str(exc.code))
    return typed_response(_answer(done))


def add_catalog_routes(app: web.Application) -> None:
    """The catalogue's POS routes."""
    app.router.add_post("/pos/v1/catalog/batch-upsert", post_batch_upsert)
