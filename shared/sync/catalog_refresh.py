"""Refreshing a linked device's catalogue (docs/sync-protocol.md section 5.3.1; low stock in
docs/products.md). The catalogue (products, options, variants, collections, locations, stock, low-stock
thresholds) belongs to the POS and the cloud; a device holds it read-only. The cloud logs which rows
changed (migration 0031), and a device pulls the rows changed after its cursor and writes them as
they are: no merge, no clocks, the cloud's row wins.

Cloud: `catalog_page` reads one page. Each page also carries, in `parents`, the current rows of the
parents its rows need whose own entries come later (one entry per row: a product edited after its new
variant was logged has moved past the variant), so a device can write every page on its own.

Device: `apply_page` writes a page and its cursor in one transaction, then looks at the stock it
changed against the variants' thresholds: a (variant, location) pair whose on hand falls to the
threshold or below is announced once, and again only after it has been above it. `pull_catalog` and
`set_threshold` are the HTTP calls (no Qt: the studio runs them on a worker thread)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.db import Connection, Database, DatabaseError
from shared.db.repositories import catalog_changes as repo
from shared.db.stamps import utc_now
from shared.sync.client import RemoteError, call_json
from shared.sync.errors import SyncError

log = logging.getLogger(__name__)
PAGE_DEFAULT, PAGE_MAX = 500, 1_000
MAX_THRESHOLD = 1_000_000


@dataclass(frozen=True)
class LowStock:
    """One crossing to announce: a variant at a location fell to its threshold or below."""

    variant_id: str
    location_id: str
    product: str
    variant: str
    location: str
    on_hand: int
    threshold: int

    @property
    def title(self) -> str:
        """The notification's title line."""
        return "Low stock"

    @property
    def text(self) -> str:
        """'Harbor Classic Tee / M — 2 left at Pine Street shop'."""
        name = self.product if self.variant in ("", "Default", "Default Title") else f"{self.product} / {self.variant}"
        return f"{name} — {self.on_hand} left at {self.location}"


@dataclass
class RefreshResult:
    """What pulling the catalogue changed on this device."""

    rows: int = 0
    cursor: int = 0
    variants: set[str] = field(default_factory=set)      # variants whose row, stock or threshold changed
    low_stock: list[LowStock] = field(default_factory=list)


# --- the cloud -----------------------------------------------------------------------------------

def catalog_page(conn: Connection, after: int, limit: int) -> dict[str, Any]:
    """The page of changes after `after`: {"changes", "parents", "cursor", "more"}. A cursor past the
    log's end (another store's, or a store rebuilt) raises SyncError("cursor", latest=N). The rows are
    read a table at a time (`_PageRows`), a handful of statements for a page of 1,000."""
    latest = repo.latest_seq(conn)
    if after > latest:
        raise SyncError("cursor", f"The catalogue cursor {after} is past this store's newest change {latest}; "
                                  "pull again from 0", latest=latest)
    entries = repo.changes_after(conn, after, limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    # A table a newer migration logs that this code does not know is left out.
    known = [(seq, table, repo.decode_key(table, key_text)) for seq, table, key_text in entries
             if table in repo.CATALOG_TABLES]
    rows = _PageRows.read(conn, [(table, key) for _seq, table, key in known])
    changes, needed = [], {}
    for seq, table, key in known:
        row = rows.row(table, key)
        changes.append({"seq": seq, "table": table, "key": _key_json(key), "row": row})
        if row is not None:
            _later_parents(rows, table, row, seq, needed)
    parents = [{"table": t, "key": _key_json(k), "row": row} for (t, k), row in
               sorted(needed.items(), key=lambda item: list(repo.CATALOG_TABLES).index(item[0][0]))]
    cursor = entries[-1][0] if entries else after
    return {"changes": changes, "parents": parents, "cursor": cursor, "more": more}


@dataclass
class _PageRows:
    """The rows of a page's entries, every parent they may need (and theirs), and those parents' log
    positions: read per table with `IN (...)` rather than one statement per row, so a page of 1,000
    changes costs a few statements per table instead of up to 3,000."""

    rows: dict[tuple[str, tuple[Any, ...]], dict[str, Any]] = field(default_factory=dict)
    seqs: dict[tuple[str, tuple[Any, ...]], int] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: Connection, wanted: Iterable[tuple[str, tuple[Any, ...]]]) -> _PageRows:
        """Read the wanted rows, then level by level the parents their rows name, with the parents'
        log positions (a row can be both: a change of the page and another change's parent)."""
        found, read_rows, read_seqs = cls(), set(), set()
        level = [(table, key, False) for table, key in wanted]
        while level:
            rows_wanted: dict[str, list[tuple[Any, ...]]] = {}
            seqs_wanted: dict[str, list[tuple[Any, ...]]] = {}
            for table, key, as_parent in level:
                if (table, key) not in read_rows:
                    read_rows.add((table, key))
                    rows_wanted.setdefault(table, []).append(key)
                if as_parent and (table, key) not in read_seqs:
                    read_seqs.add((table, key))
                    seqs_wanted.setdefault(table, []).append(key)
            for table, keys in seqs_wanted.items():
                found.seqs.update(((table, key), seq) for key, seq in repo.entry_seqs(conn, table, keys).items())
            level = []
            for table, keys in rows_wanted.items():
                rows = repo.read_rows(conn, table, keys)
                found.rows.update(((table, key), row) for key, row in rows.items())
                level += [(parent, (row[column],), True) for row in rows.values()
                          for column, parent in repo.PARENTS.get(table, ()) if row.get(column) is not None]
        return found

    def row(self, table: str, key: tuple[Any, ...]) -> dict[str, Any] | None:
        """The row as read, or None when it does not exist."""
        return self.rows.get((table, key))

    def seq(self, table: str, key: tuple[Any, ...]) -> int | None:
        """A parent's log position, or None when it has no entry."""
        return self.seqs.get((table, key))


