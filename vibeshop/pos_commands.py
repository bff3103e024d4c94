"""`vibeshop pos simulate|count|upload|feed|pickup`: a reference POS client against a cloud's POS API v1
(docs/pos-api.md, "Reference client"). The code is in vibeshop/pos_client/."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from shared.models.money import MoneyError, minor_digits, to_major

if TYPE_CHECKING:       # httpx and the rest load only when a `pos` command runs, not with every parser
    from vibeshop.pos_client.client import PosClient, Remote
    from vibeshop.pos_client.queue import Queue

FEED = "/orders/feed"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")


def duration(text: str) -> float:
    """Seconds from `30s`, `500ms`, `2m`, `1h` or a plain number of seconds."""
    found = _DURATION.match(text)
    if not found:
        raise argparse.ArgumentTypeError(f"a duration like 30s, 500ms, 2m or 1h, not {text!r}")
    return float(found[1]) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[found[2]]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """`vibeshop pos ...` and its actions."""
    pos = sub.add_parser("pos", help="act as a POS against a cloud (POS API v1): simulate, count, feed, pickup")
    pos_sub = pos.add_subparsers(dest="pos_action", required=True, metavar="ACTION")
    simulate = pos_sub.add_parser("simulate", help="sell stocked SKUs, go offline, upload the backlog late")
    simulate.add_argument("--sales-per-second", type=float, default=1.0, metavar="N")
    simulate.add_argument("--offline-for", type=duration, default=0.0, metavar="DURATION",
                          help="drop the network this long (30s, 2m): sales are queued, then uploaded re-batched")
    simulate.add_argument("--offline-after", type=duration, default=0.0, metavar="DURATION",
                          help="when the network drops (default: at once)")
    simulate.add_argument("--duration", type=duration, default=None, metavar="DURATION",
                          help="how long to sell (default: until Ctrl-C or sold out)")
    simulate.add_argument("--skus", nargs="+", default=[], metavar="SKU", help="sell only these SKUs")
    simulate.add_argument("--seed", type=int, help="the same sales for the same seed")
    simulate.add_argument("-v", "--verbose", action="store_true", help="print every sale")
    count = pos_sub.add_parser("count", help="record a physical count of a SKU at this location")
    count.add_argument("sku", metavar="SKU")
    count.add_argument("quantity", type=int, metavar="QUANTITY")
    upload = pos_sub.add_parser("upload", help="send every change still queued")
    feed = pos_sub.add_parser("feed", help="print the online orders' feed (resumes after the last seq printed)")
    feed.add_argument("--follow", "-f", action="store_true", help="keep polling for new events")
    feed.add_argument("--interval", type=duration, default=2.0, metavar="DURATION",
                      help="between polls with --follow (default 2s)")
    feed.add_argument("--after", type=int, metavar="SEQ", help="start after this seq (0: from the start)")
    feed.add_argument("--json", action="store_true", help="one JSON event a line")
    pickup = pos_sub.add_parser("pickup", help="hand a pickup order over at the counter (ready, then picked up)")
    pickup.add_argument("order", metavar="ORDER", help="the order's number (1001 or #1001) or id")
    for action in (simulate, count, upload, feed, pickup):
        action.add_argument("--remote", default=os.environ.get("VIBESHOP_POS_REMOTE", ""), metavar="URL",
                            help="the store's address, e.g. http://demo.localhost:8080 "
                                 "(default $VIBESHOP_POS_REMOTE)")
        action.add_argument("--token", default=os.environ.get("VIBESHOP_POS_TOKEN", ""),
                            help="the POS device token (`vibeshop cloud pos device add`; default $VIBESHOP_POS_TOKEN)")
        action.add_argument("--host", default=os.environ.get("VIBESHOP_POS_HOST", ""), metavar="HOST",
                            help="the store's host name when --remote is a bare address (default $VIBESHOP_POS_HOST)")
        action.add_argument("--queue", type=Path, default=os.environ.get("VIBESHOP_POS_QUEUE") or None,
                            metavar="FILE", help="the till's queue file (default $VIBESHOP_POS_QUEUE, else one "
                                                 "per device under ~/.local/state/vibeshop)")


def _say(line: str) -> None:
    print(line, flush=True)


def _fail(message: str, code: int = 1) -> int:
    print(f"vibeshop pos: {message}", file=sys.stderr, flush=True)
    return code


def run(args: argparse.Namespace) -> int:
    """Run one `vibeshop pos` action; refusals print the cloud's problem and exit non-zero."""
    from vibeshop.pos_client.client import PosApiError, PosClient, Remote, Unreachable
    from vibeshop.pos_client.queue import Queue, QueueError, device_fingerprint
    from vibeshop.pos_client.simulate import SimulationError

    if not args.remote or not args.token:
        return _fail("give the cloud's address and the device token: --remote URL --token T "
                     "(or VIBESHOP_POS_REMOTE and VIBESHOP_POS_TOKEN)", 2)
    remote = Remote(args.remote, args.token, args.host)
    try:
        client = PosClient(remote)
        queue = Queue(args.queue or _default_queue(remote),
                      device=device_fingerprint(remote.token))
    except (ValueError, QueueError) as exc:
        return _fail(str(exc), 2)
    try:
        return ACTIONS[args.pos_action](client, queue, args)
    except PosApiError as exc:
        where = f" (changes[{exc.index}].{exc.field})" if exc.index is not None and exc.field else ""
        return _fail(f"the cloud refused it: {exc.status} {exc}{where}")
    except Unreachable as exc:
        return _fail(f"cannot reach {remote.url}: {exc}")
    except SimulationError as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:         # `vibeshop pos feed | head`: the reader left; the feed's seq was not moved
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        queue.close()


