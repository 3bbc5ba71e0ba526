"""Validation period and disputes (12 CFR 1006.34, 1006.38), the e-mail and text safe harbors
(12 CFR 1006.6(d)(3)-(5)), and the debt facts that keep a short history honest: the initial
communication, one "particular debt" for several loans, a kept payment arrangement.

Through the Python API, each row citing the source of its expectation. Reference day: Tuesday
2026-06-02; the consumer lives in Chicago (UTC-05:00 then). The federal rows are judged by the
federal ruleset alone and the arrangement rows by the Australian one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import build_consumer

from contactrules import Address, Consumer, ContactRecord, Debt, EmailAddress, Engine, Phone
from contactrules.models import Contact, EmailAddressSource, PhoneType
from contactrules.rules.validation import receipt_day

FEDERAL = "us-federal"
DISPUTE = "US-FED-FDCPA-1692g-DISPUTE-PENDING"
OVERSHADOWING = "US-FED-REGF-1006.38b-OVERSHADOWING"
EMAIL_BASIS = "US-FED-REGF-1006.6d4-EMAIL-BASIS"
TEXT_BASIS = "US-FED-REGF-1006.6d5-TEXT-BASIS"
MIRANDA_INITIAL = "US-FED-REGF-1006.18e1-MINI-MIRANDA-INITIAL"
CALL_CAP = "US-FED-REGF-1006.14b2iA-CALL-7IN7"
COOLDOWN = "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN"
ARRANGEMENT = "AU-DCG2021-P2S15-ARRANGEMENT"

NOON = "2026-06-02T12:00:00-05:00"
MOBILE = "+13125550111"
#: Sent Wednesday 20 May 2026: receipt is assumed Thursday 28 May (Memorial Day, 25 May, is
#: not a business day), so the validation period ends Saturday 27 June.
SENT = "2026-05-20T10:00:00-05:00"
DEMAND = "This communication is from a debt collector. Pay now to settle your balance."


def _judge(
    engine: Engine,
    consumer: Consumer,
    ruleset: str = FEDERAL,
    history: tuple[dict[str, Any], ...] = (),
    **contact: Any,
) -> Any:
    fields: dict[str, Any] = {
        "channel": "call",
        "at": NOON,
        "consumer": consumer,
        "debt_ids": ["D1"],
        "to": MOBILE,
    }
    fields.update(contact)
    records = [ContactRecord.model_validate(r) for r in history]
    return engine.subset([ruleset]).evaluate(Contact.model_validate(fields), records)


def _denied(decision: Any) -> list[str]:
    return [r.rule_id for r in decision.reasons]


def _warned(decision: Any) -> list[str]:
    return [r.rule_id for r in decision.warnings]


# --- the validation period (12 CFR 1006.34(b)(5)) ------------------------------------------


@pytest.mark.parametrize(
    ("sent", "receipt", "source"),
    [
        ("2026-05-20", "2026-05-28", "Memorial Day (25 May 2026) is a legal public holiday"),
        ("2026-07-01", "2026-07-09", "Independence Day 2026 is observed on Friday 3 July"),
        ("2022-12-20", "2022-12-28", "Christmas 2022 is observed on Monday 26 December"),
        ("2026-06-05", "2026-06-12", "a Friday: Saturday and Sunday are not counted"),
    ],
)
def test_receipt_is_five_business_days_after_sending(sent: str, receipt: str, source: str) -> None:
    """1006.34(b)(5): "at least five days (excluding legal public holidays, Saturdays, and
    Sundays) after the debt collector provides it"."""
    assert receipt_day(dt.date.fromisoformat(sent)) == dt.date.fromisoformat(receipt), source


# --- disputes (12 CFR 1006.38(d)(2); 15 U.S.C. 1692g(b)) -----------------------------------

