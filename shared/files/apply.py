"""Import: store a checked FolderSpec in ONE transaction, changing only what differs.

Every check that needs the store (ids that belong elsewhere, addresses taken by pages the folder
does not list, media that does not exist) runs inside that transaction before the first write, so
an import either stores everything or nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.compose.templates import default_template
from shared.db import Connection, Database
from shared.db.repositories import content
from shared.db.repositories import pages as page_repo
from shared.db.stamps import utc_now
from shared.files import layout
from shared.files.checkout_file import apply_checkout
from shared.files.errors import FilesError, FilesErrorCode, Problem
from shared.files.load import BlockSpec, FolderSpec, PageSpec, load_folder
from shared.models import Block, Page
from shared.pages.errors import PageError
from shared.sync.errors import RowRefused
from shared.pages.service import (HOME, add_block_in, check_block_input, create_page_in, edit_page_in,
                                  save_block_code_in)
from shared.themes.errors import ThemeError
from shared.themes.service import replace_theme_in

AUTHOR = "files"


@dataclass
class ImportSummary:
    """What an import changed (all zero and theme False when the folder matched the store)."""

    counts: Counter = field(default_factory=Counter)   # (noun, verb) -> how many
    theme_changed: bool = False
    checkout_changed: bool = False
    kept: list[str] = field(default_factory=list)       # slugs of store pages the folder does not list
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything was stored."""
        return self.theme_changed or self.checkout_changed or any(self.counts.values())

    def line(self) -> str:
        """One line for a terminal: what changed, and what was kept."""
        parts = [f"{n} {noun}{'s' if n > 1 else ''} {verb}" for (noun, verb), n in self.counts.items() if n]
        if self.theme_changed:
            parts.append("theme updated")
        if self.checkout_changed:
            parts.append("checkout setup updated")
        text = ("Imported: " + ", ".join(parts)) if parts else "No changes"
        if self.kept:
            text += (f"; kept {len(self.kept)} page{'s' if len(self.kept) > 1 else ''} not in the folder "
                     f"({', '.join(self.kept)}; --prune deletes them)")
        return text


@dataclass(frozen=True)
class _Match:
    spec: PageSpec
    page: Page | None           # the store's page, None for a new one
    page_id: str


def _fail(problems: list[Problem]) -> None:
    if problems:
        raise FilesError(FilesErrorCode.INVALID, f"{len(problems)} problem{'s' if len(problems) > 1 else ''}; "
                         "nothing was imported", tuple(sorted(problems)))


def _match_pages(conn: Connection, spec: FolderSpec) -> list[_Match]:
    stored = page_repo.list_pages(conn)
    by_id = {p.id: p for p in stored}
    claimed = {s.id for s in spec.pages if s.id in by_id}
    by_slug = {p.slug: p for p in stored if p.id not in claimed}
    matches = []
    for page_spec in spec.pages:
        # By id; an id this store does not know (a folder from another store) falls back to the address.
        page = by_id.get(page_spec.id) if page_spec.id in by_id else by_slug.get(page_spec.slug)
        page_id = page.id if page else (page_spec.id or layout.derived_id("page", page_spec.slug))
        matches.append(_Match(page_spec, page, page_id))
    return matches


def _store_problems(conn: Connection, spec: FolderSpec, matches: list[_Match], *, prune: bool) -> list[Problem]:
    problems: list[Problem] = []
    listed = {m.page_id for m in matches}
    kept = [p for p in page_repo.list_pages(conn) if p.id not in listed and (not prune or p.slug == HOME)]
    taken = {p.slug: p for p in kept}
    for match in matches:
        where = match.spec.json_path
        existing = page_repo.get_page(conn, match.page_id) if match.page is None else None
        if existing is not None:
            what = f"the {existing.template} template" if existing.template else f"the page '{existing.slug}'"
            problems.append(Problem(where, 1, 1, f"page id {match.page_id} is already used by {what}"))
        if match.page is not None and match.page.slug == HOME and match.spec.slug != HOME:
            problems.append(Problem(where, 1, 1, "this is the home page: its folder must stay pages/home"))
        other = taken.get(match.spec.slug)
        if other is not None:
            problems.append(Problem(where, 1, 1, f"the address '{match.spec.slug}' is also used by the store's "
                                    f"page '{other.title}', which is not in this folder (--prune deletes it)"))
        seo = match.spec.seo or {}
        image = seo.get("social_image_id")
        if image and image not in content.get_media_many(conn, [image]):
            problems.append(match.spec.problem(("seo", "social_image_id"),
                                               f"seo.social_image_id: no image with id {image} in this store"))
    template_slugs = {f"template-{t.replace('_', '-')}" for t in layout.TEMPLATE_NAMES}
    for match in matches:
        if match.spec.slug in template_slugs:
            problems.append(Problem(match.spec.json_path, 1, 1, f"the address '{match.spec.slug}' is kept for "
                                    "template pages; choose another folder name"))
    for match in matches:
        problems += _block_problems(conn, match.spec, match.page_id)
    for template_spec in spec.templates:
        stored = page_repo.get_template_page(conn, template_spec.template)
        problems += _block_problems(conn, template_spec, stored.id if stored else None)
    return problems


