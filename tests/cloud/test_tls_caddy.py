"""HTTPS for custom domains: Caddy with on-demand TLS in front of the service gets a certificate from
pebble (a local ACME server) for a verified domain and serves the store over HTTPS; an unverified
domain gets no certificate. Everything listens on loopback; Debian's caddy, pebble, openssl."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.db.repositories import stores
from shared.db.stamps import new_id, utc_now
from shared.storefront.service import DataDir, open_store

TOOLS = ("caddy", "pebble", "pebble-challtestsrv", "openssl")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ca(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for pebble's own HTTPS endpoint (127.0.0.1)."""
    run = lambda *args: subprocess.run(args, cwd=folder, check=True, capture_output=True)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
        "-keyout", "ca.key", "-out", "ca.pem")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "pebble.key",
        "-out", "pebble.csr")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("openssl", "x509", "-req", "-in", "pebble.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "san.ext", "-out", "pebble.pem")
    return folder / "ca.pem", folder / "pebble.pem", folder / "pebble.key"


def _wait_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@pytest.fixture
def acme(tmp_path: Path) -> Iterator[dict]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"install {missing} (Debian packages; .ci/run installs them)"
    ca, cert, key = _ca(tmp_path)
    dns, pebble_port, pebble_mgmt = _port(), _port(), _port()
    http_port, https_port = _port(), _port()
    config = tmp_path / "pebble.json"
    config.write_text(json.dumps({"pebble": {
        "listenAddress": f"127.0.0.1:{pebble_port}", "managementListenAddress": f"127.0.0.1:{pebble_mgmt}",
        "certificate": str(cert), "privateKey": str(key), "httpPort": http_port, "tlsPort": https_port,
        "ocspResponderURL": "", "externalAccountBindingRequired": False}}))
    procs = [
        subprocess.Popen(["pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                          "-dns01", f"127.0.0.1:{dns}", "-http01", "", "-https01", "", "-tlsalpn01", "",
                          "-management", f"127.0.0.1:{_port()}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(["pebble", "-config", str(config), "-dnsserver", f"127.0.0.1:{dns}"],
                         env={"PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0", "PATH": "/usr/bin:/bin"},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        _wait_port(pebble_port)
        yield {"dir": tmp_path, "ca": ca, "pebble": pebble_port, "mgmt": pebble_mgmt, "http": http_port,
               "https": https_port, "procs": procs}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _caddy(acme: dict, app_port: int) -> subprocess.Popen:
    caddyfile = acme["dir"] / "Caddyfile"
    caddyfile.write_text(f"""{{
	admin off
	default_bind 127.0.0.1
	http_port {acme["http"]}
	https_port {acme["https"]}
	acme_ca https://127.0.0.1:{acme["pebble"]}/dir
	acme_ca_root {acme["ca"]}
	storage file_system {acme["dir"] / "caddy-data"}
	on_demand_tls {{
		ask http://127.0.0.1:{app_port}/_tls/ask
	}}
}}
https:// {{
	tls {{
		on_demand
	}}
	reverse_proxy 127.0.0.1:{app_port} {{
		header_up X-Forwarded-Proto {{scheme}}
	}}
}}
""")
    proc = subprocess.Popen(["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
                            env={"HOME": str(acme["dir"]), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.DEVNULL, stderr=open(acme["dir"] / "caddy.log", "w"))
    _wait_port(acme["https"])
    return proc


def _pebble_root(acme: dict) -> str:
    """The root that signs pebble's certificates (from its management interface)."""
    import urllib.request

    context = ssl.create_default_context(cafile=str(acme["ca"]))
    return urllib.request.urlopen(f"https://127.0.0.1:{acme['mgmt']}/roots/0", context=context).read().decode()


def _https_get(port: int, host: str, root_pem: str, tries: int = 40) -> tuple[dict, str]:
    context = ssl.create_default_context(cadata=root_pem)
    last: Exception | None = None
    for _ in range(tries):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname=host) as tls:
                    tls.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                    chunks = []
                    while data := tls.recv(65536):
                        chunks.append(data)
                    return tls.getpeercert(), b"".join(chunks).decode("utf-8", "replace")
        except (ssl.SSLError, OSError) as exc:      # the first handshake waits for the ACME order
            last = exc
            time.sleep(0.5)
    raise AssertionError(f"no HTTPS for {host}: {last}")


def _attach(data: Path, hostname: str, *, verified: bool) -> None:
    store = open_store(DataDir(data), "demo")
    store.close()
    catalog = DataDir(data).catalog()
    try:
        def write(conn):
            stores.add_domain(conn, domain_id=new_id(), store_id=store.record.id, hostname=hostname, token="t",
                              created_at=utc_now())
            if verified:
                row = stores.domain_by_hostname(conn, hostname)
                stores.mark_domain_verified(conn, row[0], utc_now())
        catalog.write(write)
    finally:
        catalog.close()


async def test_caddy_gets_a_certificate_for_a_verified_domain_only(aiohttp_server, demo_dir: Path, acme) -> None:
    _attach(demo_dir, "shop.test", verified=True)
    _attach(demo_dir, "pending.test", verified=False)
    server = await aiohttp_server(create_app(ServeConfig(data_dir=demo_dir)))
    caddy = await asyncio.to_thread(_caddy, acme, server.port)
    try:
        root = await asyncio.to_thread(_pebble_root, acme)
        cert, response = await asyncio.to_thread(_https_get, acme["https"], "shop.test", root)
        assert ("DNS", "shop.test") in cert["subjectAltName"]
        assert response.startswith("HTTP/1.1 200") and "Harbor &amp; Pine" in response
        assert "strict-transport-security: max-age=" in response.lower()      # HTTPS seen through the proxy
        with pytest.raises(AssertionError, match="no HTTPS for pending.test"):
            await asyncio.to_thread(_https_get, acme["https"], "pending.test", root, 4)
    finally:
        caddy.terminate()
        await asyncio.to_thread(caddy.wait, 10)
