"""The fast path of caps and cooldowns decides exactly as the reference path.

The fast path (``Context.fast``) works out once per evaluation what does not depend on the
instant judged (the matching records, their count groups, whether each was made under a consent,
their local dates) and counts a window by bisection; the reference path walks the history at
every instant. Both must give the same verdict, the same reason facts (counts, window start,
zone, the records' dates) and the same next allowed time, at every instant and in every zone.

The cases are the places where a shortcut could slip: a record at the window's first local
midnight or one microsecond before it, at the judged instant itself (convention K9), several at
one instant, days with a clock change (including Newfoundland's old one at 00:01, after which a
local date comes twice), zones that disagree on the date, particular debts (12 CFR
1006.14(b)(4)), records with no debt ids, Ontario's per-creditor count (R.R.O. 1990, Reg. 74,
s. 22), the Massachusetts buckets by kind of number (940 CMR 7.04(1)(f), 209 CMR 18.16(1)(d)),
direct consent to more calls (12 CFR 1006.14(b)(3)) and contacts the consumer asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from test_properties import PROPERTY, cases

from contactrules import (
    Address,
    Consent,
    ConsentScope,
    Consumer,
    Contact,
    ContactRecord,
    Debt,
    Engine,
    Phone,
)
from contactrules.context import Context
from contactrules.decision import Decision
from contactrules.localtime import END_OF_TIME, START_OF_TIME, days_from, local_day_start
from contactrules.location.candidates import candidate_zones
from contactrules.records import History
from contactrules.rules import counting, frequency_cap
from contactrules.rules.base import RuleBase
from contactrules.rules.cooldown import Cooldown
from contactrules.rules.frequency_cap import FrequencyCap

FAST = Engine.default()
REFERENCE = FAST.as_reference()

NY = ZoneInfo("America/New_York")
TORONTO = ZoneInfo("America/Toronto")
ST_JOHNS = ZoneInfo("America/St_Johns")
UTC = dt.timezone.utc
MOBILE = "+16175550100"
HOME = "+16175550111"
WORK = "+16175550122"
UNLISTED = "+16175550199"
TICK = dt.timedelta(microseconds=1)

#: Every cap and cooldown of the bundled rulesets, whatever the consumer's location: each is
#: judged on its own at many instants below, so a rule of another stack still checks the path.
COUNTING_RULES: tuple[RuleBase, ...] = tuple(
    rule
    for ruleset in FAST.rulesets
    for rule in ruleset.spec.rules
    if isinstance(rule, (FrequencyCap, Cooldown))
)


# --- comparing the two paths -----------------------------------------------------------------
def _both(
    contact: Contact,
    history: list[ContactRecord],
    engine: Engine = FAST,
    rules: tuple[RuleBase, ...] = COUNTING_RULES,
) -> Decision:
    """The decision, after checking that both engines give it, from a list and a History."""
    reference_engine = engine.as_reference()
    fast = engine.evaluate(contact, history)
    assert fast.as_dict() == reference_engine.evaluate(contact, history).as_dict()
    built = History(history)
    assert engine.evaluate(contact, built).as_dict() == fast.as_dict()
    assert reference_engine.evaluate(contact, built).as_dict() == fast.as_dict()
    _rules_agree(contact, history, rules)
    return fast


def _outcome(method: Callable[[Context], object], ctx: Context) -> tuple[object, ...]:
    try:
        return ("value", method(ctx))
    except Exception as exc:  # the reference's error must be the fast path's too
        return ("error", type(exc).__name__, str(exc))


def _instants(start: dt.datetime, zones: list[ZoneInfo]) -> Iterator[dt.datetime]:
    """The contact's instant, every three hours for nine days after it, and each local
    midnight of those days in each zone with the microseconds either side (those the calendar
    holds): where a window's first day changes."""
    for step in range(9 * 8):
        if start <= END_OF_TIME - dt.timedelta(hours=3 * step):
            yield start + dt.timedelta(hours=3 * step)
    for zone in zones:
        for day in days_from(start.astimezone(UTC).date(), 0, 9):
            midnight = local_day_start(day, zone)
            for tick in (-TICK, dt.timedelta(0), TICK):
                if START_OF_TIME + TICK <= midnight <= END_OF_TIME - TICK:
                    yield midnight + tick


