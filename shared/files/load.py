"""Reading and checking an authoring folder, without a database: every problem is collected, each
at its file, line and column. What passes becomes a FolderSpec that apply.py stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.compose.registry import builtin_block, builtin_kinds
from shared.compose.theme import MAX_CUSTOM_CSS
from shared.files import layout
from shared.files.errors import Problem
from shared.files.jsonpos import JsonSyntaxError, LocatedJson
from shared.files.jsonpos import Path as JsonPath
from shared.files.reader import FolderReader
from shared.pages.errors import PageError
from shared.pages.service import (CUSTOM, MAX_BLOCKS_PER_PAGE, check_block_input, check_seo, check_slug,
                                  check_status, check_title)
from shared.themes.errors import ThemeError
from shared.themes.service import check_preset, theme_settings_problems
from shared.vibe.validator import check_block

_PAGE_KEYS = {"id", "title", "status", "seo", "blocks"}
_TEMPLATE_KEYS = {"title", "blocks"}
_SEO_KEYS = {"title": "seo_title", "description": "seo_description", "canonical_url": "canonical_url",
             "social_image_id": "social_image_id", "noindex": "noindex"}
_BLOCK_KEYS = {"id", "file", "kind", "hidden", "settings"}
_SECTIONS = ("header", "footer")


@dataclass(frozen=True)
class BlockSpec:
    """One block as the folder has it. `code` is None for a built-in kind whose file is the shipped source."""

    id: str | None
    file: str
    kind: str
    hidden: bool
    settings: dict[str, Any]
    source: str
    code: str | None
    index: int                       # its place in page.json's "blocks", for problems found later


@dataclass(frozen=True)
class PageSpec:
    """A page or template folder. Fields left out of page.json are None: the store's value stays."""

    dir: str
    json_path: str
    slug: str | None                 # pages only
    template: str | None             # templates only
    id: str | None
    title: str
    status: str | None
    seo: dict[str, Any] | None       # column name -> value
    blocks: tuple[BlockSpec, ...]
    doc: LocatedJson | None = field(default=None, compare=False, repr=False)

    def problem(self, path: JsonPath, message: str) -> Problem:
        """A problem found later (against the store), placed at a value of page.json."""
        line, column = self.doc.position(path) if self.doc is not None else (1, 1)
        return Problem(self.json_path, line, column, message)


@dataclass(frozen=True)
class ThemeSpec:
    """The theme as the folder has it; custom_css None when theme/custom.css is absent."""

    preset: str
    settings: dict[str, Any]
    custom_css: str | None


