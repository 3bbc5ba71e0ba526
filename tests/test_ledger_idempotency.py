"""Idempotency keys on ``Ledger.reserve``, on both back-ends.

A retried reserve (its answer lost after the commit) must return the first answer and record
nothing new; without the key, the retry would be denied by the cooldown its own orphaned
``pending`` record starts (the failure this guards against). A key reused for another contact is
a conflict, never an answer about something else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ledger_support import COOLDOWN_RULE, HOURS_RULE, WEDNESDAY, LedgerSpec, call, consumer
from ledger_support import ledger_spec as make_spec

from contactrules import Engine, Outcome
from contactrules.ledger import (
    ConnectionLostError,
    IdempotencyConflictError,
    Ledger,
    LedgerError,
    Reservation,
)
from contactrules.ledger.chain import canonical_json
from contactrules.ledger.idempotency import decision_from_json

HOUR = dt.timedelta(hours=1)


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerSpec]:
    with make_spec(request.param, str(tmp_path)) as found:
        yield found


@pytest.fixture
def ledger(spec: LedgerSpec, engine: Engine) -> Iterator[Ledger]:
    opened = spec.open(engine)
    yield opened
    opened.close()


def _same(first: Reservation, again: Reservation) -> None:
    assert (again.record_id, again.decision_id, again.idempotency_key) == (
        first.record_id,
        first.decision_id,
        first.idempotency_key,
    )
    assert canonical_json(again.decision.as_dict()) == canonical_json(first.decision.as_dict())
    assert again == first and again.replayed and not first.replayed


def test_the_same_key_twice_returns_the_first_reservation(spec: LedgerSpec, ledger: Ledger) -> None:
    first = ledger.reserve(call(WEDNESDAY), idempotency_key="letter-1")
    assert first.allowed and first.record_id is not None
    again = ledger.reserve(call(WEDNESDAY), idempotency_key="letter-1")
    _same(first, again)
    assert len(ledger.records("C-1")) == 1
    assert spec.query("SELECT count(*) FROM decisions") == [(1,)]
    assert ledger.verify_audit().intact


def test_without_a_key_a_retry_is_denied_by_its_own_pending_record(ledger: Ledger) -> None:
    """The failure keys exist for: the same call sent twice records a pending call, whose
    possible conversation starts the cooldown that then denies the retry."""
    first = ledger.reserve(call(WEDNESDAY))
    retry = ledger.reserve(call(WEDNESDAY))
    assert first.allowed and not retry.allowed
    assert [r.rule_id for r in retry.decision.reasons] == [COOLDOWN_RULE]


def test_a_retry_after_a_lost_answer_gets_the_committed_reservation(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction commits, then the answer is lost on its way back (here: the call
    raises after its commit, as a dropped connection would); the caller retries."""
    original = type(ledger)._execute
    lost: list[Any] = []

    def answer_lost(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        if not lost:
            lost.append(result)
            raise ConnectionLostError("the answer was lost after the commit")
        return result

    monkeypatch.setattr(type(ledger), "_execute", answer_lost)
    with pytest.raises(ConnectionLostError):
        ledger.reserve(call(WEDNESDAY), idempotency_key="call-7")
    retried = ledger.reserve(call(WEDNESDAY), idempotency_key="call-7")
    monkeypatch.undo()
    assert retried.allowed, retried.decision.reasons  # not denied by its own pending record
    assert retried.decision_id == lost[0].decision_id and retried.record_id == lost[0].record_id
    assert [s.id for s in ledger.records("C-1")] == [retried.record_id]


def test_the_same_key_with_another_contact_is_a_conflict(spec: LedgerSpec, ledger: Ledger) -> None:
    first = ledger.reserve(call(WEDNESDAY), idempotency_key="k")
    with pytest.raises(IdempotencyConflictError, match="'k' already names another request"):
        ledger.reserve(call(WEDNESDAY + HOUR), idempotency_key="k")
    with pytest.raises(IdempotencyConflictError):
        ledger.reserve(call(WEDNESDAY, consumer("C-2")), idempotency_key="k")
    with pytest.raises(IdempotencyConflictError):  # the same instant, another debt
        ledger.reserve(call(WEDNESDAY, consumer(debts=("D1", "D2")), "D2"), idempotency_key="k")
    assert issubclass(IdempotencyConflictError, LedgerError)
    assert [s.id for s in ledger.records("C-1")] == [first.record_id]
    assert ledger.records("C-2") == []
    assert spec.query("SELECT count(*) FROM decisions") == [(1,)]


def test_a_denied_reservation_is_replayed_as_denied(ledger: Ledger) -> None:
    late = call(WEDNESDAY.replace(hour=21, minute=30))
    first = ledger.reserve(late, idempotency_key="late")
    again = ledger.reserve(late, idempotency_key="late")
    assert not again.allowed and again.record_id is None
    assert [r.rule_id for r in again.decision.reasons] == [HOURS_RULE]
    _same(first, again)


def test_lookups_by_key_and_by_decision_id(ledger: Ledger) -> None:
    first = ledger.reserve(call(WEDNESDAY), idempotency_key="tenant-a/123")
    plain = ledger.reserve(call(WEDNESDAY + HOUR))
    found = ledger.reservation_by_key("tenant-a/123")
    assert found is not None
    _same(first, found)
    by_id = ledger.reservation(plain.decision_id)
    assert by_id is not None and by_id.idempotency_key is None
    assert (by_id.record_id, by_id.allowed) == (plain.record_id, plain.allowed)
    assert ledger.reservation(0) is None and ledger.reservation(10_000) is None
    assert ledger.reservation_by_key("nope") is None


def test_keys_are_checked(ledger: Ledger) -> None:
    for bad, why in [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("x" * 256, "at most 255"),
        ("a\nb", "control characters"),
    ]:
        with pytest.raises(LedgerError, match=why):
            ledger.reserve(call(WEDNESDAY), idempotency_key=bad)
    assert ledger.history("C-1") == []


def test_a_key_reused_after_the_outcome_still_replays(ledger: Ledger) -> None:
    first = ledger.reserve(call(WEDNESDAY), idempotency_key="k1")
    assert first.record_id is not None
    ledger.record_outcome(first.record_id, Outcome.NO_ANSWER)
    ledger.record_outcome(first.record_id, Outcome.NO_ANSWER)  # a retried outcome: no change
    _same(first, ledger.reserve(call(WEDNESDAY), idempotency_key="k1"))
    assert len(ledger.history("C-1")) == 1


def test_logged_decisions_read_back_as_they_were(engine: Engine) -> None:
    """A replayed reservation's decision is its logged JSON read back: the same verdict,
    reasons, grounds, times and ids (table of decisions of several shapes)."""
    from contactrules.ledger import SQLiteLedger

    contacts = [
        call(WEDNESDAY),  # allowed
        call(WEDNESDAY + HOUR),  # denied: cooldown of the pending call
        call(WEDNESDAY.replace(hour=22)),  # denied: hours, with a next allowed instant
    ]
    with SQLiteLedger(":memory:", engine) as ledger:
        for contact in contacts:
            decision = ledger.reserve(contact).decision
            back = decision_from_json(decision.as_dict())
            assert canonical_json(back.as_dict()) == canonical_json(decision.as_dict())
            assert back == dataclasses.replace(decision)
