"""The shared ledger: PostgreSQL through psycopg 3, for shops whose workers run on many machines.

Each reserve is one transaction that first takes ``pg_advisory_xact_lock`` on a key derived from
the schema and the consumer id. Every writer for that consumer (reserve, record,
record_outcome) takes the same lock, so they run one after another, while writers for different
consumers run in parallel. Under READ COMMITTED each statement sees everything committed before
it started, so once the lock is held the history read is the latest; the lock is released by
the commit, after the new record is durable.

psycopg is imported when a PostgreSQL ledger is opened, never by ``import contactrules``: the
core library and the SQLite ledger need nothing beyond the standard library
(``pip install 'contactrules[postgres]'`` adds it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..engine import Engine
from ..models import Channel, ContactRecord, Initiator, Outcome, Purpose, Recipient
from .audit import canonical_json
from .base import (
    DecisionRow,
    Ledger,
    LedgerError,
    LedgerSession,
    RecordSource,
    StoredRecord,
)
from .migrations import advisory_key, migrate_postgres

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresLedger", "redact"]

_RECORD_COLUMNS = (
    "id, consumer_id, channel, at, debt_ids, outcome, initiated_by, to_address, to_work, "
    "recipient, third_party_id, purpose, source"
)
_DECISION_COLUMNS = (
    "id, consumer_id, at, allowed, contact_allowed, record_id, fingerprint, version, "
    "inputs_hash, reasons, decision, contact, history, decided_at"
)


def redact(dsn: str) -> str:
    """The DSN without its password, for messages."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        if parts.password is not None:
            host = parts.hostname or ""
            if parts.port is not None:
                host = f"{host}:{parts.port}"
            netloc = f"{parts.username or ''}:***@{host}"
            return urlunsplit(parts._replace(netloc=netloc))
        return dsn
    return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", dsn)


def _one_line(exc: BaseException) -> str:
    """libpq's messages span lines; a diagnostic is one."""
    return " ".join(str(exc).split())


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc)


def _stored_record(row: Sequence[Any]) -> StoredRecord:
    record = ContactRecord.model_construct(
        channel=Channel(row[2]),
        at=_utc(row[3]),
        debt_ids=list(row[4]),
        outcome=Outcome(row[5]),
        initiated_by=Initiator(row[6]),
        to=row[7],
        to_work=row[8],
        recipient=Recipient(row[9]),
        third_party_id=row[10],
        purpose=None if row[11] is None else Purpose(row[11]),
    )
    return StoredRecord(id=int(row[0]), consumer_id=row[1], record=record, source=row[12])


class _Session(LedgerSession):
    def __init__(self, conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> None:
        from psycopg.types.json import Jsonb

        self._conn = conn
        self._schema = schema
        self._jsonb: Callable[[object], Jsonb] = lambda value: Jsonb(value, dumps=canonical_json)

    def lock(self, consumer_id: str) -> None:
        key = advisory_key("consumer", self._schema, consumer_id)
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))

    def records(self, consumer_id: str) -> list[StoredRecord]:
        rows = self._conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE consumer_id = %s ORDER BY at, id",
            (consumer_id,),
        ).fetchall()
        return [_stored_record(row) for row in rows]

    def records_by_id(self, ids: Sequence[int]) -> dict[int, StoredRecord]:
        rows = self._conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE id = ANY(%s)", (list(ids),)
        ).fetchall()
        return {item.id: item for item in map(_stored_record, rows)}

    def reserved_contacts(self, record_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT record_id, contact FROM decisions WHERE record_id = ANY(%s)",
            (list(record_ids),),
        ).fetchall()
        return {int(r[0]): r[1] for r in rows}

    def consumer(self, consumer_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT data::text FROM consumers WHERE id = %s", (consumer_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def upsert_consumer(self, consumer_id: str, data: str, now: dt.datetime) -> None:
        self._conn.execute(
            "INSERT INTO consumers (id, data, updated_at) VALUES (%s, %s::jsonb, %s) "
            "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at"
            " WHERE consumers.data IS DISTINCT FROM EXCLUDED.data",
            (consumer_id, data, now),
        )

    def insert_record(
        self, consumer_id: str, record: ContactRecord, source: RecordSource, now: dt.datetime
    ) -> int:
        row = self._conn.execute(
            "INSERT INTO records (consumer_id, channel, at, debt_ids, outcome, initiated_by, "
            "to_address, to_work, recipient, third_party_id, purpose, source, recorded_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                consumer_id,
                record.channel.value,
                record.at,
                self._jsonb(list(record.debt_ids)),
                record.outcome.value,
                record.initiated_by.value,
                record.to,
                record.to_work,
                record.recipient.value,
                record.third_party_id,
                None if record.purpose is None else record.purpose.value,
                source,
                now,
            ),
        ).fetchone()
        assert row is not None
        return int(row[0])

    def record_owner(self, record_id: int) -> tuple[str, Outcome] | None:
        row = self._conn.execute(
            "SELECT consumer_id, outcome FROM records WHERE id = %s", (record_id,)
        ).fetchone()
        return None if row is None else (str(row[0]), Outcome(row[1]))

    def set_outcome(self, record_id: int, old: Outcome, new: Outcome, now: dt.datetime) -> None:
        self._conn.execute("UPDATE records SET outcome = %s WHERE id = %s", (new.value, record_id))
        self._conn.execute(
            "INSERT INTO outcome_changes (record_id, old_outcome, new_outcome, changed_at) "
            "VALUES (%s, %s, %s, %s)",
            (record_id, old.value, new.value, now),
        )

    def insert_decision(self, row: DecisionRow) -> int:
        found = self._conn.execute(
            "INSERT INTO decisions (consumer_id, at, allowed, contact_allowed, record_id, "
            "fingerprint, version, inputs_hash, reasons, decision, contact, history, decided_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                row.consumer_id,
                row.at,
                row.allowed,
                row.contact_allowed,
                row.record_id,
                row.fingerprint,
                row.version,
                row.inputs_hash,
                self._jsonb(row.reasons),
                self._jsonb(row.decision),
                self._jsonb(row.contact),
                self._jsonb([list(pair) for pair in row.history]),
                row.decided_at,
            ),
        ).fetchone()
        assert found is not None
        return int(found[0])

    def decisions(self, after_id: int, limit: int, consumer_id: str | None) -> list[DecisionRow]:
        if consumer_id is None:
            rows = self._conn.execute(
                f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE id > %s ORDER BY id LIMIT %s",
                (after_id, limit),
            ).fetchall()
        else:
            rows = self._conn.execute(
                f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE id > %s AND consumer_id = %s"
                " ORDER BY id LIMIT %s",
                (after_id, consumer_id, limit),
            ).fetchall()
        return [
            DecisionRow(
                id=int(r[0]),
                consumer_id=r[1],
                at=_utc(r[2]),
                allowed=bool(r[3]),
                contact_allowed=bool(r[4]),
                record_id=None if r[5] is None else int(r[5]),
                fingerprint=r[6],
                version=r[7],
                inputs_hash=r[8],
                reasons=r[9],
                decision=r[10],
                contact=r[11],
                history=[(int(i), str(o)) for i, o in r[12]],
                decided_at=_utc(r[13]),
            )
            for r in rows
        ]


