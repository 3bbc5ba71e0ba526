"""The type of the number a contact or record went to, and the rules that bucket by it.

940 CMR 7.04(1)(f) and 209 CMR 18.16(1)(d) allow two calls in seven days to the residence or cell
phone and two in 30 days to any other number; a number of unknown type must fall where it
denies (fail closed), both for the proposed contact (``when: phone_types``) and for the records
counted (``counts: phone_types``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contactrules import Address, Consumer, Contact, ContactRecord, Debt, Engine, Phone
from contactrules.context import phone_type_of

NY = ZoneInfo("America/New_York")
PHONES = (
    Phone(number="+16175550111", type="home"),
    Phone(number="+16175550100", type="mobile"),
    Phone(number="+16175550199", type="work"),
    Phone(number="+16175550122", type="other"),
)


@pytest.mark.parametrize(
    ("to", "to_work", "expected"),
    [
        ("+16175550111", None, "home"),
        ("+1 617 555 0100", None, "mobile"),
        ("+16175550199", None, "work"),
        ("+16175550122", None, "other"),
        ("+16175550122", True, "work"),
        ("+16175550111", False, "home"),
        ("+16175550177", None, "unknown"),
        ("+16175550177", False, "unknown"),
        (None, None, "unknown"),
        (None, True, "work"),
    ],
)
def test_phone_type_of(to: str | None, to_work: bool | None, expected: str) -> None:
    assert phone_type_of(to, to_work, PHONES) == expected


RULESET = """\
ruleset: test-buckets
title: Two calls in 30 days to numbers other than home or mobile
jurisdiction: {country: US, subdivision: MA}
rules:
  - id: OTHER-2IN30
    kind: frequency_cap
    channels: [call]
    when: {phone_types: [work, other, unknown]}
    max: 2
    window: 30d
    counts: {phone_types: [work, other]}
    citation: 940 CMR 7.04(1)(f)
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder: Path = tmp_path_factory.mktemp("buckets")
    (folder / "buckets.yaml").write_text(RULESET, encoding="utf-8")
    return Engine.from_path(folder)


def _judge(engine: Engine, to: str | None, earlier: tuple[str | None, ...]) -> bool:
    consumer = Consumer(
        id="C-1",
        addresses=[Address(country="US", subdivision="MA", city="Boston")],
        phones=list(PHONES),
        debts=[Debt(id="D1")],
    )
    history = [
        ContactRecord(
            channel="call",
            at=dt.datetime(2026, 6, 1 + i, 10, tzinfo=NY),
            debt_ids=["D1"],
            outcome="no_answer",
            to=number,
        )
        for i, number in enumerate(earlier)
    ]
    contact = Contact(
        channel="call",
        at=dt.datetime(2026, 6, 20, 10, tzinfo=NY),
        consumer=consumer,
        debt_ids=["D1"],
        to=to,
    )
    return engine.evaluate(contact, history=history).allowed


@pytest.mark.parametrize(
    ("to", "earlier", "allowed"),
    [
        # 940 CMR 7.04(1)(f): a third call in 30 days to a number of type other.
        ("+16175550122", ("+16175550122", "+16175550199"), False),
        # Unknown numbers, as the contact and as the records, fall in the 30-day bucket.
        ("+16175550177", ("+16175550177", "+16175550177"), False),
        (None, ("+16175550199", None), False),
        # Home and mobile numbers are in the other bucket: neither the contact nor the records.
        ("+16175550111", ("+16175550122", "+16175550199"), True),
        ("+16175550122", ("+16175550111", "+16175550100"), True),
        ("+16175550122", ("+16175550122",), True),
    ],
)
def test_unknown_numbers_fall_in_the_stricter_bucket(
    engine: Engine, to: str | None, earlier: tuple[str | None, ...], allowed: bool
) -> None:
    assert _judge(engine, to, earlier) is allowed
