"""The clock-skew guard: a contact proposed too far ahead of the ledger's clock is refused with
``CONTACTRULES-CLOCK-SKEW`` and not recorded, so a worker whose clock runs a day fast cannot
book the week's calls "today" and lock every correct worker out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_support import CAP_RULE, WEDNESDAY, LedgerSpec, call, ledger_spec

from contactrules import Engine, Outcome
from contactrules.ledger import (
    CLOCK_SKEW_RULE,
    DEFAULT_MAX_CLOCK_SKEW,
    Ledger,
    LedgerError,
    SQLiteLedger,
)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec(request.param, str(tmp_path)) as found:
        yield found


@pytest.fixture
def ledger(spec: LedgerSpec, engine: Engine) -> Iterator[Ledger]:
    opened = spec.open(engine, clock=lambda: WEDNESDAY)  # the ledger's clock: 09:00 Chicago
    yield opened
    opened.close()


def test_a_contact_a_day_ahead_is_refused_with_both_clocks(
    spec: LedgerSpec, ledger: Ledger
) -> None:
    refused = ledger.reserve(call(WEDNESDAY + DAY))
    assert not refused.allowed and refused.record_id is None
    [reason] = refused.decision.reasons
    assert reason.rule_id == CLOCK_SKEW_RULE and reason.kind == "engine"
    assert reason.facts["ledger_time"] == WEDNESDAY.isoformat()
    assert reason.facts["proposed_time"] == (WEDNESDAY + DAY).isoformat()
    assert reason.facts["tolerance_seconds"] == 300.0
    assert reason.facts["ahead_seconds"] == 86400.0
    assert "check the clock" in reason.message
    assert refused.decision.next_allowed_at is None
    assert ledger.history("C-1") == []
    [entry] = ledger.audit()
    assert not entry.allowed and entry.contact_allowed  # the engine alone would have allowed it
    assert [r["rule_id"] for r in entry.reasons] == [CLOCK_SKEW_RULE]
    assert ledger.verify_audit().intact


def test_within_the_tolerance_a_contact_is_judged_as_usual(ledger: Ledger) -> None:
    assert dt.timedelta(minutes=5) == DEFAULT_MAX_CLOCK_SKEW
    assert ledger.reserve(call(WEDNESDAY + dt.timedelta(minutes=5))).allowed
    edge = ledger.reserve(call(WEDNESDAY + dt.timedelta(minutes=5, microseconds=1)))
    assert [r.rule_id for r in edge.decision.reasons] == [CLOCK_SKEW_RULE]


def test_a_fast_worker_cannot_lock_the_correct_ones_out(spec: LedgerSpec, engine: Engine) -> None:
    """Seven calls proposed by a worker a day fast would fill the 7-in-7 cap for the week;
    refused, they leave the correct workers the whole cap."""
    evening = WEDNESDAY.replace(hour=17)
    with spec.open(engine, clock=lambda: evening) as ledger:
        for n in range(7):
            fast = ledger.reserve(call(WEDNESDAY + DAY + n * HOUR))
            assert [r.rule_id for r in fast.decision.reasons] == [CLOCK_SKEW_RULE]
        for n in range(7):
            correct = ledger.reserve(call(WEDNESDAY + n * HOUR))
            assert correct.allowed and correct.record_id is not None, correct.decision.reasons
            ledger.record_outcome(correct.record_id, Outcome.NO_ANSWER)
        eighth = ledger.reserve(call(evening))
        assert [r.rule_id for r in eighth.decision.reasons] == [CAP_RULE]


def test_the_tolerance_is_configurable(engine: Engine) -> None:
    with SQLiteLedger(":memory:", engine, clock=lambda: WEDNESDAY, max_clock_skew=DAY) as wide:
        assert wide.reserve(call(WEDNESDAY + 8 * HOUR)).allowed
    with SQLiteLedger(":memory:", engine, clock=lambda: WEDNESDAY, max_clock_skew=None) as off:
        assert off.reserve(call(WEDNESDAY + 3 * DAY)).allowed
    with pytest.raises(LedgerError, match="must not be negative"):
        SQLiteLedger(":memory:", engine, max_clock_skew=-HOUR)


def test_postgresql_measures_against_the_server_clock(engine: Engine, tmp_path: Path) -> None:
    with ledger_spec("postgres", str(tmp_path)) as spec, spec.open(engine) as ledger:
        [(server_now,)] = spec.query("SELECT clock_timestamp()")
        refused = ledger.reserve(call(server_now + HOUR))
        [reason] = refused.decision.reasons
        assert reason.rule_id == CLOCK_SKEW_RULE
        ledger_time = dt.datetime.fromisoformat(reason.facts["ledger_time"])
        assert abs(ledger_time - server_now) < dt.timedelta(seconds=30)
        [(decided_at,)] = spec.query("SELECT decided_at FROM decisions")
        assert decided_at == ledger_time
        assert ledger.reserve(call(server_now)).decision.reasons[:1] != (reason,)