@dataclass
class FolderSpec:
    """Everything an import would store, and the problems and warnings found reading it."""

    theme: ThemeSpec | None = None
    checkout: Any = None                 # a SetupReplacement from checkout/checkout.json (None: no file)
    checkout_doc: LocatedJson | None = field(default=None, repr=False)
    pages: list[PageSpec] = field(default_factory=list)
    templates: list[PageSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Json:
    """A JSON file being checked: problems are placed at the value they are about."""

    def __init__(self, spec: FolderSpec, rel: str, doc: LocatedJson):
        self.spec, self.rel, self.doc = spec, rel, doc

    def problem(self, path: JsonPath, message: str) -> None:
        line, column = self.doc.position(path)
        self.spec.problems.append(Problem(self.rel, line, column, message))

    def unknown_keys(self, value: Mapping[str, Any], allowed: set[str], path: JsonPath) -> None:
        for key in value:
            if key not in allowed:
                self.problem((*path, key), f'unknown key "{key}" (expected one of {", ".join(sorted(allowed))})')


def _read_json(spec: FolderSpec, reader: FolderReader, rel: str) -> _Json | None:
    text, problem = reader.read_text(rel)
    if problem is not None:
        spec.problems.append(problem)
        return None
    try:
        return _Json(spec, rel, LocatedJson(text))
    except JsonSyntaxError as exc:
        spec.problems.append(Problem(rel, exc.line, exc.column, f"invalid JSON: {exc}"))
        return None


def _setting_path(setting: str) -> JsonPath:
    """'items[0].question' -> ('items', 0, 'question')."""
    out: list[str | int] = []
    for part in setting.replace("[", ".[").split("."):
        if part.startswith("[") and part.endswith("]") and part[1:-1].isdigit():
            out.append(int(part[1:-1]))
        elif part:
            out.append(part)
    return tuple(out)


def _settings_problem(doc: _Json, at: JsonPath, exc: PageError, *, label: str = "") -> None:
    """Place a settings problem at the setting it names; `at` is where the settings object is."""
    setting = (exc.field or "settings").removeprefix("settings").lstrip(".")
    doc.problem((*at, *_setting_path(setting)), f"{label}{exc}")


def _load_theme(spec: FolderSpec, reader: FolderReader) -> None:
    if reader.kind(layout.THEME_JSON) is None:
        if reader.kind(layout.CUSTOM_CSS) is not None:
            spec.problems.append(Problem(layout.CUSTOM_CSS, 1, 1, f"custom.css needs {layout.THEME_JSON} beside it"))
        return
    doc = _read_json(spec, reader, layout.THEME_JSON)
    if doc is None:
        return
    value = doc.doc.value
    if not isinstance(value, dict):
        doc.problem((), 'theme.json must be an object: {"preset": ..., "settings": {...}}')
        return
    doc.unknown_keys(value, {"preset", "settings"}, ())
    before = len(spec.problems)
    try:
        check_preset(value.get("preset"))
    except ThemeError as exc:
        doc.problem(("preset",), str(exc))
    settings = value.get("settings", {})
    for name, message in theme_settings_problems(settings):
        doc.problem(("settings", *name.split(".")), f"settings.{name} {message}" if name != "settings" else
                    f"settings {message}")
    if isinstance(settings, dict) and isinstance(settings.get("sections"), dict):
        for key, section in settings["sections"].items():
            if key not in _SECTIONS:
                doc.problem(("settings", "sections", key), f'unknown section "{key}" (expected header or footer)')
                continue
            try:
                check_block_input(kind=key, code=None, settings=section)
            except PageError as exc:
                _settings_problem(doc, ("settings", "sections", key), exc, label=f"sections.{key}: ")
    css = None
    if reader.kind(layout.CUSTOM_CSS) is not None:
        css, problem = reader.read_text(layout.CUSTOM_CSS)
        if problem is not None:
            spec.problems.append(problem)
        elif len(css) > MAX_CUSTOM_CSS:
            spec.problems.append(Problem(layout.CUSTOM_CSS, 1, 1, f"custom CSS can be at most {MAX_CUSTOM_CSS // 1024} KB"))
    if len(spec.problems) == before:
        spec.theme = ThemeSpec(value["preset"], settings, css)


def _load_checkout(spec: FolderSpec, reader: FolderReader) -> None:
    from shared.files.checkout_file import CHECKOUT_JSON, load_checkout

    if reader.kind(CHECKOUT_JSON) is None:
        return
    doc = _read_json(spec, reader, CHECKOUT_JSON)
    if doc is None:
        return
    spec.checkout, problems = load_checkout(doc.doc)
    spec.checkout_doc = doc.doc
    spec.problems += problems


def _load_block(spec: FolderSpec, reader: FolderReader, doc: _Json, folder: str, index: int,
                entry: Any, seen_files: set[str]) -> BlockSpec | None:
    base: JsonPath = ("blocks", index)
    if not isinstance(entry, dict):
        doc.problem(base, 'each block must be an object: {"id", "file", "kind", "hidden", "settings"}')
        return None
    doc.unknown_keys(entry, _BLOCK_KEYS, base)
    before = len(spec.problems)
    block_id, file, kind = entry.get("id"), entry.get("file"), entry.get("kind")
    hidden, settings = entry.get("hidden", False), entry.get("settings", {})
    if block_id is not None and not (isinstance(block_id, str) and layout.ID_RE.match(block_id)):
        doc.problem((*base, "id"), "a block id is letters, digits and hyphens (leave it out for a new block)")
    if not isinstance(hidden, bool):
        doc.problem((*base, "hidden"), "hidden must be true or false")
    if not isinstance(kind, str) or (kind != CUSTOM and kind not in builtin_kinds()):
        doc.problem((*base, "kind"), f"unknown block kind {kind!r}: use custom or one of {', '.join(builtin_kinds())}")
    if not isinstance(file, str) or not layout.BLOCK_FILE_RE.match(file) or ".." in file:
        doc.problem((*base, "file"), f"file must be a .js file name in this folder (like 01-hero.js), not {file!r}")
        return None
    if file in seen_files:
        doc.problem((*base, "file"), f"{file} is used by another block of this page")
        return None
    seen_files.add(file)
    source, problem = reader.read_text(f"{folder}/{file}")
    if problem is not None:
        spec.problems.append(problem)
        return None
    diagnostics = check_block(source).diagnostics
    spec.problems.extend(Problem(f"{folder}/{file}", d.line, d.column, d.message) for d in diagnostics)
    if len(spec.problems) > before:
        return None
    code = None if kind != CUSTOM and source == builtin_block(kind).source else source
    try:
        clean = check_block_input(kind=kind, code=code, settings=settings)
    except PageError as exc:
        _settings_problem(doc, (*base, "settings"), exc)
        return None
    del clean  # apply.py cleans again with the schema the block ends up with; here it only had to pass
    return BlockSpec(block_id, file, kind, hidden, settings, source, code, index)


def _load_page(spec: FolderSpec, reader: FolderReader, folder: str, *, template: str | None) -> PageSpec | None:
    json_rel = f"{folder}/{layout.PAGE_JSON}"
    if reader.kind(folder) == "link":
        spec.problems.append(Problem(folder, 1, 1, "is a symbolic link: page folders must live in the folder itself"))
        return None
    if reader.kind(json_rel) is None:
        spec.problems.append(Problem(json_rel, 1, 1, "missing: every page folder needs a page.json"))
        return None
    doc = _read_json(spec, reader, json_rel)
    if doc is None:
        return None
    value = doc.doc.value
    if not isinstance(value, dict):
        doc.problem((), "page.json must be an object")
        return None
    doc.unknown_keys(value, _TEMPLATE_KEYS if template else _PAGE_KEYS, ())
    before = len(spec.problems)
    slug = None
    if template is None:
        slug = folder.rsplit("/", 1)[1]
        try:
            check_slug(slug)
        except PageError as exc:
            doc.problem((), f"the folder name is the page's address: {exc}")
    page_id = value.get("id")
    if page_id is not None and not (isinstance(page_id, str) and layout.ID_RE.match(page_id)):
        doc.problem(("id",), "a page id is letters, digits and hyphens (leave it out for a new page)")
    title = value.get("title")
    try:
        title = check_title(title)
    except PageError as exc:
        doc.problem(("title",), str(exc))
    status = value.get("status")
    if status is not None:
        try:
            check_status(status)
        except PageError as exc:
            doc.problem(("status",), str(exc))
    seo = _load_seo(doc, value.get("seo")) if "seo" in value else None
    blocks_value = value.get("blocks")
    if not isinstance(blocks_value, list):
        doc.problem(("blocks",) if "blocks" in value else (), 'page.json needs "blocks": a list (it may be empty)')
        return None
    if len(blocks_value) > MAX_BLOCKS_PER_PAGE:
        doc.problem(("blocks",), f"A page can hold at most {MAX_BLOCKS_PER_PAGE} blocks")
    seen: set[str] = set()
    blocks = [_load_block(spec, reader, doc, folder, i, entry, seen) for i, entry in enumerate(blocks_value)]
    listed = {b.file for b in blocks if b is not None} | seen
    for name in reader.list_dirs(folder):
        if name.endswith(".js") and name not in listed:
            spec.warnings.append(f"{folder}/{name}: not listed in page.json, so not imported")
    if len(spec.problems) > before:
        return None
    return PageSpec(folder, json_rel, slug, template, page_id, title, status, seo, tuple(b for b in blocks if b),
                    doc.doc)


def _load_seo(doc: _Json, value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        doc.problem(("seo",), "seo must be an object")
        return None
    doc.unknown_keys(value, set(_SEO_KEYS), ("seo",))
    seo = {_SEO_KEYS[k]: v for k, v in value.items() if k in _SEO_KEYS}
    try:
        check_seo(seo_title=seo.get("seo_title", ""), seo_description=seo.get("seo_description", ""),
                  canonical_url=seo.get("canonical_url", ""))
    except PageError as exc:
        key = next(k for k, v in _SEO_KEYS.items() if v == exc.field)
        doc.problem(("seo", key), str(exc))
    if not isinstance(seo.get("noindex", False), bool):
        doc.problem(("seo", "noindex"), "noindex must be true or false")
    image = seo.get("social_image_id")
    if image is not None and not (isinstance(image, str) and layout.ID_RE.match(image)):
        doc.problem(("seo", "social_image_id"), "social_image_id must be a media id or null")
    return seo


def _duplicates(spec: FolderSpec) -> None:
    owners: dict[str, str] = {}
    for page in spec.pages:
        if page.id is not None:
            if page.id in owners:
                spec.problems.append(Problem(page.json_path, 1, 1, f"page id {page.id} is also used by {owners[page.id]}"))
            owners[page.id] = page.json_path
    blocks: dict[str, str] = {}
    for page in (*spec.pages, *spec.templates):
        for block in page.blocks:
            if block.id is None:
                continue
            if block.id in blocks:
                spec.problems.append(Problem(page.json_path, 1, 1,
                                             f"block id {block.id} ({block.file}) is also used by {blocks[block.id]}"))
            blocks[block.id] = f"{page.dir}/{block.file}"


def load_folder(folder: Path) -> FolderSpec:
    """Read and check every file of an authoring folder. Never raises for bad content: see .problems."""
    spec = FolderSpec()
    reader = FolderReader(folder)
    for base in (layout.PAGES, layout.TEMPLATES, "theme"):
        if reader.kind(base) == "link":
            spec.problems.append(Problem(base, 1, 1, "is a symbolic link: it must be a folder inside the folder"))
    if spec.problems:
        return spec
    _load_theme(spec, reader)
    _load_checkout(spec, reader)
    for name in reader.list_dirs(layout.PAGES):
        if reader.kind(f"{layout.PAGES}/{name}") not in ("dir", "link"):
            continue
        page = _load_page(spec, reader, layout.page_dir(name), template=None)
        if page is not None:
            spec.pages.append(page)
    for name in reader.list_dirs(layout.TEMPLATES):
        if reader.kind(f"{layout.TEMPLATES}/{name}") not in ("dir", "link"):
            continue
        if name not in layout.TEMPLATE_NAMES:
            spec.problems.append(Problem(f"{layout.TEMPLATES}/{name}", 1, 1,
                                         f"unknown template (expected one of {', '.join(layout.TEMPLATE_NAMES)})"))
            continue
        page = _load_page(spec, reader, layout.template_dir(name), template=name)
        if page is not None:
            spec.templates.append(page)
    _duplicates(spec)
    spec.problems.sort()
    return spec