def _rules_agree(
    contact: Contact, history: list[ContactRecord], rules: tuple[RuleBase, ...]
) -> None:
    """Each cap and cooldown answers alike on both paths at many instants of one evaluation.

    One fast context serves every instant and rule, as in the search for the next allowed
    time, so an answer remembered under a key that misses something it depends on shows here.
    """
    zones, _problems = candidate_zones(contact)
    built = History(history)
    fast = Context.build(contact, built, zones, fast=True)
    reference = Context.build(contact, built, zones, fast=False)
    for when in _instants(contact.at, [zone for _name, zone in zones]):
        fast_at, reference_at = fast.at_time(when), reference.at_time(when)
        for rule in rules:
            for name in ("passes", "check", "next_ok"):
                got = _outcome(getattr(rule, name), fast_at)
                want = _outcome(getattr(rule, name), reference_at)
                assert got == want, (rule.id, name, when.isoformat())


# --- builders ----------------------------------------------------------------------------------
def _consumer(
    *debts: Debt,
    state: str = "MA",
    zones: tuple[str, ...] = (),
    consents: tuple[Consent, ...] = (),
) -> Consumer:
    return Consumer(
        id="C-1",
        addresses=[Address(country="US", subdivision=state)],
        phones=[
            Phone(number=MOBILE, type="mobile"),
            Phone(number=HOME, type="home"),
            Phone(number=WORK, type="work"),
        ],
        zones=list(zones),
        debts=list(debts) or [Debt(id="D1"), Debt(id="D2")],
        consents=list(consents),
    )


def _call(consumer: Consumer, at: dt.datetime, *debt_ids: str, to: str = MOBILE) -> Contact:
    return Contact(
        channel="call",
        at=at,
        consumer=consumer,
        debt_ids=list(debt_ids) or ["D1"],
        to=to,
        dial_method="manual",
    )


def _record(at: dt.datetime, *debt_ids: str, **fields: object) -> ContactRecord:
    values: dict[str, object] = {
        "channel": "call",
        "outcome": "voicemail",
        "to": MOBILE,
        **fields,
    }
    return ContactRecord(at=at, debt_ids=list(debt_ids), **values)


def _reason(decision: Decision, rule_id: str) -> dict[str, Any]:
    found = [r for r in decision.reasons if r.rule_id == rule_id]
    assert found, [r.rule_id for r in decision.reasons]
    return dict(found[0].facts)


SEVEN_IN_SEVEN = "US-FED-REGF-1006.14b2iA-CALL-7IN7"
COOLDOWN = "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN"
MA_940_PERSONAL = "US-MA-940CMR-7.04-1f-CALLS-2IN7"
MA_940_OTHER = "US-MA-940CMR-7.04-1f-CALLS-2IN30"
ON_CAP = "CA-ON-R74-FREQ-3IN7"
ON_NOTICE = "CA-ON-R74-S21-NOTICE-6DAYS"


# --- window edges ----------------------------------------------------------------------------
# Convention K2: a 7-day window for a contact on local date D covers D-6 ... D, starting at the
# local midnight of D-6; K9: a record at the judged instant itself is not counted.
MONDAY = dt.datetime(2026, 6, 15, 14, 0, tzinfo=NY)
WINDOW_START = dt.datetime(2026, 6, 9, 0, 0, tzinfo=NY)


