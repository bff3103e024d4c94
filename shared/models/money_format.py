"""Money as people read it ("$1,234.50", "¥2,400", "1.234,50 €") for server-rendered text such as
e-mails and the checkout page, in exactly the storefront's format.

The storefront formats prices in V8 (h.formatPrice: Intl.NumberFormat with the ISO table's digits).
Python's own CLDR libraries differ from V8's ICU in small ways (Babel writes "IQD123.456" where ICU
writes "IQD 123.456", groups "1234,50 €" in Spanish, uses another Swiss apostrophe), so this asks the
same V8 with the same options: one small context per process (made by shared.vibe.engine, which
sets the sandbox flags first and closes it at exit), used under a lock."""

from __future__ import annotations

import threading
from functools import lru_cache

from py_mini_racer import MiniRacer

from shared.models.money import Money, minor_digits
from shared.vibe.engine import new_context

DEFAULT_LOCALE = "en-US"
_SOURCE = """
const formats = new Map();
function formatMoney(locale, currency, digits, amount) {
  const key = `${locale}|${currency}`;
  let fmt = formats.get(key);
  if (fmt === undefined) {
    let tag = locale;
    try { Intl.getCanonicalLocales(tag); } catch (e) { tag = "en-US"; }
    fmt = new Intl.NumberFormat(tag, { style: "currency", currency,
      minimumFractionDigits: digits, maximumFractionDigits: digits });
    if (formats.size < 256) formats.set(key, fmt);
  }
  return fmt.format(amount / 10 ** digits);
}
"""
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _context() -> MiniRacer:
    # mini-racer ties a context to the event loop running where it is made; made on a thread without
    # one, it runs its own loop thread, so any thread (an event loop's too) can call it later.
    made: list[MiniRacer] = []

    def make() -> None:
        ctx = new_context(16 * 1024 * 1024)     # with the process's V8 flags; closed at exit by the engine
        ctx.eval(_SOURCE)
        made.append(ctx)

    thread = threading.Thread(target=make, name="money-format-v8")
    thread.start()
    thread.join()
    return made[0]


def format_money(money: Money, locale: str = DEFAULT_LOCALE) -> str:
    """The amount with its currency's symbol, grouping and exactly the table's digits, in a locale
    ('en-US', 'de-DE'; a malformed locale falls back to en-US), byte for byte as h.formatPrice."""
    tag = locale if isinstance(locale, str) and locale.strip() else DEFAULT_LOCALE
    return _formatted(tag, money.currency, money.amount)


@lru_cache(maxsize=8192)
def _formatted(tag: str, currency: str, amount: int) -> str:
    """One V8 call per distinct (locale, currency, amount): an order e-mail repeats its prices, shipping
    and totals across orders, and each V8 call waits for the process-wide lock (it runs inside
    finalize's write transaction)."""
    digits = minor_digits(currency)
    with _lock:
        return str(_context().call("formatMoney", tag, currency, digits, amount))
