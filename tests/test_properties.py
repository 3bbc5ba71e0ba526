"""Property tests of the bundled engine: purity, order independence, monotonicity and the
earliest allowed time, over random consumers, histories and contacts around the US DST changes.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytz
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from contactrules import (
    Address,
    Channel,
    Consent,
    ConsentScope,
    Consumer,
    ConsumerFlags,
    Contact,
    ContactRecord,
    Debt,
    DialMethod,
    Engine,
    InconvenientTime,
    Initiator,
    OptOut,
    Outcome,
    Phone,
    PhoneType,
    Template,
)
from contactrules.decision import Decision
from contactrules.models import Weekday

ENGINE = Engine.default()
FRESH_ENGINE = Engine.default()  # built separately: no shared caches with ENGINE

UTC = dt.timezone.utc
DEBT_IDS = ("D1", "D2", "D3")
STATES = ("NY", "MA", "CA", "IL", "TX", "FL")  # TX and FL span two zones
AREA_CODES = ("212", "213", "303", "312", "617", "850", "713")
CHANNELS = (Channel.CALL, Channel.VOICEMAIL, Channel.SMS, Channel.EMAIL)
EXPLICIT_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/St_Johns",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Europe/London",
)
# Two weeks around each US DST change of 2026 (8 March and 1 November).
RANGES = (
    dt.datetime(2026, 3, 1, tzinfo=UTC),
    dt.datetime(2026, 10, 25, tzinfo=UTC),
)
SPAN_SECONDS = 14 * 86400
# How the caller writes the instant: any aware tzinfo must do (DESIGN.md, pytz trap).
CALLER_ZONES = (
    UTC,
    ZoneInfo("America/New_York"),
    ZoneInfo("America/Los_Angeles"),
    dt.timezone(dt.timedelta(hours=-5)),
    pytz.timezone("America/Chicago"),
)
FULL_TEXT = (
    "This is an attempt to collect a debt and any information obtained will be used for that "
    "purpose. This communication is from a debt collector. Reply STOP to opt out."
)
# Mostly dialled by hand, so that many contacts are allowed; the rest are possibly automated
# (not stated) or automated, which the TCPA (rulesets/us/tcpa.yaml) judges.
CONTACT_DIAL_METHODS = (DialMethod.MANUAL,) * 6 + (
    None,
    DialMethod.AUTODIALER,
    DialMethod.PRERECORDED,
)
RECORD_DIAL_METHODS = (None, *DialMethod)

# CONTACTRULES_EXAMPLES=2000 for a long bug hunt; the default keeps the file well under 60 s.
EXAMPLES = int(os.environ.get("CONTACTRULES_EXAMPLES", "60"))
# The properties about allows and about the next allowed time keep only the contacts they speak
# of (``assume``); since the TCPA denies every possibly automated call without consent, with no
# later time, they discard many draws, so filtering is allowed to be slow rather than an error.
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def _in_zone(instant: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return instant.astimezone(tz)  # pytz implements fromutc correctly, so this is exact


# --- strategies ----------------------------------------------------------------------------
@st.composite
def phones(draw: st.DrawFn) -> Phone:
    area = draw(st.sampled_from(AREA_CODES))
    line = draw(st.integers(100, 199))
    kind = draw(st.sampled_from([PhoneType.MOBILE, PhoneType.HOME, PhoneType.WORK]))
    return Phone(number=f"+1{area}5550{line}", type=kind)


addresses = st.builds(
    Address,
    country=st.just("US"),
    subdivision=st.sampled_from(STATES),
)


@st.composite
def flags(draw: st.DrawFn) -> ConsumerFlags:
    if draw(st.integers(0, 4)) > 0:  # mostly no flags, so that many contacts are allowed
        return ConsumerFlags()
    debts = st.lists(st.sampled_from(DEBT_IDS), max_size=1, unique=True)
    return ConsumerFlags(
        cease_debt_ids=draw(debts),
        attorney_debt_ids=draw(debts),
        opt_outs=draw(st.lists(st.builds(OptOut, channel=st.sampled_from(CHANNELS)), max_size=1)),
        inconvenient_times=draw(
            st.lists(
                st.builds(
                    InconvenientTime,
                    days=st.lists(st.sampled_from(list(Weekday)), min_size=1, unique=True),
                    start=st.sampled_from(["08:00", "09:30", "12:00", "17:00"]),
                    end=st.sampled_from(["18:00", "19:45", "20:00", "24:00"]),
                ),
                max_size=2,
            )
        ),
    )


@st.composite
def consumers(draw: st.DrawFn) -> Consumer:
    address_list = draw(st.lists(addresses, max_size=2))
    phone_list = draw(st.lists(phones(), min_size=0 if address_list else 1, max_size=3))
    debts = [Debt(id=d, time_barred=draw(st.booleans()) and draw(st.booleans())) for d in DEBT_IDS]
    # Prior express consent to automated calls and texts, for some of the numbers (47 U.S.C.
    # 227(b)(1)(A)), given before any instant drawn.
    consented = draw(st.lists(st.sampled_from(phone_list), unique=True)) if phone_list else []
    consents = [
        Consent(
            scope=ConsentScope.AUTOMATED_CALLS,
            address=phone.number,
            granted_at=dt.datetime(2025, 1, 10, 12, tzinfo=UTC),
        )
        for phone in consented
    ]
    return Consumer(
        id="C-1",
        addresses=address_list,
        phones=phone_list,
        debts=debts,
        flags=draw(flags()),
        consents=consents,
    )


@st.composite
def instants(draw: st.DrawFn) -> dt.datetime:
    start = draw(st.sampled_from(RANGES))
    offset = draw(
        st.one_of(
            st.integers(0, SPAN_SECONDS - 1),
            st.integers(0, 14 * 24 - 1).map(lambda h: h * 3600),  # whole hours: window edges
            st.integers(0, 14 * 48 - 1).map(lambda h: h * 1800),
        )
    )
    return _in_zone(start + dt.timedelta(seconds=offset), draw(st.sampled_from(CALLER_ZONES)))


def debt_lists(min_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(DEBT_IDS), min_size=min_size, max_size=3, unique=True).map(
        sorted
    )


# A history "style" narrows what records look like, so that the call caps and cooldowns are
# reached often instead of almost never with uniformly mixed records.
Style = tuple[tuple[Channel, ...], tuple[Outcome, ...], tuple[Initiator, ...], tuple[str, ...]]
CHANNEL_POOLS = (CHANNELS, (Channel.CALL,), (Channel.CALL, Channel.VOICEMAIL))
OUTCOME_POOLS = (
    tuple(Outcome),
    (Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CONNECTED),
    (Outcome.NO_ANSWER, Outcome.CONVERSATION),
)
INITIATOR_POOLS = (tuple(Initiator), (Initiator.COLLECTOR,))
DEBT_POOLS = (DEBT_IDS, ("D1",))


@st.composite
def styles(draw: st.DrawFn) -> Style:
    return (
        draw(st.sampled_from(CHANNEL_POOLS)),
        draw(st.sampled_from(OUTCOME_POOLS)),
        draw(st.sampled_from(INITIATOR_POOLS)),
        draw(st.sampled_from(DEBT_POOLS)),
    )


DEFAULT_STYLE: Style = (CHANNELS, tuple(Outcome), tuple(Initiator), DEBT_IDS)


@st.composite
def records(
    draw: st.DrawFn,
    consumer: Consumer,
    before: dt.datetime,
    style: Style = DEFAULT_STYLE,
    initiated_by: Initiator | None = None,
) -> ContactRecord:
    channels, outcomes, initiators, debt_ids = style
    # Hour-grid offsets make several records share an instant, which order must not matter for.
    seconds = draw(
        st.one_of(
            st.integers(1, 240).map(lambda h: h * 3600),
            st.integers(1, 10 * 86400),
        )
    )
    channel = draw(st.sampled_from(channels))
    numbers = [p.number for p in consumer.phones]
    to = draw(st.sampled_from([None, *numbers])) if channel in (Channel.CALL, Channel.SMS) else None
    return ContactRecord(
        channel=channel,
        at=_in_zone(before - dt.timedelta(seconds=seconds), draw(st.sampled_from(CALLER_ZONES))),
        debt_ids=draw(
            st.lists(
                st.sampled_from(debt_ids), min_size=int(len(debt_ids) == 1), max_size=2, unique=True
            ).map(sorted)
        ),
        outcome=draw(st.sampled_from(outcomes)),
        initiated_by=initiated_by or draw(st.sampled_from(initiators)),
        to=to,
        dial_method=draw(st.sampled_from(RECORD_DIAL_METHODS)),
    )


@st.composite
def contacts(draw: st.DrawFn, consumer: Consumer | None = None) -> Contact:
    consumer = consumer or draw(consumers())
    channel = draw(st.sampled_from((Channel.CALL, Channel.CALL, *CHANNELS)))
    numbers = [p.number for p in consumer.phones]
    to = draw(st.sampled_from([None, *numbers])) if channel is not Channel.EMAIL else None
    template = draw(st.sampled_from([None, *[Template(text=FULL_TEXT)] * 3]))
    return Contact(
        channel=channel,
        at=draw(instants()),
        consumer=consumer,
        debt_ids=draw(debt_lists(1)),
        to=to,
        template=template,
        dial_method=draw(st.sampled_from(CONTACT_DIAL_METHODS)),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Contact, list[ContactRecord]]:
    contact = draw(contacts())
    style = draw(styles())
    size = draw(st.integers(0, 40))
    # Records are written in mixed zones, and the hour grid of ``records`` makes some share an
    # instant: both once made the decision depend on the input order (regression tests below).
    history = draw(
        st.lists(records(contact.consumer, contact.at, style), min_size=size, max_size=size)
    )
    return contact, history


def _evaluate(contact: Contact, history: list[ContactRecord]) -> Decision:
    decision = ENGINE.evaluate(contact, history)
    if decision.allowed:
        event("allowed")
    else:
        event("denied, next allowed " + ("known" if decision.next_allowed_at else "never"))
        for reason in decision.reasons:
            event(f"deny by {reason.rule_id}")
    return decision


def _at(contact: Contact, instant: dt.datetime) -> Contact:
    return contact.model_copy(update={"at": instant})


# --- (a) determinism -----------------------------------------------------------------------
@PROPERTY
@given(cases())
def test_evaluation_is_deterministic(case: tuple[Contact, list[ContactRecord]]) -> None:
    contact, history = case
    first = _evaluate(contact, history).as_dict()
    assert _evaluate(contact, history).as_dict() == first
    assert FRESH_ENGINE.evaluate(contact, history).as_dict() == first
    assert FRESH_ENGINE.evaluate(contact, tuple(history)).as_dict() == first
    assert first["fingerprint"] == ENGINE.fingerprint == FRESH_ENGINE.fingerprint


# --- (b) history order ---------------------------------------------------------------------
@PROPERTY
@given(cases(), st.data())
def test_history_order_does_not_matter(
    case: tuple[Contact, list[ContactRecord]], data: st.DataObject
) -> None:
    contact, history = case
    shuffled = data.draw(st.permutations(history), label="shuffled")
    expected = _evaluate(contact, history).as_dict()
    assert _evaluate(contact, list(shuffled)).as_dict() == expected
    assert _evaluate(contact, list(reversed(history))).as_dict() == expected


# --- (c) monotonicity ----------------------------------------------------------------------
@PROPERTY
@given(cases(), st.data())
def test_more_collector_contacts_never_turn_a_deny_into_an_allow(
    case: tuple[Contact, list[ContactRecord]], data: st.DataObject
) -> None:
    contact, history = case
    before = _evaluate(contact, history)
    assume(not before.allowed)
    extra = data.draw(
        st.lists(
            records(
                contact.consumer,
                contact.at,
                initiated_by=Initiator.COLLECTOR,
            ),
            min_size=1,
            max_size=8,
        ),
        label="extra",
    )
    after = _evaluate(contact, [*history, *extra])
    assert not after.allowed, (before.as_dict(), after.as_dict())


@PROPERTY
@given(cases(), st.data())
def test_an_allow_stays_an_allow_without_the_extra_records(
    case: tuple[Contact, list[ContactRecord]], data: st.DataObject
) -> None:
    # the contrapositive, from the other side: dropping collector records never denies
    contact, history = case
    assume(_evaluate(contact, history).allowed)
    keep = data.draw(st.lists(st.booleans(), min_size=len(history), max_size=len(history)))
    fewer = [
        r
        for r, k in zip(history, keep, strict=True)
        if k or r.initiated_by is not Initiator.COLLECTOR
    ]
    assert _evaluate(contact, fewer).allowed


# --- (d) an allow is allowed now -----------------------------------------------------------
@PROPERTY
@given(cases())
def test_allowed_means_next_allowed_is_now(case: tuple[Contact, list[ContactRecord]]) -> None:
    contact, history = case
    decision = _evaluate(contact, history)
    if decision.allowed:
        assert decision.next_allowed_at == contact.at
        assert decision.reasons == ()
        assert decision.next_allowed_note is None
    else:
        assert decision.reasons
        assert all(r.severity in ("deny", "error") for r in decision.reasons)
        assert (decision.next_allowed_at is None) == (decision.next_allowed_note is not None)


# --- (e) the earliest allowed time is exact ------------------------------------------------
@PROPERTY
@given(cases())
def test_next_allowed_at_is_the_earliest_allowed_instant(
    case: tuple[Contact, list[ContactRecord]],
) -> None:
    contact, history = case
    decision = _evaluate(contact, history)
    assume(not decision.allowed and decision.next_allowed_at is not None)
    nxt = decision.next_allowed_at
    assert nxt is not None
    assert nxt > contact.at
    assert nxt.utcoffset() is not None

    at_next = _evaluate(_at(contact, nxt), history)
    assert at_next.allowed, at_next.as_dict()

    gap = nxt - contact.at
    probes = [contact.at + gap * i / 6 for i in range(1, 6)]
    if gap > dt.timedelta(seconds=1):
        probes.append(nxt - dt.timedelta(seconds=1))
    for probe in probes:
        assert contact.at < probe < nxt
        probed = _evaluate(_at(contact, probe), history)
        assert not probed.allowed, (probe.isoformat(), nxt.isoformat(), probed.as_dict())


# --- (f) the hours window agrees with an independent computation ---------------------------
@st.composite
def single_zone_calls(draw: st.DrawFn) -> tuple[Contact, str]:
    zone = draw(st.sampled_from(EXPLICIT_ZONES))
    consumer = Consumer(
        id="C-1",
        addresses=[Address(country="US")],  # the jurisdiction, but no zone of its own
        zones=[zone],
        debts=[Debt(id="D1")],
    )
    contact = Contact(
        channel=Channel.CALL,
        at=draw(instants()),
        consumer=consumer,
        debt_ids=["D1"],
        dial_method=DialMethod.MANUAL,  # the hours alone: no TCPA consent needed
    )
    return contact, zone


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(single_zone_calls())
def test_hours_window_matches_local_clock(case: tuple[Contact, str]) -> None:
    contact, zone_name = case
    zone = ZoneInfo(zone_name)
    local = contact.at.astimezone(zone)
    expected = 8 <= local.hour < 21

    decision = _evaluate(contact, [])
    assert decision.zones == (zone_name,)
    assert decision.allowed is expected, (local.isoformat(), decision.as_dict())
    if expected:
        return
    assert [r.rule_id for r in decision.reasons] == ["US-FED-REGF-1006.6b1i-HOURS"]
    reason = decision.reasons[0]
    assert reason.zone == zone_name
    assert reason.facts["zone"] == zone_name
    assert reason.facts["local_time"].startswith(local.strftime("%Y-%m-%d %H:%M:%S"))
    # the next 08:00 on the local wall clock
    day = local.date() if local.hour < 8 else local.date() + dt.timedelta(days=1)
    eight = dt.datetime.combine(day, dt.time(8), tzinfo=zone)
    assert decision.next_allowed_at is not None
    # compared in UTC: == between zones is False for an instant in a repeated hour (PEP 495),
    # e.g. 2026-11-01 01:00 America/Los_Angeles
    assert decision.next_allowed_at.astimezone(UTC) == eight.astimezone(UTC)
    if isinstance(contact.at.tzinfo, dt.timezone):  # reported in the caller's own offset
        assert decision.next_allowed_at.utcoffset() == contact.at.utcoffset()


# --- order dependences once found by test_history_order_does_not_matter (now fixed) -------
NY = ZoneInfo("America/New_York")
NY_CONSUMER = Consumer(
    id="C-1", addresses=[Address(country="US", subdivision="NY")], debts=[Debt(id="D1")]
)


def test_same_instant_in_two_offsets_is_order_independent() -> None:
    contact = Contact(
        channel=Channel.CALL,
        at=dt.datetime(2026, 6, 3, 12, tzinfo=NY),
        consumer=NY_CONSUMER,
        debt_ids=["D1"],
    )
    utc = ContactRecord(
        channel=Channel.CALL,
        at=dt.datetime(2026, 6, 2, 14, tzinfo=UTC),
        debt_ids=["D1"],
        outcome=Outcome.CONVERSATION,
    )
    eastern = utc.model_copy(update={"at": utc.at.astimezone(NY)})
    assert utc.at == eastern.at
    first = ENGINE.evaluate(contact, [utc, eastern])
    second = ENGINE.evaluate(contact, [eastern, utc])
    assert first.allowed is second.allowed is False
    assert first.as_dict() == second.as_dict()


def test_same_instant_inbound_and_outbound_are_order_independent() -> None:
    consumer = NY_CONSUMER.model_copy(
        update={"flags": ConsumerFlags(opt_outs=[OptOut(channel=Channel.SMS)])}
    )
    contact = Contact(
        channel=Channel.SMS,
        at=dt.datetime(2026, 6, 3, 12, tzinfo=NY),
        consumer=consumer,
        debt_ids=["D1"],
        to="+12125550143",
        template=Template(text=FULL_TEXT),
    )
    inbound = ContactRecord(
        channel=Channel.SMS,
        at=dt.datetime(2026, 6, 3, 11, tzinfo=NY),
        debt_ids=["D1"],
        outcome=Outcome.DELIVERED,
        initiated_by=Initiator.CONSUMER,
        to="+12125550143",
    )
    outbound = inbound.model_copy(update={"initiated_by": Initiator.COLLECTOR})
    first = ENGINE.evaluate(contact, [inbound, outbound])
    second = ENGINE.evaluate(contact, [outbound, inbound])
    assert first.as_dict() == second.as_dict()