@pytest.mark.parametrize(
    ("extra", "count", "opens"),
    [
        # Six calls on later days and one exactly at the window's first midnight, which leaves
        # as 16 June begins: the hours rule then waits for 08:00.
        ([], 7, 16),
        ([WINDOW_START - TICK], 7, 16),  # one microsecond earlier: outside the window
        # At the judged instant: the contact's own reservation, not counted now (K9), but
        # counted at every later instant, so 16 June still has seven.
        ([MONDAY], 7, 17),
        ([MONDAY - TICK], 8, 17),  # two must leave: the second is of 10 June
        ([WINDOW_START, WINDOW_START], 9, 16),  # ties at the edge: every one counts
    ],
)
def test_window_edges_count_alike(extra: list[dt.datetime], count: int, opens: int) -> None:
    """12 CFR 1006.14(b)(2)(i)(A): more than seven calls in seven days; a record on the
    window's first local midnight is inside it."""
    consumer = _consumer(state="PA")
    days = [WINDOW_START + dt.timedelta(days=d, hours=10) for d in range(1, 7)]
    history = [_record(at, "D1", outcome="no_answer") for at in [WINDOW_START, *days, *extra]]
    decision = _both(_call(consumer, MONDAY), history)
    facts = _reason(decision, SEVEN_IN_SEVEN)
    assert (facts["count"], facts["window_start"], facts["zone"]) == (
        count,
        "2026-06-09",
        "America/New_York",
    )
    assert decision.next_allowed_at == dt.datetime(2026, 6, opens, 8, 0, tzinfo=NY)


def test_records_at_local_midnight_leave_the_window_at_midnight() -> None:
    """Seven calls each at a local midnight: the oldest leaves as D+1 begins (K2)."""
    consumer = _consumer(state="PA")
    history = [_record(WINDOW_START + dt.timedelta(days=d), "D1") for d in range(7)]
    decision = _both(_call(consumer, MONDAY), history)
    assert _reason(decision, SEVEN_IN_SEVEN)["records"] == [r.at.isoformat() for r in history]
    assert decision.next_allowed_at == dt.datetime(2026, 6, 16, 8, 0, tzinfo=NY)


# --- clock changes -----------------------------------------------------------------------------
def _ny(
    year: int, month: int, day: int, hour: int, minute: int, second: int = 0, *, fold: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=NY, fold=fold)


SPRING = [
    _ny(2026, 3, 8, 0, 0),  # the local midnight before the gap
    _ny(2026, 3, 8, 1, 59, 59),
    _ny(2026, 3, 8, 3, 0),  # the first instant after the gap (02:00 EST = 03:00 EDT)
    _ny(2026, 3, 9, 0, 0),
    _ny(2026, 3, 10, 12, 0),
    _ny(2026, 3, 11, 12, 0),
    _ny(2026, 3, 13, 12, 0),
]
AUTUMN = [
    _ny(2026, 10, 26, 12, 0),
    _ny(2026, 11, 1, 0, 0),
    _ny(2026, 11, 1, 1, 30),  # EDT
    _ny(2026, 11, 1, 1, 30, fold=1),  # the same wall time an hour later, EST
    _ny(2026, 11, 1, 23, 59, 59),
    _ny(2026, 11, 2, 0, 0),
    _ny(2026, 11, 5, 12, 0),
    _ny(2026, 11, 6, 12, 0),
]


@pytest.mark.parametrize(
    ("history_at", "contact_at", "counted"),
    [
        (SPRING, _ny(2026, 3, 14, 10, 0), 7),  # window 8-14 March: the gap day is in it
        (SPRING, _ny(2026, 3, 15, 10, 0), None),  # window 9-15 March: four calls
        (AUTUMN, _ny(2026, 11, 7, 10, 0), 7),  # window 1-7 November: the repeated hour in it
        (AUTUMN, _ny(2026, 11, 8, 10, 0), None),  # window 2-8 November: three calls
    ],
)
def test_clock_change_days_in_the_window(
    history_at: list[dt.datetime], contact_at: dt.datetime, counted: int | None
) -> None:
    consumer = _consumer(state="PA")
    outcomes = ("no_answer", "voicemail", "conversation")
    history = [
        _record(at, "D1", outcome=outcomes[i % 3], initiated_by="collector")
        for i, at in enumerate(history_at)
    ]
    decision = _both(_call(consumer, contact_at), history)
    capped = [r.facts for r in decision.reasons if r.rule_id == SEVEN_IN_SEVEN]
    if counted is None:
        assert not capped
    else:
        first_day = (contact_at - dt.timedelta(days=6)).date().isoformat()
        assert [(f["count"], f["window_start"]) for f in capped] == [(counted, first_day)]


