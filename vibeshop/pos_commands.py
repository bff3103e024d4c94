"""`vibeshop pos simulate|count|upload|feed|pickup`: a reference POS client against a cloud's POS API v1
(docs/pos-api.md, "Reference client"). The code is in vibeshop/pos_client/."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import sys
import uuid
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.models.money import MoneyError, minor_digits, to_major

if TYPE_CHECKING:       # httpx and the rest load only when a `pos` command runs, not with every parser
    from vibeshop.pos_client.client import PosClient, Remote
    from vibeshop.pos_client.queue import Queue

FEED = "/orders/feed"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
MAX_UNITS = 1_000_000           # the POS API's limit on a count's quantity (docs/pos-api.md)
MAX_TEXT = 200                  # ... and on a SKU
MAX_SEQ = 2**63 - 1
MAX_RATE = 1000.0               # sales a second: more is a benchmark, not a till (bench/pos_ingest.py)
HOUR = 3600.0


def duration(text: str, *, low: float = 0.0, high: float = 30 * 24 * HOUR) -> float:
    """Seconds from `30s`, `500ms`, `2m`, `1h` or a plain number of seconds, from `low` to `high`."""
    found = _DURATION.match(text)
    if not found:
        raise argparse.ArgumentTypeError(f"a duration like 30s, 500ms, 2m or 1h, not {text!r}")
    seconds = float(found[1]) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[found[2]]
    if not low <= seconds <= high:
        raise argparse.ArgumentTypeError(f"from {_span(low)} to {_span(high)}, not {text!r}")
    return seconds


def _span(seconds: float) -> str:
    return f"{seconds / HOUR:g}h" if seconds >= HOUR else f"{seconds:g}s"


def _between(low: float, high: float) -> Callable[[str], float]:
    """A duration type for argparse between `low` and `high` seconds."""
    def parse(text: str) -> float:
        return duration(text, low=low, high=high)
    parse.__name__ = "duration"
    return parse


def _number(text: str, parse: Callable[[str], float], what: str, fits: Callable[[float], bool], span: str) -> float:
    """`text` read by `parse` and checked by `fits`; argparse's error names `what` or `span` otherwise."""
    try:
        value = parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what}, not {text!r}") from None
    if not fits(value):
        raise argparse.ArgumentTypeError(f"{span}, not {text!r}")
    return value


def rate(text: str) -> float:
    """Sales a second: more than 0, at most MAX_RATE (nan fails every comparison, inf the bound)."""
    return _number(text, float, "a number of sales a second like 5 or 0.5", lambda v: 0 < v <= MAX_RATE,
                   f"more than 0 and at most {MAX_RATE:g} sales a second")


def units(text: str) -> int:
    """A count's quantity: whole units from 0 to the API's MAX_UNITS."""
    return _number(text, int, "a whole number of units", lambda v: 0 <= v <= MAX_UNITS,
                   f"from 0 to {MAX_UNITS:,} units")


def seq(text: str) -> int:
    """A feed seq: 0 (from the start) or a seq printed before."""
    return _number(text, int, "a seq (a whole number, 0 for the start)", lambda v: 0 <= v <= MAX_SEQ,
                   f"a seq from 0 to {MAX_SEQ}")


def sku(text: str) -> str:
    """A SKU as the catalogue has it: 1 to MAX_TEXT characters, no control characters."""
    value = text.strip()
    if not value or len(value) > MAX_TEXT or not value.isprintable():
        raise argparse.ArgumentTypeError(f"a SKU of 1 to {MAX_TEXT} printable characters, not {text!r}")
    return value