LATER = "2026-06-29T12:00:00-05:00"
DISPUTE_ROWS: list[tuple[Any, ...]] = [
    (
        "a timely written dispute with no verification",
        "1006.38(d)(2)(i)",
        {"validation_notice_at": SENT, "disputed_at": "2026-05-27T10:00:00-05:00"},
        True,
    ),
    (
        "verification sent",
        "1006.38(d)(2)(i) (until the collector provides verification)",
        {
            "validation_notice_at": SENT,
            "disputed_at": "2026-05-27T10:00:00-05:00",
            "verification_sent_at": "2026-06-01T10:00:00-05:00",
        },
        False,
    ),
    (
        "verification recorded for a later time does not help yet",
        "1006.38(d)(2)(i)",
        {
            "validation_notice_at": SENT,
            "disputed_at": "2026-05-27T10:00:00-05:00",
            "verification_sent_at": "2026-06-03T10:00:00-05:00",
        },
        True,
    ),
    (
        "an oral dispute",
        '15 U.S.C. 1692g(b) ("in writing")',
        {
            "validation_notice_at": SENT,
            "disputed_at": "2026-05-27T10:00:00-05:00",
            "dispute_in_writing": False,
        },
        False,
    ),
    (
        "a dispute on the last day of the validation period",
        "1006.34(b)(5); 1006.38(d)(2)",
        {"validation_notice_at": SENT, "disputed_at": "2026-06-27T23:00:00-05:00"},
        True,
        LATER,
    ),
    (
        "a dispute the day after the validation period",
        "1006.34(b)(5); 1006.38(d)(2) (within the validation period only)",
        {"validation_notice_at": SENT, "disputed_at": "2026-06-28T00:30:00-05:00"},
        False,
        LATER,
    ),
    (
        "a dispute with no known validation notice counts as timely",
        "1006.38(d)(2); fail closed",
        {"disputed_at": "2026-05-27T10:00:00-05:00"},
        True,
    ),
    (
        "a dispute recorded for after the contact",
        "1006.38(d)(2)",
        {"validation_notice_at": SENT, "disputed_at": "2026-06-03T10:00:00-05:00"},
        False,
    ),
]


@pytest.mark.parametrize("row", DISPUTE_ROWS, ids=[r[0] for r in DISPUTE_ROWS])
def test_written_dispute_stops_collection_until_verification(
    engine: Engine, row: tuple[Any, ...]
) -> None:
    _name, source, debt, denied, *when = row
    consumer = build_consumer(debts=[Debt(id="D1", **debt)])
    decision = _judge(engine, consumer, at=when[0] if when else NOON)
    if denied:
        assert _denied(decision) == [DISPUTE], source
        assert decision.next_allowed_at is None, source
    else:
        assert decision.allowed, (source, _denied(decision))


def test_the_verification_itself_may_be_sent(engine: Engine) -> None:
    """1006.38(d)(2)(i): providing the verification is what lifts the stop."""
    consumer = build_consumer(debts=[Debt(id="D1", validation_notice_at=SENT, disputed_at=NOON)])
    template = {
        "purpose": "validation_notice",
        "text": "This is from a debt collector. Here it is.",
    }
    decision = _judge(
        engine,
        consumer,
        channel="letter",
        to=None,
        at="2026-06-03T12:00:00-05:00",
        template=template,
    )
    assert decision.allowed, _denied(decision)


def test_dispute_timeliness_reads_the_notice_from_the_history(engine: Engine) -> None:
    """A validation notice in the history starts the period when the debt gives no time."""
    notice = {
        "channel": "letter",
        "at": "2026-03-02T10:00:00-05:00",
        "debt_ids": ["D1"],
        "outcome": "delivered",
        "purpose": "validation_notice",
    }
    late = build_consumer(debts=[Debt(id="D1", disputed_at="2026-05-27T10:00:00-05:00")])
    assert _judge(engine, late, history=(notice,)).allowed
    assert _denied(_judge(engine, late)) == [DISPUTE]  # no notice known: timely (fail closed)


# --- overshadowing during the validation period (12 CFR 1006.38(b)) ------------------------


@pytest.mark.parametrize(
    ("at", "purpose", "text", "warned"),
    [
        ("2026-06-02T12:00:00-05:00", "collection", DEMAND, True),
        ("2026-06-02T12:00:00-05:00", "payment_reminder", DEMAND, True),
        ("2026-06-27T23:00:00-05:00", "collection", DEMAND, True),
        ("2026-06-28T09:00:00-05:00", "collection", DEMAND, False),
        (
            "2026-06-02T12:00:00-05:00",
            "collection",
            "This is from a debt collector. Call us.",
            False,
        ),
    ],
)
def test_demand_during_validation_period_warns(
    engine: Engine, at: str, purpose: str, text: str, warned: bool
) -> None:
    """1006.38(b): "during the validation period" only; it ends 27 June for a notice sent
    20 May (1006.34(b)(5)). A warning, never a deny."""
    consumer = build_consumer(debts=[Debt(id="D1", validation_notice_at=SENT)])
    decision = _judge(
        engine,
        consumer,
        channel="letter",
        to=None,
        at=at,
        template={"purpose": purpose, "text": text},
    )
    assert decision.allowed, _denied(decision)
    assert (OVERSHADOWING in _warned(decision)) is warned
    if warned:
        reason = next(r for r in decision.warnings if r.rule_id == OVERSHADOWING)
        assert reason.facts["period_ends"] == "2026-06-27"
        assert "2026-06-27" in reason.message