def test_a_local_date_that_comes_twice() -> None:
    """Until 2011 Newfoundland turned its clocks back at 00:01 (7 November 2010, 00:01 NDT ->
    23:01 NST of 6 November): a record in that minute is on 7 November, one half an hour later
    on 6 November again. The cooldown reports the event with the latest local date, not the
    latest instant, on both paths (12 CFR 1006.14(b)(2)(i)(B): the conversation's date is day 1).
    """
    consumer = Consumer(
        id="C-NL",
        addresses=[Address(country="CA", subdivision="NL", zone="America/St_Johns")],
        phones=[Phone(number="+17095550100", type="mobile")],
        debts=[Debt(id="D1")],
    )
    turn = dt.datetime(2010, 11, 7, 2, 30, tzinfo=UTC)  # 00:00 NDT, 7 November
    history = [
        _record(turn + dt.timedelta(seconds=30), "D1", outcome="conversation", to=None),
        _record(turn + dt.timedelta(minutes=15), "D1", outcome="conversation", to=None),
    ]
    local = [r.at.astimezone(ST_JOHNS).date().isoformat() for r in history]
    assert local == ["2010-11-07", "2010-11-06"]
    contact = Contact(
        channel="call",
        at=dt.datetime(2010, 11, 10, 12, 0, tzinfo=ST_JOHNS),
        consumer=consumer,
        debt_ids=["D1"],
        to="+17095550100",
        dial_method="manual",
    )
    _both(contact, history)
    rule = next(r for r in COUNTING_RULES if r.id == COOLDOWN)
    zones, _problems = candidate_zones(contact)
    findings = [
        rule.check(Context.build(contact, History(history), zones, fast=fast))
        for fast in (True, False)
    ]
    assert findings[0] == findings[1]
    assert findings[0] is not None
    assert findings[0].facts["event_at"] == history[0].at.isoformat()
    assert findings[0].facts["blocked_through"] == "2010-11-13"


# --- zones that disagree on the date -----------------------------------------------------------
def test_zones_that_disagree_on_the_date() -> None:
    """A consumer who may be in Honolulu or Kolkata: the stricter zone's count wins (K2, K4)."""
    consumer = _consumer(state="PA", zones=("Pacific/Honolulu", "Asia/Kolkata"))
    at = dt.datetime(2026, 6, 15, 13, 0, tzinfo=NY)  # 15 June in Honolulu, 15-16 in Kolkata
    start = dt.datetime(2026, 6, 8, 9, 0, tzinfo=UTC)  # 7 June 23:00 Honolulu, 8 June Kolkata
    history = [
        _record(start + dt.timedelta(days=d, hours=h), "D1") for d in range(4) for h in (0, 14)
    ]
    decision = _both(_call(consumer, at), history)
    facts = _reason(decision, SEVEN_IN_SEVEN)
    # Seven of the eight calls fall on 9-15 June in Kolkata, six in Honolulu and New York.
    assert (facts["zone"], facts["count"], facts["window_start"]) == (
        "Asia/Kolkata",
        7,
        "2026-06-09",
    )


@pytest.mark.parametrize("hours", [0, 5, 11, 17, 23])
def test_multi_zone_windows_at_every_hour(hours: int) -> None:
    consumer = _consumer(zones=("Asia/Tokyo", "America/Los_Angeles"))
    at = dt.datetime(2026, 6, 15, hours, 0, tzinfo=UTC)
    history = [
        _record(at - dt.timedelta(hours=19 * k + 1), "D1", to=(MOBILE, HOME, WORK)[k % 3])
        for k in range(9)
    ]
    _both(_call(consumer, at), history)


