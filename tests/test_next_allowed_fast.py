"""The next-allowed search of the fast evaluator against the reference evaluator.

The fast path judges again, at each candidate instant, only the rules whose verdict can change
with the instant (``RuleBase.instant_independent``, ``RuleBase.applicability_settled``) and
reuses the joint window search as the own search of a lone window rule. Each case below puts
something that changes between the proposed instant and the next candidate: an effective date,
a consent that expires, a stay or a death that starts, a dated opt-out or dispute, a clock
change, several zones. Both evaluators must give the same decision; the expected answer is also
written out, so that an evaluator wrong in both modes fails too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import build_consumer
from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROPERTY, cases

from contactrules import (
    Address,
    Bankruptcy,
    Consent,
    ConsentScope,
    Consumer,
    Contact,
    ContactRecord,
    Debt,
    DialMethod,
    Engine,
    InconvenientTime,
    OptOut,
    Phone,
    Template,
)
from contactrules.context import Context
from contactrules.location.candidates import candidate_zones
from contactrules.models import Outcome, Place, StayEndReason
from contactrules.rules import RuleBase
from contactrules.rules.consumer_flag import ConsumerFlag
from contactrules.rules.template import TemplateRule

FAST = Engine.default()
REFERENCE = FAST.as_reference()

CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.timezone.utc
#: 21:30 in Chicago on Wednesday 3 June 2026: after the federal hours (8 a.m. to 9 p.m.), so
#: the search's first candidate is 08:00 the next morning.
NIGHT = dt.datetime(2026, 6, 3, 21, 30, tzinfo=CHICAGO)
#: 07:00 the next morning: a fact dated then is true at the first candidate, not at NIGHT.
DAWN = dt.datetime(2026, 6, 4, 7, 0, tzinfo=CHICAGO)
MORNING = dt.datetime(2026, 6, 4, 8, 0, tzinfo=CHICAGO)
EARLIER = dt.datetime(2026, 1, 5, 12, 0, tzinfo=CHICAGO)
NUMBER = "+13125550111"
NYC_NUMBER = "+12125550111"
#: A text with the federal disclosures and an opt-out the federal rule accepts ("unsubscribe")
#: but not the one-word STOP the New York City rules require from 1 September 2026.
UNSUBSCRIBE_TEXT = (
    "This is an attempt to collect a debt and any information obtained will be used for that "
    "purpose. This communication is from a debt collector. To unsubscribe, reply UNSUBSCRIBE."
)


def _call(at: dt.datetime, consumer: Consumer | None = None, **fields: Any) -> Contact:
    consumer = consumer or build_consumer()
    data: dict[str, Any] = {
        "channel": "call",
        "at": at,
        "consumer": consumer,
        "debt_ids": ["D1"],
        "to": consumer.phones[0].number,
        "dial_method": DialMethod.MANUAL,
    }
    data.update(fields)
    return Contact(**data)


def _calls(first: dt.datetime, count: int, every: dt.timedelta) -> list[ContactRecord]:
    return [
        ContactRecord(channel="call", at=first + k * every, debt_ids=["D1"], outcome="no_answer")
        for k in range(count)
    ]


def _nyc_consumer() -> Consumer:
    return build_consumer(
        addresses=[Address(country="US", subdivision="NY", city="New York")],
        phones=[Phone(number=NYC_NUMBER, type="mobile")],
        consents=[
            Consent(
                scope="channel",
                channel="sms",
                granted_at=dt.datetime(2026, 1, 2, tzinfo=NEW_YORK),
            )
        ],
    )


NEVER = None
# (name, contact, history, next_allowed_at, the rule the note names or None for no note)
CASES: list[tuple[str, Contact, list[ContactRecord], dt.datetime | None, str | None]] = [
    (
        # 12 CFR 1006.14(h) is in force from 2021-11-30 (86 FR 5766): the opt-out that did not
        # bind on the evening of the 29th binds at 08:00 on the 30th.
        "Reg F opt-out comes into force at the first candidate",
        _call(
            dt.datetime(2021, 11, 29, 21, 30, tzinfo=CHICAGO),
            build_consumer(flags={"opt_outs": [OptOut(channel="call")]}),
        ),
        [],
        NEVER,
        "US-FED-REGF-1006.14h-MEDIUM-OPTOUT-NONELECTRONIC",
    ),
    (
        # Seven calls in three days before 2021-11-30 break no limit: 1006.14(b)(2)(i)(A) is
        # not yet in force when the search re-judges from Thanksgiving night 2021.
        "Reg F call limit not yet in force, re-judged from 2021-11-25",
        _call(dt.datetime(2021, 11, 25, 22, 0, tzinfo=CHICAGO)),
        _calls(dt.datetime(2021, 11, 23, 10, tzinfo=CHICAGO), 7, dt.timedelta(hours=5)),
        dt.datetime(2021, 11, 26, 8, 0, tzinfo=CHICAGO),
        None,
    ),
    (
        # The same seven calls spread up to the 27th: from the 30th they count, and the next
        # time is when the seven-day window has let enough of them go.
        "Reg F call limit comes into force during the search",
        _call(dt.datetime(2021, 11, 29, 22, 0, tzinfo=CHICAGO)),
        _calls(dt.datetime(2021, 11, 24, 10, tzinfo=CHICAGO), 7, dt.timedelta(hours=12)),
        dt.datetime(2021, 12, 1, 8, 0, tzinfo=CHICAGO),
        None,
    ),
    (
        # 6 RCNY 5-77 as amended (effective 2026-09-01): every electronic message offers a
        # one-word opt-out; the text is fine on 31 August and not from the next morning.
        "New York City 2026 amendments come into force at the first candidate",
        _call(
            dt.datetime(2026, 8, 31, 21, 30, tzinfo=NEW_YORK),
            _nyc_consumer(),
            channel="sms",
            template=Template(text=UNSUBSCRIBE_TEXT),
        ),
        [],
        NEVER,
        "US-NY-NYC-6RCNY5-77-EOPTOUT",
    ),
    (
        # 6 RCNY 5-77 as amended: three contacts in seven days, counted from 2026-09-01.
        "New York City three-in-seven limit comes into force during the search",
        _call(dt.datetime(2026, 8, 31, 21, 30, tzinfo=NEW_YORK), _nyc_consumer()),
        _calls(dt.datetime(2026, 8, 28, 10, tzinfo=NEW_YORK), 3, dt.timedelta(hours=10)),
        dt.datetime(2026, 9, 4, 8, 0, tzinfo=NEW_YORK),
        None,
    ),
    (
        # 12 CFR 1006.6(b)(1), (b)(4): a consent to the inconvenient time lifts it only while
        # it is active; expired at 07:00, the 08:00–10:00 range binds again.
        "a consent to an inconvenient time expires before the first candidate",
        _call(
            NIGHT,
            build_consumer(
                flags={"inconvenient_times": [InconvenientTime(start="08:00", end="10:00")]},
                consents=[
                    Consent(
                        scope=ConsentScope.TIME,
                        granted_at=EARLIER,
                        expires_at=DAWN,
                        start="08:00",
                        end="10:00",
                    )
                ],
            ),
        ),
        [],
        dt.datetime(2026, 6, 4, 10, 0, tzinfo=CHICAGO),
        None,
    ),
    (
        # 12 CFR 1006.6(b)(1)(ii): the home is inconvenient; the consent to it expires.
        "a consent to an inconvenient place expires before the first candidate",
        _call(
            NIGHT,
            build_consumer(
                phones=[Phone(number=NUMBER, type="home")],
                flags={"inconvenient_places": [Place.HOME]},
                consents=[Consent(scope=ConsentScope.PLACE, granted_at=EARLIER, expires_at=DAWN)],
            ),
        ),
        [],
        NEVER,
        "US-FED-REGF-1006.6b1ii-INCONVENIENT-PLACE",
    ),
    (
        # 47 U.S.C. 227(b)(1)(A)(iii): the autodialled call needs consent, which expires.
        "a consent to automated calls expires before the first candidate",
        _call(
            NIGHT,
            build_consumer(
                consents=[
                    Consent(
                        scope=ConsentScope.AUTOMATED_CALLS,
                        address=NUMBER,
                        granted_at=EARLIER,
                        expires_at=DAWN,
                    )
                ]
            ),
            dial_method=DialMethod.AUTODIALER,
        ),
        [],
        NEVER,
        "US-TCPA-227b1Aiii-WIRELESS-CONSENT",
    ),
    (
        # 11 U.S.C. 362(a)(6): a petition filed the next day stays collection from that day.
        "a bankruptcy stay starts the next day",
        _call(NIGHT, build_consumer(bankruptcies=[Bankruptcy(filed_on=dt.date(2026, 6, 4))])),
        [],
        NEVER,
        "US-BK-362a6-AUTOMATIC-STAY",
    ),
    (
        # 11 U.S.C. 362(c): the stay's last day counts as stayed; it ended the day before.
        "a bankruptcy stay ended the day before",
        _call(
            NIGHT,
            build_consumer(
                bankruptcies=[
                    Bankruptcy(
                        filed_on=dt.date(2026, 5, 1),
                        stay_ended_on=dt.date(2026, 6, 2),
                        stay_end_reason=StayEndReason.DISMISSAL,
                    )
                ]
            ),
        ),
        [],
        MORNING,
        None,
    ),
    (
        "a bankruptcy stay ends on the day of the contact",
        _call(
            NIGHT,
            build_consumer(
                bankruptcies=[
                    Bankruptcy(
                        filed_on=dt.date(2026, 5, 1),
                        stay_ended_on=dt.date(2026, 6, 3),
                        stay_end_reason=StayEndReason.DISMISSAL,
                    )
                ]
            ),
        ),
        [],
        NEVER,
        "US-BK-362a6-AUTOMATIC-STAY",
    ),
    (
        # 12 CFR 1006.6(c): the cease request about the contact's debt: no time helps.
        "a cease request about the debt",
        _call(NIGHT, build_consumer(debts=["D1", "D2"], flags={"cease_debt_ids": ["D1"]})),
        [],
        NEVER,
        "US-FED-REGF-1006.6c-CEASE",
    ),
    (
        "a cease request about another debt",
        _call(NIGHT, build_consumer(debts=["D1", "D2"], flags={"cease_debt_ids": ["D2"]})),
        [],
        MORNING,
        None,
    ),
    (
        # 12 CFR 1006.14(h): an opt-out recorded as made at 07:00 binds from then.
        "an opt-out dated before the first candidate",
        _call(NIGHT, build_consumer(flags={"opt_outs": [OptOut(channel="call", at=DAWN)]})),
        [],
        NEVER,
        "US-FED-REGF-1006.14h-MEDIUM-OPTOUT-NONELECTRONIC",
    ),
    (
        # 12 CFR 1006.6(a)(4): from the date of death only the estate's representative.
        "the consumer dies the next day",
        _call(NIGHT, build_consumer(deceased_on=dt.date(2026, 6, 4))),
        [],
        NEVER,
        "US-FED-REGF-1006.6a4-DECEASED",
    ),
    (
        # 15 U.S.C. 1692g(b): a written dispute at 07:00 stops collection until verification.
        "a written dispute arrives before the first candidate",
        _call(NIGHT, build_consumer(debts=[Debt(id="D1", disputed_at=DAWN)])),
        [],
        NEVER,
        "US-FED-FDCPA-1692g-DISPUTE-PENDING",
    ),
    (
        # Clocks go forward at 02:00 on 8 March 2026: 08:00 is CDT.
        "the night clocks go forward",
        _call(dt.datetime(2026, 3, 8, 1, 30, tzinfo=CHICAGO)),
        [],
        dt.datetime(2026, 3, 8, 8, 0, tzinfo=CHICAGO),
        None,
    ),
    (
        # Clocks go back at 02:00 on 1 November 2026: 01:30 happens twice.
        "the night clocks go back, second 01:30",
        _call(dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=CHICAGO)),
        [],
        dt.datetime(2026, 11, 1, 8, 0, tzinfo=CHICAGO),
        None,
    ),
    (
        # A conversation on Saturday 31 October blocks calls through Friday 6 November (K2),
        # across the change of clocks.
        "a cooldown across the night clocks go back",
        _call(dt.datetime(2026, 11, 1, 1, 30, tzinfo=CHICAGO)),
        [
            ContactRecord(
                channel="call",
                at=dt.datetime(2026, 10, 31, 15, 0, tzinfo=CHICAGO),
                debt_ids=["D1"],
                outcome=Outcome.CONVERSATION,
            )
        ],
        dt.datetime(2026, 11, 7, 8, 0, tzinfo=CHICAGO),
        None,
    ),
    (
        # Comment 6(b)(1)(i)-1: with several possible zones, only hours open in all of them.
        "a consumer in three zones",
        _call(
            dt.datetime(2026, 6, 3, 22, 30, tzinfo=NEW_YORK),
            build_consumer(
                phones=[Phone(number=NYC_NUMBER, type="mobile")],
                zones=["America/Los_Angeles", "Pacific/Honolulu"],
            ),
        ),
        [],
        dt.datetime(2026, 6, 4, 14, 0, tzinfo=NEW_YORK),
        None,
    ),
]


@pytest.mark.parametrize(
    ("contact", "history", "expected_at", "named"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_fast_search_finds_what_the_reference_finds(
    contact: Contact,
    history: list[ContactRecord],
    expected_at: dt.datetime | None,
    named: str | None,
) -> None:
    fast = FAST.evaluate(contact, history)
    reference = REFERENCE.evaluate(contact, history)
    assert fast.as_dict() == reference.as_dict()
    assert not fast.allowed
    assert fast.next_allowed_at == expected_at
    if named is None:
        assert fast.next_allowed_note is None
    else:
        assert fast.next_allowed_note == f"no later time helps while rule {named} holds"


# --- the declarations themselves ------------------------------------------------------------
def _context(contact: Contact, history: list[ContactRecord]) -> tuple[Context, list[RuleBase]]:
    zones, _problems = candidate_zones(contact)
    ctx = Context.build(contact, history, zones)
    rules = [item.rule for item in FAST._stack(contact).for_shape(ctx.shape)]
    return ctx, rules


def _verdict(rule: RuleBase, ctx: Context) -> bool:
    return not rule.dynamic_applies(ctx) or rule.passes(ctx)


@pytest.mark.parametrize(
    ("contact", "independent", "dependent"),
    [
        pytest.param(
            _call(NIGHT, build_consumer(debts=["D1", "D2"], flags={"cease_debt_ids": ["D2"]})),
            ["US-FED-REGF-1006.6c-CEASE", "US-TCPA-227b1Aiii-WIRELESS-CONSENT"],
            ["US-FED-REGF-1006.6b1i-HOURS", "US-FED-REGF-1006.14b2iA-CALL-7IN7"],
            id="undated flags and a call dialled by hand",
        ),
        pytest.param(
            _call(NIGHT, build_consumer(bankruptcies=[Bankruptcy(filed_on=dt.date(2026, 6, 4))])),
            ["US-FED-REGF-1006.6a4-DECEASED"],
            ["US-BK-362a6-AUTOMATIC-STAY", "US-BK-524a2-DISCHARGE-INJUNCTION"],
            id="a petition on file",
        ),
        pytest.param(
            _call(NIGHT, dial_method=DialMethod.AUTODIALER),
            [],
            ["US-TCPA-227b1Aiii-WIRELESS-CONSENT"],
            id="an autodialled call",
        ),
        pytest.param(
            _call(
                dt.datetime(2021, 11, 29, 21, 30, tzinfo=CHICAGO),
                build_consumer(flags={"opt_outs": [OptOut(channel="call")]}),
            ),
            [],
            ["US-FED-REGF-1006.14h-MEDIUM-OPTOUT-NONELECTRONIC"],
            id="an opt-out rule not yet in force",
        ),
        pytest.param(
            _call(NIGHT, build_consumer(flags={"opt_outs": [OptOut(channel="sms", at=EARLIER)]})),
            ["US-FED-REGF-1006.14h-MEDIUM-OPTOUT-NONELECTRONIC"],
            [],
            id="an opt-out of another medium, under a rule in force for years",
        ),
        pytest.param(
            _call(NIGHT, build_consumer(flags={"opt_outs": [OptOut(channel="call")]})),
            [],
            ["US-FED-REGF-1006.14h-MEDIUM-OPTOUT-NONELECTRONIC"],
            id="an opt-out of calls, which a reply could lift",
        ),
    ],
)
def test_instant_independent_is_declared_only_where_nothing_dated_is_read(
    contact: Contact, independent: list[str], dependent: list[str]
) -> None:
    ctx, rules = _context(contact, [])
    declared = {rule.id: rule.instant_independent(ctx) for rule in rules}
    assert {rule_id: declared[rule_id] for rule_id in independent} == dict.fromkeys(
        independent, True
    )
    assert {rule_id: declared[rule_id] for rule_id in dependent} == dict.fromkeys(dependent, False)


def test_settled_applicability_allows_for_clocks_set_back_across_midnight() -> None:
    """When Alaska became American (America/Sitka, 18 October 1867) its clocks went back a
    whole day: 10:58 on the 19th was followed, six hours later, by 16:58 on the 18th. A rule
    in force from the 19th was in force and then was not, so its applicability is not settled.
    """
    rule = ConsumerFlag(
        id="TEST-CEASE-FROM-1867-10-19",
        kind="consumer_flag",
        flag="cease",
        channels=["call"],
        citation="test",
        effective_from=dt.date(1867, 10, 19),
    )
    consumer = build_consumer(
        addresses=[], phones=[Phone(number="+19075550111", type="mobile", zone="America/Sitka")]
    )
    contact = _call(dt.datetime(1867, 10, 18, 20, 0, tzinfo=UTC), consumer)
    ctx, _rules = _context(contact, [])
    later = ctx.at_time(ctx.at + dt.timedelta(hours=6))
    assert (rule.dynamic_applies(ctx), rule.dynamic_applies(later)) == (True, False)
    assert not rule.applicability_settled(ctx)
    well_after = ctx.at_time(ctx.at + dt.timedelta(days=3))
    assert rule.applicability_settled(well_after)


def test_a_kind_that_extends_another_must_declare_its_own_independence() -> None:
    with pytest.raises(TypeError, match="instant_independent"):

        class DatedTemplate(TemplateRule):  # a kind whose verdict would read the instant
            KIND = "dated_template_for_test"
            NEXT_TIME = "never"


def test_the_reference_judges_every_rule_again() -> None:
    """The shortcut is the fast path's only: the reference keeps asking every rule."""
    contact = _call(NIGHT, build_consumer(debts=["D1", "D2"], flags={"cease_debt_ids": ["D2"]}))
    asked: list[str] = []
    original = RuleBase.dynamic_applies

    def counting(rule: RuleBase, ctx: Context) -> bool:
        if ctx.at != contact.at:
            asked.append(rule.id)
        return original(rule, ctx)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RuleBase, "dynamic_applies", counting)
        REFERENCE.evaluate(contact)
        in_reference = set(asked)
        asked.clear()
        FAST.evaluate(contact)
        in_fast = set(asked)
    assert "US-FED-REGF-1006.6c-CEASE" in in_reference
    assert "US-FED-REGF-1006.6c-CEASE" not in in_fast


