"""The embedded ledger: one SQLite file (or ``:memory:``), standard library only.

For the processes of one machine: SQLite's file locks are not reliable over network file
systems, so workers on several machines share a PostgreSQL ledger instead.

Why these settings:

- ``BEGIN IMMEDIATE`` around read-history → evaluate → insert: it takes the database's write
  lock before reading, so writers in any process serialise and none judges against a history
  another is about to change. (A deferred transaction that upgrades to a write lock can fail with
  SQLITE_BUSY instead of waiting; an immediate one waits.)
- ``busy_timeout``: a waiting writer sleeps and retries instead of failing at once.
- WAL journal: readers (audit export, replay) never block the writer, nor it them, and a process
  killed mid-write leaves the database consistent; the next open rolls the log forward.
- ``synchronous=FULL`` by default: a committed record survives a power cut too, not only a
  crashed process. ``NORMAL`` is faster and still safe against process crashes.

Instants are stored as UTC text of fixed width (``2026-06-02T14:30:00.000000+00:00``), which
sorts as time does and reads back exactly, to the microsecond.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

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
from .migrations import migrate_sqlite, sqlite_version

__all__ = ["SQLiteLedger"]

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
_CHUNK = 500

_RECORD_COLUMNS = (
    "id, consumer_id, channel, at, debt_ids, outcome, initiated_by, to_address, to_work, "
    "recipient, third_party_id, purpose, source"
)
_DECISION_COLUMNS = (
    "id, consumer_id, at, allowed, contact_allowed, record_id, fingerprint, version, "
    "inputs_hash, reasons, decision, contact, history, decided_at"
)


def utc_text(at: dt.datetime) -> str:
    """An aware instant as fixed-width UTC text that sorts chronologically."""
    naive = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds") + "+00:00"


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def stored_record(row: Sequence[Any]) -> StoredRecord:
    """A row of ``_RECORD_COLUMNS`` as a record; trusted data, so built without re-validating."""
    record = ContactRecord.model_construct(
        channel=Channel(row[2]),
        at=_instant(row[3]),
        debt_ids=json.loads(row[4]),
        outcome=Outcome(row[5]),
        initiated_by=Initiator(row[6]),
        to=row[7],
        to_work=None if row[8] is None else bool(row[8]),
        recipient=Recipient(row[9]),
        third_party_id=row[10],
        purpose=None if row[11] is None else Purpose(row[11]),
    )
    return StoredRecord(id=int(row[0]), consumer_id=row[1], record=record, source=row[12])


class _Session(LedgerSession):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def lock(self, consumer_id: str) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already holds the whole database's write lock."""

    def records(self, consumer_id: str) -> list[StoredRecord]:
        rows = self._conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE consumer_id = ? ORDER BY at, id",
            (consumer_id,),
        ).fetchall()
        return [stored_record(row) for row in rows]

    def records_by_id(self, ids: Sequence[int]) -> dict[int, StoredRecord]:
        found: dict[int, StoredRecord] = {}
        for start in range(0, len(ids), _CHUNK):
            part = list(ids[start : start + _CHUNK])
            marks = ", ".join("?" * len(part))
            for row in self._conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM records WHERE id IN ({marks})", part
            ):
                item = stored_record(row)
                found[item.id] = item
        return found

    def reserved_contacts(self, record_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(record_ids), _CHUNK):
            part = list(record_ids[start : start + _CHUNK])
            marks = ", ".join("?" * len(part))
            for record_id, contact in self._conn.execute(
                f"SELECT record_id, contact FROM decisions WHERE record_id IN ({marks})", part
            ):
                found[int(record_id)] = json.loads(contact)
        return found

    def consumer(self, consumer_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT data FROM consumers WHERE id = ?", (consumer_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def upsert_consumer(self, consumer_id: str, data: str, now: dt.datetime) -> None:
        self._conn.execute(
            "INSERT INTO consumers (id, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at"
            " WHERE consumers.data IS NOT excluded.data",
            (consumer_id, data, utc_text(now)),
        )

    def insert_record(
        self, consumer_id: str, record: ContactRecord, source: RecordSource, now: dt.datetime
    ) -> int:
        cursor = self._conn.execute(
            "INSERT INTO records (consumer_id, channel, at, debt_ids, outcome, initiated_by, "
            "to_address, to_work, recipient, third_party_id, purpose, source, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                consumer_id,
                record.channel.value,
                utc_text(record.at),
                json.dumps(record.debt_ids),
                record.outcome.value,
                record.initiated_by.value,
                record.to,
                None if record.to_work is None else int(record.to_work),
                record.recipient.value,
                record.third_party_id,
                None if record.purpose is None else record.purpose.value,
                source,
                utc_text(now),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def record_owner(self, record_id: int) -> tuple[str, Outcome] | None:
        row = self._conn.execute(
            "SELECT consumer_id, outcome FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        return None if row is None else (str(row[0]), Outcome(row[1]))

    def set_outcome(self, record_id: int, old: Outcome, new: Outcome, now: dt.datetime) -> None:
        self._conn.execute("UPDATE records SET outcome = ? WHERE id = ?", (new.value, record_id))
        self._conn.execute(
            "INSERT INTO outcome_changes (record_id, old_outcome, new_outcome, changed_at) "
            "VALUES (?, ?, ?, ?)",
            (record_id, old.value, new.value, utc_text(now)),
        )

    def insert_decision(self, row: DecisionRow) -> int:
        cursor = self._conn.execute(
            "INSERT INTO decisions (consumer_id, at, allowed, contact_allowed, record_id, "
            "fingerprint, version, inputs_hash, reasons, decision, contact, history, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.consumer_id,
                utc_text(row.at),
                int(row.allowed),
                int(row.contact_allowed),
                row.record_id,
                row.fingerprint,
                row.version,
                row.inputs_hash,
                canonical_json(row.reasons),
                canonical_json(row.decision),
                canonical_json(row.contact),
                canonical_json([list(pair) for pair in row.history]),
                utc_text(row.decided_at),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def decisions(self, after_id: int, limit: int, consumer_id: str | None) -> list[DecisionRow]:
        where = "id > ?" + ("" if consumer_id is None else " AND consumer_id = ?")
        params: tuple[object, ...] = (after_id,) if consumer_id is None else (after_id, consumer_id)
        rows = self._conn.execute(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE {where} ORDER BY id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [
            DecisionRow(
                id=int(r[0]),
                consumer_id=r[1],
                at=_instant(r[2]),
                allowed=bool(r[3]),
                contact_allowed=bool(r[4]),
                record_id=None if r[5] is None else int(r[5]),
                fingerprint=r[6],
                version=r[7],
                inputs_hash=r[8],
                reasons=json.loads(r[9]),
                decision=json.loads(r[10]),
                contact=json.loads(r[11]),
                history=[(int(i), str(o)) for i, o in json.loads(r[12])],
                decided_at=_instant(r[13]),
            )
            for r in rows
        ]


class SQLiteLedger(Ledger):
    """A ledger in a SQLite file shared by the processes of one machine, or ``:memory:``.

    ``create=False`` refuses a path that is not already a ledger (for read-only tools such as
    ``contactrules replay``, which must not leave an empty database behind a typo).
    """

    backend = "sqlite"

    def __init__(
        self,
        path: str | Path,
        engine: Engine,
        *,
        create: bool = True,
        busy_timeout: float = 60.0,
        synchronous: Synchronous = "FULL",
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(engine, clock=clock)
        self.path = str(path)
        memory = self.path == ":memory:"
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise LedgerError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous}")
        if not memory and not create and not Path(self.path).is_file():
            raise LedgerError(f"{self.path}: no such ledger file")
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise LedgerError(f"{self.path}: cannot open: {exc}") from None
        try:
            conn = self._conn
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if not memory:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise LedgerError(f"{self.path}: cannot use WAL mode (got {mode})")
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not create and sqlite_version(conn) == 0:
                raise LedgerError(f"{self.path}: not a contactrules ledger (no schema_version)")
            self._version = migrate_sqlite(conn)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise LedgerError(f"{self.path}: not a usable SQLite ledger: {exc}") from None
        except BaseException:
            self._conn.close()
            raise

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[LedgerSession]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            yield _Session(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise

    def _error(self, exc: sqlite3.Error) -> LedgerError:
        """One exception type for callers, whichever back-end; the cause stays chained."""
        text = str(exc)
        if "locked" in text or "busy" in text:
            text += " (another writer held the ledger longer than busy_timeout; retry)"
        return LedgerError(f"{self.path}: {text}")

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.path!r})"
