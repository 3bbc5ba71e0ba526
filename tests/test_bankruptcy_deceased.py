"""The bankruptcy stay and discharge (rulesets/us/bankruptcy.yaml) and deceased consumers
(the deceased rule of rulesets/us/federal.yaml), through the Python API.

Each row cites the source of its expectation. Reference day: Tuesday 2026-06-02; the consumer
lives in Chicago (UTC-05:00 then). The bankruptcy rows are judged by the bankruptcy ruleset
alone and the deceased rows by the federal one, so other layers cannot change them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import build_consumer
from pydantic import ValidationError

from contactrules import (
    Bankruptcy,
    CollectorType,
    Consumer,
    ContactRecord,
    Debt,
    Engine,
    Outcome,
    Recipient,
    StayEndReason,
)
from contactrules.models import Contact
from contactrules.rules import base
from contactrules.rules.base import When

BANKRUPTCY = "us-bankruptcy"
FEDERAL = "us-federal"
STAY = "US-BK-362a6-AUTOMATIC-STAY"
DISCHARGE = "US-BK-524a2-DISCHARGE-INJUNCTION"
DECEASED = "US-FED-REGF-1006.6a4-DECEASED"
COOLDOWN = "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN"

NOON = "2026-06-02T12:00:00-05:00"
MOBILE = "+13125550111"


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


FILED_MAY_20 = Bankruptcy(filed_on=_day("2026-05-20"), chapter=7)
DISCHARGED_CARD = Bankruptcy(
    filed_on=_day("2026-01-12"),
    stay_ended_on=_day("2026-05-01"),
    stay_end_reason=StayEndReason.DISCHARGE,
    discharged_debt_ids=["CARD"],
)
DISCHARGED_UNLISTED = Bankruptcy(
    filed_on=_day("2026-01-12"),
    stay_ended_on=_day("2026-05-01"),
    stay_end_reason=StayEndReason.DISCHARGE,
)
DISMISSED_JUNE_2 = Bankruptcy(
    filed_on=_day("2026-01-12"),
    stay_ended_on=_day("2026-06-02"),
    stay_end_reason=StayEndReason.DISMISSAL,
)
DEBTS = (
    Debt(id="CARD"),
    Debt(id="STUDENT"),
    Debt(id="SAMEDAY", incurred_on=_day("2026-05-20")),
    Debt(id="LATER", incurred_on=_day("2026-05-25")),
)


@dataclass(frozen=True)
class Row:
    name: str
    source: str
    bankruptcies: tuple[Bankruptcy, ...] = ()
    deceased_on: str | None = None
    contact: dict[str, Any] = field(default_factory=dict)
    history: tuple[dict[str, Any], ...] = ()
    denied_by: str | None = None  # None: allowed


BANKRUPTCY_ROWS = [
    Row(
        "a call about a pre-petition debt during the stay",
        "11 U.S.C. 362(a)(6)",
        (FILED_MAY_20,),
        denied_by=STAY,
    ),
    Row(
        "a creditor's letter during the stay",
        '11 U.S.C. 362(a) ("applicable to all entities")',
        (FILED_MAY_20,),
        contact={"channel": "letter", "collector_type": CollectorType.ORIGINAL_CREDITOR},
        denied_by=STAY,
    ),
    Row(
        "a debt without a date counts as pre-petition",
        '11 U.S.C. 362(a)(6) ("arose before the commencement of the case"); fail closed',
        (FILED_MAY_20,),
        contact={"debt_ids": ["STUDENT"]},
        denied_by=STAY,
    ),
    Row(
        "a debt incurred on the filing day counts as pre-petition",
        "11 U.S.C. 362(a)(6); fail closed (the hour of the petition is not known)",
        (FILED_MAY_20,),
        contact={"debt_ids": ["SAMEDAY"]},
        denied_by=STAY,
    ),
    Row(
        "a debt incurred after the filing",
        "11 U.S.C. 362(a)(6) (only claims that arose before the case)",
        (FILED_MAY_20,),
        contact={"debt_ids": ["LATER"]},
    ),
    Row(
        "a contact about a stayed and an unstayed debt together",
        "11 U.S.C. 362(a)(6)",
        (FILED_MAY_20,),
        contact={"debt_ids": ["LATER", "CARD"]},
        denied_by=STAY,
    ),
    Row(
        "the debtor's bankruptcy attorney",
        "11 U.S.C. 362(a)(6) (acts against the debtor); digest section 16",
        (FILED_MAY_20,),
        contact={"recipient": Recipient.CONSUMER_ATTORNEY, "to": None},
    ),
    Row(
        "a petition for another debt only",
        "11 U.S.C. 362(a)(6); 362(d) (relief may be granted per creditor)",
        (Bankruptcy(filed_on=_day("2026-05-20"), debt_ids=["STUDENT"]),),
    ),
    Row(
        "the day before the filing",
        "11 U.S.C. 362(a) (the petition operates as a stay)",
        (Bankruptcy(filed_on=_day("2026-06-03")),),
        contact={"at": "2026-06-02T23:59:00-05:00"},
    ),
    Row(
        "the first minute of the filing day",
        "11 U.S.C. 362(a); fail closed; K2",
        (Bankruptcy(filed_on=_day("2026-06-03")),),
        contact={"at": "2026-06-03T00:00:00-05:00"},
        denied_by=STAY,
    ),
    Row(
        "the day of a dismissal",
        "11 U.S.C. 362(c)(2)(B); fail closed (the hour of the order is not known)",
        (DISMISSED_JUNE_2,),
        contact={"at": "2026-06-02T20:00:00-05:00"},
        denied_by=STAY,
    ),
    Row(
        "the day after a dismissal",
        "11 U.S.C. 362(c)(2)(B)",
        (DISMISSED_JUNE_2,),
        contact={"at": "2026-06-03T09:00:00-05:00"},
    ),
    Row(
        "a discharged debt",
        "11 U.S.C. 524(a)(2)",
        (DISCHARGED_CARD,),
        denied_by=DISCHARGE,
    ),
    Row(
        "a debt the discharge did not reach",
        "11 U.S.C. 524(a)(2); 362(c)(2)(C) (the stay ends at discharge)",
        (DISCHARGED_CARD,),
        contact={"debt_ids": ["STUDENT"]},
    ),
    Row(
        "a discharge that lists no debts discharges every pre-petition one",
        "11 U.S.C. 524(a)(2); fail closed",
        (DISCHARGED_UNLISTED,),
        contact={"debt_ids": ["STUDENT"]},
        denied_by=DISCHARGE,
    ),
    Row(
        "a discharge listed as discharging none",
        "11 U.S.C. 524(a)(2) (only a discharged debt)",
        (DISCHARGED_UNLISTED.model_copy(update={"discharged_debt_ids": []}),),
    ),
    Row(
        "a post-petition debt survives the discharge",
        "11 U.S.C. 727(b); 524(a)(2)",
        (DISCHARGED_UNLISTED,),
        contact={"debt_ids": ["LATER"]},
    ),
]

DECEASED_ROWS = [
    Row(
        "a call to the consumer after the date of death",
        "12 CFR 1006.6(a)(4); comment 6(a)(4)-1",
        deceased_on="2026-05-15",
        denied_by=DECEASED,
    ),
    Row(
        "a letter on the date of death",
        "12 CFR 1006.6(a)(4); fail closed (the hour of death is not known)",
        deceased_on="2026-06-02",
        contact={"channel": "letter", "to": None},
        denied_by=DECEASED,
    ),
    Row(
        "a call the day before the date of death",
        '12 CFR 1006.6(a)(4) ("if the consumer is deceased")',
        deceased_on="2026-06-03",
    ),
    Row(
        "a call to the estate's representative",
        "12 CFR 1006.6(a)(4); comment 6(a)(4)-1",
        deceased_on="2026-05-15",
        contact={"recipient": Recipient.ESTATE_REPRESENTATIVE},
    ),
    Row(
        "the representative is the consumer for the call cooldown",
        "12 CFR 1006.6(a)(4); 12 CFR 1006.14(b)(2)(i)(B)",
        deceased_on="2026-05-15",
        contact={"recipient": Recipient.ESTATE_REPRESENTATIVE},
        history=(
            {
                "channel": "call",
                "at": "2026-06-01T10:00:00-05:00",
                "debt_ids": ["CARD"],
                "outcome": Outcome.CONVERSATION,
                "recipient": Recipient.ESTATE_REPRESENTATIVE,
            },
        ),
        denied_by=COOLDOWN,
    ),
    Row(
        "a relative who is not the representative gets a location inquiry",
        "comment 6(a)(4)-1; 12 CFR 1006.10(b)",
        deceased_on="2026-05-15",
        contact={
            "recipient": Recipient.THIRD_PARTY,
            "third_party_id": "sibling-1",
            "template": {
                "purpose": "location_inquiry",
                "text": "Hello, I am trying to reach the person handling the estate of Pat.",
            },
        },
    ),
]


def _judge(engine: Engine, ruleset: str, row: Row) -> tuple[bool, list[str], object]:
    consumer: Consumer = build_consumer(
        debts=DEBTS, bankruptcies=list(row.bankruptcies), deceased_on=row.deceased_on
    )
    fields: dict[str, Any] = {
        "channel": "call",
        "at": NOON,
        "consumer": consumer,
        "debt_ids": ["CARD"],
        "to": MOBILE,
    }
    fields.update(row.contact)
    history = [ContactRecord.model_validate(r) for r in row.history]
    decision = engine.subset([ruleset]).evaluate(Contact.model_validate(fields), history)
    denied = [r.rule_id for r in decision.reasons]
    return decision.allowed, denied, decision.next_allowed_at


def _check(engine: Engine, ruleset: str, row: Row) -> None:
    allowed, denied, next_at = _judge(engine, ruleset, row)
    if row.denied_by is None:
        assert allowed, (row.source, denied)
    else:
        assert not allowed and row.denied_by in denied, (row.source, denied)
        if row.denied_by in (STAY, DISCHARGE, DECEASED):
            assert denied == [row.denied_by] and next_at is None, row.source


@pytest.mark.parametrize("row", BANKRUPTCY_ROWS, ids=lambda r: r.name)
def test_bankruptcy(engine: Engine, row: Row) -> None:
    _check(engine, BANKRUPTCY, row)


@pytest.mark.parametrize("row", DECEASED_ROWS, ids=lambda r: r.name)
def test_deceased(engine: Engine, row: Row) -> None:
    _check(engine, FEDERAL, row)


def test_the_stay_message_says_no_time_helps(engine: Engine) -> None:
    consumer = build_consumer(debts=DEBTS, bankruptcies=[FILED_MAY_20])
    contact = Contact.model_validate(
        {"channel": "call", "at": NOON, "consumer": consumer, "debt_ids": ["CARD"]}
    )
    decision = engine.subset([BANKRUPTCY]).evaluate(contact)
    (reason,) = decision.reasons
    assert "2026-05-20" in reason.message and "no time helps" in reason.message
    assert reason.facts["debt_ids"] == ["CARD"]  # 11 U.S.C. 362(a)(6)


def test_a_representative_is_judged_by_rules_written_for_the_consumer() -> None:
    """12 CFR 1006.6(a)(4): ``recipients: [consumer]`` covers the estate's representative."""
    when = When(recipients=[Recipient.CONSUMER])
    assert when.recipients is not None
    assert base._listed(Recipient.ESTATE_REPRESENTATIVE, when.recipients)
    assert not base._listed(Recipient.THIRD_PARTY, when.recipients)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"filed_on": 0}, "day_type"),
        ({"filed_on": "2026-06-02T10:00"}, "day_type"),
        ({"filed_on": "2026-06-02", "stay_ended_on": "2026-06-03"}, "bankruptcy_stay_end"),
        (
            {
                "filed_on": "2026-06-02",
                "stay_ended_on": "2026-06-01",
                "stay_end_reason": "dismissal",
            },
            "bankruptcy_stay_end",
        ),
        (
            {
                "filed_on": "2026-06-02",
                "stay_ended_on": "2026-06-03",
                "stay_end_reason": "dismissal",
                "discharged_debt_ids": ["CARD"],
            },
            "bankruptcy_discharge",
        ),
        ({"filed_on": "2026-06-02", "chapter": 8}, "bankruptcy_chapter"),
    ],
)
def test_bad_petitions_are_input_errors(fields: dict[str, Any], error: str) -> None:
    """A petition the engine could misread must be refused, never read as no stay."""
    with pytest.raises(ValidationError) as caught:
        Bankruptcy.model_validate(fields)
    assert error in {e["type"] for e in caught.value.errors()}


def test_a_petition_naming_an_unknown_debt_is_an_input_error() -> None:
    with pytest.raises(ValidationError) as caught:
        build_consumer(debts=DEBTS, bankruptcies=[{"filed_on": "2026-06-02", "debt_ids": ["C4RD"]}])
    (error,) = caught.value.errors()
    assert error["type"] == "unknown_debt"
    assert error["loc"] == ("bankruptcies", 0, "debt_ids", 0)
