"""`vibeshop link | sync | conflicts | publish | releases`: a data folder working with its cloud store
(docs/sync-protocol.md). The remote and the device token are remembered from `link`. `sync` also
pulls the catalogue feed (section 5.3.1), as the studio does live."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, open_store


def add_sync_parsers(sub: argparse._SubParsersAction, data_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """The sync commands' parsers."""
    link = sub.add_parser("link", help="link this data folder to a cloud store with a pairing code")
    data_arg(link)
    link.add_argument("--remote", required=True, help="the cloud's address, e.g. https://vibeshop.example")
    link.add_argument("--code", required=True, help="from `vibeshop cloud device add`")
    link.add_argument("--name", help="this device's name (default: the computer's name)")
    for name, text in (("sync", "push local edits, pull everyone else's, and refresh the catalogue and stock"),
                       ("conflicts", "list unresolved conflicts, one per line; settle one with --keep"),
                       ("publish", "make the store's current content live (or --rollback to a release)"),
                       ("releases", "list releases, newest first")):
        command = sub.add_parser(name, help=text)
        data_arg(command)
        command.add_argument("--store", help="store slug (needed when the data folder holds several)")
        if name == "publish":
            action = command.add_mutually_exclusive_group()
            action.add_argument("--rollback", type=int, metavar="RELEASE", help="make this release live again")
            action.add_argument("--preview", action="store_true",
                                help="sync, then list what publishing would change, and publish nothing")
            command.add_argument("--note", default="", help="what this release is about")
        if name == "conflicts":
            command.add_argument("--keep", nargs=2, metavar=("CONFLICT", "current|theirs"),
                                 help="settle a conflict: keep the current version or theirs")


def run_sync_command(args: argparse.Namespace) -> int:
    """Run link / sync / conflicts / publish / releases; the exit status."""
    from shared.sync.client import RemoteError, Syncer, link

    try:
        if args.command == "link":
            store = link(DataDir(args.data), remote=args.remote, code=args.code, device_name=args.name)
            print(f"Linked {store.record.slug} ({store.record.name}) from {args.remote}")
            store.close()
            return 0
        store = open_store(DataDir(args.data), args.store)
    except (StoreError, RemoteError) as exc:
        print(f"vibeshop {args.command}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "conflicts" and not args.keep:
            return _list_conflicts(store)
        syncer = Syncer(store)
        try:
            return _remote_command(args, syncer)
        finally:
            syncer.close()
    except RemoteError as exc:
        print(f"vibeshop {args.command}: {exc}", file=sys.stderr)
        return 1 if exc.code in ("offline", "unsynced", "conflicts") else 2
    finally:
        store.close()


def _refresh_catalogue(syncer):
    """Pull the catalogue feed (products, prices, stock and low-stock thresholds, which the POS and the
    cloud own) into this data folder: the path the studio takes (shared/sync/catalog_refresh.py), so
    a low-stock crossing is announced once per data folder, here or in the studio."""
    from shared.sync import catalog_refresh

    return catalog_refresh.pull_catalog(syncer.db, remote=syncer.remote, token=syncer.token, client=syncer.client)


def _list_conflicts(store) -> int:
    from shared.sync import device

    for conflict in device.open_conflicts(store.db):
        print(f"{conflict.id}\t{conflict.table}.{conflict.field}\t{conflict.label}\t"
              f"the other version came from {conflict.source}")
    return 0


def _remote_command(args: argparse.Namespace, syncer) -> int:
    if args.command == "sync":
        report = syncer.sync()
        catalogue = _refresh_catalogue(syncer)
        done = f"Pushed {report.pushed}, pulled {report.pulled}, refreshed {catalogue.rows} catalogue row(s)"
        print(f"{done}; {report.conflicts} conflict(s) to review" if report.conflicts else f"{done}; up to date")
        for low in catalogue.low_stock:
            print(f"{low.title}: {low.text}")
        for refusal in report.refused:
            print(f"Refused: {refusal.line()}")
        if report.refused:
            print(f"{len(report.refused)} edit(s) refused: fix them and sync again", file=sys.stderr)
        return 1 if report.refused else 0
    if args.command == "conflicts":
        conflict_id, keep = args.keep
        if keep not in ("current", "theirs"):
            print("vibeshop conflicts: --keep takes a conflict id and 'current' or 'theirs'", file=sys.stderr)
            return 2
        syncer.resolve(conflict_id, keep)
        print(f"Kept the {keep} version")
        return 0
    if args.command == "publish" and args.preview:
        return _print_preview(syncer)
    if args.command == "publish":
        release = syncer.rollback(args.rollback) if args.rollback else syncer.publish(args.note)
        print(f"Release {release['number']} is live" + (f" (restores release {args.rollback})" if args.rollback else ""))
        return 0
    listing = syncer.releases()
    for release in listing["releases"]:
        live = "  live" if release["number"] == listing.get("live") else ""
        print(f"{release['number']}\t{release['created_at'][:19]}\t{release.get('note', '')}\t"
              f"{release.get('summary_text', '')}{live}")
    return 0


def _print_preview(syncer) -> int:
    from shared.releases.describe import change_lines
    from shared.sync import device

    preview = syncer.publish_preview()
    lines = change_lines(preview["summary"])
    live = preview.get("live")
    print(f"Live now: release {live}" if live else "No release yet")
    for line in lines:
        print(f"  {line.text}")
    if not lines:
        print("Publishing now would change nothing for shoppers.")
    for line in device.has_unsynced(syncer.db):
        print(f"Not in the cloud yet: {line}")
    if preview.get("conflicts"):
        print(f"{preview['conflicts']} conflict(s) to settle before publishing: `vibeshop conflicts`")
    return 0


def data_argument(parser: argparse.ArgumentParser, default: Path) -> None:
    """--data DIR with the default folder."""
    parser.add_argument("--data", type=lambda v: Path(v).expanduser().resolve(), default=default,
                        help="data folder (default %(default)s)")
