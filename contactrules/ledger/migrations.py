"""The ledger's schema, owned by the library: an ordered list of steps per back-end.

A ledger outlives library versions (regulators ask for records kept for years), so its schema
is never created ad hoc: every database has a ``schema_version`` table with one row per step
applied, and opening a ledger applies the missing steps in order, in one transaction, under a
lock, so two workers opening a fresh database at once cannot both create it. Steps only ever add
(tables, columns with defaults, indexes); nothing is dropped or rewritten, so no record or
decision is lost across upgrades. A database written by a newer library (a higher version than
the last step known here) is refused with a clear error rather than half-understood.

To change the schema, append a :class:`Migration`; never edit one that has been released. A step
that must compute something (version 4 chains the decisions already logged) has a ``backfill``
run in the same transaction, after its statements, through the back-end's session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .._version import __version__
from .base import LedgerError, SchemaTooNewError
from .chain import ChainEvent, ChainHead, digest, event_hash, genesis_link, salted_hash
from .entries import AUDIT_PAGE

if TYPE_CHECKING:  # psycopg is an optional dependency
    import psycopg

    from .sql import SQLSession

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Migration",
    "migrate_postgres",
    "migrate_sqlite",
    "pending",
    "read_only_version",
    "start_chain",
]

Backend = Literal["sqlite", "postgres"]


@dataclass(frozen=True)
class Migration:
    """One schema step: the statements that bring a database from ``version - 1`` to it."""

    version: int
    description: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]
    backfill: Callable[[SQLSession], None] | None = None

    def statements(self, backend: Backend) -> tuple[str, ...]:
        return self.sqlite if backend == "sqlite" else self.postgres


def start_chain(session: SQLSession) -> None:
    """Version 4's step: the genesis entry, then every decision logged before, chained in id
    order, each with a fresh salt for the hashes of its personal data, and the chain's head.

    The chain shows that these entries were not changed after the upgrade; it cannot say
    anything of what happened to them before it (docs/ledger.md).
    """
    rows = []
    after = 0
    while True:
        page = session.decisions(after, AUDIT_PAGE, None)
        rows.extend(page)
        if len(page) < AUDIT_PAGE:
            break
        after = page[-1].id
    body = genesis_link(session.now(), len(rows), __version__)
    prev = event_hash(body)
    session.insert_event(ChainEvent(0, "genesis", body, prev))
    for seq, row in enumerate(rows, start=1):
        salt = secrets.token_hex(16)
        chained = dataclasses.replace(
            row,
            chain_seq=seq,
            prev_hash=prev,
            salt=salt,
            subject=salted_hash(salt, "consumer", row.consumer_id),
            decision_hash=salted_hash(salt, "decision", row.decision),
        )
        prev = digest(chained.link())
        session.set_chain_fields(dataclasses.replace(chained, entry_hash=prev))
    session.insert_head(ChainHead(len(rows), prev))


_CHAIN_SQLITE = (
    "ALTER TABLE decisions ADD COLUMN chain_seq INTEGER",
    "ALTER TABLE decisions ADD COLUMN prev_hash TEXT",
    "ALTER TABLE decisions ADD COLUMN entry_hash TEXT",
    "ALTER TABLE decisions ADD COLUMN salt TEXT",
    "ALTER TABLE decisions ADD COLUMN subject TEXT",
    "ALTER TABLE decisions ADD COLUMN decision_hash TEXT",
    "ALTER TABLE decisions ADD COLUMN consumer_version TEXT",
    "ALTER TABLE decisions ADD COLUMN idempotency_key TEXT",
    "ALTER TABLE decisions ADD COLUMN request_hash TEXT",
    "CREATE UNIQUE INDEX decisions_chain_seq ON decisions (chain_seq)",
    "CREATE UNIQUE INDEX decisions_idempotency_key ON decisions (idempotency_key)",
    """CREATE TABLE consumer_versions (
        hash TEXT PRIMARY KEY,
        consumer_id TEXT NOT NULL,
        data TEXT NOT NULL,
        first_seen TEXT NOT NULL
    )""",
    "CREATE INDEX consumer_versions_consumer ON consumer_versions (consumer_id)",
    """CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('genesis', 'erasure')),
        body TEXT NOT NULL,
        entry_hash TEXT NOT NULL
    )""",
    """CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        entry_hash TEXT NOT NULL
    )""",
    """CREATE TABLE ledger_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
)

