"""Load test of ``contactrules serve``: decisions and reservations per second, p50/p99, and a
PostgreSQL restart under load. Loopback only; every phase is bounded in time and count.

Run from a checkout after ``pip install -e '.[service,postgres]'``::

    python bench/bench_service.py                          # SQLite ledger; fault phase on a
                                                           # private PostgreSQL when installed
    python bench/bench_service.py --postgres "$(bash .ci/postgres.sh)"   # ledger in PostgreSQL
    python bench/bench_service.py --seconds 5 --workers 2 --fault none
    python bench/bench_service.py --postgres DSN --fault command \\
        --restart-command "pg_ctlcluster 15 main restart -m immediate"  # a server you own

What it does, for each ``--workers`` count (default 1, then 2): starts ``python -m
contactrules serve`` on a free loopback port (access log on, as by default), then drives it with
``--clients`` concurrent keep-alive connections (default 16) from this process, for
``--seconds`` per phase (default 10):

- ``decisions x1``: POST /v1/decisions, one scenario and one proposed call per request: an
  Ohio consumer (the federal stack: Regulation F, the TCPA and the bankruptcy rules) with 50
  history records; about 7 calls in 8 are allowed, the others denied by the hours rule;
- ``decisions x8``: the same consumer and history with eight proposed calls (53 minutes apart)
  in each request, as a dialer asks "now, or when?" about several slots at once;
- ``reservations``: POST /v1/reservations with an Idempotency-Key, for 256 consumers in
  turn, a call proposed at "now" (10:00 on 3 June 2026 plus the elapsed time); an allowed
  reservation's outcome is then recorded (PATCH, ``no_answer``). A request that fails (503, a
  dropped connection) is retried with the same key until it is answered.

Then the fault phase (``--fault``, with the last ``--workers`` count): the reservations phase
again, over 32 consumers so that caps bind, through PostgreSQL failures. ``private`` (the
default) runs a throwaway cluster this script creates with initdb on a free loopback port, so
no one else's server is touched: a quarter of the way in it crashes and restarts it
(``pg_ctl restart -m immediate``, no checkpoint, as a power cut; the ledger reconnects by
itself), then a quarter later crashes it and keeps it down for ``--outage`` seconds (default
8, longer than the ledger's own reconnect attempts, so the service answers 503 and the clients
retry with their keys), and the phase runs that much longer. ``command`` runs
``--restart-command`` once against the ``--postgres`` server (one you own); ``none`` skips it.

After every reservations phase the ledger itself is read: each acknowledged reservation is in
it under its key (0 lost), no key made more than one record (0 duplicates), and no consumer has
more than 7 calls in 7 local days (12 CFR 1006.14(b)(2)(i)(A): caps never exceeded).

Throughput is completed requests (decisions for the decisions phases) over the phase's wall
time; latencies are per request as the client sees them (retries included for reservations).
The client shares the machine's cores with the server, as a dialer on the same host would.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
NEW_YORK = ZoneInfo("America/New_York")
KEY = "crk_bench-key-0123456789abcdefghijklmnopqrstuvwxyzABCD"
TENANT = "bench"
CONSUMERS = 256
FAULT_CONSUMERS = 32  # fewer, so that caps bind through the faults too
MAX_REQUESTS = 500_000  # per phase, whatever the time
RETRY_DEADLINE = 60.0  # seconds a client keeps retrying one request
CAP = 7
TARGET_RATE = 2000.0  # decisions/s, federal stack with 50 history records
TARGET_P99_MS = 20.0


# --- request bodies ------------------------------------------------------------------------------
def _scenario(n: int) -> dict[str, Any]:
    """An Ohio consumer (federal stack), 50 records over the last 60 days, one proposed call."""
    at = dt.datetime(2026, 6, 10, 7, 0, tzinfo=NEW_YORK) + dt.timedelta(minutes=(n * 37) % 900)
    number = f"+1614555{n % 10000:04d}"
    history = []
    for i in range(50):
        when = at - dt.timedelta(days=60) + dt.timedelta(hours=29 * i)
        channel = "call" if i % 3 else "sms"
        outcome = "delivered" if channel == "sms" else ("no_answer", "voicemail")[i % 2]
        history.append(
            {
                "channel": channel,
                "at": when.isoformat(),
                "debt_ids": ["D1" if i % 2 else "D2"],
                "outcome": outcome,
                "to": number,
                "dial_method": "manual",
            }
        )
    return {
        "consumer": _consumer(n, number),
        "history": history,
        "contacts": [_call(at, number)],
    }


def _consumer(n: int, number: str) -> dict[str, Any]:
    return {
        "id": f"C-{n}",
        "addresses": [{"country": "US", "subdivision": "OH", "city": "Columbus"}],
        "phones": [{"number": number, "type": "mobile"}],
        "debts": [{"id": "D1"}, {"id": "D2"}],
    }


def _call(at: dt.datetime, number: str) -> dict[str, Any]:
    return {
        "channel": "call",
        "at": at.isoformat(),
        "debt_ids": ["D1"],
        "to": number,
        "dial_method": "manual",
    }


def _reservation(consumer: int, elapsed: float) -> dict[str, Any]:
    number = f"+1614555{consumer:04d}"
    at = dt.datetime(2026, 6, 3, 10, 0, tzinfo=NEW_YORK) + dt.timedelta(seconds=elapsed)
    return {"consumer": _consumer(consumer, number), "contact": _call(at, number)}


# --- a small HTTP/1.1 keep-alive client ----------------------------------------------------------
class Connection:
    """One keep-alive connection; requests are pre-encoded so the client costs little CPU."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
        )
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        found = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                found[name.strip().lower()] = value.strip()
        payload = await self.reader.readexactly(int(found.get("content-length", "0")))
        if found.get("connection", "").lower() == "close":
            await self.close()
        return status, payload, found

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Phase:
    name: str
    workers: int
    requests: int = 0
    decisions: int = 0
    allowed: int = 0
    errors: int = 0
    retries: int = 0
    unanswered: int = 0
    sampled: int = 0  # decisions whose verdict was read (all of them for reservations)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu: float = 0.0  # seconds of CPU the server's processes used during the phase
    client_cpu: float = 0.0  # seconds of CPU this process (the clients) used
    checks: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        rate = self.decisions / self.seconds if self.seconds else 0.0
        return {
            "workers": self.workers,
            "phase": self.name,
            "requests": self.requests,
            "per_second": round(rate, 1),
            "requests_per_second": round(self.requests / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(_percentile(ordered, 50) * 1e3, 2),
            "p99_ms": round(_percentile(ordered, 99) * 1e3, 2),
            "max_ms": round(ordered[-1] * 1e3, 1) if ordered else 0.0,
            "allowed_share": round(self.allowed / self.sampled, 3) if self.sampled else 0,
            "server_cpu_ms_per_request": (
                round(self.server_cpu / self.requests * 1e3, 3) if self.requests else 0.0
            ),
            "client_cpu_ms_per_request": (
                round(self.client_cpu / self.requests * 1e3, 3) if self.requests else 0.0
            ),
            "errors": self.errors,
            "retries": self.retries,
            "unanswered": self.unanswered,
            **self.checks,
        }


def _percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of a process and its children, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry.name), int(fields[1])
        if pid == root or parent == root:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@contextmanager
