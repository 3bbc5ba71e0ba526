"""Helpers for the ledger tests: where the ledgers live, and the code child processes run.

Child processes are started with the 'spawn' method (a fresh interpreter, as on another
machine), so what they run must live in an importable module that does not import pytest's
test modules; that is this file.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from contactrules import (
    Address,
    Consumer,
    Contact,
    ContactRecord,
    Debt,
    DialMethod,
    Engine,
    Outcome,
    Phone,
    PhoneType,
)
from contactrules.ledger import Ledger, PostgresLedger, SQLiteLedger

ENV = "CONTACTRULES_TEST_POSTGRES"
CHICAGO = ZoneInfo("America/Chicago")
NUMBER = "+13125550111"
# Wednesday 3 June 2026, 09:00 in Chicago: every instant the tests use is on this day or the
# following ones, inside the federal 08:00–21:00 window.
WEDNESDAY = dt.datetime(2026, 6, 3, 9, 0, tzinfo=CHICAGO)
CAP_RULE = "US-FED-REGF-1006.14b2iA-CALL-7IN7"
COOLDOWN_RULE = "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN"
HOURS_RULE = "US-FED-REGF-1006.6b1i-HOURS"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def postgres_dsn() -> str:
    """The test server's DSN; skips locally when none is configured, fails in CI.

    A DSN that is set but unusable always fails: someone asked for PostgreSQL to be tested.
    """
    import pytest

    dsn = os.environ.get(ENV)
    if dsn is None:
        if in_ci():
            pytest.fail(f"CI=true but {ENV} is not set; .ci/run sets it from .ci/postgres.sh")
        pytest.skip(f"{ENV} is not set (bash .ci/postgres.sh starts a server and prints one)")
    problem = None
    try:
        import psycopg

        with psycopg.connect(dsn, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        problem = " ".join(str(exc).split())
    if problem is not None:
        pytest.fail(f"{ENV} is set but PostgreSQL is unusable: {problem}")
    return dsn


@dataclass(frozen=True)
class LedgerSpec:
    """Where a test ledger lives, picklable so that child processes can open it too."""

    backend: str
    target: str  # SQLite file path, or PostgreSQL DSN
    schema: str | None = None

    def open(self, engine: Engine, **options: Any) -> Ledger:
        if self.backend == "sqlite":
            return SQLiteLedger(self.target, engine, **options)
        return PostgresLedger(self.target, engine, schema=self.schema, **options)

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a statement run on the ledger's database directly, as a person with a
        database client would (``?`` placeholders)."""
        if self.backend == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.target)
            try:
                with conn:
                    rows = conn.execute(sql, params)
                    return [tuple(r) for r in rows.fetchall()] if rows.description else []
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.target, autocommit=True) as pg:
            pg.execute(f'SET search_path TO "{self.schema}"')
            found = pg.execute(sql.replace("?", "%s").encode(), params)
            return [tuple(r) for r in found.fetchall()] if found.description else []

    @property
    def url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.target}"
        separator = "&" if "?" in self.target else "?"
        return f"{self.target}{separator}schema={self.schema}"


@contextmanager
def ledger_spec(backend: str, directory: str) -> Iterator[LedgerSpec]:
    """A fresh place for a ledger: a new SQLite file, or a new PostgreSQL schema dropped after."""
    if backend == "sqlite":
        yield LedgerSpec("sqlite", os.path.join(directory, "ledger.db"))
        return
    import psycopg

    dsn = postgres_dsn()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        yield LedgerSpec("postgres", dsn, schema)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def consumer(consumer_id: str = "C-1", debts: tuple[str, ...] = ("D1",)) -> Consumer:
    """A consumer in Chicago with one mobile number (federal rules only)."""
    return Consumer(
        id=consumer_id,
        addresses=[Address(country="US", subdivision="IL", city="Chicago")],
        phones=[Phone(number=NUMBER, type=PhoneType.MOBILE)],
        debts=[Debt(id=d) for d in debts],
    )


def call(
    at: dt.datetime,
    who: Consumer | None = None,
    debt: str = "D1",
    dial_method: DialMethod | None = DialMethod.MANUAL,
) -> Contact:
    """A call to the consumer's mobile, dialled by a person unless said otherwise.

    The TCPA rules (in the default US stack) deny a call to a mobile whose method is not stated
    and which has no consent on record, so the caps and cooldowns these tests are about are
    reached only by calls that say how they are placed.
    """
    return Contact(
        channel="call",
        at=at,
        consumer=who or consumer(),
        debt_ids=[debt],
        to=NUMBER,
        dial_method=dial_method,
    )


# --- the race: many processes reserving calls for one consumer and one debt ---------------------


def race_worker(spec: LedgerSpec, worker: int, attempts: int, barrier: Any, results: Any) -> None:
    """Reserve calls for the same consumer and debt as fast as possible; report what happened.

    Instant of attempt k by worker w: Wednesday 09:00 + 10k + w minutes, so workers interleave
    and, racing, propose instants earlier than ones already reserved. Each allowed call is
    marked ``no_answer`` at once (a pending call counts as a possible conversation, whose
    cooldown would otherwise make the cap unreachable).
    """
    engine = Engine.default()
    ledger = spec.open(engine)
    who = consumer("C-RACE")
    allowed: list[int] = []
    denied_by: list[str] = []
    barrier.wait()
    try:
        for k in range(attempts):
            at = WEDNESDAY + dt.timedelta(minutes=10 * k + worker)
            reservation = ledger.reserve(call(at, who))
            if reservation.record_id is not None:
                allowed.append(reservation.record_id)
                ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
            else:
                denied_by.extend(r.rule_id for r in reservation.decision.reasons)
    finally:
        ledger.close()
    results.put((worker, allowed, denied_by))


# --- the crash: a writer killed while writing ----------------------------------------------------


def crash_writer(spec: LedgerSpec, report: str) -> None:
    """Write until killed; append each id to ``report`` only after its transaction committed.

    A loop of three kinds of write (a reserved call, its outcome, an external inbound record)
    over 40 consumers, so the kill lands in any of them.
    """
    engine = Engine.default()
    ledger = spec.open(engine)
    fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    people = [consumer(f"C-{n}") for n in range(40)]
    n = 0
    while True:
        who = people[n % len(people)]
        at = WEDNESDAY + dt.timedelta(days=n // len(people), minutes=n % 600)
        reservation = ledger.reserve(call(at, who))
        if reservation.record_id is not None:
            os.write(fd, f"{reservation.record_id}\n".encode())
            ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
        inbound = ContactRecord(
            channel="sms",
            at=at + dt.timedelta(seconds=30),
            debt_ids=["D1"],
            outcome=Outcome.DELIVERED,
            initiated_by="consumer",
            to=NUMBER,
        )
        record_id = ledger.record(who.id, inbound)
        os.write(fd, f"{record_id}\n".encode())
        n += 1
