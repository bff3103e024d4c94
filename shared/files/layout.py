"""The folder layout (docs/files.md): where each thing lives and how its files are named."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from shared.compose.templates import DEFAULTS
from shared.files.errors import FilesError, FilesErrorCode

README = "README.md"
THEME_JSON = "theme/theme.json"
CUSTOM_CSS = "theme/custom.css"
PAGES = "pages"
TEMPLATES = "templates"
PAGE_JSON = "page.json"
TEMPLATE_NAMES = tuple(DEFAULTS)                     # product, collection, blog, article, search, not_found, cart
BLOCK_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.js\Z")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}\Z")
# Ids for entries that name none: derived from where they sit, so importing the same folder twice
# finds the same page or block instead of adding another.
_NAMESPACE = uuid.UUID("6f1d3f0e-8c2b-4d4e-9a57-3f6c1b0a9e21")


def derived_id(*parts: str) -> str:
    """A stable id for an entry without one (a page by its slug, a block by its page and file)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def block_file_name(position: int, name: str) -> str:
    """`03-hero.js`: the position first so a folder listing shows the page's order."""
    return f"{position + 1:02d}-{name}.js"


def page_dir(slug: str) -> str:
    """Where a page's files live (checked by `inside` before anything is written there)."""
    return f"{PAGES}/{slug}"


# One segment of a path an export writes: no separators, no '.' or '..', no hidden files.
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")


def path_problem(rel: str) -> str | None:
    """Why `rel` is not a relative path an export may write (plain segments, nothing outside), or None."""
    parts = rel.split("/") if isinstance(rel, str) else []
    if not parts or not all(_SEGMENT.match(part) and part not in (".", "..") for part in parts):
        return f"{rel!r} is not a plain relative path"
    return None


def inside(root: Path, rel: str) -> Path:
    """`root / rel`, for a checked `rel` whose resolved path stays inside root.

    Raises FilesError(INVALID) otherwise: names come from a database, which may hold anything."""
    problem = path_problem(rel)
    target = root / rel
    if problem is None and not target.resolve().is_relative_to(root.resolve()):
        problem = f"{rel!r} leads outside {root}"
    if problem:
        raise FilesError(FilesErrorCode.INVALID, f"not writing {problem}")
    return target


def template_dir(template: str) -> str:
    """Where a template's files live."""
    return f"{TEMPLATES}/{template}"


README_TEXT = """\
# Store files (Vibeshop)

This folder is a store's pages, templates and theme as plain files. Edit them in any editor (or ask a
code assistant), then `vibeshop files import --data DIR FOLDER`, or keep `vibeshop dev --data DIR --dir
FOLDER` running for a live preview. An import checks everything first and stores nothing when one file
has a problem; each problem is printed as `path:line:column: message`.

```
theme/theme.json              {"preset": "harbor" | "market" | "noir", "settings": {colors, typography,
                              spacing, layout, sections: {header, footer}}}
theme/custom.css              extra CSS (no @import, no remote url())
checkout/checkout.json        taxes, shipping zones and local delivery, the shipping location, pickup per
                              location, discounts, the hold time in minutes
                              (money in minor units: 500 is $5.00; see docs/checkout.md)
pages/<slug>/page.json        {"id", "title", "status": "draft" | "published", "seo": {...}, "blocks": [...]}
pages/<slug>/NN-<name>.js     one vibe block per file: `function render(ctx, h) { ... }`
templates/<name>/page.json    product, collection, blog, article, search, not_found, cart: {"title", "blocks"}
templates/<name>/NN-<name>.js
```

- A page's folder name is its address: `pages/about` is `/pages/about`, `pages/home` is `/`.
- Each entry of `blocks` is `{"id", "file", "kind", "hidden", "settings"}`, in page order. `kind` is a
  built-in block (`hero`, `rich-text`, `product-grid`, ...) or `custom`. Keep the `id` of an existing block;
  leave it out for a new one. A block removed from the list is removed from the page.
- A built-in block whose file is unchanged keeps following the shipped version; changing the file forks
  it, and every change is kept as a revision.
- `settings` must fit the `schema` declared at the top of the block's file (see docs/vibe-blocks.md):
  unknown settings and wrong types are refused.
- Blocks run in a sandbox: no `eval`, `Function`, `globalThis`, `fetch`, timers, `import` or `async`.
  `vibeshop block check FILE.js` checks one file.
"""
