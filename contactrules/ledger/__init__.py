"""The contact ledger: contact records and decisions shared safely by every worker of a shop.

Caps and cooldowns are only as good as the history they count; with several dialers, an SMS
platform and agents calling at once, the history must be one, and checking it and recording a
contact must be one atomic step. See :mod:`contactrules.ledger.base` for how and why.

Back-ends: :class:`SQLiteLedger` (standard library; a file shared by the processes of one
machine, or ``:memory:``) and :class:`PostgresLedger` (psycopg 3, an optional extra; any number
of machines). :func:`open_ledger` picks one from a URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..engine import Engine
from .audit import AuditEntry, AuditFileError, inputs_hash, read_jsonl, write_jsonl
from .base import (
    Ledger,
    LedgerError,
    Reservation,
    SchemaTooNewError,
    StoredRecord,
    UnknownRecordError,
)
from .migrations import SCHEMA_VERSION
from .sqlite import SQLiteLedger

if TYPE_CHECKING:
    from .postgres import PostgresLedger

__all__ = [
    "SCHEMA_VERSION",
    "AuditEntry",
    "AuditFileError",
    "Ledger",
    "LedgerError",
    "PostgresLedger",
    "Reservation",
    "SQLiteLedger",
    "SchemaTooNewError",
    "StoredRecord",
    "UnknownRecordError",
    "inputs_hash",
    "open_ledger",
    "read_jsonl",
    "write_jsonl",
]


def __getattr__(name: str) -> object:
    # PostgresLedger is importable from here without importing psycopg until it is used.
    if name == "PostgresLedger":
        from .postgres import PostgresLedger

        return PostgresLedger
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_ledger(url: str | Path, engine: Engine, *, create: bool = True) -> Ledger:
    """Open (and create or upgrade the schema of) the ledger a URL names.

    - ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (SQLAlchemy's spelling),
      or a plain file path: a SQLite file;
    - ``sqlite://:memory:`` (or ``sqlite://``): a private in-memory ledger;
    - ``postgresql://user:password@host:port/database`` (or ``postgres://``), with any libpq
      parameters, plus ``schema=NAME`` to keep the ledger's tables in their own schema.

    ``create=False`` opens only an existing ledger (read-only tools use it so that a typo does
    not leave a new, empty database behind).
    """
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresLedger

        dsn, schema = _split_schema(text)
        return PostgresLedger(dsn, engine, schema=schema, create=create)
    if text.startswith("sqlite:"):
        rest = text[len("sqlite:") :]
        if rest in ("", "//", "//:memory:", ":memory:"):
            return SQLiteLedger(":memory:", engine, create=create)
        if rest.startswith("///") and len(rest) > 3:
            return SQLiteLedger(rest[3:], engine, create=create)
        raise LedgerError(
            f"{text}: write sqlite:///relative/path.db, sqlite:////absolute/path.db or "
            "sqlite://:memory:"
        )
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise LedgerError(f"unknown ledger URL scheme {scheme!r}; use sqlite: or postgresql:")
    return SQLiteLedger(text, engine, create=create)


def _split_schema(url: str) -> tuple[str, str | None]:
    """Take the ledger's own ``schema`` parameter out of a libpq URL (libpq refuses it)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema or None
