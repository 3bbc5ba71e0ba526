"""A read-only ledger (an archived copy, read-only storage, a read-only server) opens for audit
and replay, and refuses every write; nothing is created, upgraded or changed."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_support import WEDNESDAY, LedgerSpec, call, consumer, ledger_spec

from contactrules import ContactRecord, Engine, Outcome
from contactrules.cli import main
from contactrules.ledger import (
    SCHEMA_VERSION,
    Ledger,
    LedgerError,
    ReadOnlyLedgerError,
    SQLiteLedger,
    open_ledger,
)
from contactrules.ledger.migrations import migrate_sqlite, sqlite_version

HOUR = dt.timedelta(hours=1)


def _fill(ledger: Ledger) -> None:
    first = ledger.reserve(call(WEDNESDAY))
    assert first.record_id is not None
    ledger.record_outcome(first.record_id, Outcome.NO_ANSWER)
    ledger.reserve(call(WEDNESDAY + HOUR))


def _refuses_writes(ledger: Ledger) -> None:
    inbound = ContactRecord(channel="call", at=WEDNESDAY, outcome=Outcome.CONVERSATION)
    for write in (
        lambda: ledger.reserve(call(WEDNESDAY + 2 * HOUR)),
        lambda: ledger.reserve(call(WEDNESDAY + 2 * HOUR), idempotency_key="k"),
        lambda: ledger.record("C-1", inbound),
        lambda: ledger.record_outcome(1, Outcome.CONVERSATION),
        lambda: ledger.erase_consumer("C-1"),
    ):
        with pytest.raises(ReadOnlyLedgerError, match="read-only"):
            write()


@pytest.fixture
def archived(tmp_path: Path, engine: Engine) -> Iterator[Path]:
    """A ledger file made read-only, in a read-only folder, as on archive storage."""
    folder = tmp_path / "archive"
    folder.mkdir()
    path = folder / "ledger.db"
    with SQLiteLedger(path, engine) as ledger:
        _fill(ledger)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield path
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)


def test_a_read_only_sqlite_file_opens_for_audit_and_replay(
    archived: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    before = archived.read_bytes()
    with open_ledger(f"sqlite:///{archived}", engine, read_only=True) as ledger:
        assert ledger.read_only and ledger.schema_version == SCHEMA_VERSION
        assert [s.record.outcome for s in ledger.records("C-1")] == [
            Outcome.NO_ANSWER,
            Outcome.PENDING,
        ]
        assert len(list(ledger.audit())) == 2
        assert ledger.verify_audit().intact
        _refuses_writes(ledger)
    assert main(["replay", str(archived)]) == 0
    assert main(["audit", "verify", f"sqlite:///{archived}"]) == 0
    assert "audit chain intact: 2 decision(s)" in capsys.readouterr().out
    if os.geteuid() != 0:  # the permissions bind every user but root
        with pytest.raises(LedgerError, match="read_only=True"):
            open_ledger(archived, engine)
    assert archived.read_bytes() == before


def test_where_even_a_reader_cannot_write_the_file_is_read_as_immutable(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A WAL ledger needs a writable ``-shm`` file even to be read; on read-only storage that
    fails, and the file is read as immutable, unless a write-ahead log is waiting."""
    path = tmp_path / "ledger.db"
    with SQLiteLedger(path, engine) as ledger:
        _fill(ledger)
    calls: list[str] = []

    def unwritable_shm(conn: sqlite3.Connection) -> int:
        calls.append("read")
        if len(calls) == 1:  # the mode=ro probe: as where the -shm file cannot be created
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return sqlite_version(conn)

    monkeypatch.setattr("contactrules.ledger.sqlite.sqlite_version", unwritable_shm)
    with SQLiteLedger(path, engine, read_only=True) as ledger:
        assert len(ledger.history("C-1")) == 2 and ledger.verify_audit().intact
    calls.clear()
    writer = sqlite3.connect(path, isolation_level=None)  # a writer whose log is not applied yet
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("INSERT INTO ledger_settings (name, value) VALUES ('x', 'y')")
        assert Path(f"{path}-wal").stat().st_size > 0
        with pytest.raises(LedgerError, match="write-ahead log"):
            SQLiteLedger(path, engine, read_only=True)
    finally:
        writer.close()


def test_read_only_never_creates_or_upgrades(tmp_path: Path, engine: Engine) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(LedgerError, match="no such ledger file"):
        open_ledger(missing, engine, read_only=True)
    assert not missing.exists()
    with pytest.raises(LedgerError, match="cannot be opened read-only"):
        open_ledger("sqlite://:memory:", engine, read_only=True)
    old = tmp_path / "v3.db"
    conn = sqlite3.connect(old, isolation_level=None)
    migrate_sqlite(conn, target=3)
    conn.close()
    with pytest.raises(LedgerError, match=r"version 3, older .* cannot be upgraded"):
        open_ledger(old, engine, read_only=True)
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (3,)
    conn.close()


@pytest.fixture
def pg_spec(tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec("postgres", str(tmp_path)) as found:
        yield found


def _read_only_server(url: str) -> str:
    """The URL with a session that refuses writes, as a hot standby or a read-only role does."""
    return url.replace("?", "?options=-c%20default_transaction_read_only%3Don&", 1)


def test_a_read_only_postgresql_session_audits_and_replays(
    pg_spec: LedgerSpec, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with pg_spec.open(engine) as ledger:
        _fill(ledger)
    url = _read_only_server(pg_spec.url)
    with open_ledger(url, engine, read_only=True) as ledger:
        assert len(ledger.history("C-1")) == 2 and ledger.verify_audit().intact
        _refuses_writes(ledger)
    # Opened for writing, the server itself refuses, with the same error type.
    refused = pytest.raises(ReadOnlyLedgerError, match="open the ledger with read_only=True")
    with open_ledger(url, engine) as ledger, refused:
        ledger.reserve(call(WEDNESDAY, consumer("C-2")))
    assert main(["replay", url]) == 0
    assert main(["audit", "verify", url]) == 0
    assert "audit chain intact" in capsys.readouterr().out
    with pytest.raises(LedgerError, match="no contactrules ledger"):
        open_ledger(
            url.replace(f"schema={pg_spec.schema}", "schema=nothing_here"), engine, read_only=True
        )
    assert pg_spec.query("SELECT count(*) FROM decisions") == [(2,)]