def test_demand_with_no_known_notice_is_not_flagged(engine: Engine) -> None:
    consumer = build_consumer(debts=[Debt(id="D1", initial_communication_at=SENT)])
    decision = _judge(engine, consumer, channel="letter", to=None, template={"text": DEMAND})
    assert OVERSHADOWING not in _warned(decision)


def test_validation_period_from_a_history_record(engine: Engine) -> None:
    notice = {
        "channel": "email",
        "at": SENT,
        "debt_ids": ["D1"],
        "outcome": "delivered",
        "purpose": "validation_notice",
        "to": "kim@example.com",
    }
    consumer = build_consumer()
    decision = _judge(
        engine, consumer, history=(notice,), channel="letter", to=None, template={"text": DEMAND}
    )
    assert OVERSHADOWING in _warned(decision)


# --- the initial communication on record (12 CFR 1006.18(e)) -------------------------------


@pytest.mark.parametrize(
    ("initial_at", "initial"),
    [
        ("2026-05-01T10:00:00-05:00", False),
        (None, True),
        ("2026-06-03T10:00:00-05:00", True),  # recorded for after the contact: not yet
    ],
)
def test_initial_communication_on_record(
    engine: Engine, initial_at: str | None, initial: bool
) -> None:
    """1006.18(e)(1)-(2): the full disclosure in the initial communication, the short one after.
    A history that starts later must not make every message initial."""
    consumer = build_consumer(debts=[Debt(id="D1", initial_communication_at=initial_at)])
    decision = _judge(
        engine,
        consumer,
        channel="letter",
        to=None,
        template={"text": "This communication is from a debt collector. Please call us."},
    )
    assert (MIRANDA_INITIAL in _denied(decision)) is initial


# --- one particular debt (12 CFR 1006.14(b)(4)) --------------------------------------------


def _calls(debt: str, days: range) -> tuple[dict[str, Any], ...]:
    first = dt.datetime.fromisoformat("2026-05-27T10:00:00-05:00")
    return tuple(
        {
            "channel": "call",
            "at": (first + dt.timedelta(days=d)).isoformat(),
            "debt_ids": [debt],
            "outcome": "no_answer",
            "to": MOBILE,
        }
        for d in days
    )


@pytest.mark.parametrize(
    ("loans", "grouped"),
    [
        ((Debt(id="L1", particular_debt="ACCT-9"), Debt(id="L2", particular_debt="ACCT-9")), True),
        ((Debt(id="L1"), Debt(id="L2", particular_debt="L1")), True),
        ((Debt(id="L1"), Debt(id="L2")), False),
    ],
)
def test_student_loans_under_one_account_share_the_call_cap(
    engine: Engine, loans: tuple[Debt, ...], grouped: bool
) -> None:
    """1006.14(b)(4): student loans serviced under a single account number are one particular
    debt; seven calls about L1 in seven days leave no call about L2."""
    consumer = build_consumer(debts=loans)
    decision = _judge(engine, consumer, history=_calls("L1", range(7)), debt_ids=["L2"])
    assert (CALL_CAP in _denied(decision)) is grouped


@pytest.mark.parametrize("grouped", [True, False])
def test_one_particular_debt_shares_the_cooldown(engine: Engine, grouped: bool) -> None:
    """1006.14(b)(2)(i)(B) per particular debt: a conversation about L1 yesterday."""
    second = Debt(id="L2", particular_debt="L1") if grouped else Debt(id="L2")
    consumer = build_consumer(debts=[Debt(id="L1"), second])
    talk = {
        "channel": "call",
        "at": "2026-06-01T10:00:00-05:00",
        "debt_ids": ["L1"],
        "outcome": "conversation",
        "to": MOBILE,
    }
    decision = _judge(engine, consumer, history=(talk,), debt_ids=["L2"])
    assert (COOLDOWN in _denied(decision)) is grouped


# --- a kept payment arrangement (ACCC/ASIC guideline Part 2 s 15) ---------------------------


def _melbourne(kept: bool) -> Consumer:
    return Consumer(
        id="C-AU",
        addresses=[Address(country="AU", subdivision="VIC", city="Melbourne")],
        phones=[Phone(number="+61412345680", type=PhoneType.MOBILE)],
        debts=[Debt(id="D1", payment_arrangement_kept=kept)],
    )


@pytest.mark.parametrize("kept", [True, False])
def test_no_contact_while_arrangement_is_kept(engine: Engine, kept: bool) -> None:
    decision = _judge(
        engine,
        _melbourne(kept),
        ruleset="au-national",
        at="2026-06-02T10:00:00+10:00",
        to="+61412345680",
    )
    assert (ARRANGEMENT in _denied(decision)) is kept
    if kept:
        assert decision.next_allowed_at is None