def _block_problems(conn: Connection, page_spec: PageSpec, page_id: str | None) -> list[Problem]:
    problems = []
    for block_spec in page_spec.blocks:
        block = page_repo.get_block(conn, _block_id(block_spec, page_spec, page_id))
        if block is None:
            continue
        if block.page_id != page_id:
            owner = page_repo.get_page(conn, block.page_id)
            problems.append(page_spec.problem(("blocks", block_spec.index, "id"), f"block {block.id} belongs to "
                                              f"the page '{owner.slug if owner else block.page_id}'; leave out "
                                              "its id to copy it"))
        elif block.kind != block_spec.kind:
            problems.append(page_spec.problem(("blocks", block_spec.index, "kind"), f"block {block.id} is a "
                                              f"{block.kind} block; a block's kind cannot change (leave out its "
                                              "id to make a new block)"))
    return problems


def _block_id(block_spec: BlockSpec, page_spec: PageSpec, page_id: str | None) -> str:
    return block_spec.id or layout.derived_id(page_id or page_spec.dir, block_spec.file)


def _sync_blocks(conn: Connection, page_spec: PageSpec, page_id: str, summary: ImportSummary) -> None:
    current = {b.id: b for b in page_repo.list_blocks(conn, page_id)}
    wanted = [(_block_id(b, page_spec, page_id), b) for b in page_spec.blocks]
    wanted_ids = {block_id for block_id, _ in wanted}
    for block_id in current:
        if block_id not in wanted_ids:
            page_repo.delete_block(conn, block_id)
            summary.counts[("block", "removed")] += 1
    for position, (block_id, block_spec) in enumerate(wanted):
        block = current.get(block_id)
        if block is None:
            add_block_in(conn, page_id=page_id, kind=block_spec.kind, settings=block_spec.settings,
                         code=block_spec.code, position=position, block_id=block_id, hidden=block_spec.hidden)
            summary.counts[("block", "added")] += 1
        else:
            _update_block(conn, block, block_spec, summary)
    before = {b.id: b.position for b in page_repo.list_blocks(conn, page_id)}
    order = [block_id for block_id, _ in wanted]
    if [before[i] for i in order] != list(range(len(order))):
        page_repo.set_block_positions(conn, order, utc_now())
        summary.counts[("page", "reordered")] += 1


def _update_block(conn: Connection, block: Block, block_spec: BlockSpec, summary: ImportSummary) -> None:
    code = block.code
    unchanged_code = block_spec.source == block.code if block.code is not None else block_spec.code is None
    if not unchanged_code:
        # A forked block whose file went back to the shipped source stays forked, with that source as
        # its newest revision: the history is kept and the block still follows its file.
        code = block_spec.source
        save_block_code_in(conn, block_id=block.id, code=code, author=AUTHOR, message="Imported from files")
        summary.counts[("code revision", "saved")] += 1
    clean = check_block_input(kind=block.kind, code=code, settings=block_spec.settings)
    fields: dict[str, Any] = {}
    if clean != block.settings:
        fields["settings"] = clean
    if block_spec.hidden != block.hidden:
        fields["hidden"] = block_spec.hidden
    if fields:
        page_repo.update_block(conn, block.id, **fields, updated_at=utc_now())
        summary.counts[("block", "changed")] += 1


def _page_fields(page_spec: PageSpec) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": page_spec.title}
    if page_spec.slug is not None:
        fields["slug"] = page_spec.slug
    if page_spec.status is not None:
        fields["status"] = page_spec.status
    fields.update(page_spec.seo or {})
    return fields


