"""Rendering contexts in worker processes: the one limit V8 cannot get around is SIGKILL.

Why a process per context (measured with mini-racer 0.14.1, V8 14.4; tests/vibe/test_hostile_blocks.py
keeps each case): one line of block code can
- abort the whole process: `const a = []; a[2 ** 32 - 2] = 1; a.fill(0)` ("invalid table size"),
  `s.split("")` on a 2**28-character string ("invalid size error"), `s.toUpperCase()` on a 1 GB
  string (V8's own heap limit). V8 treats these as fatal; the hard memory limit never sees them;
- run for minutes inside one builtin that never checks for interrupts (`a.indexOf(5)` on that same
  array): the timeout asks V8 to stop, V8 stops at its next check, and closing the context waits.
Huge sparse arrays and strings cost nothing to make (`a[2 ** 32 - 2] = 1`, `s += s`) and too many
builtins consume them to guard one by one. So every context lives in its own process: the parent
waits for the time limit plus a grace period, then kills it, and a crash is just a dead context.
RLIMIT_DATA caps the process's memory, ArrayBuffers included (V8's heap limit does not count them).

One call per page still: the block code to compile and the page travel in one message (the pipe
adds about 30 us to a mini-racer call's 250 us). A fresh worker starts in about 60 ms (forkserver)
or 130 ms (spawn), and takes about 60 MB.

As with any multiprocessing program, the host's entry script must be safe to import (`if __name__ ==
"__main__":`; `python -m pkg` and console scripts are), and a frozen (PyInstaller) app must call
`multiprocessing.freeze_support()` first thing.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from py_mini_racer import JSEvalException, JSOOMException, JSTimeoutException
from py_mini_racer._exc import MiniRacerBaseException

from shared.errors import VibeshopError
from shared.models.money import MINOR_UNITS
from shared.vibe.engine import js_source, new_context
from shared.vibe.errors import BlockErrorCode

if TYPE_CHECKING:
    from shared.vibe.executor import Limits

# After the page's time limit, how long the parent waits for the worker's own (mini-racer) timeout
# before it kills the process: a builtin without interrupt checks can ignore the timeout for minutes.
GRACE_SECONDS = 0.5
# A fresh worker has this long to start V8 and harden its context (normally well under 0.2 s).
START_SECONDS = 60.0
# Beyond what it maps at start-up plus the V8 hard limit, the worker process may use this much memory:
# V8's overshoot past its limit, the young generation, the parser's zone for a 256 KB block, the
# page's JSON in and out.
PROCESS_HEADROOM = 256 * 1024 * 1024

# Block code is compiled inside this wrapper: strict mode, a fresh closure per call of the factory.
# The header is one line of its own so runtime line numbers are the block's plus one (runner.js).
PRODUCT_SETS = 8   # must equal PRODUCT_SETS in js/runner.js
_WRAPPER_HEAD = '(function () { "use strict";\n'
_WRAPPER_TAIL = '\n;return typeof render === "function" ? render : undefined; })\n//# sourceURL=block.js'


class DeadContext(VibeshopError):
    """The context hit a limit that leaves it unusable; carries the error code and message."""

    def __init__(self, code: BlockErrorCode, message: str):
        super().__init__(code, message)


# ---------------------------------------------------------------------------------------------
# Inside the worker process
# ---------------------------------------------------------------------------------------------

class _Sandbox:
    """One hardened V8 context, in the worker: the runner's handles and the compiled block factories."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.mr = new_context(limits.memory_limit)
        self.mr.eval(js_source("harden.js"))
        # The currency table goes in as data (JSON text parsed by V8), never as code built from it.
        table = self.mr.eval(f"JSON.parse({json.dumps(json.dumps(dict(MINOR_UNITS)))})")
        helpers = self.mr.eval(js_source("helpers.js"))(table)
        runtime = self.mr.eval(js_source("runner.js"))(helpers)
        self._define = runtime["define"]
        self._refuse = runtime["refuse"]
        self._forget = runtime["forget"]
        self._render = runtime["render"]
        self._compiled: OrderedDict[str, None] = OrderedDict()

    def render(self, blocks: Sequence[tuple[str, str]], payload: str, products_key: str,
               products_json: str) -> str:
        """Compile what is new, then render the page; compile and render share the page's time."""
        memory = f"Stopped: over the {self.limits.memory_limit // 2**20} MB memory limit"
        deadline = time.monotonic() + self.limits.time_limit
        try:
            for key, code in blocks:
                self._compile(key, code, deadline)
            out = self._render(payload, products_key, products_json, timeout_sec=self._left(deadline))
        except JSTimeoutException:
            raise DeadContext(BlockErrorCode.TIMEOUT,
                              f"Stopped: over the {self.limits.time_limit:g} s time limit") from None
        except JSOOMException:
            raise DeadContext(BlockErrorCode.MEMORY, memory) from None
        except MiniRacerBaseException as exc:
            # The runner catches every JS exception per block, so anything reaching here means V8
            # terminated the call (the memory limit shows up as a bare "null" evaluation error).
            if self.mr.was_hard_memory_limit_reached():
                raise DeadContext(BlockErrorCode.MEMORY, memory) from None
            raise DeadContext(BlockErrorCode.ERROR, f"Stopped: the sandbox failed ({exc})") from None
        if self.mr.was_hard_memory_limit_reached():
            raise DeadContext(BlockErrorCode.MEMORY, memory)
        return out

    def _compile(self, key: str, code: str, deadline: float) -> None:
        if key in self._compiled:
            self._compiled.move_to_end(key)
            return
        try:
            factory = self.mr.eval(_WRAPPER_HEAD + code + _WRAPPER_TAIL, timeout_sec=self._left(deadline))
        except (JSTimeoutException, JSOOMException):
            raise
        except JSEvalException as exc:
            # acorn accepted it but V8 does not (e.g. "Too many arguments in function call"): that
            # block fails, the page goes on.
            if self.mr.was_hard_memory_limit_reached():
                raise
            self._refuse(key, f"V8 could not compile the block: {_compile_error(str(exc))}")
        else:
            self._define(key, factory)
        self._compiled[key] = None
        while len(self._compiled) > self.limits.compiled_per_context:
            old, _ = self._compiled.popitem(last=False)
            self._forget(old)

    @staticmethod
    def _left(deadline: float) -> float:
        return max(0.001, deadline - time.monotonic())


