"""Caps counted per creditor, contacts the consumer asked for, caps that start after an event,
and cooldowns whose event is required first.

Ontario (R.R.O. 1990, Reg. 74, ss. 21-22, and the province's guide for collectors): the written
notice comes first, by mail or e-mail, and no contact follows for six days; then at most three
contacts in seven days "on behalf of the same creditor", not counting contacts the debtor
requested or started, and only once the debtor has been spoken to.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from contactrules import Address, Consumer, Contact, ContactRecord, Debt, Engine, Phone

TORONTO = ZoneInfo("America/Toronto")
PHONE = "+14165550100"

RULESET = """\
ruleset: test-creditor
title: Three contacts in seven days per creditor after a conversation; a notice first
jurisdiction: {country: CA, subdivision: "ON"}
rules:
  - id: CAP-PER-CREDITOR
    kind: frequency_cap
    channels: [call]
    max: 3
    window: 7d
    per: creditor
    counts: {channels: [call], exclude_requested: true}
    citation: R.R.O. 1990, Reg. 74, s. 22
  - id: CAP-AFTER-CONVERSATION
    kind: frequency_cap
    channels: [sms]
    max: 1
    window: 7d
    per: consumer
    counts: {channels: [sms]}
    starts_after: {channels: [call], outcomes: [conversation], initiated_by: [collector, consumer]}
    citation: Ontario guide for collectors
  - id: NOTICE-FIRST
    kind: cooldown
    channels: [visit]
    after: {channels: [letter, email], outcomes: [delivered], purposes: [validation_notice]}
    days: 7
    required: true
    citation: R.R.O. 1990, Reg. 74, s. 21
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder: Path = tmp_path_factory.mktemp("creditor")
    (folder / "creditor.yaml").write_text(RULESET, encoding="utf-8")
    return Engine.from_path(folder)


def _consumer(*debts: Debt) -> Consumer:
    return Consumer(
        id="C-ON-1",
        addresses=[Address(country="CA", subdivision="ON", city="Toronto", zone="America/Toronto")],
        phones=[Phone(number=PHONE, type="mobile")],
        debts=list(debts),
    )


CREDITORS = _consumer(
    Debt(id="D1", creditor="Maple Bank"),
    Debt(id="D2", creditor="Lakeshore Telecom"),
    Debt(id="D3", creditor="Maple Bank"),
    Debt(id="D4"),
    Debt(id="D5"),
)


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, tzinfo=TORONTO)


def _calls(*debt_ids: tuple[str, ...], requested: bool = False) -> list[ContactRecord]:
    return [
        ContactRecord(
            channel="call",
            at=_at(1 + i),
            debt_ids=list(ids),
            outcome="voicemail",
            to=PHONE,
            requested_by_consumer=requested,
        )
        for i, ids in enumerate(debt_ids)
    ]


@pytest.mark.parametrize(
    ("earlier", "debt", "allowed"),
    [
        # s. 22: three contacts for Maple Bank (about D3) use up D1's allowance: same creditor.
        ((("D3",), ("D3",), ("D1",)), "D1", False),
        # Contacts for Lakeshore Telecom do not count towards Maple Bank's three.
        ((("D2",), ("D2",), ("D2",)), "D1", True),
        # Debts that name no creditor count together (fail closed).
        ((("D4",), ("D4",), ("D5",)), "D5", False),
        # ... but not with a named creditor's debts.
        ((("D4",), ("D4",), ("D4",)), "D1", True),
        # A record that does not know its debt counts for every creditor (fail closed).
        (((), (), ()), "D2", False),
        # A record about debts of two creditors counts for both.
        ((("D1", "D2"), ("D2",), ("D2",)), "D2", False),
    ],
)
def test_caps_count_per_creditor(
    engine: Engine, earlier: tuple[tuple[str, ...], ...], debt: str, allowed: bool
) -> None:
    contact = Contact(channel="call", at=_at(5), consumer=CREDITORS, debt_ids=[debt], to=PHONE)
    assert engine.evaluate(contact, history=_calls(*earlier)).allowed is allowed