def _key_json(key: tuple[str, ...]) -> Any:
    return key[0] if len(key) == 1 else list(key)


def _later_parents(rows: _PageRows, table: str, row: Mapping[str, Any], seq: int,
                   needed: dict[tuple[str, tuple[str, ...]], dict[str, Any]]) -> None:
    """Add to `needed` the parents (and theirs) of a row whose entries come after `seq`."""
    for column, parent in repo.PARENTS.get(table, ()):
        key = (row.get(column),)
        if key[0] is None or (parent, key) in needed:
            continue
        parent_seq = rows.seq(parent, key)
        if parent_seq is not None and parent_seq <= seq:
            continue
        parent_row = rows.row(parent, key)
        if parent_row is not None:
            needed[(parent, key)] = parent_row
            _later_parents(rows, parent, parent_row, seq, needed)


def set_threshold_in_cloud(db: Database, variant_id: Any, threshold: Any) -> dict[str, Any]:
    """Set (or with None remove) a variant's low-stock threshold in the live database; the change log
    carries it to every device. Raises SyncError "invalid" or "not_found"."""
    if not isinstance(variant_id, str) or not variant_id or len(variant_id) > 200:
        raise SyncError("invalid", "variant_id must be a variant's id")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int)
                                  or not 0 <= threshold <= MAX_THRESHOLD):
        raise SyncError("invalid", f"threshold must be a whole number from 0 to {MAX_THRESHOLD:,}, or null")

    def write(conn: Connection) -> dict[str, Any]:
        if not repo.variant_exists(conn, variant_id):
            raise SyncError("not_found", "No such variant in this store")
        repo.set_threshold(conn, variant_id, threshold, now=utc_now())
        return {"variant_id": variant_id, "threshold": threshold,
                "row": repo.read_row(conn, "stock_alerts", (variant_id,)), "cursor": repo.latest_seq(conn)}

    return db.write(write)


# --- a device ------------------------------------------------------------------------------------

def apply_page(db: Database, page: Mapping[str, Any], *, store_cursor: bool = True) -> RefreshResult:
    """Write a pulled page (parents first, then the changes in order) and its cursor in one
    transaction, and find the low stock it crossed into."""
    def write(conn: Connection) -> RefreshResult:
        result = RefreshResult(cursor=int(page.get("cursor") or 0))
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for item in [*page.get("parents", ()), *page.get("changes", ())]:
            table = item.get("table")
            if table not in repo.CATALOG_TABLES:
                continue
            key = _key_tuple(table, item.get("key"))
            if not _write_one(conn, table, key, item.get("row")):
                continue
            result.rows += 1
            result.variants.update(_variants_of(conn, table, key))
        if store_cursor:
            repo.set_cursor(conn, result.cursor)
        result.low_stock = crossings(conn, result.variants)
        return result

    return db.write(write)


