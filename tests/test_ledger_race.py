"""The race the ledger exists for: many processes reserving calls for one consumer and debt.

Eight processes (started with 'spawn', each with its own engine and connection, as on separate
machines) hammer ``reserve()`` for the same consumer and debt, with instants that interleave
inside the federal 08:00–21:00 window of one day, so the 7-in-7 cap (and the cooldown a pending
call stands for) is the only limit. However the processes interleave, the ledger must end with
at most seven calls in the seven-day window, and every call a worker was told it could make
must be on record.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_support import (
    CAP_RULE,
    WEDNESDAY,
    LedgerSpec,
    ledger_spec,
    race_worker,
)

from contactrules import Engine, Outcome

WORKERS = 8
ATTEMPTS = 25
TIMEOUT = 120


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec(request.param, str(tmp_path)) as found:
        yield found


def test_concurrent_reserves_never_exceed_the_cap(spec: LedgerSpec, engine: Engine) -> None:
    spec.open(engine).close()  # create the schema once, as a deployment would
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=race_worker, args=(spec, w, ATTEMPTS, barrier, results))
        for w in range(WORKERS)
    ]
    for process in workers:
        process.start()
    reports = [results.get(timeout=TIMEOUT) for _ in workers]
    for process in workers:
        process.join(timeout=TIMEOUT)
        assert process.exitcode == 0

    granted = sorted(i for _w, allowed, _d in reports for i in allowed)
    denied_by = [rule for _w, _a, rules in reports for rule in rules]
    with spec.open(engine) as ledger:
        stored = ledger.records("C-RACE")
        entries = list(ledger.audit("C-RACE"))

    window_start = WEDNESDAY - dt.timedelta(days=6)
    counted = [
        s
        for s in stored
        if s.record.channel.value == "call"
        and s.record.at >= window_start
        and s.record.outcome is not Outcome.NOT_CONNECTED
    ]
    assert 1 <= len(counted) <= 7, [s.record.at.isoformat() for s in counted]
    # Every call a worker was allowed to make is on record, and nothing else is.
    assert [s.id for s in stored] == granted
    assert all(s.record.outcome is Outcome.NO_ANSWER for s in stored)
    # Every attempt was judged and logged, once.
    assert len(entries) == WORKERS * ATTEMPTS
    assert sorted(e.record_id for e in entries if e.record_id is not None) == granted
    assert all(e.allowed == (e.record_id is not None) for e in entries)
    assert len(denied_by) >= WORKERS * ATTEMPTS - 7
    assert CAP_RULE in denied_by  # the cap itself was reached and enforced