def order_ref(text: str) -> str:
    """An order's number (1001 or #1001) or id, without the #."""
    value = text.strip().removeprefix("#").strip()
    if not value or len(value) > MAX_TEXT or not value.isprintable():
        raise argparse.ArgumentTypeError(f"an order's number (1001 or #1001) or id, not {text!r}")
    return value


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """`vibeshop pos ...` and its actions."""
    pos = sub.add_parser(
        "pos", help="act as a POS device against a cloud (POS API v1): simulate, count, upload, feed, pickup",
        description="A reference POS client: it keeps every stock change in a local queue file before "
                    "sending it, so a till killed or offline loses nothing and duplicates nothing. "
                    "Exit status: 0 done, 1 the cloud refused or did not answer (the queue keeps the "
                    "changes), 2 a usage error, 130 interrupted.")
    pos_sub = pos.add_subparsers(dest="pos_action", required=True, metavar="ACTION")
    simulate = pos_sub.add_parser(
        "simulate", help="sell stocked SKUs one unit at a time, go offline, upload the backlog late",
        description="Sell one unit at a time of the SKUs this device's location has in stock, queue every "
                    "sale, and send the queue every 0.25 s in batches of at most 100. Ctrl-C stops the "
                    "selling and sends the queue; a second Ctrl-C leaves it for the next run.")
    simulate.add_argument("--sales-per-second", type=rate, default=1.0, metavar="N",
                          help=f"how fast to sell: sales a second, more than 0 and at most {MAX_RATE:g} "
                               "(0.5: one every 2 s; default 1)")
    simulate.add_argument("--offline-for", type=_between(0, 72 * HOUR), default=0.0, metavar="DURATION",
                          help="drop the network this long, e.g. 30s or 2m (at most 72h): sales are queued, "
                               "then uploaded re-batched (default 0: stay online)")
    simulate.add_argument("--offline-after", type=_between(0, 72 * HOUR), default=0.0, metavar="DURATION",
                          help="how long after the start the network drops, e.g. 10s (default 0: at once)")
    simulate.add_argument("--duration", type=duration, default=None, metavar="DURATION",
                          help="how long to sell, e.g. 2m or 1h (default: until Ctrl-C or sold out)")
    simulate.add_argument("--skus", nargs="+", type=sku, default=[], metavar="SKU",
                          help="sell only these SKUs (default: every SKU in stock at this location)")
    simulate.add_argument("--seed", type=int, metavar="N", help="the same sales for the same seed (default: random)")
    simulate.add_argument("-v", "--verbose", action="store_true", help="print every sale")
    count = pos_sub.add_parser(
        "count", help="record a physical count of a SKU at this device's location",
        description="Record that QUANTITY units of SKU are on the shelf now (a count, reason correction), "
                    "send the queue, and print the SKU's on hand, held and available.")
    count.add_argument("sku", type=sku, metavar="SKU", help="the variant's SKU")
    count.add_argument("quantity", type=units, metavar="QUANTITY",
                       help=f"units counted, from 0 to {MAX_UNITS:,}")
    pos_sub.add_parser("upload", help="send every change still queued (after a run that could not)",
                       description="Send every queued change, oldest first, 100 a batch.")
    feed = pos_sub.add_parser(
        "feed", help="print the online orders' feed, resuming after the last seq printed",
        description="Print the events of this location's online orders, one a line: seq, event, order "
                    "number, delivery and statuses, customer, lines, total. The queue file keeps the "
                    "last seq printed: the next run resumes after it.")
    feed.add_argument("--follow", "-f", action="store_true", help="keep polling for new events (Ctrl-C to stop)")
    feed.add_argument("--interval", type=_between(0.1, 24 * HOUR), default=2.0, metavar="DURATION",
                      help="between polls with --follow, e.g. 500ms or 5s (at least 100ms; default 2s)")
    feed.add_argument("--after", type=seq, metavar="SEQ",
                      help="start after this seq (0: from the start; default: after the last seq printed)")
    feed.add_argument("--json", action="store_true", help="print each event as the API gives it, one JSON a line")
    pickup = pos_sub.add_parser(
        "pickup", help="hand a pickup order over at the counter (ready, then picked up)",
        description="Mark this location's pickup order ready (if it is not yet), then picked up, which "
                    "captures an authorized payment. An order picked up already is left as it is.")
    pickup.add_argument("order", type=order_ref, metavar="ORDER", help="the order's number (1001 or #1001) or id")
    for action in pos_sub.choices.values():
        action.add_argument("--remote", default=os.environ.get("VIBESHOP_POS_REMOTE", ""), metavar="URL",
                            help="the store's address, e.g. http://demo.localhost:8080 "
                                 "(default $VIBESHOP_POS_REMOTE)")
        action.add_argument("--token", default=os.environ.get("VIBESHOP_POS_TOKEN", ""), metavar="TOKEN",
                            help="the POS device token, vs_... (`vibeshop cloud pos device add`; "
                                 "default $VIBESHOP_POS_TOKEN)")
        action.add_argument("--host", default=os.environ.get("VIBESHOP_POS_HOST", ""), metavar="HOST",
                            help="the store's host name when --remote is a bare address, e.g. demo.localhost "
                                 "(default $VIBESHOP_POS_HOST)")
        action.add_argument("--queue", type=Path, default=os.environ.get("VIBESHOP_POS_QUEUE") or None,
                            metavar="FILE", help="the till's queue file (default $VIBESHOP_POS_QUEUE, else one "
                                                 "per device under ~/.local/state/vibeshop)")


def _say(line: str) -> None:
    print(line, flush=True)


def _fail(message: str, code: int = 1) -> int:
    print(f"vibeshop pos: {message}", file=sys.stderr, flush=True)
    return code


SENDERS = {"simulate", "count", "upload"}          # they send the queue: one at a time per file


def run(args: argparse.Namespace) -> int:
    """Run one `vibeshop pos` action; refusals print the cloud's problem and exit non-zero."""
    try:
        return _run(args)
    except KeyboardInterrupt:       # before the action runs (loading, opening the queue): nothing was sent
        return _fail("interrupted", 130)


