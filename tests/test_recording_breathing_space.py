"""Call-recording disclosures (``when: recorded``) and Breathing Space moratoria (the
``breathing_space`` flag), through the Python API.

Sources: Cal. Penal Code 632(a) (consent of all parties to record a confidential telephone
communication); SI 2020/1311 reg. 11(1) (no contact to demand payment of a moratorium debt
during a moratorium). 2026-06-02 is a Tuesday; London is UTC+01:00 and Los Angeles UTC-07:00.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from contactrules import Engine, Moratorium, MoratoriumKind
from contactrules.models import Contact
from contactrules.rules.consumer_flag import ConsumerFlag

RECORDING = "US-CA-PEN632-CALL-RECORDING-DISCLOSURE"
BREATHING = "UK-SI2020-1311-REG11-BREATHING-SPACE"


def _ca_call(**extra: Any) -> Contact:
    return Contact.model_validate(
        {
            "channel": "call",
            "at": "2026-06-02T10:00:00-07:00",
            "debt_ids": ["D1"],
            "to": "+12135550100",
            "collector_type": "original_creditor",
            "consumer": {
                "id": "C1",
                "addresses": [{"country": "US", "subdivision": "CA", "city": "Los Angeles"}],
                "phones": [{"number": "+12135550100", "type": "mobile"}],
                "debts": [{"id": "D1"}],
            },
            **extra,
        }
    )


PLAIN = {"text": "Hello, this is Acme Bank about your account."}
DISCLOSED = {"text": "Hello, this is Acme Bank. This call may be recorded."}


@pytest.mark.parametrize(
    ("extra", "denied"),
    [
        ({"template": PLAIN}, True),  # recorded not given: judged as recorded (fail closed)
        ({"template": PLAIN, "recorded": True}, True),
        ({"template": PLAIN, "recorded": False}, False),
        ({"template": DISCLOSED}, False),
        ({"template": DISCLOSED, "recorded": True}, False),
    ],
)
def test_recording_disclosure(engine: Engine, extra: dict[str, Any], denied: bool) -> None:
    decision = engine.subset(["us-ca"]).evaluate(_ca_call(**extra))
    assert (RECORDING in {r.rule_id for r in decision.reasons}) is denied


def _gb_call(moratoria: list[dict[str, Any]], at: str = "2026-06-02T10:00:00+01:00") -> Contact:
    return Contact.model_validate(
        {
            "channel": "call",
            "at": at,
            "debt_ids": ["L1"],
            "consumer": {
                "id": "C2",
                "addresses": [{"country": "GB", "city": "Leeds", "zone": "Europe/London"}],
                "debts": [{"id": "L1"}, {"id": "L2"}],
                "moratoria": moratoria,
            },
        }
    )


LONDON = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("moratorium", "allowed", "next_at"),
    [
        # standard, no end given: 60 days after 2026-05-01 is 2026-06-30, lifted at midnight
        (
            {"kind": "standard", "started_on": "2026-05-01"},
            False,
            dt.datetime(2026, 7, 1, tzinfo=LONDON),
        ),
        (
            {"kind": "standard", "started_on": "2026-05-01", "ended_on": "2026-06-05"},
            False,
            dt.datetime(2026, 6, 6, tzinfo=LONDON),
        ),
        ({"kind": "mental_health_crisis", "started_on": "2026-05-01"}, False, None),
        ({"kind": "standard", "started_on": "2026-06-03"}, True, None),  # not yet begun
        ({"kind": "standard", "started_on": "2026-03-01"}, True, None),  # over
        ({"kind": "standard", "started_on": "2026-05-01", "debt_ids": ["L2"]}, True, None),
    ],
)
def test_breathing_space(
    engine: Engine, moratorium: dict[str, Any], allowed: bool, next_at: dt.datetime | None
) -> None:
    decision = engine.subset(["gb-breathing-space"]).evaluate(_gb_call([moratorium]))
    assert decision.allowed is allowed
    if not allowed:
        assert [r.rule_id for r in decision.reasons] == [BREATHING]
        assert decision.next_allowed_at == next_at


def test_a_later_moratorium_keeps_the_bar(engine: Engine) -> None:
    """The day after one moratorium ends does not help while a later one of unknown end holds."""
    contact = _gb_call(
        [
            {"kind": "standard", "started_on": "2026-05-01", "ended_on": "2026-06-05"},
            {"kind": "mental_health_crisis", "started_on": "2026-06-06"},
        ]
    )
    assert engine.subset(["gb-breathing-space"]).evaluate(contact).next_allowed_at is None


def test_moratorium_input_errors() -> None:
    with pytest.raises(ValidationError, match="cannot end before"):
        Moratorium(
            kind=MoratoriumKind.STANDARD,
            started_on=dt.date(2026, 5, 2),
            ended_on=dt.date(2026, 5, 1),
        )
    with pytest.raises(ValidationError, match="moratoria"):
        _gb_call([{"kind": "standard", "started_on": "2026-05-01", "debt_ids": ["NOPE"]}])


def test_standard_days_go_with_the_flag() -> None:
    base = {"id": "R", "kind": "consumer_flag", "citation": "x", "channels": ["call"]}
    with pytest.raises(ValidationError, match="standard_moratorium_days"):
        ConsumerFlag.model_validate({**base, "flag": "breathing_space"})
    with pytest.raises(ValidationError, match="standard_moratorium_days"):
        ConsumerFlag.model_validate({**base, "flag": "cease", "standard_moratorium_days": 60})
