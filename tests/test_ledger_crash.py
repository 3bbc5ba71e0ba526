"""A writer killed with SIGKILL mid-write loses no committed record; the ledger opens cleanly.

The child writes in a loop (reserve, record_outcome, record) and appends each record id to a
report file only after its transaction committed. The parent kills it with SIGKILL while it is
writing, reopens the ledger, checks that every reported id is there, that at most the one write
in flight when the kill landed is there unreported, and that the database is intact and usable.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_support import WEDNESDAY, LedgerSpec, call, consumer, crash_writer, ledger_spec

from contactrules import Engine, Outcome

WANTED = 150  # committed records before the kill
TIMEOUT = 60.0


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec(request.param, str(tmp_path)) as found:
        yield found


def _reported(path: Path) -> list[int]:
    """Complete lines only: a line cut short by the kill was never a report."""
    if not path.exists():
        return []
    text = path.read_text(encoding="ascii")
    lines = text.split("\n")[:-1]  # the part after the last newline is incomplete
    return [int(line) for line in lines]


def test_sigkill_mid_write_loses_no_committed_record(
    spec: LedgerSpec, engine: Engine, tmp_path: Path
) -> None:
    spec.open(engine).close()
    report = tmp_path / "committed.txt"
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=crash_writer, args=(spec, str(report)))
    child.start()
    deadline = time.monotonic() + TIMEOUT
    while len(_reported(report)) < WANTED:
        assert child.is_alive(), "the writer died before it was killed"
        assert time.monotonic() < deadline, "the writer is too slow"
        time.sleep(0.01)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=TIMEOUT)
    assert child.exitcode == -signal.SIGKILL
    reported = set(_reported(report))
    assert len(reported) >= WANTED

    if spec.backend == "sqlite":
        conn = sqlite3.connect(spec.target)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()
    with spec.open(engine) as ledger:
        present = {s.id for n in range(40) for s in ledger.records(f"C-{n}")}
        assert reported <= present, sorted(reported - present)
        # At most the write in flight at the kill committed without being reported.
        assert len(present - reported) <= 1
        # Every decision that granted a record points at a record that exists.
        granted = {e.record_id for e in ledger.audit() if e.record_id is not None}
        assert granted <= present
        # And the ledger goes on working.
        fresh = ledger.reserve(call(WEDNESDAY, consumer("C-after")))
        assert fresh.record_id is not None
        ledger.record_outcome(fresh.record_id, Outcome.NO_ANSWER)
