"""The one console script: `vibeshop COMMAND ...`. Parses arguments and calls one function each."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DATA = ".vibeshop-data"
SYNC_COMMANDS = ("link", "sync", "conflicts", "publish", "releases")


def _data(value: str) -> Path:
    return Path(value).expanduser().resolve()


def _server_options(command: argparse.ArgumentParser) -> None:
    """--db-server/--db-admin on every cloud-side command (docs/data.md, "On a libSQL server")."""
    command.add_argument("--db-server", metavar="http://HOST:PORT",
                         help="keep the databases on this libSQL server (sqld, namespaces on; default "
                              "$VIBESHOP_DB_SERVER, else what the data folder records)")
    command.add_argument("--db-admin", metavar="http://HOST:PORT",
                         help="that server's admin API (default $VIBESHOP_DB_ADMIN)")


def build_parser() -> argparse.ArgumentParser:
    """Every command and option."""
    parser = argparse.ArgumentParser(prog="vibeshop", description="Vibeshop: your store, offline and online.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    default_data = os.environ.get("VIBESHOP_DATA", DEFAULT_DATA)

    demo = sub.add_parser("demo", help="seed the demo store, serve it on http://demo.localhost:PORT/")
    demo.add_argument("--data", type=_data, default=_data(default_data), help="data folder (default %(default)s)")
    demo.add_argument("--no-serve", action="store_true", help="only seed the demo store")
    demo.add_argument("--no-studio", action="store_true", help="do not open the studio")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    _server_options(demo)

    render = sub.add_parser("render", help="print the HTML of a storefront address, e.g. /, /pages/about or /products/HANDLE")
    render.add_argument("--data", type=_data, default=_data(default_data))
    render.add_argument("--store", help="store slug (needed when the data folder holds several)")
    render.add_argument("--preview", action="store_true", help="as the studio shows it: drafts, error boxes")
    render.add_argument("--drafts", action="store_true", help="also render unpublished pages")
    render.add_argument("path")

    studio = sub.add_parser("studio", help="open the desktop studio on the stores in --data")
    studio.add_argument("--data", type=_data, default=_data(default_data), help="data folder (default %(default)s)")
    studio.add_argument("--store", help="store slug to open (default: the only or first store)")
    studio.add_argument("--screenshot", type=Path, metavar="FILE.png",
                        help="open the main window on the home page, save a PNG of it and exit")
    studio.add_argument("--section", metavar="NAME",
                        help="open on a section: pages, theme, posts, media, products, checkout, or a Checkout "
                             "page as checkout/taxes, checkout/shipping, checkout/pickup, checkout/discounts, "
                             "checkout/payments")

    files = sub.add_parser("files", help="a store's blocks, theme and pages as plain files: export, import")
    files_sub = files.add_subparsers(dest="files_command", required=True, metavar="ACTION")
    fexport = files_sub.add_parser("export", help="write the store's blocks, theme and pages into FOLDER")
    fimport = files_sub.add_parser("import", help="check FOLDER and store it all, or print FILE:LINE:COL problems "
                                                  "and store nothing")
    for action in (fexport, fimport):
        action.add_argument("--data", type=_data, default=_data(default_data))
        action.add_argument("--store", help="store slug (needed when the data folder holds several)")
        action.add_argument("folder", type=Path, metavar="FOLDER")
    fimport.add_argument("--prune", action="store_true", help="delete store pages that the folder does not have")

    dev = sub.add_parser("dev", help="watch a files folder, import each change, serve a live-reloading preview")
    dev.add_argument("--data", type=_data, default=_data(default_data))
    dev.add_argument("--store", help="store slug (needed when the data folder holds several)")
    dev.add_argument("--dir", type=Path, required=True, metavar="FOLDER", help="the files folder (exported first "
                                                                             "when empty)")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8282, help="0 picks a free port (default %(default)s)")
    dev.add_argument("--prune", action="store_true", help="delete store pages that the folder does not have")

    from vibeshop.sync_commands import add_sync_parsers, data_argument

    add_sync_parsers(sub, lambda command: data_argument(command, _data(default_data)))
    from vibeshop.pos_commands import add_parsers as add_pos_parsers

    add_pos_parsers(sub)

    block = sub.add_parser("block", help="check or render vibe block files")
    block_sub = block.add_subparsers(dest="block_command", required=True, metavar="ACTION")
    check = block_sub.add_parser("check", help="validate block files: FILE:LINE:COL: message")
    check.add_argument("files", nargs="+", metavar="FILE")
    brender = block_sub.add_parser("render", help="render block files as one page, in order")
    brender.add_argument("files", nargs="+", metavar="FILE")
    brender.add_argument("--ctx", metavar="CTX.json", help="JSON with storefront, products, settings...")

    cloud = sub.add_parser("cloud", help="the cloud storefront service")
    cloud_sub = cloud.add_subparsers(dest="cloud_command", required=True, metavar="ACTION")
    serve = cloud_sub.add_parser("serve", help="serve every store under --data")
    serve.add_argument("--data", type=_data, default=_data(default_data))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--base-domain", default="localhost")
    serve.add_argument("--workers", type=int, default=1, help="worker processes sharing the port (default 1)")
    from vibeshop import commerce_commands

    commerce_commands.add_serve_options(serve)

    store = cloud_sub.add_parser("store", help="create, list, open/close/suspend or delete stores")
    store_sub = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    create = store_sub.add_parser("create", help="create a store")
    create.add_argument("--data", type=_data, default=_data(default_data))
    create.add_argument("--slug", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--currency", default="USD")
    create.add_argument("--locale", default="en-US")
    create.add_argument("--theme", default="harbor", help="starter theme: harbor, market or noir")
    listing = store_sub.add_parser("list", help="every store: slug, status, name")
    listing.add_argument("--data", type=_data, default=_data(default_data))
    status = store_sub.add_parser("status", help="set a store's status")
    status.add_argument("--data", type=_data, default=_data(default_data))
    status.add_argument("--store", required=True)
    status.add_argument("status", choices=["active", "inactive", "suspended"])
    delete = store_sub.add_parser("delete", help="delete a store and its data")
    delete.add_argument("--data", type=_data, default=_data(default_data))
    delete.add_argument("--store", required=True)
    delete.add_argument("--yes", action="store_true", help="really delete")

    domain = cloud_sub.add_parser("domain", help="custom domains: add, verify (DNS TXT), remove, list")
    domain.add_argument("action", choices=["add", "verify", "remove", "list"])
    domain.add_argument("hostname", nargs="?")
    domain.add_argument("--data", type=_data, default=_data(default_data))
    domain.add_argument("--store", required=True)
    domain.add_argument("--base-domain", default="localhost")

    device = cloud_sub.add_parser("device", help="pair a device (a studio) with a store")
    device_sub = device.add_subparsers(dest="device_command", required=True, metavar="ACTION")
    dadd = device_sub.add_parser("add", help="print a one-time pairing code (on the last line)")
    dadd.add_argument("--data", type=_data, default=_data(default_data))
    dadd.add_argument("--store", required=True)

    token = cloud_sub.add_parser("token", help="API tokens for the admin API")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    tcreate = token_sub.add_parser("create", help="make a token (printed once, on the last line)")
    tcreate.add_argument("--data", type=_data, default=_data(default_data))
    tcreate.add_argument("--store", required=True)
    tcreate.add_argument("--name", default="api")
    tcreate.add_argument("--scope", action="append", required=True, dest="scopes",
                         help="repeat for several: store:read store:write content:write media:write sync pos "
                              "orders:read")
    trevoke = token_sub.add_parser("revoke", help="revoke a token")
    trevoke.add_argument("--data", type=_data, default=_data(default_data))
    trevoke.add_argument("token_id")
    pos = cloud_sub.add_parser("pos", help="POS devices: tokens for one store and one location (POS API v1)")
    pos_sub = pos.add_subparsers(dest="pos_command", required=True, metavar="WHAT")
    pos_device = pos_sub.add_parser("device", help="add, list or revoke a POS device's token")
    pos_device_sub = pos_device.add_subparsers(dest="pos_device_command", required=True, metavar="ACTION")
    padd = pos_device_sub.add_parser("add", help="make a POS device token (printed once, on the last line)")
    padd.add_argument("--data", type=_data, default=_data(default_data))
    padd.add_argument("--store", required=True, help="the store's slug, e.g. demo")
    padd.add_argument("--location", required=True, help="the location's name or id (the device sells from its stock)")
    padd.add_argument("--name", default="pos", help="a name to tell devices apart, 1 to 100 characters (default pos)")
    plist = pos_device_sub.add_parser("list", help="a store's POS devices, revoked ones too: id, name, location, "
                                                   "created, last used, state (tab-separated)")
    plist.add_argument("--data", type=_data, default=_data(default_data))
    plist.add_argument("--store", required=True, help="the store's slug, e.g. demo")
    prevoke = pos_device_sub.add_parser("revoke", help="revoke a POS device token (its next request gets 401)")
    prevoke.add_argument("--data", type=_data, default=_data(default_data))
    prevoke.add_argument("token_id", metavar="DEVICE", help="the device's id (`list` shows it) or its whole token")
    commerce = commerce_commands.add_parsers(
        cloud_sub, lambda command: command.add_argument("--data", type=_data, default=_data(default_data)))
    for command in (serve, create, listing, status, delete, domain, dadd, tcreate, trevoke, padd, plist, prevoke,
                    *commerce):
        _server_options(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "block":
        from vibeshop.block_commands import check_files, render_files

        if args.block_command == "check":
            return check_files(args.files)
        return render_files(args.files, args.ctx)

    if args.command == "files":
        from vibeshop import files_commands

        if args.files_command == "export":
            return files_commands.export_command(args.data, args.folder, args.store)
        return files_commands.import_command(args.data, args.folder, args.store, prune=args.prune)
    if args.command == "pos":
        from vibeshop.pos_commands import run as run_pos

        return run_pos(args)
    if args.command == "dev":
        from vibeshop.dev_server import dev_command

        return dev_command(args.data, args.dir, args.store, host=args.host, port=args.port, prune=args.prune)

    from vibeshop import store_commands

    if args.command in ("demo", "cloud"):
        failed = _use_server(args)
        if failed:
            return failed
    if args.command == "demo":
        return store_commands.demo_command(args.data, serve=not args.no_serve, host=args.host, port=args.port,
                                           studio=not args.no_studio)
    if args.command == "render":
        return store_commands.render_command(args.data, args.store, args.path, preview=args.preview,
                                             drafts=args.drafts)
    if args.command == "cloud":
        return _cloud(args)
    if args.command in SYNC_COMMANDS:
        from vibeshop.sync_commands import run_sync_command

        return run_sync_command(args)
    if args.command == "studio":
        from studio.app import run_studio

        return run_studio(args.data, store_slug=args.store, screenshot=args.screenshot, section=args.section)
    return 2


def _use_server(args: argparse.Namespace) -> int:
    """Settle where a cloud-side command's databases live, recorded in the data folder so that every
    later command and worker finds them (0), or say why not (2)."""
    from shared.db.server import ServerConfigError
    from shared.storefront.service import DataDir

    try:
        DataDir.for_cloud(args.data, db_server=args.db_server, db_admin=args.db_admin)
    except ServerConfigError as exc:
        print(f"vibeshop: {exc}", file=sys.stderr)
        return 2
    return 0


def _cloud(args: argparse.Namespace) -> int:
    from vibeshop import cloud_commands as cc
    from vibeshop import store_commands

    if args.cloud_command == "serve":
        from vibeshop.commerce_commands import serve_options

        options = serve_options(args)
        if options is None:
            return 2
        return store_commands.serve_command(args.data, host=args.host, port=args.port, base_domain=args.base_domain,
                                            workers=args.workers, options=options)
    if args.cloud_command in ("stripe", "orders"):
        from vibeshop import commerce_commands

        return commerce_commands.run(args)
    if args.cloud_command == "store":
        if args.store_command == "create":
            return cc.store_create(args.data, slug=args.slug, name=args.name, currency=args.currency,
                                   locale=args.locale, theme=args.theme)
        if args.store_command == "list":
            return cc.store_list(args.data)
        if args.store_command == "status":
            return cc.store_status(args.data, slug=args.store, status=args.status)
        return cc.store_delete(args.data, slug=args.store, confirmed=args.yes)
    if args.cloud_command == "domain":
        return cc.domain_command(args.data, slug=args.store, action=args.action, hostname=args.hostname,
                                 base_domain=args.base_domain)
    if args.cloud_command == "device":
        return cc.device_add(args.data, slug=args.store)
    if args.cloud_command == "pos":
        if args.pos_device_command == "add":
            return cc.pos_device_add(args.data, slug=args.store, location=args.location, name=args.name)
        if args.pos_device_command == "list":
            return cc.pos_device_list(args.data, slug=args.store)
        return cc.pos_device_revoke(args.data, device_id=args.token_id)
    if args.token_command == "create":
        return cc.token_create(args.data, slug=args.store, name=args.name, scopes=args.scopes)
    return cc.token_revoke(args.data, token_id=args.token_id)


if __name__ == "__main__":
    sys.exit(main())