class PostgresLedger(Ledger):
    """A ledger in a PostgreSQL database, shared by workers on any number of machines.

    ``schema`` puts the ledger's tables in their own schema (created when missing); by default
    they go where the connection's ``search_path`` points (usually ``public``).
    ``create=False`` refuses a database that holds no ledger yet.
    """

    backend = "postgres"

    def __init__(
        self,
        dsn: str,
        engine: Engine,
        *,
        schema: str | None = None,
        create: bool = True,
        connect_timeout: int = 10,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(engine, clock=clock)
        try:
            import psycopg
            from psycopg import sql
        except ImportError:
            raise LedgerError(
                "a PostgreSQL ledger needs psycopg 3: pip install 'contactrules[postgres]'"
            ) from None
        self.dsn = redact(dsn)
        try:
            self._conn: psycopg.Connection[tuple[Any, ...]] = psycopg.connect(
                dsn, autocommit=True, connect_timeout=connect_timeout
            )
        except psycopg.Error as exc:
            raise LedgerError(f"{self.dsn}: cannot connect: {_one_line(exc)}") from None
        try:
            conn = self._conn
            conn.execute("SET TIME ZONE 'UTC'")
            if schema is not None:
                name = sql.Identifier(schema)
                if create:
                    with conn.transaction():
                        key = advisory_key("create-schema", schema)
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
                        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(name))
                conn.execute(sql.SQL("SET search_path TO {}").format(name))
            row = conn.execute("SELECT current_schema()").fetchone()
            if row is None or row[0] is None:
                where = (
                    "the search_path names no schema"
                    if schema is None
                    else (f"schema {schema} does not exist")
                )
                raise LedgerError(f"{self.dsn}: no contactrules ledger: {where}")
            self.schema: str = row[0]
            if not create:
                found = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
                if not found or not found[0]:
                    raise LedgerError(f"{self.dsn}: no contactrules ledger in schema {self.schema}")
            self._version = migrate_postgres(conn, self.schema)
        except psycopg.Error as exc:
            self._conn.close()
            raise LedgerError(f"{self.dsn}: {_one_line(exc)}") from None
        except BaseException:
            self._conn.close()
            raise

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[LedgerSession]:
        import psycopg

        try:
            with self._conn.transaction():
                if not write:
                    self._conn.execute("SET TRANSACTION READ ONLY")
                yield _Session(self._conn, self.schema)
        except psycopg.Error as exc:  # one exception type for callers; the cause stays chained
            raise LedgerError(f"{self.dsn}: {_one_line(exc)}") from exc

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"PostgresLedger({self.dsn!r}, schema={self.schema!r})"