def _apply_pages(conn: Connection, spec: FolderSpec, matches: list[_Match], *, prune: bool,
                 summary: ImportSummary) -> None:
    listed = {m.page_id for m in matches}
    for page in page_repo.list_pages(conn):
        if page.id in listed:
            continue
        if prune and page.slug != HOME:
            page_repo.delete_page(conn, page.id)
            summary.counts[("page", "deleted")] += 1
        else:
            summary.kept.append(page.slug)
    # Renames go through a temporary address first, so two pages can swap theirs.
    for match in matches:
        if match.page is not None and match.page.slug != match.spec.slug:
            page_repo.update_page(conn, match.page_id, slug=f"renaming-{match.page_id}")
    for match in matches:
        if match.page is None:
            create_page_in(conn, title=match.spec.title, slug=match.spec.slug, status=match.spec.status or "draft",
                           page_id=match.page_id)
            edit_page_in(conn, page_id=match.page_id, **_page_fields(match.spec))
            summary.counts[("page", "created")] += 1
        elif edit_page_in(conn, page_id=match.page_id, **_page_fields(match.spec)):
            summary.counts[("page", "changed")] += 1
        _sync_blocks(conn, match.spec, match.page_id, summary)


def _is_default(template_spec: PageSpec) -> bool:
    page, blocks = default_template(template_spec.template)
    mine = [(b.kind, b.code, b.hidden, check_block_input(kind=b.kind, code=b.code, settings=b.settings))
            for b in template_spec.blocks]
    return page.title == template_spec.title and mine == [(b.kind, None, False, b.settings) for b in blocks]


def _apply_templates(conn: Connection, spec: FolderSpec, *, prune: bool, summary: ImportSummary) -> None:
    listed = {t.template for t in spec.templates}
    for stored in page_repo.list_templates(conn):
        if stored.template not in listed and prune:
            page_repo.delete_page(conn, stored.id)
            summary.counts[("template", "reset to the default")] += 1
    for template_spec in spec.templates:
        stored = page_repo.get_template_page(conn, template_spec.template)
        if stored is None:
            if _is_default(template_spec):
                continue
            stored = create_page_in(conn, title=template_spec.title, status="published",
                                    slug=f"template-{template_spec.template.replace('_', '-')}",
                                    template=template_spec.template)
            summary.counts[("template", "customised")] += 1
        elif edit_page_in(conn, page_id=stored.id, title=template_spec.title):
            summary.counts[("template", "changed")] += 1
        _sync_blocks(conn, template_spec, stored.id, summary)


def apply_folder(db: Database, spec: FolderSpec, *, prune: bool = False) -> ImportSummary:
    """Store a checked folder in one transaction. Raises FilesError(INVALID) with every problem
    (nothing stored) when the folder has problems or conflicts with the store."""
    _fail(spec.problems)
    summary = ImportSummary(warnings=list(spec.warnings))

    def write(conn: Connection) -> ImportSummary:
        matches = _match_pages(conn, spec)
        _fail(_store_problems(conn, spec, matches, prune=prune))
        try:
            _apply_pages(conn, spec, matches, prune=prune, summary=summary)
            _apply_templates(conn, spec, prune=prune, summary=summary)
            if spec.theme is not None:
                theme = content.get_active_theme(conn)
                css = spec.theme.custom_css if spec.theme.custom_css is not None else theme.custom_css
                summary.theme_changed = replace_theme_in(conn, preset=spec.theme.preset,
                                                         settings=spec.theme.settings, custom_css=css)
            if spec.checkout is not None:
                summary.checkout_changed, problems = apply_checkout(conn, spec.checkout_doc, spec.checkout,
                                                                    summary.warnings)
                _fail(problems)
        except (PageError, ThemeError, RowRefused) as exc:
            # The checks above should have caught it; name it rather than fail with a trace.
            _fail([Problem(".", 1, 1, f"refused while storing: {exc}")])
        return summary

    return db.write(write)


def import_folder(db: Database, folder: Path, *, prune: bool = False) -> ImportSummary:
    """Read, check and store an authoring folder: everything, or nothing and FilesError(INVALID)
    listing every problem as path:line:col. Raises FilesError(NOT_A_FOLDER) for a missing folder."""
    if not folder.is_dir():
        raise FilesError(FilesErrorCode.NOT_A_FOLDER, f"{folder} is not a folder")
    return apply_folder(db, load_folder(folder), prune=prune)
