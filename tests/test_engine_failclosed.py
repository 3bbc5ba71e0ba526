"""The engine's own fail-closed edges: no zone, the place of a reply, the ends of the calendar,
and the limits that keep one evaluation bounded (docs/decisions.md, "Fail closed").

Each case was a wrong allow, a hidden reason, a traceback or unbounded work before the change
that added it; the legal source is cited where there is one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contactrules import (
    Address,
    Consumer,
    ConsumerFlags,
    Contact,
    ContactRecord,
    Debt,
    Engine,
    OptOut,
    Phone,
    Ruleset,
    RulesetError,
    RulesetSpec,
)
from contactrules.cli import main
from contactrules.engine import MAX_ZONES
from contactrules.rules.time_window import MAX_WINDOWS

CHICAGO = ZoneInfo("America/Chicago")
NY = ZoneInfo("America/New_York")
MOBILE = "+13125550111"
WORK_PHONE = "+13125550177"
OTHER_MOBILE = "+13125550122"
K4 = "contactrules convention K4 (docs/conventions.md)"
HOURS = "US-FED-REGF-1006.6b1i-HOURS"
CEASE = "US-FED-REGF-1006.6c-CEASE"
PLACE = "US-FED-REGF-1006.6b1ii-INCONVENIENT-PLACE"


def _at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = CHICAGO) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=zone)


def _consumer(**fields: object) -> Consumer:
    base: dict[str, object] = {
        "id": "C-1",
        "addresses": [Address(country="US", subdivision="IL")],
        "phones": [Phone(number=MOBILE, type="mobile"), Phone(number=WORK_PHONE, type="work")],
        "debts": [Debt(id="D1"), Debt(id="D2")],
    }
    base.update(fields)
    return Consumer.model_validate(base)


def _unlocated(**fields: object) -> Consumer:
    """A US consumer with nothing that gives a time zone (a country-only address, no phone)."""
    return _consumer(addresses=[Address(country="US")], phones=[], **fields)


def _contact(consumer: Consumer, channel: str = "call", **fields: object) -> Contact:
    """Calls and texts are dialled by hand: the TCPA's consent (tests/test_tcpa.py) is not
    what these tests are about."""
    base: dict[str, object] = {
        "channel": channel,
        "at": _at(2, 10),
        "consumer": consumer,
        "debt_ids": ["D1"],
        "dial_method": "manual" if channel in ("call", "voicemail", "sms") else None,
    }
    base.update(fields)
    return Contact.model_validate(base)


def _ids(decision: object) -> list[str]:
    return [r.rule_id for r in decision.reasons]  # type: ignore[attr-defined]


# --- no candidate zone: the rules that need local time deny, every other rule is judged ------
def test_no_zone_call_is_denied_naming_the_rules_that_need_local_time(engine: Engine) -> None:
    """12 CFR 1006.6(b)(1)(i); comment 6(b)(1)(i)-1: without a zone, hours cannot be judged."""
    decision = engine.evaluate(_contact(_unlocated()))
    assert not decision.allowed
    assert _ids(decision) == ["CONTACTRULES-NO-ZONE"]
    reason = decision.reasons[0]
    assert reason.kind == "engine"
    assert K4 in reason.citation
    assert HOURS in reason.facts["rules"]
    assert reason.facts["rules_count"] == len(reason.facts["rules"])
    assert HOURS in reason.message
    # a flag the consumer never set is not listed: it can be judged without a clock
    assert "KNOWN-INCONVENIENT" not in reason.message
    assert decision.next_allowed_at is None
    assert decision.next_allowed_note and "time zone" in decision.next_allowed_note


def test_no_zone_call_with_cease_shows_the_cease_reason(engine: Engine) -> None:
    """12 CFR 1006.6(c): the cease is the lasting reason and must be shown with NO-ZONE."""
    consumer = _unlocated(flags=ConsumerFlags(cease_debt_ids=["D1"]))
    decision = engine.evaluate(_contact(consumer))
    assert not decision.allowed
    assert _ids(decision)[0] == "CONTACTRULES-NO-ZONE"
    assert CEASE in _ids(decision)


def test_no_zone_letter_is_judged_by_its_own_rules_and_allowed(engine: Engine) -> None:
    """Convention K5: letters have no hour rule, so no zone is needed to judge one."""
    decision = engine.evaluate(_contact(_unlocated(), channel="letter"))
    assert decision.allowed, decision.as_dict()
    assert decision.next_allowed_at == decision.at


def test_no_zone_letter_after_a_cease_is_denied_for_the_cease(engine: Engine) -> None:
    consumer = _unlocated(flags=ConsumerFlags(cease_debt_ids=["D1"]))
    decision = engine.evaluate(_contact(consumer, channel="letter"))
    assert _ids(decision) == [CEASE]


def test_no_zone_rule_with_effective_dates_still_applies(engine: Engine) -> None:
    """12 CFR 1006.14(h) (in force since 2021-11-30): a dated rule is in force on some date
    the instant can be anywhere; reading "no zone" as "not in force" would allow."""
    consumer = _unlocated(flags=ConsumerFlags(opt_outs=[OptOut(channel="letter")]))
    decision = engine.evaluate(_contact(consumer, channel="letter"))
    assert "US-FED-REGF-1006.14h-MEDIUM-OPTOUT-NONELECTRONIC" in _ids(decision)


def test_unknown_zone_still_denies_a_letter(engine: Engine) -> None:
    """A zone name the database does not know stays fail-closed for every channel."""
    consumer = _consumer(zones=["Mars/Olympus_Mons"])
    decision = engine.evaluate(_contact(consumer, channel="letter"))
    assert _ids(decision) == ["CONTACTRULES-UNKNOWN-ZONE"]
    assert K4 in decision.reasons[0].citation


# --- the consumer-initiated reply exception is at the same place ---------------------------
WORK_INCONVENIENT = ConsumerFlags(inconvenient_places=["work"])


def _inbound_call(to: str | None, **fields: object) -> ContactRecord:
    return ContactRecord.model_validate(
        {
            "channel": "call",
            "at": _at(2, 9),
            "debt_ids": ["D1"],
            "outcome": "conversation",
            "initiated_by": "consumer",
            "to": to,
            **fields,
        }
    )


@pytest.mark.parametrize(
    ("inbound", "allowed"),
    [
        pytest.param(_inbound_call(MOBILE), False, id="consumer-called-from-the-mobile"),
        pytest.param(_inbound_call(None), False, id="place-not-recorded"),
        pytest.param(_inbound_call(MOBILE, to_work=False), False, id="marked-not-work"),
        pytest.param(_inbound_call(WORK_PHONE), True, id="consumer-called-from-work"),
        pytest.param(_inbound_call(OTHER_MOBILE, to_work=True), True, id="marked-work"),
    ],
)
def test_place_reply_needs_the_consumer_to_have_called_from_that_place(
    engine: Engine, inbound: ContactRecord, allowed: bool
) -> None:
    """Comment 6(b)(1)-2: a consumer who initiates contact at a designated inconvenient place
    may get one response at that place through the same medium; a call from the mobile does
    not open the work number. (The 7-day cooldown after a conversation is another rule.)"""
    consumer = _consumer(flags=WORK_INCONVENIENT)
    decision = engine.evaluate(_contact(consumer, to=WORK_PHONE, at=_at(2, 11)), [inbound])
    assert (PLACE not in _ids(decision)) is allowed, decision.as_dict()


def _opt_out_engine() -> Engine:
    return Engine(
        [
            _ruleset(
                {
                    "id": "OPT-OUT",
                    "kind": "consumer_flag",
                    "flag": "medium_opt_out",
                    "channels": ["sms"],
                    "consumer_initiated_reply": True,
                    "citation": "12 CFR 1006.14(h)",
                }
            )
        ]
    )


@pytest.mark.parametrize(("sent_from", "allowed"), [(OTHER_MOBILE, False), (MOBILE, True)])
def test_reply_to_an_opted_out_number_needs_a_text_from_that_number(
    sent_from: str, allowed: bool
) -> None:
    """12 CFR 1006.14(h): an opt-out of texts to one number is lifted for one reply only by a
    text the consumer sends from that number after opting out."""
    consumer = _consumer(
        flags=ConsumerFlags(opt_outs=[OptOut(channel="sms", address=MOBILE, at=_at(1, 10))])
    )
    inbound = ContactRecord(
        channel="sms",
        at=_at(2, 9),
        debt_ids=["D1"],
        outcome="delivered",
        initiated_by="consumer",
        to=sent_from,
    )
    decision = _opt_out_engine().evaluate(_contact(consumer, "sms", to=MOBILE), [inbound])
    assert decision.allowed is allowed, decision.as_dict()


# --- the ends of the calendar --------------------------------------------------------------
@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(9999, 12, 31, 22, tzinfo=NY),  # past the last UTC instant
        dt.datetime(9999, 12, 31, 22, tzinfo=CHICAGO),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
        dt.datetime(9999, 12, 20, 23, tzinfo=NY),
        dt.datetime(1, 1, 1, 0, tzinfo=dt.timezone.utc),
        dt.datetime(1, 1, 1, 2, tzinfo=ZoneInfo("Asia/Tokyo")),
    ],
    ids=str,
)
@pytest.mark.parametrize("channel", ["call", "letter"])
def test_instants_at_the_ends_of_the_calendar_are_decided(
    engine: Engine, at: dt.datetime, channel: str
) -> None:
    history = [_inbound_call(MOBILE, at=at, outcome="no_answer")]
    decision = engine.evaluate(_contact(_consumer(), channel, at=at), history)
    if not decision.allowed:
        assert decision.reasons
        if decision.next_allowed_at is None:
            assert decision.next_allowed_note
        else:
            assert decision.next_allowed_at > at


def test_the_last_night_of_the_calendar_has_no_later_time(engine: Engine) -> None:
    at = dt.datetime(9999, 12, 31, 21, 30, tzinfo=CHICAGO)
    decision = engine.evaluate(_contact(_consumer(), at=at))
    assert not decision.allowed
    assert decision.next_allowed_at is None
    assert "no later time can be represented" in (decision.next_allowed_note or "")


def test_the_first_night_of_the_calendar_finds_the_morning(engine: Engine) -> None:
    at = dt.datetime(1, 1, 1, 5, tzinfo=CHICAGO)
    decision = engine.evaluate(_contact(_consumer(), at=at))
    assert _ids(decision) == [HOURS]
    assert decision.next_allowed_at == dt.datetime(1, 1, 1, 8, tzinfo=CHICAGO)


# --- limits: candidate zones, windows, message size ----------------------------------------
US_ZONES = sorted(
    {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Boise",
        "America/Detroit",
        "America/Indiana/Indianapolis",
        "America/Kentucky/Louisville",
        "America/North_Dakota/Center",
        "America/Adak",
        "America/Juneau",
        "America/Nome",
    }
)


def test_more_candidate_zones_than_the_limit_deny_with_the_count(engine: Engine) -> None:
    consumer = _consumer(zones=US_ZONES)
    decision = engine.evaluate(_contact(consumer, at=_at(2, 14)))
    assert not decision.allowed
    assert _ids(decision) == ["CONTACTRULES-TOO-MANY-ZONES"]
    reason = decision.reasons[0]
    assert reason.facts["count"] > MAX_ZONES == reason.facts["limit"]
    assert str(MAX_ZONES) in reason.message
    assert decision.next_allowed_at is None and decision.next_allowed_note


def test_candidate_zones_up_to_the_limit_are_judged(engine: Engine) -> None:
    consumer = _consumer(addresses=[], phones=[], zones=US_ZONES[:MAX_ZONES])
    assert len(consumer.zones) == MAX_ZONES
    decision = engine.evaluate(_contact(consumer, at=_at(2, 14)))
    assert "CONTACTRULES-TOO-MANY-ZONES" not in _ids(decision)


def _windows(count: int) -> str:
    return ", ".join(
        f'{{start: "{h:02d}:{m:02d}", end: "{h:02d}:{m + 1:02d}"}}'
        for h, m in ((i // 30, (i % 30) * 2) for i in range(count))
    )


RULESET = """ruleset: many-windows
title: A rule with many windows
jurisdiction: {{country: US}}
rules:
  - id: MANY
    kind: time_window
    channels: [call]
    windows: [{windows}]
    citation: test