_CHAIN_POSTGRES = (
    "ALTER TABLE decisions ADD COLUMN chain_seq BIGINT, ADD COLUMN prev_hash TEXT, "
    "ADD COLUMN entry_hash TEXT, ADD COLUMN salt TEXT, ADD COLUMN subject TEXT, "
    "ADD COLUMN decision_hash TEXT, ADD COLUMN consumer_version TEXT, "
    "ADD COLUMN idempotency_key TEXT, ADD COLUMN request_hash TEXT",
    "CREATE UNIQUE INDEX decisions_chain_seq ON decisions (chain_seq)",
    "CREATE UNIQUE INDEX decisions_idempotency_key ON decisions (idempotency_key)",
    """CREATE TABLE consumer_versions (
        hash TEXT PRIMARY KEY,
        consumer_id TEXT NOT NULL,
        data JSONB NOT NULL,
        first_seen TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX consumer_versions_consumer ON consumer_versions (consumer_id)",
    """CREATE TABLE audit_events (
        seq BIGINT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('genesis', 'erasure')),
        body JSONB NOT NULL,
        entry_hash TEXT NOT NULL
    )""",
    """CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        entry_hash TEXT NOT NULL
    )""",
    """CREATE TABLE ledger_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "consumers, contact records and the decision log",
        sqlite=(
            """CREATE TABLE consumers (
                id TEXT PRIMARY KEY,
                data TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE records (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                consumer_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                at TEXT NOT NULL,
                debt_ids TEXT NOT NULL,
                outcome TEXT NOT NULL,
                initiated_by TEXT NOT NULL,
                to_address TEXT,
                to_work INTEGER,
                recipient TEXT NOT NULL,
                third_party_id TEXT,
                purpose TEXT,
                source TEXT NOT NULL CHECK (source IN ('reserved', 'external')),
                recorded_at TEXT NOT NULL
            )""",
            "CREATE INDEX records_consumer_at ON records (consumer_id, at, id)",
            """CREATE TABLE decisions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                consumer_id TEXT NOT NULL,
                at TEXT NOT NULL,
                allowed INTEGER NOT NULL,
                contact_allowed INTEGER NOT NULL,
                record_id INTEGER REFERENCES records (id),
                fingerprint TEXT NOT NULL,
                version TEXT NOT NULL,
                inputs_hash TEXT NOT NULL,
                reasons TEXT NOT NULL,
                decision TEXT NOT NULL,
                contact TEXT NOT NULL,
                history TEXT NOT NULL,
                decided_at TEXT NOT NULL
            )""",
            "CREATE INDEX decisions_consumer ON decisions (consumer_id, id)",
            "CREATE INDEX decisions_record ON decisions (record_id)",
        ),
        postgres=(
            """CREATE TABLE consumers (
                id TEXT PRIMARY KEY,
                data JSONB NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            )""",
            """CREATE TABLE records (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                consumer_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL,
                debt_ids JSONB NOT NULL,
                outcome TEXT NOT NULL,
                initiated_by TEXT NOT NULL,
                to_address TEXT,
                to_work BOOLEAN,
                recipient TEXT NOT NULL,
                third_party_id TEXT,
                purpose TEXT,
                source TEXT NOT NULL CHECK (source IN ('reserved', 'external')),
                recorded_at TIMESTAMPTZ NOT NULL
            )""",
            "CREATE INDEX records_consumer_at ON records (consumer_id, at, id)",
            """CREATE TABLE decisions (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                consumer_id TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL,
                allowed BOOLEAN NOT NULL,
                contact_allowed BOOLEAN NOT NULL,
                record_id BIGINT REFERENCES records (id),
                fingerprint TEXT NOT NULL,
                version TEXT NOT NULL,
                inputs_hash TEXT NOT NULL,
                reasons JSONB NOT NULL,
                decision JSONB NOT NULL,
                contact JSONB NOT NULL,
                history JSONB NOT NULL,
                decided_at TIMESTAMPTZ NOT NULL
            )""",
            "CREATE INDEX decisions_consumer ON decisions (consumer_id, id)",
            "CREATE INDEX decisions_record ON decisions (record_id)",
        ),
    ),
    Migration(
        2,
        "a log of outcome changes, so a corrected outcome keeps its earlier value on record",
        sqlite=(
            """CREATE TABLE outcome_changes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                record_id INTEGER NOT NULL REFERENCES records (id),
                old_outcome TEXT NOT NULL,
                new_outcome TEXT NOT NULL,
                changed_at TEXT NOT NULL
            )""",
            "CREATE INDEX outcome_changes_record ON outcome_changes (record_id, id)",
        ),
        postgres=(
            """CREATE TABLE outcome_changes (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                record_id BIGINT NOT NULL REFERENCES records (id),
                old_outcome TEXT NOT NULL,
                new_outcome TEXT NOT NULL,
                changed_at TIMESTAMPTZ NOT NULL
            )""",
            "CREATE INDEX outcome_changes_record ON outcome_changes (record_id, id)",
        ),
    ),
    Migration(
        3,
        "how a contact was placed (dial_method), what a message said (text) and whether the "
        "consumer asked for it (requested_by_consumer), so a consumer's STOP and an automated "
        "call keep what the TCPA rules read from them",
        # Rows written before this step never knew these facts: NULL method (judged as possibly
        # automated, the strict reading), no text, and not requested (counted by every cap).
        sqlite=(
            "ALTER TABLE records ADD COLUMN dial_method TEXT",
            "ALTER TABLE records ADD COLUMN text TEXT",
            "ALTER TABLE records ADD COLUMN requested_by_consumer INTEGER NOT NULL DEFAULT 0",
        ),
        postgres=(
            "ALTER TABLE records ADD COLUMN dial_method TEXT, ADD COLUMN text TEXT, "
            "ADD COLUMN requested_by_consumer BOOLEAN NOT NULL DEFAULT false",
        ),
    ),
    Migration(
        4,
        "a tamper-evident audit log (each decision chained to the one before, a genesis entry "
        "for the decisions logged before, the chain's head), idempotency keys, each consumer "
        "version stored once instead of inside every decision, and the ledger's settings",
        sqlite=_CHAIN_SQLITE,
        postgres=_CHAIN_POSTGRES,
        backfill=start_chain,
    ),
)


