"""Sixteen clients retrying with idempotency keys through PostgreSQL restarts: the fault figures.

Run from a checkout after ``pip install -e '.[postgres]'``, on a machine with the PostgreSQL
server binaries (Debian: the ``postgresql`` package)::

    python bench/bench_ledger_faults.py                   # a throwaway server of its own
    python bench/bench_ledger_faults.py --restarts 5 --attempts 80
    python bench/bench_ledger_faults.py --dsn postgresql://u:p@host/db \\
        --restart-command "pg_ctlcluster 15 main restart"   # a server you may restart

By default it starts a server of its own (``initdb`` in a temporary folder, a free port,
``pg_ctl``; as the ``postgres`` user when run as root), so that restarting it disturbs nobody,
and removes it afterwards. Sixteen processes (``spawn``: as on separate machines) each reserve
federal-rule calls for eight shared Chicago consumers, every one with an idempotency key; a
call that fails (``ConnectionLostError``, after the ledger's own reconnect attempts) is retried
with the same key; every third answer is treated as lost and asked for again; allowed calls
get ``no_answer``. Meanwhile the server is restarted (``pg_ctl restart -m fast``, or with
``--mode immediate`` stopped as by a crash) several times. ``--reconnect-attempts 1`` leaves
the ledger almost no reconnecting of its own, so that the clients' retries do the work.
Afterwards the ledger is read back directly and the figures printed:

- duplicates: contacts recorded more than once (records granted by no decision, or a key
  logged twice): must be 0;
- lost: acknowledged reservations not on record with the ids they were acknowledged with:
  must be 0; and replays that differed from the first answer: must be 0;
- caps: the most calls recorded for one consumer on the day (the 7-in-7 cap): at most 7;
- what the clients went through: errors they saw, retries, the slowest call.

The exit status is 1 when any of the first three does not hold.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from contactrules import Address, Consumer, Contact, Debt, Engine, Phone
from contactrules.ledger import ConnectionLostError, PostgresLedger, Reconnect, Reservation

CHICAGO = ZoneInfo("America/Chicago")
START = dt.datetime(2026, 6, 3, 9, 0, tzinfo=CHICAGO)
CONSUMERS = 8
CLIENT_RETRIES = 60
RETRY_PAUSE = 0.25


def _people() -> list[Consumer]:
    return [
        Consumer(
            id=f"F-{n}",
            addresses=[Address(country="US", subdivision="IL", city="Chicago")],
            phones=[Phone(number=f"+1312555{n:04d}", type="mobile")],
            debts=[Debt(id="D1")],
        )
        for n in range(CONSUMERS)
    ]


def _client(
    number: int,
    dsn: str,
    schema: str,
    attempts: int,
    clients: int,
    reconnect: int | None,
    barrier: Any,
    out: Any,
) -> None:
    engine = Engine.default()
    people = _people()
    acknowledged: dict[str, tuple[int, int | None, bool]] = {}
    mismatched: list[str] = []
    errors = 0
    failures: list[str] = []
    slowest = 0.0

    def retrying(what: str, work: Any) -> Any:
        nonlocal errors, slowest
        for _ in range(CLIENT_RETRIES):
            began = time.perf_counter()
            try:
                result = work()
                slowest = max(slowest, time.perf_counter() - began)
                return result
            except ConnectionLostError:
                errors += 1
                time.sleep(RETRY_PAUSE)
        failures.append(what)
        return None

    policy = None if reconnect is None else Reconnect(attempts=reconnect)
    ledger = PostgresLedger(dsn, engine, schema=schema, reconnect=policy)
    barrier.wait()
    for attempt in range(attempts):
        who = people[(number + attempt) % CONSUMERS]
        contact = Contact(
            channel="call",
            at=START + dt.timedelta(seconds=(attempt * clients + number) * 20),
            consumer=who,
            debt_ids=["D1"],
            to=who.phones[0].number,
            dial_method="manual",
        )
        key = f"client-{number}/attempt-{attempt}"
        found = retrying(key, lambda c=contact, k=key: ledger.reserve(c, idempotency_key=k))
        if not isinstance(found, Reservation):
            continue
        acknowledged[key] = (found.decision_id, found.record_id, found.allowed)
        if attempt % 3 == 0:
            again = retrying(key, lambda c=contact, k=key: ledger.reserve(c, idempotency_key=k))
            if (
                not isinstance(again, Reservation)
                or (
                    again.decision_id,
                    again.record_id,
                    again.allowed,
                )
                != acknowledged[key]
            ):
                mismatched.append(key)
        if found.record_id is not None:
            record_id = found.record_id
            retrying(f"{key}/outcome", lambda r=record_id: ledger.record_outcome(r, "no_answer"))
    ledger.close()
    out.put((number, acknowledged, mismatched, errors, failures, slowest))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    which = shutil.which("pg_ctl")
    if which is None:
        sys.exit(
            "no PostgreSQL server binaries (pg_ctl, initdb) found; pass --dsn and --restart-command"
        )
    return Path(which).parent


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def private_server(mode: str) -> Iterator[tuple[str, list[str]]]:
    """A throwaway PostgreSQL server: its DSN and the command that restarts it."""
    bin_dir = _pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="contactrules-faults-"))
    data = folder / "data"
    port = _free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    quiet: dict[str, Any] = {"check": True, "stdout": subprocess.DEVNULL}
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "bench"]),
        **quiet,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=60"
    ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"]
    subprocess.run(_as_server_user([*ctl, "-o", options, "start"]), **quiet)
    try:
        restart = _as_server_user([*ctl, "-o", options, "-m", mode, "restart"])
        yield f"postgresql://bench@127.0.0.1:{port}/postgres", restart
    finally:
        subprocess.run(
            _as_server_user([*ctl, "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


def run(
    dsn: str,
    restart: list[str],
    clients: int,
    attempts: int,
    restarts: int,
    reconnect: int | None = None,
) -> bool:
    import psycopg

    schema = f"faults_{uuid.uuid4().hex[:10]}"
    PostgresLedger(dsn, Engine.default(), schema=schema).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(clients + 1)
    out = ctx.Queue()
    workers = [
        ctx.Process(
            target=_client, args=(n, dsn, schema, attempts, clients, reconnect, barrier, out)
        )
        for n in range(clients)
    ]
    for process in workers:
        process.start()
    barrier.wait()
    began = time.monotonic()
    downtime: list[float] = []
    for _ in range(restarts):
        time.sleep(1.5)
        stopped = time.monotonic()
        subprocess.run(restart, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        downtime.append(time.monotonic() - stopped)
    results = [out.get(timeout=600) for _ in workers]
    for process in workers:
        process.join(timeout=60)
    wall = time.monotonic() - began

    acknowledged = {k: v for r in results for k, v in r[1].items()}
    mismatched = [k for r in results for k in r[2]]
    errors = sum(r[3] for r in results)
    failures = [f for r in results for f in r[4]]
    slowest = max(r[5] for r in results)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        logged = conn.execute("SELECT idempotency_key, id, record_id FROM decisions").fetchall()
        records = conn.execute("SELECT id, consumer_id FROM records").fetchall()
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    keys = [k for k, _i, _r in logged]
    by_key = {k: (i, r) for k, i, r in logged}
    granted = [r for _k, _i, r in logged if r is not None]
    duplicates = (len(keys) - len(set(keys))) + (len(records) - len(set(granted)))
    duplicates += len({r for r, _c in records} ^ set(granted))
    lost = sum(1 for k, (i, r, _a) in acknowledged.items() if by_key.get(k) != (i, r))
    per_consumer: dict[str, int] = {}
    for _r, who in records:
        per_consumer[who] = per_consumer.get(who, 0) + 1
    most = max(per_consumer.values(), default=0)

    total = clients * attempts
    print(
        f"{clients} clients x {attempts} reservations, {CONSUMERS} shared consumers, "
        f"{restarts} restart(s) of PostgreSQL (each {min(downtime, default=0):.2f}–"
        f"{max(downtime, default=0):.2f} s), {wall:.1f} s in all"
    )
    print(
        f"  acknowledged            {len(acknowledged):>6} of {total}"
        f" ({len(failures)} gave up after {CLIENT_RETRIES} retries)"
    )
    print(f"  duplicates              {duplicates:>6}   (must be 0)")
    print(f"  lost acknowledged       {lost:>6}   (must be 0)")
    print(f"  replays that differed   {len(mismatched):>6}   (must be 0)")
    print(f"  most calls, 1 consumer  {most:>6}   (cap: 7 in 7 days)")
    print(f"  recorded / logged       {len(records):>6} / {len(logged)}")
    print(f"  errors clients saw      {errors:>6}   (ConnectionLostError, then retried)")
    print(f"  slowest call            {slowest:>6.2f} s (through a restart)")
    return duplicates == 0 and lost == 0 and not mismatched and most <= 7 and not failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--attempts", type=int, default=60, help="per client (default 60)")
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument(
        "--mode",
        choices=["fast", "immediate"],
        default="fast",
        help="how the own server stops: fast (a restart) or immediate (a crash, no checkpoint)",
    )
    parser.add_argument(
        "--reconnect-attempts",
        type=int,
        default=None,
        help="the ledger's own reconnect attempts (default: Reconnect()'s)",
    )
    parser.add_argument("--dsn", default=None, help="a server you may restart (default: own)")
    parser.add_argument("--restart-command", default=None, help="with --dsn: how to restart it")
    args = parser.parse_args()
    if args.dsn:
        if not args.restart_command:
            sys.exit("--dsn needs --restart-command")
        restart = args.restart_command.split()
        ok = run(
            args.dsn, restart, args.clients, args.attempts, args.restarts, args.reconnect_attempts
        )
    else:
        with private_server(args.mode) as (dsn, restart):
            ok = run(
                dsn, restart, args.clients, args.attempts, args.restarts, args.reconnect_attempts
            )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
