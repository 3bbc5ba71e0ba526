"""Helpers for the service tests: a real ``contactrules serve`` process and an HTTP client.

The tests run the service as users do: ``python -m contactrules serve --config FILE`` in its own
process, listening on a loopback port, and talk to it over HTTP with the standard library's
client (one keep-alive connection per :class:`Client`). The process's stderr (its JSON log) is
kept in a file the tests read.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contactrules.service.auth import hash_key

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0

#: Keys of the tenants the test configs declare (plain here; the config holds their hashes).
KEYS = {
    "alpha": "crk_test-alpha-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "beta": "crk_test-beta-key-0123456789abcdefghijklmnopqrstuvwxyzab",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_config(
    folder: Path,
    ledgers: Mapping[str, str],
    *,
    policies: Mapping[str, Sequence[str]] | None = None,
    extra: str = "",
) -> Path:
    """A config file with a tenant per ledger (``alpha``, ``beta``), each with its test key."""
    lines = ["tenants:"]
    for tenant, url in ledgers.items():
        lines += [
            f"  - id: {tenant}",
            f"    keys: [{hash_key(KEYS[tenant])}]",
            f"    ledger: {json.dumps(url)}",
        ]
        for path in (policies or {}).get(tenant, ()):
            if "    policies:" not in lines[-1]:
                lines.append("    policies:")
            lines.append(f"      - {json.dumps(path)}")
    config = folder / "service.yaml"
    config.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return config


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Client:
    """One keep-alive HTTP/1.1 connection to the server."""

    port: int
    key: str | None = None
    timeout: float = 30.0
    _conn: http.client.HTTPConnection | None = field(default=None, repr=False)

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        raw: bytes | None = None,
        key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        sent = dict(headers or {})
        token = key if key is not None else self.key
        if token is not None and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        for attempt in range(2):  # the server may have closed an idle keep-alive connection
            if self._conn is None:
                self._conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout
                )
            try:
                self._conn.request(method, path, body=data, headers=sent)
                answer = self._conn.getresponse()
                payload = answer.read()
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise
                continue
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, payload)
        raise AssertionError("unreachable")

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: object = None, **kw: Any) -> Response:
        return self.request("POST", path, body, **kw)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __del__(self) -> None:  # a client a test did not close: no unclosed-socket warning
        self.close()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def client(self, tenant: str | None = None) -> Client:
        return Client(self.port, KEYS[tenant] if tenant else None)

    def log_lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append({"event": "not-json", "line": line})
        return out

    def wait_for_log(
        self, event: str, count: int = 1, timeout: float = 30.0, **fields: Any
    ) -> list[dict[str, Any]]:
        """The log lines of ``event`` (with these field values), once ``count`` are written:
        a request's line is written after its answer is sent, so a test waits for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                e
                for e in self.log_lines()
                if e.get("event") == event and all(e.get(k) == v for k, v in fields.items())
            ]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count} {event!r} log lines in {timeout} s")
            time.sleep(0.05)

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)


@contextmanager
def running_server(
    config: Path, folder: Path, *, workers: int = 1, args: Sequence[str] = ()
) -> Iterator[Server]:
    """``contactrules serve`` on a free loopback port until the block ends (then SIGTERM)."""
    port = free_port()
    log = folder / f"server-{port}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "ab") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "contactrules",
                "serve",
                "--config",
                str(config),
                "--port",
                str(port),
                "--workers",
                str(workers),
                *args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            cwd=ROOT,
        )
    server = Server(process, port, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(
                f"the server exited with {server.process.returncode}:\n"
                + server.log.read_text(encoding="utf-8")
            )
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.5):
                pass
            client = server.client()
            if client.get("/healthz").status == 200:
                client.close()
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not answer /healthz in time")
