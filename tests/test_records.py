"""History as plain values (contactrules/records.py): the same decisions as the models give,
from rows validated in bulk, with nothing lost and nothing malformed let through."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError
from test_properties import cases

from contactrules import (
    Consumer,
    Contact,
    ContactRecord,
    Debt,
    Engine,
    History,
    Outcome,
    Phone,
    Record,
)
from contactrules.decision import Decision
from contactrules.records import FIELDS


def _key(decision: Decision) -> tuple[object, ...]:
    return (
        decision.allowed,
        [(r.rule_id, r.message, r.facts) for r in decision.reasons],
        [(r.rule_id, r.message) for r in decision.warnings],
        decision.next_allowed_at,
        decision.next_allowed_note,
    )


def _rows(history: list[ContactRecord]) -> list[dict[str, Any]]:
    """The JSON form a dialer would send: what ``model_dump(mode="json")`` writes."""
    return [json.loads(r.model_dump_json(exclude_defaults=True)) for r in history]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_models_history_and_rows_give_the_same_decision(
    engine: Engine, case: tuple[Contact, list[ContactRecord]]
) -> None:
    contact, history = case
    expected = _key(engine.evaluate(contact, history))
    assert _key(engine.evaluate(contact, History(history))) == expected
    assert _key(engine.evaluate(contact, History.from_rows(_rows(history)))) == expected
    prepared = History(history)
    # A prepared history is read, never changed: asking twice answers the same.
    assert _key(engine.evaluate(contact, prepared)) == expected
    assert _key(engine.evaluate(contact, prepared)) == expected


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_history_order_is_independent_of_input_order(
    case: tuple[Contact, list[ContactRecord]],
) -> None:
    """Convention K9: the sorted order, ties included, does not depend on how rows arrive."""
    _, history = case
    shuffled = list(history)
    random.Random(len(history)).shuffle(shuffled)
    a = [r.to_model() for r in History(history)]
    b = [r.to_model() for r in History(shuffled)]
    assert a == b
    assert [r.key for r in History(history)] == sorted(r.key for r in History(history))


def test_every_model_field_is_kept_and_round_trips() -> None:
    """A field added to ContactRecord but not to Record would be silently dropped: fail here."""
    assert set(Record.__slots__) == set(ContactRecord.model_fields) | {"key"}
    assert sorted(FIELDS) == sorted(ContactRecord.model_fields)
    full = ContactRecord(
        channel="sms",
        at="2026-06-01T10:00:00-04:00",
        debt_ids=["D1", "D2"],
        outcome="delivered",
        initiated_by="consumer",
        to="+16175550100",
        to_work=False,
        recipient="third_party",
        third_party_id="T1",
        purpose="collection",
        dial_method="manual",
        text="STOP",
        requested_by_consumer=True,
    )
    assert set(full.model_fields_set) == set(ContactRecord.model_fields)
    assert Record.of(full).to_model() == full
    (from_row,) = History.from_rows([json.loads(full.model_dump_json())])
    assert from_row.to_model() == full


def test_defaults_are_the_models_defaults() -> None:
    minimal = {"channel": "call", "at": "2026-06-01T10:00:00Z", "outcome": "no_answer"}
    (record,) = History.from_rows([minimal])
    assert record.to_model() == ContactRecord.model_validate(minimal)


def test_instant_key_orders_by_utc_across_zones() -> None:
    later_in_ny = {"channel": "call", "at": "2026-06-01T10:00:00-04:00", "outcome": "no_answer"}
    earlier_in_la = {"channel": "call", "at": "2026-06-01T06:59:00-07:00", "outcome": "no_answer"}
    history = History.from_rows([later_in_ny, earlier_in_la])
    assert [r.at.utcoffset() for r in history] == [
        dt.timedelta(hours=-7),
        dt.timedelta(hours=-4),
    ]
    assert history[1].key - history[0].key == 60 * 1_000_000


@pytest.mark.parametrize(
    ("row", "where", "what"),
    [
        ({"channel": "call", "at": 1780000000, "outcome": "no_answer"}, ("at",), "instant"),
        ({"channel": "call", "at": "2026-06-01T10:00:00", "outcome": "no_answer"}, ("at",), ""),
        ({"channel": "call", "at": "2026-06-01T10:00:00Z", "outcome": "rang"}, ("outcome",), ""),
        (
            {"channel": "fax", "at": "2026-06-01T10:00:00Z", "outcome": "no_answer"},
            ("channel",),
            "",
        ),
        ({"channel": "call", "at": "2026-06-01T10:00:00Z"}, ("outcome",), "missing"),
        (
            {"channel": "call", "at": "2026-06-01T10:00:00Z", "outcome": "no_answer", "when": 1},
            ("when",),
            "extra",
        ),
        (
            {"channel": "call", "at": "2026-06-01T10:00:00Z", "outcome": "no_answer", "to": " "},
            ("to",),
            "",
        ),
        (
            {"channel": "call", "at": "2026-06-01T10:00:00Z", "outcome": "no_answer", "to_work": 1},
            ("to_work",),
            "",
        ),
    ],
)
def test_malformed_rows_are_refused_with_their_location(
    row: dict[str, Any], where: tuple[str, ...], what: str
) -> None:
    good = {"channel": "call", "at": "2026-06-01T09:00:00Z", "outcome": "no_answer"}
    with pytest.raises(ValidationError) as raised:
        History.from_rows([good, good, row])
    errors = raised.value.errors()
    assert {e["loc"] for e in errors} == {(2, *where)}
    assert what in " ".join(f"{e['type']} {e['msg']}" for e in errors)


def test_a_row_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ValidationError):
        History.from_rows([["call", "2026-06-01T09:00:00Z", "no_answer"]])  # type: ignore[list-item]


def test_a_row_naming_an_unknown_debt_still_denies(engine: Engine) -> None:
    """Rows are checked against the consumer at evaluation, exactly as models are."""
    consumer = Consumer(
        id="C1",
        addresses=[{"country": "US", "subdivision": "PA"}],
        phones=[Phone(number="+12155550100", type="mobile")],
        debts=[Debt(id="D1")],
    )
    contact = Contact(
        channel="call",
        at="2026-06-02T10:00:00-04:00",
        consumer=consumer,
        debt_ids=["D1"],
        to="+12155550100",
        dial_method="manual",
    )
    rows = [{"channel": "call", "at": "2026-06-01T10:00:00-04:00", "outcome": Outcome.NO_ANSWER,
             "debt_ids": ["D-1"]}]  # fmt: skip
    decision = engine.evaluate(contact, History.from_rows(rows))
    assert not decision.allowed
    assert decision.reasons[0].rule_id == "CONTACTRULES-INVALID-INPUT"