# --- properties -----------------------------------------------------------------------------
@st.composite
def dated_cases(draw: st.DrawFn) -> tuple[Contact, list[ContactRecord]]:
    """The property cases, moved next to an effective date now and then, with facts dated
    around the contact: petitions, a death, a dated opt-out, a dispute, expiring consents."""
    contact, history = draw(cases())
    shift = draw(
        st.sampled_from(
            [
                dt.timedelta(0),
                dt.datetime(2021, 11, 29, 12, tzinfo=UTC) - contact.at,
                dt.datetime(2026, 8, 31, 12, tzinfo=UTC) - contact.at,
            ]
        )
    )
    shift = dt.timedelta(hours=round(shift.total_seconds() / 3600)) + dt.timedelta(
        minutes=draw(st.integers(0, 47)) * 30
    )
    at = contact.at + shift
    history = [r.model_copy(update={"at": r.at + shift}) for r in history]
    day = at.astimezone(UTC).date()

    def near_day() -> dt.date:
        return day + dt.timedelta(days=draw(st.integers(-2, 3)))

    def near_instant() -> dt.datetime:
        return at + dt.timedelta(minutes=30 * draw(st.integers(-24, 96)))

    consumer = contact.consumer
    update: dict[str, Any] = {}
    if draw(st.booleans()):
        filed = near_day()
        ended = draw(st.sampled_from([None, 0, 1, 2]))
        update["bankruptcies"] = [
            Bankruptcy(
                filed_on=filed,
                stay_ended_on=None if ended is None else filed + dt.timedelta(days=ended),
                stay_end_reason=None
                if ended is None
                else draw(st.sampled_from([StayEndReason.DISCHARGE, StayEndReason.DISMISSAL])),
            )
        ]
    if draw(st.integers(0, 3)) == 0:
        update["deceased_on"] = near_day()
    if draw(st.booleans()):
        update["debts"] = [
            d.model_copy(update={"disputed_at": near_instant()}) if draw(st.booleans()) else d
            for d in consumer.debts
        ]
    if draw(st.booleans()):
        flags = consumer.flags.model_copy(
            update={
                "opt_outs": [OptOut(channel=contact.channel, at=near_instant())],
                "inconvenient_places": [Place.HOME, Place.WORK],
            }
        )
        update["flags"] = flags
    if draw(st.booleans()):
        scopes = [ConsentScope.TIME, ConsentScope.PLACE, ConsentScope.CHANNEL]
        update["consents"] = [
            *consumer.consents,
            *(
                Consent(
                    scope=scope,
                    granted_at=at - dt.timedelta(days=30),
                    expires_at=near_instant(),
                    channel=contact.channel,
                )
                for scope in scopes
                if draw(st.booleans())
            ),
            *(
                Consent(
                    scope=ConsentScope.AUTOMATED_CALLS,
                    address=phone.number,
                    granted_at=at - dt.timedelta(days=30),
                    expires_at=near_instant(),
                )
                for phone in consumer.phones
                if draw(st.booleans())
            ),
        ]
    if draw(st.integers(0, 3)) == 0:
        update["addresses"] = [Address(country="US", subdivision="NY", city="New York")]
    moved = consumer.model_copy(update=update)
    return contact.model_copy(update={"at": at, "consumer": moved}), history