def cpu_of(phase: Phase, server_pid: int) -> Iterator[None]:
    """Record the CPU the server and this process spend during the block."""
    server0, client0 = _tree_cpu(server_pid), time.process_time()
    yield
    phase.server_cpu = _tree_cpu(server_pid) - server0
    phase.client_cpu = time.process_time() - client0


async def _drive(
    clients: int, seconds: float, one: Callable[[Connection, int], Awaitable[None]], port: int
) -> float:
    """Run ``one`` in a loop on ``clients`` connections until the time or count runs out."""
    deadline = time.monotonic() + seconds
    count = 0

    async def loop(index: int) -> None:
        nonlocal count
        connection = Connection(port)
        try:
            while time.monotonic() < deadline and count < MAX_REQUESTS:
                count += 1
                await one(connection, index)
        finally:
            await connection.close()

    started = time.monotonic()
    await asyncio.gather(*(loop(i) for i in range(clients)))
    return time.monotonic() - started


async def decisions_phase(
    port: int, phase: Phase, clients: int, seconds: float, batch: int
) -> None:
    bodies = []
    for n in range(64):
        doc = _scenario(n)
        first = doc["contacts"][0]
        step = dt.timedelta(minutes=53)
        doc["contacts"] = [
            {**first, "at": (dt.datetime.fromisoformat(first["at"]) + k * step).isoformat()}
            for k in range(batch)
        ]
        bodies.append(json.dumps(doc).encode())

    async def one(connection: Connection, index: int) -> None:
        body = bodies[(index + phase.requests) % len(bodies)]
        started = time.perf_counter()
        try:
            status, payload, _ = await connection.request("POST", "/v1/decisions", body)
        except (ConnectionError, asyncio.IncompleteReadError):
            await connection.close()
            phase.errors += 1
            return
        phase.latencies.append(time.perf_counter() - started)
        phase.requests += 1
        if status != 200:
            phase.errors += 1
            return
        phase.decisions += batch
        if phase.requests % 50 == 1:  # read one answer in 50: every decision is there
            verdicts = [d["allowed"] for d in json.loads(payload)["decisions"]]
            assert len(verdicts) == batch
            phase.sampled += batch
            phase.allowed += sum(verdicts)

    phase.seconds = await _drive(clients, seconds, one, port)