def _run(args: argparse.Namespace) -> int:
    from vibeshop.pos_client.client import BadAnswer, PosApiError, PosClient, Remote, Unreachable
    from vibeshop.pos_client.queue import Queue, QueueError, QueueUnusable, device_fingerprint
    from vibeshop.pos_client.simulate import SimulationError

    if not args.remote or not args.token:
        return _fail("give the cloud's address and the device token: --remote URL --token T "
                     "(or VIBESHOP_POS_REMOTE and VIBESHOP_POS_TOKEN)", 2)
    remote = Remote(args.remote.strip(), args.token.strip(), args.host.strip())
    try:
        client = PosClient(remote)
    except ValueError as exc:
        return _fail(str(exc), 2)
    try:
        queue = Queue(args.queue or _default_queue(remote), device=device_fingerprint(remote.token),
                      exclusive=args.pos_action in SENDERS)
    except QueueError as exc:
        return _fail(str(exc), 2)
    except QueueUnusable as exc:
        return _fail(str(exc))
    left = (lambda: _still_queued(queue)) if args.pos_action in SENDERS else (lambda: "")
    try:
        return ACTIONS[args.pos_action](client, queue, args)
    except PosApiError as exc:
        where = f" (changes[{exc.index}].{exc.field})" if exc.index is not None and exc.field else ""
        return _fail(f"the cloud refused it: {exc.status} {exc}{where}{left()}")
    except Unreachable as exc:
        return _fail(f"cannot reach {remote.url}: {exc}{left()}")
    except BadAnswer as exc:
        return _fail(f"{remote.url}: {exc}{left()}")
    except SimulationError as exc:
        return _fail(str(exc), exc.status)
    except sqlite3.Error as exc:
        return _fail(f"the queue file {queue.path}: {exc}")
    except QueueUnusable as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail(f"interrupted{left()}", 130)
    except BrokenPipeError:         # `vibeshop pos feed | head`: the reader left; the feed's seq was not moved
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        queue.close()


def _still_queued(queue: Queue) -> str:
    """"; N changes stay queued in FILE ..." when the queue holds unsent changes, else ""."""
    try:
        left = queue.unsent_count()
    except Exception:      # noqa: BLE001 - only adds a hint to a message already being printed
        return ""
    return (f"; {left} changes stay queued in {queue.path} (`vibeshop pos upload` sends them)" if left else "")


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
    if queue.unsent_count():
        why = next((f" ({outcome.reason})" for outcome in outcomes if outcome.reason), "")
        return _fail(f"no answer from the cloud{why}{_still_queued(queue)}")
    if not outcomes:
        _say("nothing queued")
    return 1 if any(outcome.rejected for outcome in outcomes) else 0


def _feed(client: PosClient, queue: Queue, args: argparse.Namespace) -> int:
    return asyncio.run(_read_feed(client, queue, args))


async def _read_feed(client: PosClient, queue: Queue, args: argparse.Namespace) -> int:
    """Print events after the last seq handled, keeping the new seq once they are printed (at-least-once)."""
    from vibeshop.pos_client.answers import FeedPage, read_answer

    kept = queue.get_state("feed_after", "0")
    after = args.after if args.after is not None else int(kept) if kept.isdigit() else 0
    try:
        while True:
            body = (await client.get(FEED, params={"after": after, "limit": 100})).body
            page = read_answer(body, FeedPage, call=f"GET /pos/v1{FEED}")
            for event in body["events"]:
                _say(json.dumps(event, separators=(",", ":")) if args.json else feed_line(event))
            after = page.next_after
            queue.set_state("feed_after", str(after))
            if page.has_more:
                continue
            if not args.follow:
                return 0
            await asyncio.sleep(args.interval)
    finally:
        await client.close()


def feed_line(event: dict) -> str:
    """One feed event as a line: seq, type, order number, delivery, statuses, customer, lines."""
    order = _object(event.get("order"))
    total = _object(order.get("total"))
    lines = ", ".join(f"{line.get('quantity')} x {line.get('sku') or line.get('title')}"
                      for line in _objects(order.get("lines")))
    flags = [order.get("delivery", ""), f"payment {order.get('payment_status')}",
             f"pickup {order.get('pickup_status')}" if order.get("delivery") == "pickup" else
             f"fulfilment {order.get('fulfillment_status')}"]
    if order.get("status") == "cancelled":
        flags.append("cancelled")
    if order.get("oversold"):
        flags.append("OVERSOLD")
    who = _object(order.get("customer"))
    customer = who.get("name") or who.get("email") or ""
    return (f"{event.get('seq'):>6}  {event.get('type', ''):<24} #{order.get('number')}  {', '.join(flags)}  "
            f"{customer}  {lines}  {_amount(total)}").rstrip()


def _object(value: object) -> dict:
    """`value` if it is a JSON object, else {} (a line is printed whatever a newer API adds or drops)."""
    return value if isinstance(value, dict) else {}


def _objects(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


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
            order, done = await hand_over(client, args.order, report=_say)
        finally:
            await client.close()
        if done:
            _say(f"order #{order.get('number')} picked up (version {order.get('version')}, "
                 f"payment {order.get('payment_status')})")
        return 0

    return asyncio.run(main())


ACTIONS = {"simulate": _simulate, "count": _count, "upload": _upload, "feed": _feed, "pickup": _pickup}