def _default_queue(remote: Remote) -> Path:
    from vibeshop.pos_client.queue import device_fingerprint

    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "vibeshop" / f"pos-{device_fingerprint(remote.token)}.sqlite"


def _simulate(client: PosClient, queue: Queue, args: argparse.Namespace) -> int:
    from vibeshop.pos_client.simulate import SimulateOptions, run_simulation

    options = SimulateOptions(sales_per_second=args.sales_per_second, offline_for=args.offline_for,
                              offline_after=args.offline_after, duration=args.duration, skus=tuple(args.skus),
                              seed=args.seed, verbose=args.verbose)
    return run_simulation(client, queue, options, _say)


def _count(client: PosClient, queue: Queue, args: argparse.Namespace) -> int:
    from vibeshop.pos_client.queue import now_text

    if args.quantity < 0:
        return _fail("a count is 0 or more units", 2)
    queue.record({"change_id": str(uuid.uuid4()), "type": "count", "sku": args.sku, "quantity": args.quantity,
                  "reason": "correction", "occurred_at": now_text(), "reference": "vibeshop pos count"})
    return asyncio.run(_send_queue(client, queue, show_sku=args.sku))


def _upload(client: PosClient, queue: Queue, args: argparse.Namespace) -> int:
    return asyncio.run(_send_queue(client, queue, show_sku=None))


async def _send_queue(client: PosClient, queue: Queue, *, show_sku: str | None) -> int:
    from vibeshop.pos_client.upload import drain

    try:
        outcomes = await drain(client, queue, report=lambda line: _say(line) if line.startswith("sent ") else _fail(line))
    finally:
        await client.close()
    for outcome in outcomes:
        for line in outcome.stock if show_sku else ():
            if line.get("sku") == show_sku:
                _say(f"{show_sku}: on hand {line['on_hand']}, held {line['held']}, available {line['available']}")
    left = queue.unsent_count()
    if left:
        return _fail(f"no answer from the cloud: {left} changes stay queued in {queue.path}; "
                     "`vibeshop pos upload` sends them")
    if not outcomes:
        _say("nothing queued")
    return 1 if any(outcome.rejected for outcome in outcomes) else 0


def _feed(client: PosClient, queue: Queue, args: argparse.Namespace) -> int:
    return asyncio.run(_read_feed(client, queue, args))


async def _read_feed(client: PosClient, queue: Queue, args: argparse.Namespace) -> int:
    """Print events after the last seq handled, keeping the new seq once they are printed (at-least-once)."""
    after = args.after if args.after is not None else int(queue.get_state("feed_after", "0") or 0)
    try:
        while True:
            page = (await client.get(FEED, params={"after": after, "limit": 100})).body
            for event in page.get("events", []):
                _say(json.dumps(event, separators=(",", ":")) if args.json else feed_line(event))
            after = int(page.get("next_after", after))
            queue.set_state("feed_after", str(after))
            if page.get("has_more"):
                continue
            if not args.follow:
                return 0
            await asyncio.sleep(args.interval)
    finally:
        await client.close()


def feed_line(event: dict) -> str:
    """One feed event as a line: seq, type, order number, delivery, statuses, customer, lines."""
    order = event.get("order") or {}
    total = order.get("total") or {}
    lines = ", ".join(f"{line.get('quantity')} x {line.get('sku') or line.get('title')}" for line in order.get("lines", []))
    flags = [order.get("delivery", ""), f"payment {order.get('payment_status')}",
             f"pickup {order.get('pickup_status')}" if order.get("delivery") == "pickup" else
             f"fulfilment {order.get('fulfillment_status')}"]
    if order.get("status") == "cancelled":
        flags.append("cancelled")
    if order.get("oversold"):
        flags.append("OVERSOLD")
    who = order.get("customer") or {}
    customer = who.get("name") or who.get("email") or ""
    return (f"{event.get('seq'):>6}  {event.get('type', ''):<24} #{order.get('number')}  {', '.join(flags)}  "
            f"{customer}  {lines}  {_amount(total)}").rstrip()


def _amount(total: dict) -> str:
    """Minor units as the currency writes them: {"amount": 2954, "currency": "USD"} -> "29.54 USD"."""
    amount, currency = total.get("amount"), total.get("currency", "")
    try:
        return f"{to_major(int(amount), currency):,.{minor_digits(currency)}f} {currency}"
    except (MoneyError, TypeError, ValueError):
        return f"{amount} {currency}".strip()


def _pickup(client: PosClient, queue: Queue, args: argparse.Namespace) -> int:
    from vibeshop.pos_client.pickup import hand_over

    async def main() -> int:
        try:
            order, done = await hand_over(client, args.order.strip().removeprefix("#"), report=_say)
        finally:
            await client.close()
        if done:
            _say(f"order #{order.get('number')} picked up (version {order.get('version')}, "
                 f"payment {order.get('payment_status')})")
        return 0

    return asyncio.run(main())


ACTIONS = {"simulate": _simulate, "count": _count, "upload": _upload, "feed": _feed, "pickup": _pickup}
