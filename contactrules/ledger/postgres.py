"""The shared ledger: PostgreSQL through psycopg 3, for shops whose workers run on many machines.

Each reserve is one transaction that first takes ``pg_advisory_xact_lock`` on a key derived from
the schema and the consumer id. Every writer for that consumer (reserve, record,
record_outcome) takes the same lock, so they run one after another, while writers for different
consumers run in parallel. Under READ COMMITTED each statement sees everything committed before
it started, so once the lock is held the history read is the latest; the lock is released by
the commit, after the new record is durable. A reserve with an idempotency key first takes a
lock on the key, so that two calls with one key cannot both miss each other's decision. The
audit chain's head row is locked (``FOR UPDATE``) only for the last statements of a write, so
entries are chained in the order they commit while the work before runs in parallel. The
ledger's clock is the server's (``clock_timestamp()``), one clock for every worker.

**Reconnecting.** A restarted server, a failover or a killed backend leaves the connection
broken. The ledger then reconnects, with a bounded number of attempts and growing pauses
(:class:`Reconnect`), and runs the transaction again when that cannot record anything twice:
when it failed before its commit (the server rolled it back), or, for calls that are safe to
repeat (reads, outcomes, a reserve with an idempotency key), whatever happened. A write lost
while committing, without an idempotency key, raises :class:`~.base.ConnectionLostError` with
``outcome_unknown``; when every attempt fails, :class:`~.base.ConnectionLostError` says what to
check.

**Read-only.** ``read_only=True`` (audit and replay of a standby, a restored archive, or with a
role that may only read) creates and upgrades nothing and makes every session read-only; a
write refused by a read-only server raises :class:`~.base.ReadOnlyLedgerError` too.

The statements are shared with the SQLite ledger (:mod:`.sql`); this module supplies the
connection, the transactions, the locks and the ``timestamptz``/``jsonb`` values.

psycopg is imported when a PostgreSQL ledger is opened, never by ``import contactrules``: the
core library and the SQLite ledger need nothing beyond the standard library
(``pip install 'contactrules[postgres]'`` adds it).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from ..engine import Engine
from .base import (
    ConnectionLostError,
    Ledger,
    LedgerError,
    LedgerSession,
    ReadOnlyLedgerError,
)
from .chain import canonical_json
from .clock import DEFAULT_MAX_CLOCK_SKEW
from .migrations import advisory_key, migrate_postgres, postgres_version, read_only_version
from .sql import SQLSession

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresLedger", "Reconnect", "postgres_session", "redact"]

T = TypeVar("T")
# SQLSTATE classes and codes that mean the connection, not the statement, failed.
_LOST_STATES = ("57P01", "57P02", "57P03")
_READ_ONLY_STATES = ("25006", "42501")  # read_only_sql_transaction, insufficient_privilege


@dataclass(frozen=True)
class Reconnect:
    """How hard a PostgreSQL ledger tries to get its connection back before giving up.

    ``attempts`` connections are tried, the first at once and each later one after a pause
    that doubles from ``first_delay`` up to ``max_delay`` seconds (by default about 5 s in all,
    long enough for a server restart or a failover); ``attempts=0`` never reconnects.
    """

    attempts: int = 8
    first_delay: float = 0.05
    max_delay: float = 2.0

    def delays(self) -> Iterator[float]:
        """The pause before each attempt."""
        delay = self.first_delay
        for n in range(self.attempts):
            if n == 0:
                yield 0.0
            else:
                yield delay
                delay = min(delay * 2, self.max_delay)


class _ConnectionLost(LedgerError):
    """Internal: the connection broke inside a transaction (``committing``: during COMMIT)."""

    def __init__(self, cause: BaseException, committing: bool) -> None:
        super().__init__(_one_line(cause))
        self.cause = cause
        self.committing = committing


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


class _PostgresSession(SQLSession):
    consumer_query = "SELECT data::text FROM consumers WHERE id = ?"
    consumer_upsert = (
        "INSERT INTO consumers (id, data, updated_at) VALUES (?, ?::jsonb, ?) "
        "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at"
        " WHERE consumers.data IS DISTINCT FROM EXCLUDED.data"
    )
    lock_clause = " FOR UPDATE"

    def __init__(self, conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> None:
        from psycopg.types.json import Jsonb

        self._conn = conn
        self._schema = schema
        self._jsonb: Callable[[object], Jsonb] = lambda value: Jsonb(value, dumps=canonical_json)

    def now(self) -> dt.datetime:
        row = self._execute("SELECT clock_timestamp()", ()).fetchone()
        assert row is not None
        at: dt.datetime = row[0]
        return at.astimezone(dt.timezone.utc)

    def lock(self, consumer_id: str) -> None:
        key = advisory_key("consumer", self._schema, consumer_id)
        self._execute("SELECT pg_advisory_xact_lock(?)", (key,))

    def lock_key(self, key: str) -> None:
        lock = advisory_key("idempotency", self._schema, key)
        self._execute("SELECT pg_advisory_xact_lock(?)", (lock,))

    def _execute(self, statement: str, params: Sequence[object]) -> psycopg.Cursor[tuple[Any, ...]]:
        # The shared statements hold no '%' and no jsonb '?' operator, so this is exact.
        return self._conn.execute(statement.replace("?", "%s"), params)

    def _insert(self, statement: str, params: Sequence[object]) -> int:
        row = self._execute(statement + " RETURNING id", params).fetchone()
        assert row is not None
        return int(row[0])

    def _instant_param(self, at: dt.datetime) -> dt.datetime:
        return at

    def _instant(self, value: Any) -> dt.datetime:
        at: dt.datetime = value  # timestamptz arrives as an aware datetime
        return at.astimezone(dt.timezone.utc)

    def _json_param(self, value: object) -> object:
        return self._jsonb(value)

    def _json(self, value: Any) -> Any:
        return value  # psycopg has already decoded the jsonb

    def _id_filters(
        self, column: str, ids: Sequence[int] | Sequence[str]
    ) -> Iterator[tuple[str, list[object]]]:
        yield f"{column} = ANY(?)", [list(ids)]


def postgres_session(conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> SQLSession:
    """A session on a connection already in a transaction (for the migrations' backfills)."""
    return _PostgresSession(conn, schema)


class PostgresLedger(Ledger):
    """A ledger in a PostgreSQL database, shared by workers on any number of machines.

    ``schema`` puts the ledger's tables in their own schema (created when missing); by default
    they go where the connection's ``search_path`` points (usually ``public``).
    ``create=False`` refuses a database that holds no ledger yet; ``read_only=True`` also
    creates nothing and writes nothing. ``reconnect`` says how hard to try to get a lost
    connection back (:class:`Reconnect`); the other options are :class:`~.base.Ledger`'s.
    """

    backend = "postgres"

    def __init__(
        self,
        dsn: str,
        engine: Engine,
        *,
        schema: str | None = None,
        create: bool = True,
        read_only: bool = False,
        connect_timeout: int = 10,
        clock: Callable[[], dt.datetime] | None = None,
        max_clock_skew: dt.timedelta | None = DEFAULT_MAX_CLOCK_SKEW,
        identifier_key: bytes | str | None = None,
        reconnect: Reconnect | None = None,
    ) -> None:
        super().__init__(
            engine,
            clock=clock,
            max_clock_skew=max_clock_skew,
            read_only=read_only,
            identifier_key=identifier_key,
        )
        try:
            import psycopg  # noqa: F401  (only whether it is installed)
        except ImportError:
            raise LedgerError(
                "a PostgreSQL ledger needs psycopg 3: pip install 'contactrules[postgres]'"
            ) from None
        self._dsn = dsn
        self.dsn = redact(dsn)
        self._wanted_schema = schema
        self._connect_timeout = connect_timeout
        self.reconnect = reconnect or Reconnect()
        self.schema: str = schema or ""
        delays = self.reconnect.delays()
        next(delays, None)  # the first attempt is now
        while True:
            try:
                self._open(create=create, read_only=read_only)
                return
            except _ConnectionLost as lost:  # killed while opening: a restart, a failover
                delay = next(delays, None)
                if delay is None:
                    raise ConnectionLostError(
                        f"{self.dsn}: the connection was lost while the ledger was being opened "
                        f"({lost}), every time it was tried; check that the server is running "
                        "and reachable, then open it again"
                    ) from None
                time.sleep(delay)

    def _open(self, *, create: bool, read_only: bool) -> None:
        import psycopg

        try:
            self._conn: psycopg.Connection[tuple[Any, ...]] = self._connect(create=create)
        except _ConnectionLost:
            raise
        except psycopg.Error as exc:
            if getattr(exc, "sqlstate", None) in _READ_ONLY_STATES:
                raise self._error(exc) from None
            raise LedgerError(f"{self.dsn}: cannot connect: {_one_line(exc)}") from None
        try:
            if read_only:
                self._version = read_only_version(postgres_version(self._conn))
            else:
                self._version = migrate_postgres(self._conn, self.schema)
            self._settle_identifiers()
        except psycopg.Error as exc:
            lost = self._lost(exc)
            self._conn.close()
            if lost:
                raise _ConnectionLost(exc, committing=False) from exc
            raise self._error(exc) from None
        except _ConnectionLost:
            self._conn.close()
            raise
        except LedgerError as exc:
            self._conn.close()
            text = str(exc)
            if text.startswith(f"{self.dsn}: ") or text.startswith(f"{self!r}"):
                raise
            raise type(exc)(f"{self.dsn}: {text}") from None
        except BaseException:
            self._conn.close()
            raise

    def _connect(self, *, create: bool) -> psycopg.Connection[tuple[Any, ...]]:
        """A new connection with the ledger's session settings (raises ``psycopg.Error``)."""
        import psycopg
        from psycopg import sql

        try:
            conn: psycopg.Connection[tuple[Any, ...]] = psycopg.connect(
                self._dsn, autocommit=True, connect_timeout=self._connect_timeout
            )
        except psycopg.OperationalError as exc:  # the server is starting up or shutting down
            if getattr(exc, "sqlstate", None) in _LOST_STATES:
                raise _ConnectionLost(exc, committing=False) from exc
            raise
        try:
            conn.execute("SET TIME ZONE 'UTC'")
            if self.read_only:
                conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            schema = self._wanted_schema
            if schema is not None:
                name = sql.Identifier(schema)
                exists = conn.execute(
                    "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
                ).fetchone()
                if create and not self.read_only and exists is None:
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
            self.schema = row[0]
            if not create or self.read_only:
                found = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
                if not found or not found[0]:
                    raise LedgerError(f"{self.dsn}: no contactrules ledger in schema {self.schema}")
        except BaseException as exc:
            broken = conn.broken
            conn.close()
            if broken and isinstance(exc, psycopg.Error):
                raise _ConnectionLost(exc, committing=False) from exc
            raise
        return conn

    # --- transactions and reconnecting -----------------------------------------------------
    @contextmanager
    def _transaction(self, write: bool) -> Iterator[LedgerSession]:
        import psycopg

        conn = self._conn
        committing = False
        try:
            with conn.transaction():
                if not write:
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield _PostgresSession(conn, self.schema)
                committing = True
        except psycopg.Error as exc:  # one exception type for callers; the cause stays chained
            if self._lost(exc):
                raise _ConnectionLost(exc, committing) from exc
            raise self._error(exc) from exc

    def _lost(self, exc: BaseException) -> bool:
        import psycopg

        if not isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
            return False
        state = getattr(exc, "sqlstate", None) or ""
        return (
            self._conn.closed
            or self._conn.broken
            or state.startswith("08")
            or (state in _LOST_STATES)
        )

    def _error(self, exc: BaseException) -> LedgerError:
        state = getattr(exc, "sqlstate", None) or ""
        if state in _READ_ONLY_STATES:
            return ReadOnlyLedgerError(
                f"{self.dsn}: the database refused to write: {_one_line(exc)} (a read-only "
                "server or role; open the ledger with read_only=True to audit or replay it)"
            )
        return LedgerError(f"{self.dsn}: {_one_line(exc)}")

    def _execute(
        self, write: bool, work: Callable[[LedgerSession], T], retry: bool, replayable: bool
    ) -> T:
        """Run ``work``; on a lost connection, reconnect and run it again when that is safe."""
        failures = 0
        while True:
            if self._conn.closed:
                self._reconnect("the connection was closed after an earlier failure")
            try:
                with self._transaction(write) as session:
                    return work(session)
            except _ConnectionLost as lost:
                failures += 1
                self._conn.close()
                if lost.committing and write and not replayable:
                    raise ConnectionLostError(
                        f"{self.dsn}: the connection was lost while this write was being "
                        f"committed ({lost}), so whether it was recorded is unknown; look it up "
                        "before writing it again (a reserve with an idempotency key is always "
                        "safe to retry)",
                        outcome_unknown=True,
                    ) from lost.cause
                if not retry or failures > max(self.reconnect.attempts, 1):
                    raise ConnectionLostError(
                        f"{self.dsn}: the connection to PostgreSQL was lost ({lost}); nothing "
                        "was written by this call; retry it once the server answers"
                    ) from lost.cause
                self._reconnect(str(lost))

    def _reconnect(self, cause: str) -> None:
        """Connect again within the bounds of :attr:`reconnect`, or raise ConnectionLostError."""
        import psycopg

        began = time.monotonic()
        last = cause
        tried = 0
        for delay in self.reconnect.delays():
            time.sleep(delay)
            tried += 1
            try:
                self._conn = self._connect(create=False)
                return
            except (psycopg.Error, LedgerError) as exc:
                last = _one_line(exc)
        waited = time.monotonic() - began
        raise ConnectionLostError(
            f"{self.dsn}: the connection to PostgreSQL was lost ({cause}) and {tried} attempt(s)"
            f" to reconnect over {waited:.1f} s failed (last: {last}); check that the server "
            "is running and reachable from this machine (host, port, credentials, "
            "max_connections, a failover in progress), then retry: a reserve with an "
            "idempotency key is always safe to retry"
        )

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"PostgresLedger({self.dsn!r}, schema={self.schema!r})"
