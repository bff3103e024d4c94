"""One shopper process of the last-unit race (test_last_unit_over_http.py): a real HTTP client of its
own (httpx, its own cookie jar), started once (spawned, nothing inherited) and kept for every round.

Each round it waits for the parent (who has set the variant's stock to 1), forgets its cookies (a new
shopper, a new cart), adds the variant to a cart, waits until every shopper has, then races: GET
/checkout (the page holds the cart's unit), POST /checkout/start as the page sends it, and if that
holds the unit, POST /checkout/pay with localstripe's pm_card_visa. It reports every step's status and JSON answer to the parent.

It comes to the store through our trusted proxy as a shopper of its own (X-Forwarded-For: a client
address per shopper), as 50 people would: the per-client rate limit then applies per shopper, not
to all 50 at once. Each request opens a new connection (no keep-alive), so the kernel spreads a
shopper's requests over both server workers: the start of one and the pay of another may meet in
different processes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

HOST = "demo.localhost"
TIMEOUT = 120.0        # per request and per barrier: catches a hang only
ADDRESS = {"country_code": "US", "name": "Ada Lovelace", "street_address": "1 Market St", "city": "San Francisco",
           "country_area": "CA", "postal_code": "94103"}


@dataclass
class Step:
    """One request of a shopper: its path, HTTP status and JSON answer (or the start of its text)."""

    path: str
    status: int
    body: Any


@dataclass
class Report:
    """What one shopper saw in one round."""

    round_no: int
    shopper: int
    steps: list[Step] = field(default_factory=list)
    problem: str = ""      # a transport error or a broken barrier: the round is lost for this shopper

    @property
    def order_url(self) -> str | None:
        """The order page's URL when the pay step answered with the order."""
        last = self.steps[-1] if self.steps else None
        if last and last.path == "/checkout/pay" and last.status == 200 and isinstance(last.body, dict):
            return last.body.get("orderUrl")
        return None


def _answer(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return response.text[:300]


def shop(base_url: str, variant_id: str, shopper: int, rounds: int, barrier: Any, results: Any) -> None:
    """The shopper's life: `rounds` rounds, each put on `results` as a Report."""
    headers = {"Host": HOST, "Origin": f"http://{HOST}",
               "X-Forwarded-For": f"10.0.{shopper // 250}.{shopper % 250 + 1}"}
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base_url, headers=headers, timeout=TIMEOUT, limits=limits) as client:
        for round_no in range(rounds):
            report = Report(round_no, shopper)
            try:
                barrier.wait(TIMEOUT)                      # the parent has set the stock to 1
                client.cookies.clear()                     # a new shopper: a new cart
                _post(client, report, "/cart/add.js", {"id": variant_id, "quantity": 1})
                barrier.wait(TIMEOUT)                      # every cart has the unit: go
                if report.steps[-1].status == 200:
                    _race(client, report, shopper)
            except httpx.HTTPError as exc:
                report.problem = f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # noqa: BLE001 - a broken barrier: report, then stop
                report.problem = f"{type(exc).__name__}: {exc}"
                results.put(report)
                return
            results.put(report)


def _race(client: httpx.Client, report: Report, shopper: int) -> None:
    """Open the checkout page (it holds the cart's unit, or sends the shopper back to /cart when it is
    gone), then start like the page's body() does, whatever the page said (a stale tab would), and pay
    with a test card if it held the unit."""
    page = client.get("/checkout")
    report.steps.append(Step("GET /checkout", page.status_code, page.headers.get("Location", "")))
    started = _post(client, report, "/checkout/start", {
        "email": f"shopper{shopper}@example.com", "delivery": "ship", "address": ADDRESS, "code": None,
        "shippingOptionId": None, "paymentMethod": "stripe"})
    if started.status == 200 and isinstance(started.body, dict) and started.body.get("attemptId"):
        _post(client, report, "/checkout/pay", {"attemptId": started.body["attemptId"],
                                                "paymentMethodId": "pm_card_visa"})


def _post(client: httpx.Client, report: Report, path: str, body: dict[str, Any]) -> Step:
    response = client.post(path, json=body)
    step = Step(path, response.status_code, _answer(response))
    report.steps.append(step)
    return step
