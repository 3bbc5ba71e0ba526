"""The contact ledger: contact records and decisions shared safely by every worker of a shop.

Caps and cooldowns are only as good as the history they count; with several dialers, an SMS
platform and agents calling at once, the history must be one, and checking it and recording a
contact must be one atomic step. See :mod:`contactrules.ledger.base` for how and why.

Back-ends: :class:`SQLiteLedger` (standard library; a file shared by the processes of one
machine, or ``:memory:``) and :class:`PostgresLedger` (psycopg 3, an optional extra; any number
of machines). :func:`open_ledger` picks one from a URL.

For production behind a network (docs/ledger.md): idempotency keys on ``reserve()``, automatic
reconnection, a read-only mode for audit and replay, a clock-skew guard, a hash-chained audit
log (:mod:`.chain`, checked by ``contactrules audit verify``), and personal data kept to what a
regulator needs, keyed-hashed identifiers and erasure (:mod:`.privacy`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..engine import Engine
from .audit import AuditEntry, AuditFileError, inputs_hash, read_jsonl, write_jsonl
from .base import (
    ConnectionLostError,
    Erasure,
    IdempotencyConflictError,
    IdentifierKeyError,
    Ledger,
    LedgerError,
    ReadOnlyLedgerError,
    Reservation,
    SchemaTooNewError,
    StoredRecord,
    UnknownRecordError,
)
from .chain import ChainHead, ChainProblem
from .clock import CLOCK_SKEW_RULE, DEFAULT_MAX_CLOCK_SKEW
from .migrations import SCHEMA_VERSION
from .privacy import IDENTIFIER_KEY_ENV, identifier_key_from_env
from .sqlite import SQLiteLedger
from .verify import Verification

if TYPE_CHECKING:
    from .postgres import PostgresLedger, Reconnect

__all__ = [
    "CLOCK_SKEW_RULE",
    "DEFAULT_MAX_CLOCK_SKEW",
    "IDENTIFIER_KEY_ENV",
    "SCHEMA_VERSION",
    "AuditEntry",
    "AuditFileError",
    "ChainHead",
    "ChainProblem",
    "ConnectionLostError",
    "Erasure",
    "IdempotencyConflictError",
    "IdentifierKeyError",
    "Ledger",
    "LedgerError",
    "PostgresLedger",
    "ReadOnlyLedgerError",
    "Reconnect",
    "Reservation",
    "SQLiteLedger",
    "SchemaTooNewError",
    "StoredRecord",
    "UnknownRecordError",
    "Verification",
    "identifier_key_from_env",
    "inputs_hash",
    "open_ledger",
    "read_jsonl",
    "write_jsonl",
]


def __getattr__(name: str) -> object:
    # PostgresLedger is importable from here without importing psycopg until it is used.
    if name in ("PostgresLedger", "Reconnect"):
        from . import postgres

        return getattr(postgres, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_ledger(
    url: str | Path,
    engine: Engine,
    *,
    create: bool = True,
    read_only: bool = False,
    max_clock_skew: dt.timedelta | None = DEFAULT_MAX_CLOCK_SKEW,
    identifier_key: bytes | str | None = None,
    reconnect: Reconnect | None = None,
) -> Ledger:
    """Open (and create or upgrade the schema of) the ledger a URL names.

    - ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (SQLAlchemy's spelling),
      or a plain file path: a SQLite file;
    - ``sqlite://:memory:`` (or ``sqlite://``): a private in-memory ledger;
    - ``postgresql://user:password@host:port/database`` (or ``postgres://``), with any libpq
      parameters, plus ``schema=NAME`` to keep the ledger's tables in their own schema.

    ``create=False`` opens only an existing ledger (so that a typo does not leave a new, empty
    database behind). ``read_only=True`` opens an existing ledger for audit and replay: nothing
    is created or upgraded, every write raises :class:`ReadOnlyLedgerError`; it works on an
    archived copy, a file on read-only storage, a standby or a role that may only read.

    ``max_clock_skew`` (default :data:`DEFAULT_MAX_CLOCK_SKEW`, five minutes; ``None`` turns
    the guard off): a contact proposed further ahead of the ledger's clock is denied with
    :data:`CLOCK_SKEW_RULE` and not recorded. ``identifier_key`` (at least 32 bytes, never
    stored in the ledger): consumer and third-party ids are stored keyed-hashed.
    ``reconnect``: how a PostgreSQL ledger retries a lost connection (:class:`Reconnect`).
    """
    text = str(url)
    options: dict[str, Any] = {
        "create": create and not read_only,
        "read_only": read_only,
        "max_clock_skew": max_clock_skew,
        "identifier_key": identifier_key,
    }
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresLedger

        dsn, schema = _split_schema(text)
        return PostgresLedger(dsn, engine, schema=schema, reconnect=reconnect, **options)
    if text.startswith("sqlite:"):
        rest = text[len("sqlite:") :]
        if rest in ("", "//", "//:memory:", ":memory:"):
            return SQLiteLedger(":memory:", engine, **options)
        if rest.startswith("///") and len(rest) > 3:
            return SQLiteLedger(rest[3:], engine, **options)
        raise LedgerError(
            f"{text}: write sqlite:///relative/path.db, sqlite:////absolute/path.db or "
            "sqlite://:memory:"
        )
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise LedgerError(f"unknown ledger URL scheme {scheme!r}; use sqlite: or postgresql:")
    return SQLiteLedger(text, engine, **options)


def _split_schema(url: str) -> tuple[str, str | None]:
    """Take the ledger's own ``schema`` parameter out of a libpq URL (libpq refuses it)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), None)
    # quote, not urlencode's default quote_plus: libpq reads "+" as itself, not as a space.
    rest = urlencode([(k, v) for k, v in query if k != "schema"], quote_via=quote)
    return urlunsplit(parts._replace(query=rest)), schema or None
