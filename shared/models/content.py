"""Authored content: pages and their blocks, block revisions, posts, themes, menus, media."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Media:
    """An uploaded image: original hash, size, and the widths of its resized renditions."""

    id: str
    hash: str
    filename: str
    mime: str
    width: int
    height: int
    bytes: int
    format: str = "webp"
    widths: tuple[int, ...] = ()
    alt: str = ""
    created_at: str = ""

    def to_image(self) -> dict[str, Any]:
        """The Image shape blocks see (docs/vibe-blocks.md)."""
        return {"hash": self.hash, "widths": list(self.widths), "format": self.format, "alt": self.alt,
                "width": self.width, "height": self.height}


@dataclass(frozen=True)
class Theme:
    """A theme: a starter preset plus the merchant's settings and custom CSS."""

    id: str
    name: str
    preset: str
    settings: dict[str, Any] = field(default_factory=dict)
    custom_css: str = ""
    is_active: bool = False
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Menu:
    """A navigation menu ('main', 'footer'): a list of {title, url} items."""

    handle: str
    items: tuple[dict[str, str], ...] = ()
    updated_at: str = ""


@dataclass(frozen=True)
class Page:
    """A page: slug, title, draft/published state and SEO fields. Its blocks are separate rows."""

    id: str
    slug: str
    title: str
    status: str = "draft"                      # draft | published
    position: int = 0
    seo_title: str = ""
    seo_description: str = ""
    canonical_url: str = ""
    social_image_id: str | None = None
    noindex: bool = False
    published_at: str | None = None
    created_at: str = ""
    updated_at: str = ""
    template: str | None = None                # product | collection | blog | article | search | not_found | cart

    @property
    def path(self) -> str:
        """The storefront path: '/' for home, '/pages/<slug>' otherwise."""
        return "/" if self.slug == "home" else f"/pages/{self.slug}"


@dataclass(frozen=True)
class Block:
    """A block instance on a page. `code` None means the built-in source of `kind`."""

    id: str
    page_id: str
    kind: str
    code: str | None
    settings: dict[str, Any]
    position: int
    hidden: bool = False
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class BlockRevision:
    """One saved version of a block's code."""

    id: str
    block_id: str
    code: str
    author: str
    message: str
    created_at: str


@dataclass(frozen=True)
class Post:
    """A blog post; `published_at` in the future with status 'scheduled' appears at that time."""

    id: str
    slug: str
    title: str
    excerpt: str = ""
    body_html: str = ""
    author: str = ""
    status: str = "draft"                      # draft | scheduled | published
    published_at: str | None = None
    image_id: str | None = None
    seo_title: str = ""
    seo_description: str = ""
    created_at: str = ""
    updated_at: str = ""