# --- e-mail and text safe harbors (12 CFR 1006.6(d)(3)-(5)) -------------------------------

EMAIL_TEXT = "This communication is from a debt collector. Please call us. Unsubscribe below."
SMS_TEXT = "This communication is from a debt collector. Please call us. Reply STOP to opt out."


def _email_consumer(**email: Any) -> Consumer:
    return build_consumer(
        debts=[Debt(id="D1", initial_communication_at=SENT, validation_notice_at=SENT)],
        emails=[EmailAddress(address="kim@example.com", **email)],
    )


@pytest.mark.parametrize(
    ("email", "history", "warned", "source"),
    [
        ({}, (), True, "no basis: neither used, consented nor creditor notice"),
        (
            {},
            (
                {
                    "channel": "email",
                    "at": "2026-05-30T10:00:00-05:00",
                    "debt_ids": ["D1"],
                    "outcome": "delivered",
                    "initiated_by": "consumer",
                    "to": "kim@example.com",
                },
            ),
            False,
            "1006.6(d)(4)(i)(A): the consumer used the address",
        ),
        (
            {"source": EmailAddressSource.CREDITOR, "notice_sent_at": "2026-04-28T12:00:00-05:00"},
            (),
            False,
            "1006.6(d)(4)(ii): creditor notice 35 days before",
        ),
        (
            {"source": EmailAddressSource.CREDITOR, "notice_sent_at": "2026-04-28T12:00:01-05:00"},
            (),
            True,
            "1006.6(d)(4)(ii): one second short of 35 days",
        ),
        (
            {
                "source": EmailAddressSource.CREDITOR,
                "notice_sent_at": "2026-04-01T12:00:00-05:00",
                "employer_provided": True,
            },
            (),
            True,
            "1006.6(d)(4)(ii): not an employer-provided address",
        ),
        (
            {"source": EmailAddressSource.CREDITOR},
            (),
            True,
            "1006.6(d)(4)(ii): a creditor's address with no notice on record",
        ),
    ],
)
def test_email_needs_a_safe_harbor_basis(
    engine: Engine,
    email: dict[str, Any],
    history: tuple[dict[str, Any], ...],
    warned: bool,
    source: str,
) -> None:
    decision = _judge(
        engine,
        _email_consumer(**email),
        history=history,
        channel="email",
        to="kim@example.com",
        template={"text": EMAIL_TEXT},
    )
    # An employer-provided address is also barred outright (1006.22(f)(3)); never by this rule.
    assert set(_denied(decision)) <= {"US-FED-REGF-1006.22f3-WORK-EMAIL"}, source
    assert (EMAIL_BASIS in _warned(decision)) is warned, source
    if warned:
        reason = next(r for r in decision.warnings if r.rule_id == EMAIL_BASIS)
        assert reason.facts["accepted"] == [
            "direct_consent",
            "consumer_used_address",
            "creditor_notice",
        ]


def _texted(at: str) -> dict[str, Any]:
    return {
        "channel": "sms",
        "at": at,
        "debt_ids": ["D1"],
        "outcome": "delivered",
        "initiated_by": "consumer",
        "to": MOBILE,
    }


@pytest.mark.parametrize(
    ("check_at", "history", "warned", "source"),
    [
        (None, (), True, "no use, no check"),
        (None, (_texted("2026-04-04T12:00:00-05:00"),), False, "used 59 days before"),
        (None, (_texted("2026-04-02T12:00:00-05:00"),), True, "used 61 days before"),
        (
            "2026-06-01T12:00:00-05:00",
            (_texted("2026-01-05T12:00:00-05:00"),),
            False,
            "1006.6(d)(5): used long ago, a reassigned-numbers check since",
        ),
        ("2026-06-01T12:00:00-05:00", (), True, "a check, but the consumer never used it"),
        (
            "2026-06-03T12:00:00-05:00",
            (_texted("2026-01-05T12:00:00-05:00"),),
            True,
            "a check recorded for after the text",
        ),
    ],
)
def test_text_needs_recent_use_or_reassigned_check(
    engine: Engine,
    check_at: str | None,
    history: tuple[dict[str, Any], ...],
    warned: bool,
    source: str,
) -> None:
    consumer = build_consumer(
        debts=[Debt(id="D1", initial_communication_at=SENT, validation_notice_at=SENT)],
        phones=[Phone(number=MOBILE, type=PhoneType.MOBILE, reassigned_check_at=check_at)],
    )
    decision = _judge(engine, consumer, history=history, channel="sms", template={"text": SMS_TEXT})
    assert decision.allowed, (source, _denied(decision))
    assert (TEXT_BASIS in _warned(decision)) is warned, source
