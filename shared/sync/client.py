"""The device side of sync over HTTP (docs/sync-protocol.md): link a data folder to a cloud store,
run sync cycles, publish, roll back, list releases, settle conflicts. No Qt here: the CLI and the
studio both use it (the studio from a worker thread).

The device's sync state (remote, token, cursor, outbox) lives in its store database, written by
shared/sync/device.py, so a sync interrupted at any point resumes where it was."""

from __future__ import annotations

import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from shared.db import Database
from shared.db.migrate import latest_version
from shared.db.repositories import content
from shared.media.errors import MediaError
from shared.media.names import rendition_path
from shared.models import StoreRecord
from shared.storefront.service import DataDir, Store, adopt_store
from shared.sync import device, refusals
from shared.sync.refusals import Refusal
from shared.db.stamps import utc_now
from shared.errors import VibeshopError
from shared.sync.protocol import PROTOCOL, PROTOCOL_HEADER, SCHEMA_HEADER

PULL_PAGE = 1_000
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class RemoteError(VibeshopError):
    """The cloud refused or could not be reached. `code` is the protocol's error code, or
    'offline' when there was no answer."""

    def __init__(self, code: str, message: str, status: int = 0, details: dict[str, Any] | None = None):
        super().__init__(code, message)
        self.status, self.details = status, details or {}


@dataclass(frozen=True)
class SyncReport:
    """What one sync cycle did."""

    pushed: int
    pulled: int
    cursor: int
    conflicts: int          # unresolved conflicts this device knows of after the cycle
    refused: tuple[Refusal, ...] = ()   # edits the table rules refused: kept here, not in the cloud


def _headers(token: str | None = None) -> dict[str, str]:
    headers = {PROTOCOL_HEADER: PROTOCOL, SCHEMA_HEADER: str(latest_version("store"))}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def request_headers(token: str | None = None) -> dict[str, str]:
    """The protocol headers every /_sync/ request carries (the studio's poke WebSocket uses them too)."""
    return _headers(token)