# --- debts -------------------------------------------------------------------------------------
def test_particular_debt_groups_count_together() -> None:
    """12 CFR 1006.14(b)(4): student loans serviced under one account are one particular debt,
    so calls about any of them count for the group (comment 14(b)(4)-1)."""
    consumer = _consumer(
        Debt(id="L1", particular_debt="LOAN"),
        Debt(id="L2", particular_debt="LOAN"),
        Debt(id="D3"),
        state="PA",
    )
    at = dt.datetime(2026, 6, 15, 14, 0, tzinfo=NY)
    history = [
        _record(at - dt.timedelta(hours=20 * k + 1), ("L1", "L2", "D3")[k % 3], outcome="no_answer")
        for k in range(8)
    ]
    history += [_record(at - dt.timedelta(days=2), "L2", outcome="conversation")]
    decision = _both(_call(consumer, at, "L1", "D3"), history)
    assert _reason(decision, SEVEN_IN_SEVEN)["debt_id"] == "LOAN"
    assert _reason(decision, COOLDOWN)["debt_id"] == "LOAN"


def test_records_with_no_debt_ids_count_for_every_debt() -> None:
    consumer = _consumer(Debt(id="D1"), Debt(id="D2"), state="PA")
    at = dt.datetime(2026, 6, 15, 14, 0, tzinfo=NY)
    history = [_record(at - dt.timedelta(hours=20 * k + 1)) for k in range(7)]
    history += [_record(at - dt.timedelta(days=3), outcome="conversation")]
    decision = _both(_call(consumer, at, "D2", "D1"), history)
    assert _reason(decision, SEVEN_IN_SEVEN)["debt_id"] == "D2"
    assert _reason(decision, COOLDOWN)["debt_id"] == "D2"


# --- Ontario: per creditor, asked-for contacts, a cap that starts after a conversation ---------
def _ontario(*debts: Debt) -> Consumer:
    return Consumer(
        id="C-ON",
        addresses=[Address(country="CA", subdivision="ON", city="Toronto", zone="America/Toronto")],
        phones=[Phone(number="+14165550100", type="mobile")],
        debts=list(debts),
    )


ONTARIO = _ontario(
    Debt(id="D1", creditor="Maple Bank"),
    Debt(id="D2", creditor="Lakeshore Telecom"),
    Debt(id="D3", creditor="Maple Bank"),
    Debt(id="D4"),
)
ON_AT = dt.datetime(2026, 6, 16, 11, 0, tzinfo=TORONTO)  # a Tuesday


def _on_record(days: float, *debt_ids: str, **fields: object) -> ContactRecord:
    values: dict[str, object] = {"channel": "call", "outcome": "conversation", **fields}
    return _record(ON_AT - dt.timedelta(days=days), *debt_ids, to="+14165550100", **values)


NOTICES = [
    _on_record(20, d, channel="letter", outcome="delivered", purpose="validation_notice")
    for d in ("D1", "D2", "D3", "D4")
]


@pytest.mark.parametrize(
    ("history", "debt_ids", "requested", "creditor"),
    [
        ([_on_record(d, "D3") for d in (1, 2, 3)], ["D1"], False, "Maple Bank"),
        ([_on_record(d, "D3") for d in (1, 2, 3)], ["D2"], False, None),
        ([_on_record(d, "D3") for d in (1, 2, 3)], ["D1"], True, None),  # asked for: passes
        (
            [_on_record(d, "D1", requested_by_consumer=True) for d in (1, 2, 3)],
            ["D1"],
            False,
            None,  # asked-for records are not counted
        ),
        ([_on_record(d) for d in (1, 2, 3)], ["D2", "D4"], False, "Lakeshore Telecom"),
        ([_on_record(d, "D4") for d in (1, 2, 5.5, 6.6)], ["D4"], False, "(no creditor named)"),
    ],
)
def test_ontario_counts_per_creditor(
    history: list[ContactRecord], debt_ids: list[str], requested: bool, creditor: str | None
) -> None:
    """R.R.O. 1990, Reg. 74, s. 22: three contacts in seven days on behalf of one creditor."""
    contact = Contact(
        channel="call",
        at=ON_AT,
        consumer=ONTARIO,
        debt_ids=debt_ids,
        to="+14165550100",
        dial_method="manual",
        requested_by_consumer=requested,
    )
    decision = _both(contact, NOTICES + history)
    found = [r for r in decision.reasons if r.rule_id == ON_CAP]
    assert [r.facts["creditor"] for r in found] == ([creditor] if creditor else [])