def test_a_per_creditor_deny_names_the_creditor(engine: Engine) -> None:
    contact = Contact(channel="call", at=_at(5), consumer=CREDITORS, debt_ids=["D1"], to=PHONE)
    decision = engine.evaluate(contact, history=_calls(("D3",), ("D1",), ("D3",)))
    (reason,) = decision.reasons
    assert reason.rule_id == "CAP-PER-CREDITOR"
    assert reason.facts["creditor"] == "Maple Bank"
    assert reason.facts["count"] == 3
    assert "creditor Maple Bank" in reason.message


def test_requested_contacts_are_not_counted_and_pass(engine: Engine) -> None:
    """Guide, s. 22: "unless more contact was ... requested ... by the debtor"."""
    history = _calls(("D1",), ("D1",), ("D1",), requested=True)
    contact = Contact(channel="call", at=_at(5), consumer=CREDITORS, debt_ids=["D1"], to=PHONE)
    assert engine.evaluate(contact, history=history).allowed
    full = _calls(("D1",), ("D1",), ("D1",))
    assert not engine.evaluate(contact, history=full).allowed
    asked = contact.model_copy(update={"requested_by_consumer": True})
    assert engine.evaluate(asked, history=full).allowed


def _sms(day: int) -> ContactRecord:
    return ContactRecord(channel="sms", at=_at(day), debt_ids=["D1"], outcome="delivered", to=PHONE)


@pytest.mark.parametrize(
    ("conversation_by", "allowed"),
    [(None, True), ("collector", False), ("consumer", False)],
)
def test_a_cap_with_starts_after_applies_once_the_event_is_on_file(
    engine: Engine, conversation_by: str | None, allowed: bool
) -> None:
    """Guide: the limit "does not apply until you have spoken to the debtor" (either side)."""
    history = [_sms(2)]
    if conversation_by is not None:
        history.insert(
            0,
            ContactRecord(
                channel="call",
                at=_at(1),
                debt_ids=["D2"],
                outcome="conversation",
                initiated_by=conversation_by,
                to=PHONE,
            ),
        )
    contact = Contact(channel="sms", at=_at(3), consumer=CREDITORS, debt_ids=["D1"], to=PHONE)
    assert engine.evaluate(contact, history=history).allowed is allowed


def _notice(day: int, debt_ids: list[str], channel: str = "letter") -> ContactRecord:
    return ContactRecord(
        channel=channel,
        at=_at(day),
        debt_ids=debt_ids,
        outcome="delivered",
        purpose="validation_notice",
    )


@pytest.mark.parametrize(
    ("history", "allowed"),
    [
        ([], False),  # s. 21: no notice on file, no demand
        ([_notice(1, [])], False),  # a notice that names no debt shows notice of none
        ([_notice(1, ["D2"])], False),  # a notice about another debt
        ([_notice(1, ["D1"], "email")], True),  # the guide: by regular mail or e-mail
        ([_notice(1, ["D1"])], True),
        ([_notice(10, ["D1"], "email")], False),  # within the six days after sending
    ],
)
def test_a_required_event_must_come_first(
    engine: Engine, history: list[ContactRecord], allowed: bool
) -> None:
    contact = Contact(channel="visit", at=_at(12), consumer=CREDITORS, debt_ids=["D1"])
    assert engine.evaluate(contact, history=history).allowed is allowed


def test_a_missing_required_event_is_explained_with_no_next_time(engine: Engine) -> None:
    contact = Contact(channel="visit", at=_at(12), consumer=CREDITORS, debt_ids=["D1"])
    decision = engine.evaluate(contact, history=[])
    (reason,) = decision.reasons
    assert reason.rule_id == "NOTICE-FIRST"
    assert "required first" in reason.message
    assert reason.facts["debt_id"] == "D1"
    assert decision.next_allowed_at is None


@pytest.mark.parametrize("creditor", ["", "   "])
def test_a_blank_creditor_is_an_input_error(creditor: str) -> None:
    with pytest.raises(ValidationError):
        Debt(id="D1", creditor=creditor)
