"""A libSQL server (sqld) holding a data folder's databases: one namespace per database.

The cloud keeps its catalog and, per store, the live database and the working copy. On a server each
is a namespace, reached by host name (`http://NAMESPACE.HOST:PORT`, sqld's namespace routing) and
created or deleted through sqld's admin API. The data folder records which server it uses and the
prefix of its namespaces (`db-server.json`), so every later command finds them; the auth tokens come
from the environment only (`VIBESHOP_DB_TOKEN`, `VIBESHOP_DB_ADMIN_TOKEN`), never from a file.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from shared.db.errors import DatabaseError

RECORD_NAME = "db-server.json"
ENV_SERVER = "VIBESHOP_DB_SERVER"
ENV_ADMIN = "VIBESHOP_DB_ADMIN"
ENV_TOKEN = "VIBESHOP_DB_TOKEN"
ENV_ADMIN_TOKEN = "VIBESHOP_DB_ADMIN_TOKEN"
NAMESPACE_SCHEME = "namespace:"      # a catalog db_url naming a namespace of the folder's server
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_PREFIX = re.compile(r"^[a-z][a-z0-9]{1,15}$")
ADMIN_TIMEOUT = 30.0


class ServerConfigError(DatabaseError):
    """A libSQL server address or record that cannot be used (the message says why)."""


def _base_url(value: str, what: str) -> str:
    """'http://127.0.0.1:8080/' -> 'http://127.0.0.1:8080'; only a scheme, host and port."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerConfigError(f"{what} must be http(s)://HOST:PORT, not {value!r}")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ServerConfigError(f"{what} must be only http(s)://HOST:PORT (tokens go in {ENV_TOKEN}), "
                                f"not {value!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ServerConfigError(f"{what} has a bad port: {value!r}") from exc
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


@dataclass(frozen=True)
class DbServer:
    """Where a data folder's databases live on a libSQL server, and the prefix of their namespaces."""

    server: str                     # sqld's HTTP address, http(s)://HOST:PORT
    admin: str                      # sqld's admin API, http(s)://HOST:PORT
    prefix: str                     # this folder's namespaces start with it (several folders, one server)

    def __post_init__(self) -> None:
        object.__setattr__(self, "server", _base_url(self.server, ENV_SERVER))
        object.__setattr__(self, "admin", _base_url(self.admin, ENV_ADMIN))
        if not _PREFIX.match(self.prefix):
            raise ServerConfigError(f"namespace prefix {self.prefix!r} must be 2-16 lowercase letters or digits")

    def namespace(self, kind: str, store_id: str = "") -> str:
        """The namespace of one database: kind 'catalog', 'store' (live) or 'work' (working copy)."""
        tag = {"catalog": "catalog", "store": "s", "work": "w"}[kind]
        name = f"{self.prefix}-{tag}" + (f"-{store_id.lower()}" if store_id else "")
        if not _LABEL.match(name):
            raise ServerConfigError(f"{name!r} cannot be a namespace (a DNS label: a-z, 0-9, '-', 63 at most)")
        return name

    def url_for(self, namespace: str) -> str:
        """The address of a namespace: its name as the first label of the server's host name."""
        parts = urlsplit(self.server)
        host = parts.hostname or ""
        if re.fullmatch(r"[\d.]+|[0-9a-f]*:[0-9a-f:]*", host):
            # sqld picks the namespace from the host name; an IP address has none, but *.localhost
            # reaches loopback (RFC 6761; libnss-myhostname on Debian).
            if host not in ("127.0.0.1", "::1"):
                raise ServerConfigError(f"{ENV_SERVER} must name a host (namespaces are chosen by host name), "
                                        f"not the address {host}")
            host = "localhost"
        return f"{parts.scheme}://{namespace}.{host}" + (f":{parts.port}" if parts.port else "")

    def create_namespace(self, namespace: str) -> None:
        """Create an empty database on the server (an existing one is refused: names are unique per store)."""
        self._admin("POST", f"/v1/namespaces/{namespace}/create", {})

    def delete_namespace(self, namespace: str, *, missing_ok: bool = True) -> None:
        """Delete a database from the server."""
        try:
            self._admin("DELETE", f"/v1/namespaces/{namespace}", None)
        except ServerConfigError as exc:
            if not (missing_ok and "404" in str(exc)):
                raise

    def has_namespace(self, namespace: str) -> bool:
        """Whether the server has this database."""
        try:
            self._admin("GET", f"/v1/namespaces/{namespace}/config", None)
        except ServerConfigError as exc:
            if "404" in str(exc):
                return False
            raise
        return True

    def _admin(self, method: str, path: str, body: dict[str, object] | None) -> bytes:
        headers = {"Content-Type": "application/json"}
        token = os.environ.get(ENV_ADMIN_TOKEN, "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.admin + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=ADMIN_TIMEOUT) as response:  # noqa: S310 - http(s) only
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise ServerConfigError(f"libSQL server admin API: {method} {path} answered {exc.code}: {detail}") from exc
        except OSError as exc:
            raise ServerConfigError(f"libSQL server admin API at {self.admin} cannot be reached: {exc}") from exc

    def to_record(self) -> dict[str, str]:
        """What the data folder records (no token)."""
        return {"server": self.server, "admin": self.admin, "prefix": self.prefix}


def read_record(root: Path) -> DbServer | None:
    """The server a data folder records, or None for a folder of files."""
    path = root / RECORD_NAME
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ServerConfigError(f"{path} cannot be read: {exc}") from exc
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("server", "admin", "prefix")):
        raise ServerConfigError(f"{path} must hold server, admin and prefix")
    return DbServer(record["server"], record["admin"], record["prefix"])


def write_record(root: Path, server: DbServer) -> None:
    """Record the folder's server (atomically: a half-written record would hide every store)."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{RECORD_NAME}.{secrets.token_hex(4)}"
    tmp.write_text(json.dumps(server.to_record(), indent=2) + "\n", encoding="utf-8")
    tmp.replace(root / RECORD_NAME)


def resolve_server(root: Path, *, server: str | None = None, admin: str | None = None,
                   has_files: bool = False) -> DbServer | None:
    """The server a cloud-side command uses for the data folder `root`: the --db-server/--db-admin
    options, else VIBESHOP_DB_SERVER/VIBESHOP_DB_ADMIN, else what the folder records; None for files.

    The folder records the server it is given, so later commands (and spawned workers) find it
    without the options. A folder that already keeps its databases in files (`has_files`) refuses a
    server; a folder on a server keeps its namespace prefix when the server's address changes.
    Raises ServerConfigError."""
    server = server or os.environ.get(ENV_SERVER) or None
    admin = admin or os.environ.get(ENV_ADMIN) or None
    recorded = read_record(root)
    if server is None and admin is None:
        return recorded
    if not (server and admin):
        raise ServerConfigError(f"a libSQL server needs both its address and its admin API "
                                f"(--db-server and --db-admin, or {ENV_SERVER} and {ENV_ADMIN})")
    if recorded is None and has_files:
        raise ServerConfigError(f"{root} keeps its databases in files; it cannot move to a libSQL server "
                                f"(unset {ENV_SERVER} and {ENV_ADMIN}, or use another --data folder)")
    prefix = recorded.prefix if recorded else "vs" + secrets.token_hex(4)
    chosen = DbServer(server, admin, prefix)
    if chosen != recorded:
        write_record(root, chosen)
    return chosen