@dataclass
class Acknowledged:
    key: str
    consumer: str
    allowed: bool
    decision_id: int


async def reservations_phase(
    port: int,
    phase: Phase,
    clients: int,
    seconds: float,
    during: Callable[[], Awaitable[None]] | None = None,
    consumers: int = CONSUMERS,
) -> list[Acknowledged]:
    acknowledged: list[Acknowledged] = []
    started_at = time.monotonic()

    async def send(
        connection: Connection, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes] | None:
        """The request, retried (same body, same key) until answered or the deadline passes."""
        deadline = time.monotonic() + RETRY_DEADLINE
        pause = 0.05
        while True:
            try:
                status, payload, _ = await connection.request(method, path, body, headers)
                if status < 500:
                    return status, payload
                phase.errors += 1
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                phase.errors += 1
                await connection.close()
            if time.monotonic() > deadline:
                return None
            phase.retries += 1
            await asyncio.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 1.0)

    async def one(connection: Connection, index: int) -> None:
        consumer = random.randrange(consumers)
        body = json.dumps(_reservation(consumer, time.monotonic() - started_at)).encode()
        key = str(uuid.uuid4())
        began = time.perf_counter()
        answer = await send(connection, "POST", "/v1/reservations", body, {"Idempotency-Key": key})
        if answer is None:
            phase.unanswered += 1
            return
        status, payload = answer
        phase.requests += 1
        phase.latencies.append(time.perf_counter() - began)
        if status != 201:
            phase.errors += 1
            return
        data = json.loads(payload)
        phase.decisions += 1
        phase.sampled += 1
        number = int(data["id"].split("_")[1])
        acknowledged.append(Acknowledged(key, f"C-{consumer}", data["allowed"], number))
        if data["allowed"]:
            phase.allowed += 1
            outcome = json.dumps({"outcome": "no_answer"}).encode()
            await send(connection, "PATCH", f"/v1/reservations/{data['id']}", outcome, {})

    async def main() -> None:
        driving = asyncio.ensure_future(_drive(clients, seconds, one, port))
        if during is not None:
            await during()
        phase.seconds = await driving

    await main()
    return acknowledged


# --- the ledger, read back ----------------------------------------------------------------------
def verify(url: str, acknowledged: list[Acknowledged]) -> dict[str, Any]:
    """Lost, duplicated and over-cap counts, from the ledger itself."""
    from contactrules import Engine
    from contactrules.ledger import open_ledger

    lost = 0
    allowed_by: dict[str, int] = defaultdict(int)
    with open_ledger(url, Engine.default(), create=False) as ledger:
        for item in acknowledged:
            found = ledger.reservation_by_key(f"{TENANT}/{item.key}")
            if found is None or found.decision_id != item.decision_id:
                lost += 1
            allowed_by[item.consumer] += item.allowed
        duplicates = 0
        over_cap = 0
        busiest = 0
        for consumer in {item.consumer for item in acknowledged}:
            records = ledger.records(consumer)
            duplicates += max(0, len(records) - allowed_by[consumer])
            days = sorted(r.record.at.astimezone(NEW_YORK).date() for r in records)
            for first in days:
                count = sum(1 for d in days if first <= d < first + dt.timedelta(days=7))
                busiest = max(busiest, count)
                over_cap += count > CAP
    return {"lost": lost, "duplicates": duplicates, "over_cap": over_cap, "busiest": busiest}


