"""``Ledger.reserve()`` per second on SQLite (a WAL file) and PostgreSQL, 1 and 4 processes.

Run from a checkout after ``pip install -e '.[postgres]'``::

    python bench/bench_ledger.py                                  # SQLite only
    python bench/bench_ledger.py --postgres postgresql://u:p@localhost/db
    CONTACTRULES_TEST_POSTGRES="$(bash .ci/postgres.sh)" python bench/bench_ledger.py

Workload: each process reserves federal-rule calls for its own 200 Chicago consumers in turn
(distinct consumers, as a dialer's workers do), every call inside calling hours and eight days
after that consumer's previous one, so each is allowed and recorded with outcome ``pending`` and
each consumer's history grows to about ``--reserves / 200`` records. Every reserve is one
transaction: lock, read the history, evaluate, later-reservation check, upsert the consumer,
insert the record, log the decision with its inputs hash. Throughput is all reserves over the
wall time from the first to the last (processes start together); latencies are per call.
SQLite runs with ``synchronous=FULL`` (durable across power loss, the default) and ``NORMAL``
(durable across process crashes only). PostgreSQL uses a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from contactrules import Address, Consumer, Contact, Debt, Engine, Phone
from contactrules.ledger import Ledger, PostgresLedger, SQLiteLedger

CHICAGO = ZoneInfo("America/Chicago")
START = dt.datetime(2026, 6, 3, 10, 0, tzinfo=CHICAGO)
CONSUMERS = 200


def _open(kind: str, target: str, option: str | None, engine: Engine) -> Ledger:
    if kind == "sqlite":
        return SQLiteLedger(target, engine, synchronous=option or "FULL")  # type: ignore[arg-type]
    return PostgresLedger(target, engine, schema=option)


def _worker(
    kind: str, target: str, option: str | None, worker: int, reserves: int, barrier: Any, out: Any
) -> None:
    engine = Engine.default()
    ledger = _open(kind, target, option, engine)
    people = [
        Consumer(
            id=f"W{worker}-C{n}",
            addresses=[Address(country="US", subdivision="IL", city="Chicago")],
            phones=[Phone(number=f"+1312555{n:04d}", type="mobile")],
            debts=[Debt(id="D1")],
        )
        for n in range(CONSUMERS)
    ]
    contacts = [
        Contact(
            channel="call",
            at=START + dt.timedelta(days=8 * (k // CONSUMERS), seconds=k % CONSUMERS),
            consumer=people[k % CONSUMERS],
            debt_ids=["D1"],
            to=people[k % CONSUMERS].phones[0].number,
            dial_method="manual",  # unstated counts as automated: the TCPA would deny them all
        )
        for k in range(reserves)
    ]
    latencies: list[float] = []
    allowed = 0
    barrier.wait()
    began = time.perf_counter()
    for contact in contacts:
        t0 = time.perf_counter()
        allowed += ledger.reserve(contact).allowed
        latencies.append(time.perf_counter() - t0)
    ended = time.perf_counter()
    ledger.close()
    out.put((began, ended, latencies, allowed))


def run(
    kind: str, target: str, option: str | None, processes: int, reserves: int
) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(kind, target, option, w, reserves, barrier, out))
        for w in range(processes)
    ]
    for p in workers:
        p.start()
    results = [out.get() for _ in workers]
    for p in workers:
        p.join()
    began = min(r[0] for r in results)
    ended = max(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    total = len(latencies)
    return {
        "total": total,
        "seconds": ended - began,
        "per_second": total / (ended - began),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(0.99 * (total - 1))] * 1000,
        "allowed": sum(r[3] for r in results) / total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reserves", type=int, default=2000, help="per process (default 2000)")
    parser.add_argument("--postgres", default=os.environ.get("CONTACTRULES_TEST_POSTGRES"))
    parser.add_argument("--dir", default=None, help="where the SQLite files go (default: temp)")
    args = parser.parse_args()

    rows: list[tuple[str, int, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for sync in ("FULL", "NORMAL"):
            for processes in (1, 4):
                path = os.path.join(folder, f"bench-{sync}-{processes}.db")
                SQLiteLedger(path, Engine.default()).close()  # schema first
                label = f"SQLite WAL, synchronous={sync}"
                rows.append((label, processes, run("sqlite", path, sync, processes, args.reserves)))
    if args.postgres:
        import psycopg

        for processes in (1, 4):
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            PostgresLedger(args.postgres, Engine.default(), schema=schema).close()
            try:
                result = run("postgres", args.postgres, schema, processes, args.reserves)
            finally:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            rows.append(("PostgreSQL", processes, result))
    else:
        print("(PostgreSQL skipped: pass --postgres DSN or set CONTACTRULES_TEST_POSTGRES)")

    print(f"reserve() throughput, {args.reserves} reserves per process, {os.cpu_count()} CPU(s)")
    header = f"{'back-end':<32} {'procs':>5} {'reserves':>8} {'s':>7} {'reserve/s':>10}"
    print(f"{header} {'p50 ms':>7} {'p99 ms':>7} {'allowed':>8}")
    for label, processes, r in rows:
        print(
            f"{label:<32} {processes:>5} {r['total']:>8} {r['seconds']:>7.2f} "
            f"{r['per_second']:>10,.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
            f"{r['allowed']:>8.0%}"
        )


if __name__ == "__main__":
    main()