def test_ontario_notice_required_first() -> None:
    """Reg. 74, s. 21: no notice on file about D2 denies with no later time; one six days old
    about D1 blocks through its seventh day."""
    history = [
        NOTICES[0],
        _on_record(2, "D1", channel="email", outcome="delivered", purpose="validation_notice"),
        # About D2, but sent a day after the judged instant: not yet on file (K9).
        _on_record(-1, "D2", channel="email", outcome="delivered", purpose="validation_notice"),
    ]
    contact = Contact(
        channel="call",
        at=ON_AT,
        consumer=ONTARIO,
        debt_ids=["D1", "D2"],
        to="+14165550100",
        dial_method="manual",
    )
    decision = _both(contact, history)
    assert _reason(decision, ON_NOTICE)["debt_id"] == "D2"
    assert decision.next_allowed_at is None
    only_d1 = contact.model_copy(update={"debt_ids": ["D1"]})
    decision = _both(only_d1, history)
    assert _reason(decision, ON_NOTICE)["blocked_through"] == "2026-06-20"


# --- Massachusetts: buckets by kind of number ---------------------------------------------------
PERSONAL = (MOBILE, HOME)
OTHER = (WORK,)
UNKNOWN = (UNLISTED, None)


@pytest.mark.parametrize("to", [MOBILE, HOME, WORK, UNLISTED])
@pytest.mark.parametrize(
    "numbers",
    [(MOBILE, HOME), (WORK, WORK), (UNLISTED, MOBILE), (HOME, UNLISTED), (None, None)],
)
def test_massachusetts_number_buckets(to: str, numbers: tuple[str | None, str | None]) -> None:
    """940 CMR 7.04(1)(f): two in seven days to personal numbers, two in thirty to others; a
    record to a number of unknown type counts in both buckets (fail closed), and a contact to
    one is judged by both."""
    consumer = _consumer()
    at = dt.datetime(2026, 6, 16, 11, 0, tzinfo=NY)
    first, second = numbers
    history = [
        _record(at - dt.timedelta(days=1), "D1", to=first),
        _record(at - dt.timedelta(days=3), "D1", to=first),
        _record(at - dt.timedelta(days=12), "D1", to=second),
        # A work number stays a work number when the record says to_work: false.
        _record(at - dt.timedelta(days=2), "D1", to=WORK, to_work=False),
    ]
    decision = _both(_call(consumer, at, to=to), history)
    denied = {r.rule_id for r in decision.reasons} & {MA_940_PERSONAL, MA_940_OTHER}
    personal = 2 * (first not in OTHER)
    other = 2 * (first not in PERSONAL) + (second not in PERSONAL) + 1
    expected = set()
    if to not in OTHER and personal >= 2:
        expected.add(MA_940_PERSONAL)
    if to not in PERSONAL and other >= 2:
        expected.add(MA_940_OTHER)
    assert denied == expected


def test_massachusetts_records_dates_in_facts() -> None:
    consumer = _consumer()
    at = dt.datetime(2026, 6, 16, 11, 0, tzinfo=NY)
    history = [_record(at - dt.timedelta(days=d), "D1", to=HOME) for d in (1, 3, 5)]
    decision = _both(_call(consumer, at), history)
    facts = _reason(decision, MA_940_PERSONAL)
    assert facts["count"] == 3
    assert facts["records"] == [r.at.isoformat() for r in history[::-1]]
    # Two of the three must leave: the one of 13 June does as 20 June begins.
    assert decision.next_allowed_at == dt.datetime(2026, 6, 20, 8, 0, tzinfo=NY)