@PROPERTY
@given(cases())
def test_fast_and_reference_decide_alike(case: tuple[Contact, list[ContactRecord]]) -> None:
    contact, history = case
    assert FAST.evaluate(contact, history).as_dict() == (
        REFERENCE.evaluate(contact, history).as_dict()
    )


@PROPERTY
@given(dated_cases())
def test_fast_and_reference_decide_alike_around_dated_facts(
    case: tuple[Contact, list[ContactRecord]],
) -> None:
    contact, history = case
    assert FAST.evaluate(contact, history).as_dict() == (
        REFERENCE.evaluate(contact, history).as_dict()
    )


@PROPERTY
@given(dated_cases(), st.lists(st.integers(1, 400 * 48), min_size=1, max_size=6))
def test_declared_verdicts_hold_at_every_later_instant(
    case: tuple[Contact, list[ContactRecord]], half_hours: list[int]
) -> None:
    """What a rule declares about later instants is checked at drawn later instants."""
    contact, history = case
    ctx, rules = _context(contact, history)
    if not ctx.zones:
        return
    later = [ctx.at_time(ctx.at + dt.timedelta(minutes=30 * n)) for n in half_hours]
    for rule in rules:
        try:
            independent = rule.instant_independent(ctx)
            settled = rule.applicability_settled(ctx)
            now_applies = rule.dynamic_applies(ctx)
            now = _verdict(rule, ctx)
        except Exception:
            continue  # a rule that raises denies in both evaluators and stops the search
        for moved in later:
            if settled:
                assert rule.dynamic_applies(moved) is now_applies, rule.id
            if independent:
                assert _verdict(rule, moved) is now, (rule.id, moved.at)
