"""Where an image is used, as references that can be listed, repointed to another image, or cleared.

An image id can sit in six places: a page's social image, a post's cover, a collection's image, a
product's images, the store's logo (`storefront.settings.logo_id`) and block settings of type
`image` (also inside `list` settings). Each kind of place is one entry of `_POINTERS`, which knows
how to point that place at another image or at none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from shared.compose.registry import builtin_block, builtin_kinds
from shared.compose.schema import setting_specs
from shared.db import Connection
from shared.db.repositories import media as repo
from shared.db.repositories import storefront as storefront_repo
from shared.db.stamps import utc_now
from shared.vibe.validator import check_block

PAGE_SOCIAL, POST_COVER, COLLECTION, PRODUCT, STORE_LOGO, BLOCK = (
    "page_social", "post_cover", "collection", "product", "store_logo", "block")


@dataclass(frozen=True)
class MediaRef:
    """One place that shows an image: `owner_id` is the row holding it, `path` the keys down to the
    id inside a block's settings, `position` the image's place among a product's images."""

    kind: str
    owner_id: str
    label: str
    path: tuple[str | int, ...] = ()
    position: int = 0


def _owner(title: str, template: str | None) -> str:
    return f"Template '{title}'" if template else f"Page '{title}'"


def _block_schema(kind: str, code: str | None) -> Mapping[str, Any]:
    if code is not None:
        return check_block(code).schema
    return builtin_block(kind).schema if kind in builtin_kinds() else {}


def _image_paths(schema: Mapping[str, Any], settings: Mapping[str, Any], media_id: str,
                 prefix: tuple[str | int, ...] = (), label: str = "") -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, label) of every image setting holding `media_id`, descending into list settings."""
    for key, spec in setting_specs(schema).items():
        value, name = settings.get(key), str(spec.get("label") or key)
        if spec.get("type") == "image" and value == media_id:
            yield prefix + (key,), label + name
        elif spec.get("type") == "list" and isinstance(value, list):
            sub = {"settings": spec.get("fields", [])}
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from _image_paths(sub, item, media_id, prefix + (key, i), f"{label}{name} {i + 1}: ")


def find_refs(conn: Connection, media_id: str) -> list[MediaRef]:
    """Every place that shows the image, in the order a merchant reads the store: pages and their
    blocks, posts, collections, products, the logo."""
    refs: list[MediaRef] = []
    for page_id, title, template in repo.pages_with_social_image(conn, media_id):
        refs.append(MediaRef(PAGE_SOCIAL, page_id, f"{_owner(title, template)} (social image)"))
    for block_id, _page_id, title, template, kind, code, settings in repo.blocks_mentioning(conn, media_id):
        schema = _block_schema(kind, code)
        block_name = str(schema.get("name") or kind.replace("-", " ").capitalize())
        for path, setting in _image_paths(schema, settings, media_id):
            refs.append(MediaRef(BLOCK, block_id, f"{_owner(title, template)} – block {block_name} ({setting})", path))
    refs += [MediaRef(POST_COVER, pid, f"Post '{title}' (cover)") for pid, title in repo.posts_with_image(conn, media_id)]
    refs += [MediaRef(COLLECTION, cid, f"Collection '{title}'")
             for cid, title in repo.collections_with_image(conn, media_id)]
    refs += [MediaRef(PRODUCT, pid, f"Product '{title}'", position=pos)
             for pid, title, pos in repo.products_with_image(conn, media_id)]
    store = storefront_repo.get_storefront(conn)
    if store is not None and store.settings.get("logo_id") == media_id:
        refs.append(MediaRef(STORE_LOGO, store.id, "Store logo"))
    return refs


def _set_path(settings: Any, path: tuple[str | int, ...], value: str | None) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(settings, list):
        return [_set_path(item, rest, value) if i == head else item for i, item in enumerate(settings)]
    return {**settings, head: _set_path(settings.get(head), rest, value)}


def _point_block(conn: Connection, ref: MediaRef, _old: str | None, new: str | None) -> None:
    settings = repo.block_settings(conn, ref.owner_id)
    if settings is not None:
        repo.set_block_settings(conn, ref.owner_id, _set_path(settings, ref.path, new), utc_now())


def _point_product(conn: Connection, ref: MediaRef, old: str | None, new: str | None) -> None:
    if old is not None:
        repo.drop_product_image(conn, ref.owner_id, old)
    if new is not None:
        repo.put_product_image(conn, ref.owner_id, new, ref.position)


def _point_logo(conn: Connection, _ref: MediaRef, _old: str | None, new: str | None) -> None:
    store = storefront_repo.get_storefront(conn)
    settings = {k: v for k, v in store.settings.items() if k != "logo_id"}
    if new is not None:
        settings["logo_id"] = new
    storefront_repo.update_storefront(conn, replace(store, settings=settings, updated_at=utc_now()))


_Pointer = Callable[[Connection, MediaRef, "str | None", "str | None"], None]
_POINTERS: dict[str, _Pointer] = {
    PAGE_SOCIAL: lambda conn, ref, _old, new: repo.set_page_social_image(conn, ref.owner_id, new, utc_now()),
    POST_COVER: lambda conn, ref, _old, new: repo.set_post_image(conn, ref.owner_id, new, utc_now()),
    COLLECTION: lambda conn, ref, _old, new: repo.set_collection_image(conn, ref.owner_id, new, utc_now()),
    PRODUCT: _point_product,
    STORE_LOGO: _point_logo,
    BLOCK: _point_block,
}


def repoint(conn: Connection, ref: MediaRef, *, old: str | None, new: str | None) -> None:
    """Make one place show `new` (None: no image) where it showed `old` (None: nothing)."""
    _POINTERS[ref.kind](conn, ref, old, new)
