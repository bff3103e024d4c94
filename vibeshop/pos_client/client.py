"""HTTP to the POS API v1 (docs/pos-api.md): the bearer token, the store's Host, an Idempotency-Key on
every POST, and retries with backoff where a retry is safe.

Retried, with the SAME Idempotency-Key (the IETF draft: a retry is the same request): network errors,
5xx, 429 and a 409 whose key is still running (honouring Retry-After). Not retried: 400, 401, 403, 404,
422 and the domain's 409s (stale_version, illegal_transition): they raise PosApiError at once.
"""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

API = "/pos/v1"
_TOKEN = re.compile(r"^[\x21-\x7e]+$")   # opaque to the client, but it must fit in a header: visible ASCII
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$")


class PosApiError(Exception):
    """The cloud refused a request: its status and the problem's message, code, index and field."""

    def __init__(self, status: int, message: str, body: dict | None = None):
        super().__init__(message)
        self.status = status
        self.body = body or {}
        error = self.body.get("error") if isinstance(self.body.get("error"), dict) else {}
        self.code: str | None = error.get("code")
        self.index: int | None = error.get("index")
        self.field: str | None = error.get("field")
        self.detail: dict = error


class Unreachable(Exception):
    """No answer after every retry (offline, or the cloud keeps failing); safe to try again later."""


class BadAnswer(Exception):
    """A 2xx answer that is not the POS API's JSON: --remote names another server (a web site, a proxy's
    page). Nothing it says is taken as an acknowledgement; not retried."""


@dataclass(frozen=True)
class Remote:
    """Where the till talks to: the cloud's address, its device token and the store's host name.

    The POS API answers on the store's own host. `http://demo.localhost:8080` is dialled on 127.0.0.1
    (RFC 6761: *.localhost is loopback) with `Host: demo.localhost:8080`; `host` sends another Host
    header to the address given (`--remote http://127.0.0.1:8080 --host demo.localhost`)."""

    url: str
    token: str
    host: str = ""

    def base_and_host(self) -> tuple[str, str | None]:
        """The URL to dial and the Host header to send (None: the URL's own). ValueError names what is
        wrong with the address, the host or the token."""
        wrong = f"the remote must be an http(s) address like http://demo.localhost:8080, not {self.url!r}"
        try:
            parts = urlsplit(self.url.rstrip("/"))
            parts.port          # noqa: B018 - raises on a port out of range or not a number
        except ValueError as exc:
            raise ValueError(f"{wrong} ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(wrong)
        if self.host and not _HOST.match(self.host):
            raise ValueError(f"--host must be a host name like demo.localhost (a port may follow), not {self.host!r}")
        if not _TOKEN.match(self.token):
            raise ValueError("the token has spaces or characters a header cannot carry: give it as "
                             "`vibeshop cloud pos device add` printed it (vs_...)")
        if self.host:
            return urlunsplit(parts), self.host
        hostname = parts.hostname.lower()
        if hostname.endswith(".localhost"):
            port = f":{parts.port}" if parts.port else ""
            return urlunsplit(parts._replace(netloc=f"127.0.0.1{port}")), parts.netloc
        return urlunsplit(parts), None


@dataclass
class RetryPolicy:
    """How hard a request is retried: `attempts` tries in all, waits doubling from `first_wait`."""

    attempts: int = 5
    first_wait: float = 0.25
    max_wait: float = 5.0
    jitter: float = 0.2
    sleep: Any = field(default=asyncio.sleep)

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before try `attempt + 1` (Retry-After wins when the server gave one)."""
        if retry_after is not None:
            return min(retry_after, self.max_wait)
        base = min(self.first_wait * 2 ** attempt, self.max_wait)
        return base * (1 + random.uniform(-self.jitter, self.jitter))  # noqa: S311 - spreading retries


@dataclass(frozen=True)
class Answer:
    """A 2xx answer: status, JSON body and whether it was a stored replay."""

    status: int
    body: Any
    replayed: bool


class PosClient:
    """One device's connection to the POS API. `offline` makes every request fail as a dropped network
    would (the simulator's --offline-for), so the same retry and re-batching paths run."""

    def __init__(self, remote: Remote, *, policy: RetryPolicy | None = None, timeout: float = 15.0):
        base, host = remote.base_and_host()
        headers = {"Authorization": f"Bearer {remote.token}", "Accept": "application/json",
                   "User-Agent": "vibeshop-pos/1"}
        if host:
            headers["Host"] = host
        self._http = httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout, trust_env=False)
        self.policy = policy or RetryPolicy()
        self.offline = False

    async def close(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def get(self, path: str, *, params: dict | None = None, policy: RetryPolicy | None = None) -> Answer:
        """GET API + path (retried on network errors and 5xx)."""
        return await self._send("GET", path, params=params, body=None, key=None, policy=policy)

    async def post(self, path: str, body: Any, *, key: str | None = None, policy: RetryPolicy | None = None
                   ) -> Answer:
        """POST JSON with an Idempotency-Key (a new UUID unless given); every retry reuses the key."""
        return await self._send("POST", path, params=None, body=body, key=key or str(uuid.uuid4()), policy=policy)

    async def _send(self, method: str, path: str, *, params: dict | None, body: Any, key: str | None,
                    policy: RetryPolicy | None) -> Answer:
        policy = policy or self.policy
        headers = {"Idempotency-Key": key} if key else {}
        last, retry_after = "no attempt", None
        for attempt in range(policy.attempts):
            if attempt:
                await policy.sleep(policy.wait(attempt - 1, retry_after))
            retry_after = None
            try:
                if self.offline:
                    raise httpx.ConnectError("offline (simulated by --offline-for)")
                response = await self._http.request(method, API + path, params=params, json=body, headers=headers)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}{_TLS_HINT if 'SSL' in str(exc) else ''}"
                continue
            if response.status_code < 300:
                return Answer(response.status_code, _object(method, path, response),
                              response.headers.get("Idempotent-Replayed") == "true")
            problem = _json(response)
            if not _retryable(response.status_code, problem):
                raise PosApiError(response.status_code, _message(response, problem),
                                  problem if isinstance(problem, dict) else None)
            retry_after = _seconds(response.headers.get("Retry-After"))
            last = f"{response.status_code}: {_message(response, problem)}"
        raise Unreachable(f"{method} {API}{path}: no answer after {policy.attempts} tries ({last})")


def _retryable(status: int, problem: Any) -> bool:
    if status >= 500 or status == 429:
        return True
    if status == 409:       # the same key still running; a domain conflict has a code and is final
        error = problem.get("error") if isinstance(problem, dict) else None
        return not (isinstance(error, dict) and error.get("code"))
    return False


_TLS_HINT = " (is the address http://, not https://?)"


def _object(method: str, path: str, response: httpx.Response) -> dict:
    """A 2xx answer's JSON object; BadAnswer for anything else (HTML, a list, no body)."""
    body = _json(response) if "json" in response.headers.get("Content-Type", "") else None
    if not isinstance(body, dict):
        kind = response.headers.get("Content-Type", "").split(";")[0] or "no content type"
        raise BadAnswer(f"{method} {API}{path} answered {response.status_code} with {kind}, not the POS API's "
                        "JSON: is --remote the address of a Vibeshop store?")
    return body


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _message(response: httpx.Response, problem: Any) -> str:
    error = problem.get("error") if isinstance(problem, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    return (f"{response.reason_phrase or 'HTTP'} (not a POS API problem: is --remote the address of a "
            "Vibeshop store?)")


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