def _call(client: httpx.Client, method: str, url: str, *, token: str | None, body: Any = None,
          encoded: bytes | None = None, params: dict[str, Any] | None = None) -> Any:
    """One request with the protocol headers: `body` as JSON, or `encoded`, a body already JSON."""
    headers = _headers(token)
    if encoded is not None:
        headers["Content-Type"] = "application/json"
    try:
        response = client.request(method, url, params=params, json=body, content=encoded, headers=headers,
                                  timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise RemoteError("offline", f"The cloud could not be reached: {exc}") from exc
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        code = str(problem.get("error", "http")) if isinstance(problem, dict) else "http"
        message = str(problem.get("message", response.text[:200])) if isinstance(problem, dict) else response.text
        details = {k: v for k, v in problem.items() if k not in ("error", "message")} if isinstance(problem, dict) else {}
        raise RemoteError(code, message, response.status_code, details)
    return response


def call_json(client: httpx.Client, method: str, url: str, *, token: str, params: dict[str, Any] | None = None,
              body: Any = None) -> dict[str, Any]:
    """One request of the sync protocol answered by a JSON object (RemoteError otherwise, as every call)."""
    try:
        answer = _call(client, method, url, token=token, params=params, body=body).json()
    except ValueError:
        answer = {}
    return answer if isinstance(answer, dict) else {}


def link(data_dir: DataDir, *, remote: str, code: str, device_name: str | None = None,
         client: httpx.Client | None = None) -> Store:
    """Pair this data folder with a cloud store: exchange the code, start from the live database,
    then pull the working copy. Returns the linked local store."""
    remote = remote.rstrip("/")
    own = client is None
    client = client or httpx.Client()
    try:
        paired = _call(client, "POST", f"{remote}/_sync/pair", token=None,
                       body={"code": code, "device_name": device_name or socket.gethostname()[:80]}).json()
        token = paired["device_token"]
        folder = Path(tempfile.mkdtemp(prefix="vibeshop-link-"))
        download = folder / "store.db"
        with client.stream("GET", f"{remote}/_sync/snapshot", headers=_headers(token), timeout=TIMEOUT) as response:
            if response.status_code >= 400:
                raise RemoteError("snapshot", f"The cloud refused the store's snapshot ({response.status_code})",
                                  response.status_code)
            with download.open("wb") as file:
                for chunk in response.iter_bytes():
                    file.write(chunk)
        info = paired["store"]
        now = utc_now()
        record = StoreRecord(info["id"], info["slug"], info["name"], "active", "", now, now)
        store = adopt_store(data_dir, record=record, database_file=download)
        device.link_device(store.db, device_id=paired["device_id"], remote=remote, token=token)
        Syncer(store, client=client).sync()
        return store
    finally:
        if own:
            client.close()


class Syncer:
    """Sync cycles and remote actions for one linked store."""

    def __init__(self, store: Store, *, client: httpx.Client | None = None):
        self.store = store
        self.client = client or httpx.Client()
        state = device.link_state(store.db)
        if state is None:
            raise RemoteError("not_linked", f"The store '{store.record.slug}' is not linked to a cloud store; run "
                              "`vibeshop link` first")
        self.remote, self.token, self.device_id = state.remote, state.token, state.device_id

    @property
    def db(self) -> Database:
        """The local store database."""
        return self.store.db

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return _call(self.client, "POST", f"{self.remote}{path}", token=self.token, body=body).json()

    def sync(self) -> SyncReport:
        """Form ops, push them, pull until up to date, fetch missing images. Edits the table rules
        refuse (here when forming, or by the cloud) stay on this device and are in the report."""
        device.form_ops(self.db)
        pushed = self._push_outbox()
        pulled, _records = self.pull()
        self.fetch_media()
        return SyncReport(pushed, pulled, device.cursor(self.db), len(device.open_conflicts(self.db)),
                          tuple(refusals.refusals(self.db)))

    def _push_outbox(self) -> int:
        """Push every op of the outbox, in order; an op the cloud refuses (422 "refused") is taken
        out of the outbox and kept as an edit (refusals.park), and the rest is pushed again."""
        pushed = 0
        while True:
            try:
                for body in device.push_bodies(self.db):
                    answer = self._push(body)
                    device.acknowledge(self.db, answer["last_op"])
                    pushed += answer["applied"]
                return pushed
            except RemoteError as exc:
                # Each refusal takes one op out, so this ends; an op id the outbox lacks is reported.
                if exc.code != "refused" or refusals.park(self.db, exc.details, device.describe) is None:
                    raise

    def _push(self, body: bytes) -> dict[str, Any]:
        # A retried push is applied once by the cloud; a 'gap' (the cloud lost ops it acknowledged,
        # e.g. restored from a backup) is reported, never papered over.
        return _call(self.client, "POST", f"{self.remote}/_sync/push", token=self.token, encoded=body).json()

    def pull(self) -> tuple[int, int]:
        """Pull and apply until the cloud has nothing newer; (changes applied, conflict records seen)."""
        pulled = conflicts = 0
        while True:
            answer = self._post("/_sync/pull", {"cursor": device.cursor(self.db), "limit": PULL_PAGE})
            device.apply_pull(self.db, answer["changes"], answer["cursor"], conflicts=answer.get("conflicts", []))
            pulled += len(answer["changes"])
            conflicts += len(answer.get("conflicts", []))
            if not answer.get("more"):
                return pulled, conflicts

    def fetch_media(self) -> int:
        """Download renditions of images this device does not have yet; how many."""
        media_dir = self.store.data_dir.media_dir
        media_dir.mkdir(parents=True, exist_ok=True)
        fetched = 0
        for media in self.db.read(content.list_media):
            for width in media.widths:
                try:        # names from the database are checked before they become paths
                    target = rendition_path(media_dir, media.hash, width, media.format)
                except MediaError:
                    continue
                name = target.name
                if target.exists():
                    continue
                try:
                    response = _call(self.client, "GET", f"{self.remote}/_sync/media/{name}", token=self.token)
                except RemoteError as exc:
                    if exc.status == 404:
                        continue
                    raise
                tmp = target.with_name(f"{name}.download")
                tmp.write_bytes(response.content)
                tmp.replace(target)
                fetched += 1
        return fetched

    def publish(self, note: str = "") -> dict[str, Any]:
        """Sync, then make the store's current content live. Refused (RemoteError 'unsynced' or
        'conflicts') while edits are unpushed or conflicts are open."""
        self.sync()
        unsynced = device.has_unsynced(self.db)
        if unsynced:
            raise RemoteError("unsynced", "Some edits are not in the cloud yet: " + "; ".join(unsynced[:5]))
        return self._post("/_sync/publish", {"device_id": self.device_id, "note": note})["release"]

    def publish_preview(self) -> dict[str, Any]:
        """Sync, then ask what publishing would change: {"summary": release summary, "live": N,
        "conflicts": count}. Edits not yet in the cloud are not in it (`device.has_unsynced`)."""
        self.sync()
        return _call(self.client, "GET", f"{self.remote}/_sync/publish/preview", token=self.token).json()

    def stripe_settings(self) -> dict[str, Any]:
        """The store's Stripe connection as the admin API shows it (keys masked): GET
        /api/admin/payments/stripe. Raises RemoteError ('offline', or the admin API's refusal)."""
        return self._admin("GET", "/api/admin/payments/stripe")

    def set_stripe_keys(self, *, secret_key: str, publishable_key: str, webhook_secret: str = "") -> dict[str, Any]:
        """Send the Stripe keys to the cloud (they are never synced nor kept on this device); returns the
        masked settings. Raises RemoteError whose details hold the admin API's `fields` for a 422."""
        return self._admin("PUT", "/api/admin/payments/stripe", {
            "secretKey": secret_key, "publishableKey": publishable_key, "webhookSecret": webhook_secret})

    def _admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One admin API request with this device's token; its JSON problem as a RemoteError."""
        try:
            response = self.client.request(method, f"{self.remote}{path}", json=body, timeout=TIMEOUT,
                                           headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError as exc:
            raise RemoteError("offline", f"The cloud could not be reached: {exc}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code >= 400:
            error = answer.get("error") if isinstance(answer, dict) and isinstance(answer.get("error"), dict) else {}
            raise RemoteError("admin", str(error.get("message") or f"The cloud answered {response.status_code}"),
                              response.status_code, {"fields": error.get("fields", [])})
        return answer if isinstance(answer, dict) else {}

    def rollback(self, number: int) -> dict[str, Any]:
        """Make release `number` live again."""
        return self._post("/_sync/rollback", {"release": number})["release"]

    def releases(self) -> dict[str, Any]:
        """{"releases": [...newest first], "live": N}."""
        return _call(self.client, "GET", f"{self.remote}/_sync/releases", token=self.token).json()

    def resolve(self, conflict_id: str, keep: str) -> None:
        """Settle a conflict ('current' or 'theirs'), then pull the result."""
        self._post("/_sync/resolve", {"conflict_id": conflict_id, "keep": keep})
        self.pull()

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    # --- webhooks (the admin API's outbound webhook subscriptions: cloud-only, never synced) -----------

    def webhooks(self) -> dict[str, Any]:
        """{"webhooks": [subscription...]}: GET /api/admin/webhooks. Raises RemoteError."""
        return self._admin("GET", "/api/admin/webhooks")

    def create_webhook(self, *, url: str, events: list[str], description: str = "") -> dict[str, Any]:
        """Subscribe `url` to `events`; the answer holds the signing `secret`, shown this once. Raises
        RemoteError whose details hold the admin API's `fields` for a 422 (an unsafe URL, no events)."""
        return self._admin("POST", "/api/admin/webhooks", {"url": url, "events": events, "description": description})

    def update_webhook(self, webhook_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some of {url, events, description, active} (active: True turns a disabled one on again)."""
        return self._admin("PATCH", self._webhook_path(webhook_id), changes)

    def delete_webhook(self, webhook_id: str) -> dict[str, Any]:
        """Delete a subscription and its delivery log."""
        return self._admin("DELETE", self._webhook_path(webhook_id))

    def webhook_deliveries(self, webhook_id: str, *, limit: int = 20) -> dict[str, Any]:
        """{"deliveries": [...newest first, each with its log], "nextBefore"}."""
        return self._admin("GET", self._webhook_path(webhook_id) + f"/deliveries?limit={int(limit)}")

    def test_webhook(self, webhook_id: str) -> dict[str, Any]:
        """Queue a 'webhook.test' event to this subscription: {"delivery": {...}}."""
        return self._admin("POST", self._webhook_path(webhook_id) + "/test")

    @staticmethod
    def _webhook_path(webhook_id: str) -> str:
        """The admin API path of one subscription (its id escaped)."""
        from urllib.parse import quote      # here, so this block stays apart from the module's imports
        return f"/api/admin/webhooks/{quote(webhook_id, safe='')}"

    # --- orders and customers (the studio's Orders and Customers sections; docs/http-api.md) ---------

    def _admin_call(self, method: str, path: str, *, body: dict[str, Any] | None = None,
                    params: dict[str, Any] | None = None) -> httpx.Response:
        """An admin API request that keeps the problem's own code: RemoteError(code, message, status,
        {"field", "fields"}), e.g. ('illegal_transition', 'the order is already fulfilled', 409)."""
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = self.client.request(method, f"{self.remote}{path}", json=body, params=query, timeout=TIMEOUT,
                                           headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError as exc:
            raise RemoteError("offline", f"The cloud could not be reached: {exc}") from exc
        if response.status_code < 400:
            return response
        try:
            problem = response.json().get("error")
        except (ValueError, AttributeError):
            problem = None
        problem = problem if isinstance(problem, dict) else {}
        code = str(problem.get("code") or {404: "not_found", 409: "conflict"}.get(response.status_code, "admin"))
        raise RemoteError(code.lower(), str(problem.get("message") or f"The cloud answered {response.status_code}"),
                          response.status_code, {"field": problem.get("field"), "fields": problem.get("fields", [])})

    @staticmethod
    def _segment(value: str | int) -> str:
        from urllib.parse import quote   # here, not at the top: this block is the orders sections' own
        return quote(str(value), safe="")

    def _admin_json(self, method: str, path: str, **options: Any) -> dict[str, Any]:
        response = self._admin_call(method, path, **options)
        try:
            answer = response.json()
        except ValueError as exc:         # a web page (a proxy, a captive portal), not the cloud's JSON
            raise RemoteError("bad_answer", "The cloud's answer was not data the studio understands",
                              response.status_code) from exc
        return answer if isinstance(answer, dict) else {}

    def list_orders(self, *, limit: int = 50, before: int | None = None, payment_status: str | None = None,
                    fulfillment_status: str | None = None, delivery: str | None = None, since: str | None = None,
                    until: str | None = None, q: str | None = None) -> dict[str, Any]:
        """GET /api/admin/orders: {"orders": [summaries, newest first], "nextBefore"}; filters as the API's."""
        return self._admin_json("GET", "/api/admin/orders", params={
            "limit": limit, "before": before, "payment_status": payment_status,
            "fulfillment_status": fulfillment_status, "delivery": delivery, "since": since, "until": until, "q": q})

    def order(self, key: str | int) -> dict[str, Any]:
        """GET /api/admin/orders/{id|number}: the order with lines, fulfilments, refunds, messages, timeline."""
        return self._admin_json("GET", f"/api/admin/orders/{self._segment(key)}")

    def fulfil_order(self, order_id: str, *, lines: list[tuple[str, int]] | None = None, carrier: str = "",
                     tracking_number: str = "", tracking_url: str = "", notify: bool = True) -> dict[str, Any]:
        """Fulfil lines (None: everything left) with tracking; the order as it is now."""
        body: dict[str, Any] = {"carrier": carrier, "trackingNumber": tracking_number, "trackingUrl": tracking_url,
                                "notify": notify}
        if lines is not None:
            body["lines"] = [{"lineId": line_id, "quantity": qty} for line_id, qty in lines]
        return self._order_action(order_id, "fulfillments", body)

    def mark_ready_for_pickup(self, order_id: str, *, notify: bool = True) -> dict[str, Any]:
        """Tell the shopper the order waits at the counter."""
        return self._order_action(order_id, "ready-for-pickup", {"notify": notify})

    def mark_picked_up(self, order_id: str) -> dict[str, Any]:
        """The shopper took the order (an authorization is captured, pay in store marked paid)."""
        return self._order_action(order_id, "picked-up", {})

    def cancel_order(self, order_id: str, *, reason: str = "", restock: bool = True, notify: bool = True) -> dict[str, Any]:
        """Cancel: units back to stock (restock), the payment voided or refunded."""
        return self._order_action(order_id, "cancel", {"reason": reason, "restock": restock, "notify": notify})

    def refund_order(self, order_id: str, *, lines: list[tuple[str, int]] | None = None,
                     amount: dict[str, Any] | None = None, restock: bool = False, reason: str = "",
                     notify: bool = True) -> dict[str, Any]:
        """Refund by lines or by an amount {"amount", "currency"} (minor units), optionally restocking."""
        body: dict[str, Any] = {"restock": restock, "reason": reason, "notify": notify}
        if lines is not None:
            body["lines"] = [{"lineId": line_id, "quantity": qty} for line_id, qty in lines]
        if amount is not None:
            body["amount"] = amount
        return self._order_action(order_id, "refunds", body)

    def _order_action(self, order_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._admin_json("POST", f"/api/admin/orders/{self._segment(order_id)}/{action}", body=body)

    def order_document(self, order_id: str, kind: str) -> bytes:
        """The order's PDF: kind 'packing-slip' or 'invoice'."""
        if kind not in ("packing-slip", "invoice"):
            raise ValueError(f"no such document: {kind}")
        return self._admin_call("GET", f"/api/admin/orders/{self._segment(order_id)}/{kind}.pdf").content

    def orders_stream(self) -> tuple[str, dict[str, str]]:
        """(URL, headers) of the new-orders event stream, for a listener with its own connection."""
        return f"{self.remote}/api/admin/orders/stream", {"Authorization": f"Bearer {self.token}",
                                                            "Accept": "text/event-stream"}

    def list_customers(self, *, q: str | None = None, limit: int = 50, before: str | None = None) -> dict[str, Any]:
        """GET /api/admin/customers: {"customers": [...], "nextBefore"}."""
        return self._admin_json("GET", "/api/admin/customers", params={"q": q, "limit": limit, "before": before})

    def customer(self, customer_id: str) -> dict[str, Any]:
        """One customer with addresses, orders and consent history."""
        return self._admin_json("GET", f"/api/admin/customers/{self._segment(customer_id)}")

    def export_customer(self, customer_id: str) -> dict[str, Any]:
        """The customer's data, as "Download my data" gives it (a GDPR request made to the merchant)."""
        return self._admin_json("GET", f"/api/admin/customers/{self._segment(customer_id)}/export")

    def erase_customer(self, customer_id: str) -> dict[str, Any]:
        """Erase the customer's profile (orders are kept with personal data replaced): {"erased": true}."""
        return self._admin_json("DELETE", f"/api/admin/customers/{self._segment(customer_id)}")