# --- consent to more calls ------------------------------------------------------------------------
def test_calls_under_direct_consent_are_not_counted() -> None:
    """12 CFR 1006.14(b)(3)(i): calls within seven days of direct consent are not counted."""
    consent = Consent(
        scope=ConsentScope.CALL_FREQUENCY,
        granted_at=dt.datetime(2026, 6, 5, 15, 0, tzinfo=NY),
    )
    consumer = _consumer(state="PA", consents=(consent,))
    at = dt.datetime(2026, 6, 15, 14, 0, tzinfo=NY)
    history = [
        _record(dt.datetime(2026, 6, 9, 9, 0, tzinfo=NY) + dt.timedelta(hours=7 * k), "D1")
        for k in range(20)
    ]
    decision = _both(_call(consumer, at), history)
    facts = _reason(decision, SEVEN_IN_SEVEN)
    assert facts["count"] == 11
    # 5 June is day 1 of the consent, 11 June day 7: calls from 12 June on are counted.
    assert all(r >= "2026-06-12" for r in facts["records"])


def test_a_consent_that_cannot_be_judged_outside_the_window() -> None:
    """A consent whose first local day is past the calendar's end (Tokyo, 31 December 9999)
    cannot be judged for a record after the judged instant: the reference never asks, since
    that record is outside the window, so the fast path must not fail on it either."""
    consent = Consent(
        scope=ConsentScope.CALL_FREQUENCY,
        granted_at=dt.datetime(9999, 12, 31, 19, tzinfo=UTC),
    )
    consumer = _consumer(Debt(id="D1"), state="PA", zones=("Asia/Tokyo",), consents=(consent,))
    at = dt.datetime(9999, 12, 30, 12, tzinfo=UTC)
    history = [_record(at - dt.timedelta(hours=5 * k + 1), "D1") for k in range(8)]
    history.append(_record(dt.datetime(9999, 12, 31, 20, tzinfo=UTC), "D1"))
    decision = _both(_call(consumer, at), history)
    assert _reason(decision, SEVEN_IN_SEVEN)["count"] == 8


def test_a_record_under_consent_in_one_zone_only() -> None:
    """The consent's seven days are local days of each zone (1006.14(b)(3)(i)): given at noon
    UTC on 5 June, they end at midnight of 11 June, which comes 13 hours earlier in Tokyo than
    in New York. Calls in between are under consent in New York and counted in Tokyo."""
    consent = Consent(
        scope=ConsentScope.CALL_FREQUENCY,
        granted_at=dt.datetime(2026, 6, 5, 12, 0, tzinfo=UTC),
    )
    consumer = _consumer(state="PA", zones=("Asia/Tokyo",), consents=(consent,))
    first = dt.datetime(2026, 6, 11, 16, 0, tzinfo=UTC)
    history = [_record(first + dt.timedelta(minutes=90 * k), "D1") for k in range(7)]
    decision = _both(_call(consumer, dt.datetime(2026, 6, 15, 14, 0, tzinfo=NY)), history)
    facts = _reason(decision, SEVEN_IN_SEVEN)
    assert (facts["zone"], facts["count"]) == ("Asia/Tokyo", 7)


SAME_FILTER_RULESET = """\
ruleset: test-same-filter
title: One filter counted per debt, per creditor and per consumer
jurisdiction: {country: US}
rules:
  - id: CAP-DEBT
    kind: frequency_cap
    channels: [call]
    max: 3
    window: 7d
    per: debt
    counts: {channels: [call]}
    citation: test
  - id: CAP-CREDITOR
    kind: frequency_cap
    channels: [call]
    max: 3
    window: 7d
    per: creditor
    counts: {channels: [call]}
    citation: test
  - id: CAP-CONSUMER
    kind: frequency_cap
    channels: [call]
    max: 2
    window: calendar_week
    per: consumer
    counts: {channels: [call]}
    citation: test
  - id: COOL-DEBT
    kind: cooldown
    channels: [call]
    after: {channels: [call], outcomes: [conversation]}
    days: 4
    per: debt
    citation: test
  - id: COOL-CONSUMER
    kind: cooldown
    channels: [call]
    after: {channels: [call], outcomes: [conversation]}
    days: 5
    per: consumer
    citation: test
"""


