"""A release summary (`snapshot.summarize`) in a merchant's words: one line per added, changed or
removed row, for the studio's Publish view and `vibeshop publish --preview`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.sync.tables import NOUNS, ORDER

VERBS = ("added", "changed", "removed")
# Bookkeeping columns every edit moves: naming them would say nothing.
_QUIET_FIELDS = {"created_at", "updated_at"}
_WORDS = {"seo": "SEO", "html": "", "css": "CSS", "id": "", "url": "URL"}


@dataclass(frozen=True)
class ChangeLine:
    """One row a publish adds, changes or removes."""

    verb: str               # "added" | "changed" | "removed"
    table: str
    key: str
    title: str
    fields: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The line as a merchant reads it, e.g. 'Page “About us” changed: title, SEO title'."""
        noun = NOUNS.get(self.table, self.table)
        name = f" “{self.title}”" if self.title else ""
        shown = [field_label(f) for f in self.fields if f not in _QUIET_FIELDS]
        return f"{noun}{name} {self.verb}" + (f": {', '.join(shown)}" if shown else "")


def field_label(name: str) -> str:
    """A column name in words: seo_title -> 'SEO title', body_html -> 'body'."""
    words = [_WORDS.get(word, word) for word in name.split("_")]
    return " ".join(word for word in words if word) or name


def change_lines(summary: Mapping[str, Any]) -> list[ChangeLine]:
    """Every change of a summary, table by table (parents first) and added, changed, removed."""
    lines: list[ChangeLine] = []
    tables = summary.get("tables") or {}
    for spec in ORDER:
        entry = tables.get(spec.name) or {}
        for verb in VERBS:
            for row in entry.get(verb) or ():
                lines.append(ChangeLine(verb, spec.name, str(row.get("key", "")), str(row.get("title") or ""),
                                        tuple(row.get("fields") or ())))
    return lines
