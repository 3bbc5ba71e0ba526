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

Read-only (``read_only=True``, for audit and replay of an archived copy or a file on read-only
storage): the file is opened with ``mode=ro``, nothing is created or upgraded, and every write is
refused. In WAL mode even a reader needs the ``-shm`` file; where it cannot be created (a
read-only folder), the file is read as immutable, which is exact only when no write-ahead log is
waiting to be applied, so a non-empty ``-wal`` file next to it is refused rather than ignored.

Instants are stored as UTC text of fixed width (``2026-06-02T14:30:00.000000+00:00``), which
sorts as time does and reads back exactly, to the microsecond; JSON as canonical text.

The statements are shared with the PostgreSQL ledger (:mod:`.sql`); this module supplies the
connection, the transactions and how values are stored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from ..engine import Engine
from .base import Ledger, LedgerError, LedgerSession, ReadOnlyLedgerError
from .chain import canonical_json
from .clock import DEFAULT_MAX_CLOCK_SKEW
from .migrations import migrate_sqlite, read_only_version, sqlite_version
from .sql import SQLSession

__all__ = ["SQLiteLedger", "sqlite_session"]

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
# SQLite's limit on the parameters of one statement was 999 before 3.32; stay well below it.
_CHUNK = 500


def utc_text(at: dt.datetime) -> str:
    """An aware instant as fixed-width UTC text that sorts chronologically."""
    naive = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds") + "+00:00"


class _SQLiteSession(SQLSession):
    consumer_query = "SELECT data FROM consumers WHERE id = ?"
    consumer_upsert = (
        "INSERT INTO consumers (id, data, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at"
        " WHERE consumers.data IS NOT excluded.data"
    )

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def lock(self, consumer_id: str) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already holds the whole database's write lock."""

    def lock_key(self, key: str) -> None:
        """Nothing to do, for the same reason."""

    def _execute(self, statement: str, params: Sequence[object]) -> sqlite3.Cursor:
        return self._conn.execute(statement, params)

    def _insert(self, statement: str, params: Sequence[object]) -> int:
        cursor = self._conn.execute(statement, params)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _instant_param(self, at: dt.datetime) -> str:
        return utc_text(at)

    def _instant(self, value: Any) -> dt.datetime:
        return dt.datetime.fromisoformat(value)

    def _json_param(self, value: object) -> str:
        return canonical_json(value)

    def _json(self, value: Any) -> Any:
        return json.loads(value)

    def _id_filters(
        self, column: str, ids: Sequence[int] | Sequence[str]
    ) -> Iterator[tuple[str, list[object]]]:
        for start in range(0, len(ids), _CHUNK):
            part: list[object] = list(ids[start : start + _CHUNK])
            yield f"{column} IN ({', '.join('?' * len(part))})", part


def sqlite_session(conn: sqlite3.Connection) -> SQLSession:
    """A session on a connection already in a transaction (for the migrations' backfills)."""
    return _SQLiteSession(conn)


def _read_only_connection(path: str, timeout: float) -> sqlite3.Connection:
    """Open ``path`` read-only: ``mode=ro``, or, where even the ``-shm`` file cannot be made,
    immutable (only when no write-ahead log is waiting)."""
    uri = "file:" + quote(str(Path(path).absolute()))
    conn = sqlite3.connect(
        f"{uri}?mode=ro", uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
    )
    try:
        sqlite_version(conn)  # the first read is where a missing -shm file shows
        return conn
    except sqlite3.OperationalError:
        conn.close()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise LedgerError(
            f"{path}: cannot be read in place: its write-ahead log ({wal.name}) holds "
            "changes not yet in the file, and the folder is read-only; copy the ledger and its "
            "-wal file to a writable folder and open the copy"
        )
    return sqlite3.connect(
        f"{uri}?mode=ro&immutable=1",
        uri=True,
        timeout=timeout,
        isolation_level=None,
        check_same_thread=False,
    )


def _read_only_place(path: str, exc: sqlite3.Error) -> bool:
    """Whether a failure to open ``path`` for writing comes from where it lies."""
    if "readonly" in str(exc).replace(" ", "").lower():
        return True
    file = Path(path)
    return file.exists() and not (
        os.access(file, os.W_OK) and os.access(file.parent.absolute(), os.W_OK)
    )


class SQLiteLedger(Ledger):
    """A ledger in a SQLite file shared by the processes of one machine, or ``:memory:``.

    ``create=False`` refuses a path that is not already a ledger (for read-only tools such as
    ``contactrules replay``, which must not leave an empty database behind a typo).
    ``read_only=True`` opens an existing ledger for reading only (see the module's notes); the
    other options are :class:`~.base.Ledger`'s.
    """

    backend = "sqlite"

    def __init__(
        self,
        path: str | Path,
        engine: Engine,
        *,
        create: bool = True,
        read_only: bool = False,
        busy_timeout: float = 60.0,
        synchronous: Synchronous = "FULL",
        clock: Callable[[], dt.datetime] | None = None,
        max_clock_skew: dt.timedelta | None = DEFAULT_MAX_CLOCK_SKEW,
        identifier_key: bytes | str | None = None,
    ) -> None:
        super().__init__(
            engine,
            clock=clock,
            max_clock_skew=max_clock_skew,
            read_only=read_only,
            identifier_key=identifier_key,
        )
        self.path = str(path)
        memory = self.path == ":memory:"
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise LedgerError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous}")
        if read_only and memory:
            raise LedgerError("an in-memory ledger cannot be opened read-only (it would be empty)")
        if not memory and (read_only or not create) and not Path(self.path).is_file():
            raise LedgerError(f"{self.path}: no such ledger file")
        try:
            if read_only:
                self._conn = _read_only_connection(self.path, busy_timeout)
            else:
                self._conn = sqlite3.connect(
                    self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
                )
        except sqlite3.Error as exc:
            raise LedgerError(f"{self.path}: cannot open: {exc}") from None
        try:
            self._open(memory, create, busy_timeout, synchronous)
            self._settle_identifiers()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            hint = ""
            if not read_only and _read_only_place(self.path, exc):
                hint = " (on read-only storage, or to audit a copy, open it with read_only=True)"
            raise LedgerError(f"{self.path}: not a usable SQLite ledger: {exc}{hint}") from None
        except BaseException:
            self._conn.close()
            raise

    def _open(self, memory: bool, create: bool, busy_timeout: float, synchronous: str) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if self.read_only:
            try:
                self._version = read_only_version(sqlite_version(conn))
            except LedgerError as exc:
                raise type(exc)(f"{self.path}: {exc}") from None
            return
        if not memory:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise LedgerError(f"{self.path}: cannot use WAL mode (got {mode})")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not create and sqlite_version(conn) == 0:
            raise LedgerError(f"{self.path}: not a contactrules ledger (no schema_version)")
        self._version = migrate_sqlite(conn)

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[LedgerSession]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            yield _SQLiteSession(conn)
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
        if "readonly" in text.replace(" ", "").lower():
            return ReadOnlyLedgerError(f"{self.path}: {text} (the file or its folder is read-only)")
        return LedgerError(f"{self.path}: {text}")

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.path!r})"