def _write_one(conn: Connection, table: str, key: tuple[str, ...], row: Any) -> bool:
    """Write or delete one pulled row. A row this schema refuses (a constraint of an older or newer
    schema) is logged and skipped rather than stopping every later change behind it; its next change
    brings it again."""
    try:
        with conn.savepoint("catalog_row"):
            if isinstance(row, dict):
                repo.write_row(conn, table, row)
            else:
                repo.delete_row(conn, table, key)
    except (DatabaseError, ValueError) as exc:
        log.warning("catalogue row %s %s not stored: %s", table, key, exc)
        return False
    return True


def _key_tuple(table: str, key: Any) -> tuple[str, ...]:
    key = tuple(key) if isinstance(key, list) else (key,)
    if len(key) != len(repo.CATALOG_TABLES[table]) or not all(isinstance(k, str) for k in key):
        raise SyncError("invalid", f"a {table} change with a malformed key")
    return key


def _variants_of(conn: Connection, table: str, key: tuple[str, ...]) -> list[str]:
    if table in ("variants", "location_stock", "stock_alerts"):
        return [key[0]]
    return []


def crossings(conn: Connection, variant_ids: Iterable[str]) -> list[LowStock]:
    """Announce each (variant, location) of these variants that is at or below its threshold and was
    not yet announced; forget the announcement of those above it again (or without a threshold)."""
    found: list[LowStock] = []
    for variant_id, location_id, on_hand, threshold, announced in repo.watched_stock(conn, variant_ids):
        low = threshold is not None and on_hand <= threshold
        if low and not announced:
            repo.mark_announced(conn, variant_id, location_id, on_hand)
            names = repo.low_stock_names(conn, variant_id, location_id)
            if names is not None:
                found.append(LowStock(variant_id, location_id, *names, on_hand, threshold))
        elif not low and announced:
            repo.clear_announced(conn, variant_id, location_id)
    return found


def catalog_cursor(db: Database) -> int:
    """This device's catalogue cursor."""
    return db.read(repo.get_cursor)


def pull_catalog(db: Database, *, remote: str, token: str, client: httpx.Client,
                 limit: int = PAGE_DEFAULT) -> RefreshResult:
    """Pull and apply every catalogue change after this device's cursor, page by page. A cursor the
    cloud does not know (409 "cursor") starts again from 0, which brings the whole catalogue."""
    total = RefreshResult(cursor=catalog_cursor(db))
    while True:
        try:
            page = call_json(client, "GET", f"{remote}/_sync/catalog", token=token,
                             params={"after": total.cursor, "limit": limit})
        except RemoteError as exc:
            if exc.code != "cursor" or total.cursor == 0:
                raise
            total.cursor = 0
            continue
        if not (isinstance(page.get("cursor"), int) and all(isinstance(page.get(k, []), list)
                                                             for k in ("parents", "changes"))):
            raise RemoteError("bad_answer", "The cloud's catalogue answer was not in the expected form", 200)
        result = apply_page(db, page)
        total.rows += result.rows
        total.cursor = result.cursor
        total.variants |= result.variants
        total.low_stock += result.low_stock
        if not page.get("more"):
            return total


def set_threshold(db: Database, *, remote: str, token: str, client: httpx.Client, variant_id: str,
                  threshold: int | None) -> RefreshResult:
    """Set a variant's threshold in the cloud, then write the cloud's answer here at once (the pulled
    change will bring the same row again)."""
    answer = call_json(client, "PUT", f"{remote}/_sync/catalog/alerts", token=token,
                       body={"variant_id": variant_id, "threshold": threshold})
    row_is_there = isinstance(answer.get("row"), dict)
    if answer.get("variant_id") != variant_id or "row" not in answer or (threshold is not None) != row_is_there:
        # a web page or another shape: writing its missing row would delete the threshold here
        raise RemoteError("bad_answer", "The cloud's answer about the alert was not in the expected form", 200)
    page = {"changes": [{"table": "stock_alerts", "key": variant_id, "row": answer.get("row")}],
            "cursor": 0}
    return apply_page(db, page, store_cursor=False)
