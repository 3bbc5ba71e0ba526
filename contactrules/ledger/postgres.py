"""The shared ledger: PostgreSQL through psycopg 3, for shops whose workers run on many machines.

Each reserve is one transaction that first takes ``pg_advisory_xact_lock`` on a key derived from
the schema and the consumer id. Every writer for that consumer (reserve, record,
record_outcome) takes the same lock, so they run one after another, while writers for different
consumers run in parallel. Under READ COMMITTED each statement sees everything committed before
it started, so once the lock is held the history read is the latest; the lock is released by
the commit, after the new record is durable.

The statements are shared with the SQLite ledger (:mod:`.sql`); this module supplies the
connection, the transactions, the lock and the ``timestamptz``/``jsonb`` values.

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
from .audit import canonical_json
from .base import Ledger, LedgerError, LedgerSession
from .migrations import advisory_key, migrate_postgres
from .sql import SQLSession

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresLedger", "redact"]


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

    def __init__(self, conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> None:
        from psycopg.types.json import Jsonb

        self._conn = conn
        self._schema = schema
        self._jsonb: Callable[[object], Jsonb] = lambda value: Jsonb(value, dumps=canonical_json)

    def lock(self, consumer_id: str) -> None:
        key = advisory_key("consumer", self._schema, consumer_id)
        self._execute("SELECT pg_advisory_xact_lock(?)", (key,))

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

    def _id_filters(self, column: str, ids: Sequence[int]) -> Iterator[tuple[str, list[object]]]:
        yield f"{column} = ANY(?)", [list(ids)]


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
                yield _PostgresSession(self._conn, self.schema)
        except psycopg.Error as exc:  # one exception type for callers; the cause stays chained
            raise LedgerError(f"{self.dsn}: {_one_line(exc)}") from exc

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"PostgresLedger({self.dsn!r}, schema={self.schema!r})"
