"""The one console script: `vibeshop COMMAND ...`. Parses arguments and calls one function each."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DATA = ".vibeshop-data"


def _data(value: str) -> Path:
    return Path(value).expanduser().resolve()


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

    render = sub.add_parser("render", help="print the HTML of a page, e.g. / or /pages/about")
    render.add_argument("--data", type=_data, default=_data(default_data))
    render.add_argument("--store", help="store slug (needed when the data folder holds several)")
    render.add_argument("--preview", action="store_true", help="as the studio shows it: drafts, error boxes")
    render.add_argument("--drafts", action="store_true", help="also render unpublished pages")
    render.add_argument("path")

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "block":
        from vibeshop.block_commands import check_files, render_files

        if args.block_command == "check":
            return check_files(args.files)
        return render_files(args.files, args.ctx)

    from vibeshop import store_commands

    if args.command == "demo":
        return store_commands.demo_command(args.data, serve=not args.no_serve, host=args.host, port=args.port,
                                           studio=not args.no_studio)
    if args.command == "render":
        return store_commands.render_command(args.data, args.store, args.path, preview=args.preview,
                                             drafts=args.drafts)
    if args.command == "cloud":
        return store_commands.serve_command(args.data, host=args.host, port=args.port, base_domain=args.base_domain)
    return 2


if __name__ == "__main__":
    sys.exit(main())