SCHEMA_VERSION = MIGRATIONS[-1].version

_VERSION_TABLE = {
    "sqlite": """CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        library_version TEXT NOT NULL,
        applied_at TEXT NOT NULL
    )""",
    "postgres": """CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        library_version TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL
    )""",
}


def _check_order(steps: Sequence[Migration]) -> None:
    expected = list(range(1, len(steps) + 1))
    if [m.version for m in steps] != expected:  # pragma: no cover - a packaging mistake
        raise AssertionError(f"migrations must be numbered {expected}")


_check_order(MIGRATIONS)


def pending(current: int, target: int | None = None) -> list[Migration]:
    """The steps that take a database at ``current`` to ``target`` (default: the latest).

    Raises :class:`SchemaTooNewError` when the database is newer than this library.
    """
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"the ledger's schema is version {current}, newer than the version "
            f"{SCHEMA_VERSION} this contactrules {__version__} knows; it was written by a newer "
            "contactrules, so upgrade contactrules to use it (nothing was changed)"
        )
    goal = SCHEMA_VERSION if target is None else target
    if not 0 <= goal <= SCHEMA_VERSION:
        raise LedgerError(f"no schema version {goal}; versions go from 1 to {SCHEMA_VERSION}")
    return [m for m in MIGRATIONS if current < m.version <= goal]


def read_only_version(current: int) -> int:
    """Check that a ledger opened read-only needs no step (it cannot be upgraded)."""
    if current == 0:
        raise LedgerError("not a contactrules ledger (no schema_version)")
    steps = pending(current)
    if steps:
        raise LedgerError(
            f"the ledger's schema is version {current}, older than the version {SCHEMA_VERSION} "
            f"this contactrules {__version__} reads, and a read-only ledger cannot be upgraded: "
            "open it (or a writable copy of it) once without read_only to upgrade it; "
            "nothing in it is rewritten"
        )
    return current


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def migrate_sqlite(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Bring a SQLite ledger to ``target`` (default: the latest) and return its version.

    ``BEGIN IMMEDIATE`` takes the database's write lock first, so concurrent openers wait and
    then find the work done; SQLite's DDL is transactional, so a failed step leaves nothing.
    ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_VERSION_TABLE["sqlite"])
        row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        current = int(row[0])
        steps = pending(current, target)
        for step in steps:
            for statement in step.sqlite:
                conn.execute(statement)
            if step.backfill is not None:
                from .sqlite import sqlite_session

                step.backfill(sqlite_session(conn))
            conn.execute(
                "INSERT INTO schema_version (version, description, library_version, applied_at)"
                " VALUES (?, ?, ?, ?)",
                (step.version, step.description, __version__, _now().isoformat()),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return steps[-1].version if steps else current


def sqlite_version(conn: sqlite3.Connection) -> int:
    """The schema version of a SQLite database (0: not a ledger yet)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if found is None:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0])


def advisory_key(*parts: str) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock``, the same on every machine.

    Python's ``hash()`` is salted per process, so it cannot be used: two workers must compute
    the same key for the same consumer.
    """
    digest = hashlib.sha256("\x00".join(("contactrules-ledger", *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def postgres_version(conn: psycopg.Connection[tuple[Any, ...]]) -> int:
    """The schema version of the PostgreSQL ledger on ``search_path`` (0: not a ledger yet)."""
    found = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row is not None else 0


def migrate_postgres(
    conn: psycopg.Connection[tuple[Any, ...]], schema: str, target: int | None = None
) -> int:
    """Bring the PostgreSQL ledger in ``schema`` to ``target`` (default: the latest).

    An advisory lock keyed on the schema serialises concurrent openers (``CREATE TABLE IF NOT
    EXISTS`` alone is not safe under concurrency in PostgreSQL); DDL is transactional.
    ``conn`` must be in autocommit mode with ``search_path`` set to ``schema``.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key("schema", schema),))
        current = postgres_version(conn)
        steps = pending(current, target)
        if not steps:  # no DDL at all: a ledger already up to date opens on a read-only server
            return current
        conn.execute(_VERSION_TABLE["postgres"])
        for step in steps:
            for statement in step.postgres:
                conn.execute(statement)
            if step.backfill is not None:
                from .postgres import postgres_session

                step.backfill(postgres_session(conn, schema))
            conn.execute(
                "INSERT INTO schema_version (version, description, library_version, applied_at)"
                " VALUES (%s, %s, %s, %s)",
                (step.version, step.description, __version__, _now()),
            )
    return steps[-1].version if steps else current