@pytest.mark.parametrize("debt_ids", [["D1"], ["D2"], ["D1", "D3"]])
def test_one_filter_counted_in_several_ways(tmp_path: Path, debt_ids: list[str]) -> None:
    """Rules that share a filter share its matching records, never their groups' counts."""
    (tmp_path / "same.yaml").write_text(SAME_FILTER_RULESET, encoding="utf-8")
    engine = Engine.from_path(tmp_path)
    rules = tuple(rule for ruleset in engine.rulesets for rule in ruleset.spec.rules)
    consumer = _consumer(
        Debt(id="D1", creditor="Bank"), Debt(id="D2"), Debt(id="D3", creditor="Bank"), state="PA"
    )
    at = dt.datetime(2026, 6, 17, 14, 0, tzinfo=NY)  # a Wednesday
    history = [
        _record(at - dt.timedelta(days=1), "D2"),
        _record(at - dt.timedelta(days=2), "D3"),
        _record(at - dt.timedelta(days=3), "D2", outcome="conversation"),
        _record(at - dt.timedelta(days=4), "D2"),
        _record(at - dt.timedelta(days=5), "D3", outcome="conversation"),
        _record(at - dt.timedelta(days=6), "D1"),
    ]
    decision = _both(_call(consumer, at, *debt_ids), history, engine, rules)
    denied = {r.rule_id: r.facts for r in decision.reasons}
    # Per consumer: two calls since Monday 15 June (the calendar week).
    assert denied["CAP-CONSUMER"]["count"] == 2
    # Per debt: D2 has three calls in seven days and a conversation three days ago.
    assert ("CAP-DEBT" in denied) == ("D2" in debt_ids)
    assert ("COOL-DEBT" in denied) == ("D2" in debt_ids)
    # Per creditor: Bank's D1 and D3 have three calls together; D2 names no creditor.
    creditor = "(no creditor named)" if debt_ids == ["D2"] else "Bank"
    assert denied["CAP-CREDITOR"]["creditor"] == creditor
    assert denied["COOL-CONSUMER"]["event_at"] == history[2].at.isoformat()


# --- the fast path does its work once ------------------------------------------------------------
def test_group_membership_is_judged_once_per_list_of_debts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference path asks, for every record at every instant judged, which count group it
    is in; the fast path once per distinct list of debt ids and group."""
    calls = 0
    real = counting.in_group

    def counted(record: object, group: counting.CountGroup) -> bool:
        nonlocal calls
        calls += 1
        return real(record, group)  # type: ignore[arg-type]

    monkeypatch.setattr(counting, "in_group", counted)
    monkeypatch.setattr(frequency_cap, "in_group", counted)
    consumer = _consumer()
    at = dt.datetime(2026, 6, 3, 21, 30, tzinfo=NY)
    history = [
        _record(
            at - dt.timedelta(minutes=97 * k + 1), ("D1", "D2")[k % 2], to=(MOBILE, HOME)[k % 2]
        )
        for k in range(200)
    ]
    contact = _call(consumer, at)
    fast = FAST.evaluate(contact, history)
    fast_calls, calls = calls, 0
    reference = REFERENCE.evaluate(contact, history)
    assert fast.as_dict() == reference.as_dict()
    assert not fast.allowed and fast.next_allowed_at is not None
    assert fast_calls <= 8
    assert calls > len(history)


# --- random cases ---------------------------------------------------------------------------------
@PROPERTY
@given(cases())
def test_fast_and_reference_engines_agree(case: tuple[Contact, list[ContactRecord]]) -> None:
    contact, history = case
    fast = FAST.evaluate(contact, history)
    assert fast.as_dict() == REFERENCE.evaluate(contact, history).as_dict()