def _compile_error(text: str) -> str:
    """'<anonymous>:3: SyntaxError: ...' -> 'SyntaxError: ... (line 2)' in the block's own lines."""
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    match = re.match(r"^.*?:(\d+): (.*)$", first)
    if match is None:
        return first[:500]
    return f"{match.group(2)[:500]} (line {max(1, int(match.group(1)) - 1)})"


def _cap_process_memory(limits: Limits) -> None:
    """RLIMIT_DATA: the worker's writable memory, ArrayBuffers and V8's own allocations included.

    Set once the context is up, relative to what the process already maps: V8 reserves its 512 MB
    code range as writable data before any code runs, and the rest varies with the thread count.
    """
    try:
        import resource
    except ImportError:   # not on Windows; the studio there is the merchant's own machine
        return
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
    except (OSError, StopIteration, ValueError):   # no /proc (macOS): no cap, the kill still holds
        return
    cap = mapped + limits.memory_limit + PROCESS_HEADROOM
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or soft > cap:
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))


def serve(conn: Connection, limits: Limits) -> None:
    """The worker's main loop: one sandbox, one request at a time, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for the parent, which kills us
    try:
        sandbox = _Sandbox(limits)
        _cap_process_memory(limits)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request[0] == "close":
            return
        _, blocks, payload, products_key, products_json = request
        try:
            reply: tuple[Any, ...] = ("ok", sandbox.render(blocks, payload, products_key, products_json))
        except DeadContext as dead:
            reply = ("dead", dead.code.value, str(dead))
        conn.send(reply)


# ---------------------------------------------------------------------------------------------
# In the host process
# ---------------------------------------------------------------------------------------------

_mp_lock = threading.Lock()
_mp_context: Any = None


def _processes() -> Any:
    """forkserver where there is one (fast, and never forks a process that runs V8 threads), else spawn."""
    global _mp_context
    with _mp_lock:
        if _mp_context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _mp_context = multiprocessing.get_context("forkserver")
                # Import mini-racer (not start V8) once in the fork server, so workers start faster.
                _mp_context.set_forkserver_preload(["shared.vibe.worker", "py_mini_racer"])
            else:
                _mp_context = multiprocessing.get_context("spawn")
        return _mp_context


class WorkerContext:
    """Host-side handle of one worker process holding one hardened context of ONE store."""

    def __init__(self, limits: Limits):
        self.limits = limits
        processes = _processes()
        self._conn, child = processes.Pipe()
        self._proc = processes.Process(target=serve, args=(child, limits), daemon=True, name="vibe-sandbox")
        self._proc.start()
        child.close()
        self._product_sets: OrderedDict[str, None] = OrderedDict()   # mirrors runner.js productSets
        try:
            hello = self._conn.recv() if self._conn.poll(START_SECONDS) else ("error", "start-up timed out")
        except (EOFError, OSError):
            hello = ("error", f"the worker exited during start-up ({self._proc.exitcode})")
        if hello[0] != "ready":
            self.close()
            raise RuntimeError(f"vibe sandbox worker failed to start: {hello[1]}")

    def render(self, blocks: Sequence[tuple[str, str]], payload: str, products_key: str,
               products_json: str) -> list[dict[str, Any]]:
        """One round trip for a whole page; raises DeadContext when a limit (or a crash) killed it."""
        cached = bool(products_key) and products_key in self._product_sets
        try:
            self._conn.send(("render", list(blocks), payload, products_key, "" if cached else products_json))
            if not self._conn.poll(self.limits.time_limit + GRACE_SECONDS):
                self.close()
                raise DeadContext(BlockErrorCode.TIMEOUT,
                                  f"Stopped: over the {self.limits.time_limit:g} s time limit")
            reply = self._conn.recv()
        except (EOFError, OSError):
            raise self._crashed() from None
        if reply[0] == "dead":
            self.close()
            raise DeadContext(BlockErrorCode(reply[1]), reply[2])
        if products_key:
            self._product_sets[products_key] = None
            self._product_sets.move_to_end(products_key)
            while len(self._product_sets) > PRODUCT_SETS:
                self._product_sets.popitem(last=False)
        return json.loads(reply[1])

    @property
    def alive(self) -> bool:
        """False once the worker has exited (killed by us, by the OOM killer, or crashed while idle)."""
        return self._proc.is_alive()

    def _crashed(self) -> DeadContext:
        self.close()
        # V8 aborts (SIGTRAP/SIGABRT) on allocations past its heap limit or a builtin's size limit.
        return DeadContext(BlockErrorCode.MEMORY,
                           f"Stopped: the sandbox process crashed (exit {self._proc.exitcode}), "
                           "most likely a huge string or array")

    def close(self) -> None:
        """Kill the worker (idle or stuck alike: nothing in it is worth a graceful exit)."""
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join(timeout=10)
        self._conn.close()