"""


def test_too_many_windows_is_a_located_check_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(RULESET.format(windows=_windows(MAX_WINDOWS + 1)), encoding="utf-8")
    code = main(["check", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{path}:8:5: error" in out  # the windows: key
    assert f"at most {MAX_WINDOWS}" in out
    with pytest.raises(RulesetError):
        Engine.from_path(path)


def test_windows_up_to_the_limit_load(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(RULESET.format(windows=_windows(MAX_WINDOWS)), encoding="utf-8")
    assert Engine.from_path(path).rule("MANY") is not None


def _ruleset(*rules: Mapping[str, object]) -> Ruleset:
    spec = RulesetSpec.model_validate(
        {
            "ruleset": "memory",
            "title": "in memory",
            "jurisdiction": {"country": "US"},
            "rules": list(rules),
        }
    )
    return Ruleset(spec=spec, path="memory.yaml")


def test_a_message_built_from_facts_lists_a_few_and_counts_the_rest() -> None:
    debts = [f"DEBT-{i:03d}" for i in range(400)]
    rule = {
        "id": "CEASE",
        "kind": "consumer_flag",
        "flag": "cease",
        "channels": ["letter"],
        "message": "cease for {debt_ids}",
        "citation": "12 CFR 1006.6(c)",
    }
    consumer = _consumer(
        debts=[Debt(id=d) for d in debts], flags=ConsumerFlags(cease_debt_ids=debts)
    )
    decision = Engine([_ruleset(rule)]).evaluate(_contact(consumer, "letter", debt_ids=debts))
    message = decision.reasons[0].message
    assert message.startswith("cease for DEBT-000, DEBT-001")
    assert "and 390 more" in message
    assert len(message) < 300


def test_window_rules_that_never_meet_end_the_search_with_a_note() -> None:
    morning = {
        "id": "A",
        "kind": "time_window",
        "channels": ["call"],
        "citation": "test",
        "windows": [{"start": "08:00", "end": "09:00"}],
    }
    evening = {
        "id": "B",
        "kind": "time_window",
        "channels": ["call"],
        "citation": "test",
        "windows": [{"start": "18:00", "end": "19:00"}],
    }
    decision = Engine([_ruleset(morning, evening)]).evaluate(_contact(_consumer()))
    assert not decision.allowed
    assert decision.next_allowed_at is None
    assert "no later time helps" in (decision.next_allowed_note or "")


def test_window_rules_that_rarely_meet_find_the_first_common_minute() -> None:
    one = {
        "id": "A",
        "kind": "time_window",
        "channels": ["call"],
        "citation": "test",
        "windows": [
            {"days": ["wed"], "start": "08:00", "end": "09:00"},
            {"days": ["thu"], "start": "12:00", "end": "13:00"},
        ],
    }
    two = {
        "id": "B",
        "kind": "time_window",
        "channels": ["call"],
        "citation": "test",
        "windows": [{"days": "all", "start": "12:30", "end": "14:00"}],
    }
    decision = Engine([_ruleset(one, two)]).evaluate(_contact(_consumer(), at=_at(2, 10)))
    assert decision.next_allowed_at == _at(4, 12, 30)  # Thursday 4 June 2026


# --- history in time order, whatever zone its instants are written in ------------------------
def test_a_record_written_in_a_dst_gap_is_ordered_by_its_utc_instant(engine: Engine) -> None:
    """02:30 on 8 March 2026 does not exist in Los Angeles; written so, it is 10:30 UTC, half an
    hour after a contact at 03:00 PDT (10:00 UTC). Compared by wall clock it came first and
    started a cooldown for a call made before it (12 CFR 1006.14(b)(2)(i)(B))."""
    la = ZoneInfo("America/Los_Angeles")
    consumer = _consumer(
        addresses=[Address(country="US", subdivision="CA", zone="America/Los_Angeles")],
        phones=[Phone(number="+12135550100", zone="America/Los_Angeles")],
    )
    later = ContactRecord(
        channel="call",
        at=dt.datetime(2026, 3, 8, 2, 30, tzinfo=la),
        debt_ids=["D1"],
        outcome="conversation",
    )
    contact = _contact(consumer, at=dt.datetime(2026, 3, 8, 3, 0, tzinfo=la))
    decision = engine.evaluate(contact, [later])
    assert "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN" not in _ids(decision)