# --- the server and PostgreSQL --------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(
    folder: Path, ledger: str, workers: int, extra: tuple[str, ...] = ()
) -> Iterator[tuple[int, int]]:
    from contactrules.service.auth import hash_key

    config = folder / f"service-{workers}.yaml"
    config.write_text(
        f"tenants:\n  - id: {TENANT}\n    keys: [{hash_key(KEY)}]\n"
        f"    ledger: {json.dumps(ledger)}\nledger_connections: 8\n",
        encoding="utf-8",
    )
    port = _free_port()
    log_path = folder / f"server-{workers}.log"
    log = open(log_path, "ab")  # noqa: SIM115 (closed below)

    def log_text() -> str:
        return log_path.read_text(encoding="utf-8", errors="replace")

    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "contactrules", "serve", "--config", str(config)),
            *("--port", str(port), "--workers", str(workers)),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited: see {folder}/server-{workers}.log")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if b" 200 " in sock.recv(100):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start in 60 s")
            time.sleep(0.2)
        while log_text().count('"server.started"') < workers:  # every worker, not the first
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not all start in 60 s")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _as_postgres(command: list[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb and the server refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _postgres_bin() -> Path | None:
    try:
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if (Path(found) / "initdb").exists():
            return Path(found)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


@dataclass
class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free loopback port, in a folder of its own."""

    bindir: Path
    folder: Path
    port: int
    outage_seconds: float = 8.0

    @property
    def dsn(self) -> str:
        return f"postgresql://bench@127.0.0.1:{self.port}/postgres"

    @property
    def options(self) -> str:
        return f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"

    def _ctl(self, *args: str) -> None:
        data = str(self.folder / "data")
        subprocess.run(
            _as_postgres([str(self.bindir / "pg_ctl"), "-D", data, "-w", *args]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        subprocess.run(
            _as_postgres(
                [
                    *(str(self.bindir / "initdb"), "-D", str(self.folder / "data")),
                    *("-A", "trust", "-U", "bench"),
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self._ctl("-o", self.options, "-l", str(self.folder / "server.log"), "start")

    def restart(self) -> None:
        """A crash and a restart: ``-m immediate`` stops without a checkpoint, as a power cut."""
        self._ctl("-m", "immediate", "-l", str(self.folder / "server.log"), "restart")

    def outage(self) -> None:
        """A crash, then the server down for ``outage_seconds``: longer than the ledger's own
        reconnect attempts (about 5 s), so the service answers 503 and the clients retry."""
        self._ctl("-m", "immediate", "stop")
        time.sleep(self.outage_seconds)
        self._ctl("-o", self.options, "-l", str(self.folder / "server.log"), "start")

    def starts(self) -> int:
        """How many times the server came up, from its own log (1 + the restarts)."""
        log = (self.folder / "server.log").read_text(encoding="utf-8", errors="replace")
        return log.count("database system is ready to accept connections")

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- the run --------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    folder = Path(tempfile.mkdtemp(prefix="contactrules-bench-service-"))
    schemas: list[tuple[str, str]] = []

    def ledger_url(label: str) -> str:
        if args.postgres:
            schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
            schemas.append((args.postgres, schema))
            return f"{args.postgres}{'&' if '?' in args.postgres else '?'}schema={schema}"
        return f"sqlite:///{folder / f'{label}.db'}"

    try:
        for workers in args.workers if {"decisions", "reservations"} & set(args.phases) else ():
            url = ledger_url(f"w{workers}")
            with server(folder, url, workers, args.server_args) as (port, pid):
                for batch in (1, 8) if "decisions" in args.phases else ():
                    phase = Phase(f"decisions x{batch}", workers)
                    with cpu_of(phase, pid):
                        asyncio.run(decisions_phase(port, phase, args.clients, args.seconds, batch))
                    rows.append(_report(phase.row()))
                if "reservations" not in args.phases:
                    continue
                phase = Phase("reservations", workers)
                with cpu_of(phase, pid):
                    done = asyncio.run(reservations_phase(port, phase, args.clients, args.seconds))
                phase.checks = verify(url, done)
                rows.append(_report(phase.row()))
        if args.fault != "none" and "fault" in args.phases:
            rows.extend(fault(args, folder, schemas))
    finally:
        _drop(schemas)
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def fault(
    args: argparse.Namespace, folder: Path, schemas: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    workers = args.workers[-1]
    private: PrivatePostgres | None = None
    if args.fault == "private":
        bindir = _postgres_bin()
        if bindir is None:
            print("fault phase skipped: no PostgreSQL binaries (initdb) found", file=sys.stderr)
            return []
        folder_pg = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        private = PrivatePostgres(bindir, folder_pg, _free_port(), args.outage)
        private.start()
        url = private.dsn
        restart: Callable[[], None] = private.restart
        outage: Callable[[], None] | None = private.outage
    else:
        if not args.postgres or not args.restart_command:
            raise SystemExit("--fault command needs --postgres DSN and --restart-command CMD")
        schema = f"bench_fault_{uuid.uuid4().hex[:8]}"
        schemas.append((args.postgres, schema))
        url = f"{args.postgres}{'&' if '?' in args.postgres else '?'}schema={schema}"
        command = args.restart_command
        outage = None

        def restart() -> None:
            subprocess.run(command, shell=True, check=True)

    try:
        with server(folder, url, workers, args.server_args) as (port, pid):
            phase = Phase("reservations, PostgreSQL restarted", workers)
            seconds = args.seconds + (args.outage if outage is not None else 0)

            async def during() -> None:
                await asyncio.sleep(args.seconds / 4)
                began = time.monotonic()
                await asyncio.to_thread(restart)
                phase.checks["restart_s"] = round(time.monotonic() - began, 2)
                if outage is not None:
                    await asyncio.sleep(args.seconds / 4)
                    await asyncio.to_thread(outage)

            with cpu_of(phase, pid):
                done = asyncio.run(
                    reservations_phase(
                        port, phase, args.clients, seconds, during, consumers=FAULT_CONSUMERS
                    )
                )
            phase.checks = {**phase.checks, **verify(url, done)}
            if private is not None:  # the server's own word that it went down and came back
                phase.checks["postgres_starts"] = private.starts()
            return [_report(phase.row())]
    finally:
        if private is not None:
            private.stop()


def _drop(schemas: list[tuple[str, str]]) -> None:
    if not schemas:
        return
    import psycopg

    for dsn, schema in schemas:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _report(row: dict[str, Any]) -> dict[str, Any]:
    unit = "decisions/s" if row["phase"].startswith("decisions") else "reservations/s"
    line = (
        f"{row['workers']} worker(s)  {row['phase']:<36} {row['per_second']:>8.0f} {unit:<15}"
        f" p50 {row['p50_ms']:>6.2f} ms  p99 {row['p99_ms']:>7.2f} ms  "
        f"({row['requests']} requests, {row['errors']} errors, {row['retries']} retries)"
        f"\n{'':>14}CPU per request: server {row['server_cpu_ms_per_request']:.2f} ms, "
        f"client {row['client_cpu_ms_per_request']:.2f} ms"
    )
    if "lost" in row:
        line += (
            f"\n{'':>14}lost {row['lost']}, duplicates {row['duplicates']}, over cap "
            f"{row['over_cap']} (busiest 7 days: {row['busiest']} calls), unanswered "
            f"{row['unanswered']}"
            + (f", restart took {row['restart_s']} s" if "restart_s" in row else "")
            + (
                f", PostgreSQL started {row['postgres_starts']} times"
                if "postgres_starts" in row
                else ""
            )
        )
    print(line, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase (max 60)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CONTACTRULES_TEST_POSTGRES"),
        help="a PostgreSQL DSN for the ledger (default: $CONTACTRULES_TEST_POSTGRES, else SQLite)",
    )
    parser.add_argument("--fault", choices=["private", "command", "none"], default="private")
    parser.add_argument(
        "--restart-command", help="restarts the --postgres server (--fault command)"
    )
    parser.add_argument(
        "--outage",
        type=float,
        default=8.0,
        help="seconds the private PostgreSQL stays down in the fault phase's second fault",
    )
    parser.add_argument(
        "--phases",
        nargs="+",
        choices=["decisions", "reservations", "fault"],
        default=["decisions", "reservations", "fault"],
    )
    parser.add_argument(
        "--no-access-log",
        dest="server_args",
        action="store_const",
        const=("--no-access-log",),
        default=(),
        help="run the server without its per-request log lines",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    args.seconds = min(max(args.seconds, 1.0), 60.0)
    args.clients = min(max(args.clients, 1), 256)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(
        f"contactrules serve: {args.clients} clients, {args.seconds:g} s per phase, "
        f"ledger {'PostgreSQL' if args.postgres else 'SQLite'}; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
        flush=True,
    )
    rows = run(args)
    single = [r for r in rows if r["phase"] == "decisions x1"]
    for row in single:
        meets = row["per_second"] >= TARGET_RATE and row["p99_ms"] <= TARGET_P99_MS
        print(
            f"target {TARGET_RATE:.0f} decisions/s at p99 <= {TARGET_P99_MS:.0f} ms, one per "
            f"request, {row['workers']} worker(s): {'met' if meets else 'NOT met'}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
