"""Bad inputs: the models refuse them loudly; what they cannot refuse, the engine denies.

The engine fails closed (DESIGN.md, "Cedar's choice is not ours"): an unknown zone, no zone, no
ruleset for the consumer's location or a rule that raises all DENY, with a reason saying why,
and never raise out of ``Engine.evaluate``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError

from contactrules import (
    Address,
    Consumer,
    ConsumerFlags,
    Contact,
    ContactRecord,
    Debt,
    Decision,
    Engine,
    InconvenientTime,
    OptOut,
    Phone,
    Ruleset,
    RulesetSpec,
)
from contactrules.rules.time_window import TimeWindow

NY = ZoneInfo("America/New_York")
NOON = dt.datetime(2026, 6, 2, 12, 0, tzinfo=NY)  # a Tuesday, inside every window
NAIVE = dt.datetime(2026, 6, 2, 12, 0)


def _consumer(**overrides: object) -> Consumer:
    fields: dict[str, object] = {
        "id": "C-1",
        "addresses": [Address(country="US", subdivision="NY")],
        "phones": [Phone(number="+12125550143")],
        "debts": [Debt(id="D1"), Debt(id="D2")],
    }
    fields.update(overrides)
    return Consumer.model_validate(fields)


def _contact(consumer: Consumer | None = None, **overrides: object) -> Contact:
    # Dialled by hand: these tests are about the inputs, not the TCPA's consent to automated
    # calls, which an unstated dial method would need (tests/test_tcpa.py).
    fields: dict[str, object] = {
        "channel": "call",
        "at": NOON,
        "consumer": consumer or _consumer(),
        "debt_ids": ["D1"],
        "dial_method": "manual",
    }
    fields.update(overrides)
    return Contact.model_validate(fields)


def _error_types(exc: ValidationError) -> set[str]:
    return {e["type"] for e in exc.errors()}


def test_the_baseline_contact_is_allowed(engine: Engine) -> None:
    decision = engine.evaluate(_contact())
    assert decision.allowed, decision.as_dict()


# --- the models refuse bad input -----------------------------------------------------------
def test_naive_datetime_for_contact_at() -> None:
    with pytest.raises(ValidationError) as info:
        _contact(at=NAIVE)
    assert "timezone_aware" in _error_types(info.value)
    assert "timezone" in str(info.value)
    assert [e["loc"] for e in info.value.errors()] == [("at",)]


def test_naive_iso_string_for_contact_at() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        _contact(at="2026-06-02T12:00:00")


def test_aware_iso_string_is_accepted() -> None:
    contact = _contact(at="2026-06-02T12:00:00-04:00")
    assert contact.at.utcoffset() == dt.timedelta(hours=-4)


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (
            ContactRecord,
            {"channel": "call", "at": NAIVE, "outcome": "no_answer", "debt_ids": ["D1"]},
        ),
        (OptOut, {"channel": "sms", "at": NAIVE}),
    ],
)
def test_naive_datetimes_are_refused_everywhere(
    model: type[BaseModel], fields: dict[str, object]
) -> None:
    with pytest.raises(ValidationError, match="timezone"):
        model.model_validate(fields)


def test_naive_consent_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        _consumer(consents=[{"scope": "time", "granted_at": NAIVE}])


@pytest.mark.parametrize("channel", ["fax", "CALL", "phone", "", "carrier_pigeon"])
def test_unknown_channel(channel: str) -> None:
    with pytest.raises(ValidationError) as info:
        _contact(channel=channel)
    assert _error_types(info.value) == {"enum"}
    assert "'call'" in str(info.value)


def test_unknown_outcome_in_history() -> None:
    with pytest.raises(ValidationError) as info:
        ContactRecord(channel="call", at=NOON, outcome="busy")
    assert _error_types(info.value) == {"enum"}


@pytest.mark.parametrize("key", ["opted_out", "timezone", "Zones"])
def test_unknown_key_in_consumer(key: str) -> None:
    with pytest.raises(ValidationError) as info:
        _consumer(**{key: True})
    assert _error_types(info.value) == {"extra_forbidden"}
    assert [e["loc"] for e in info.value.errors()] == [(key,)]


@pytest.mark.parametrize(
    ("build", "loc"),
    [
        (lambda: _consumer(flags={"cease_debt_id": ["D1"]}), ("flags", "cease_debt_id")),
        (
            lambda: _consumer(addresses=[{"country": "US", "state": "NY"}]),
            ("addresses", 0, "state"),
        ),
        (lambda: _consumer(phones=[{"number": "+12125550143", "tz": "X"}]), ("phones", 0, "tz")),
        (lambda: _contact(recipent="consumer"), ("recipent",)),
        (
            lambda: ContactRecord(
                channel="call",
                at=NOON,
                outcome="no_answer",
                initiator="consumer",  # type: ignore[call-arg]
            ),
            ("initiator",),
        ),
        (lambda: InconvenientTime(start="09:00", end="10:00", day=["mon"]), ("day",)),  # type: ignore[call-arg]
    ],
)
def test_unknown_keys_are_refused_in_nested_models(
    build: Callable[[], object], loc: tuple[object, ...]
) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    errors = info.value.errors()
    assert [(e["type"], e["loc"]) for e in errors] == [("extra_forbidden", loc)]


def test_debt_ids_not_among_the_consumers_debts() -> None:
    with pytest.raises(ValidationError) as info:
        _contact(debt_ids=["D1", "D9"])
    message = str(info.value)
    assert "D9" in message
    assert "not among the consumer's debts" in message


def test_a_contact_needs_a_debt() -> None:
    with pytest.raises(ValidationError) as info:
        _contact(debt_ids=[])
    assert _error_types(info.value) == {"too_short"}


def test_third_party_contact_needs_its_id() -> None:
    with pytest.raises(ValidationError, match="third_party_id"):
        _contact(recipient="third_party")


@pytest.mark.parametrize("country", ["USA", "U", "1A", ""])
def test_country_must_be_two_letters(country: str) -> None:
    with pytest.raises(ValidationError, match="two-letter"):
        Address(country=country)


def test_country_is_upper_cased() -> None:
    assert Address(country="us").country == "US"


@pytest.mark.parametrize("value", [900, 21.0, "9am", "25:00", "24:01"])
def test_bad_clock_time_in_input(value: object) -> None:
    with pytest.raises(ValidationError):
        InconvenientTime(start=value, end="23:00")


def test_models_are_frozen() -> None:
    contact = _contact()
    with pytest.raises(ValidationError):
        contact.channel = "sms"  # type: ignore[assignment, misc]


# --- the engine fails closed ---------------------------------------------------------------
def _assert_engine_deny(decision: Decision, rule_id: str) -> None:
    assert decision.allowed is False
    assert [r.rule_id for r in decision.reasons] == [rule_id], decision.as_dict()
    reason = decision.reasons[0]
    assert reason.kind == "engine"
    assert reason.severity == "deny"
    assert reason.citation
    assert decision.next_allowed_at is None
    assert decision.next_allowed_note


@pytest.mark.parametrize(
    "consumer",
    [
        pytest.param(_consumer(zones=["Mars/Olympus_Mons"]), id="consumer-zones"),
        pytest.param(_consumer(zones=["America/New_York", "Not/AZone"]), id="one-good-one-bad"),
        pytest.param(_consumer(zones=["../../etc/passwd"]), id="path-traversal"),
        pytest.param(_consumer(zones=[""]), id="empty-name"),
        pytest.param(_consumer(zones=["America/New_York "]), id="trailing-space"),
        pytest.param(
            _consumer(addresses=[Address(country="US", subdivision="NY", zone="Nowhere/City")]),
            id="address-zone",
        ),
        pytest.param(
            _consumer(phones=[Phone(number="+12125550143", zone="Eastern")]), id="phone-zone"
        ),
    ],
)
def test_unknown_zone_denies(engine: Engine, consumer: Consumer) -> None:
    decision = engine.evaluate(_contact(consumer))
    _assert_engine_deny(decision, "CONTACTRULES-UNKNOWN-ZONE")
    assert "unknown time zone" in decision.reasons[0].message


@pytest.mark.parametrize("zone", ["America", "US", "x" * 300], ids=["America", "US", "long"])
def test_zone_name_that_is_not_a_zone_file_denies(engine: Engine, zone: str) -> None:
    decision = engine.evaluate(_contact(_consumer(zones=[zone])))
    _assert_engine_deny(decision, "CONTACTRULES-UNKNOWN-ZONE")


@pytest.mark.parametrize(
    "consumer",
    [
        pytest.param(Consumer(id="C-1", debts=[Debt(id="D1")]), id="nothing-at-all"),
        pytest.param(
            Consumer(id="C-1", addresses=[Address(country="US")], debts=[Debt(id="D1")]),
            id="country-only",
        ),
        pytest.param(
            Consumer(
                id="C-1",
                addresses=[Address(country="US", subdivision="UM")],
                debts=[Debt(id="D1")],
            ),
            id="territory-without-a-zone",  # known to the holiday tables, not the zone tables
        ),
        pytest.param(
            Consumer(id="C-1", phones=[Phone(number="not a number")], debts=[Debt(id="D1")]),
            id="unparsable-phone",
        ),
    ],
)
def test_no_zone_denies(engine: Engine, consumer: Consumer) -> None:
    # Letters and e-mails are judged by their other rules (tests/test_engine_failclosed.py).
    for channel in ("call",):
        decision = engine.evaluate(_contact(consumer, channel=channel))
        _assert_engine_deny(decision, "CONTACTRULES-NO-ZONE")
        assert decision.zones == ()


def test_consumer_only_in_germany_denies(engine: Engine) -> None:
    consumer = Consumer(
        id="C-DE",
        addresses=[Address(country="DE", city="Berlin")],
        zones=["Europe/Berlin"],
        debts=[Debt(id="D1")],
    )
    decision = engine.evaluate(_contact(consumer))
    _assert_engine_deny(decision, "CONTACTRULES-NO-RULESET")
    assert "DE" in decision.reasons[0].message
    assert decision.rulesets == ()
    assert decision.zones == ("Europe/Berlin",)


def test_consumer_with_only_a_german_phone_denies(engine: Engine) -> None:
    consumer = Consumer(
        id="C-DE",
        phones=[Phone(number="+4930123456", zone="Europe/Berlin")],
        debts=[Debt(id="D1")],
    )
    _assert_engine_deny(engine.evaluate(_contact(consumer)), "CONTACTRULES-NO-RULESET")


def test_creditor_not_bound_by_federal_law_is_judged_by_the_law_that_binds_everyone(
    engine: Engine,
) -> None:
    # us/federal binds third-party collectors only (K7); the Bankruptcy Code binds "all
    # entities" (11 U.S.C. 362(a)), so a New York creditor is judged by it, not left unruled
    decision = engine.evaluate(_contact(collector_type="original_creditor"))
    assert "us-federal" not in decision.rulesets
    assert "us-bankruptcy" in decision.rulesets
    assert all(r.rule_id != "CONTACTRULES-NO-RULESET" for r in decision.reasons)


# --- a rule that raises denies ---------------------------------------------------------------
def _one_rule_ruleset(**rule_overrides: object) -> Ruleset:
    rule: dict[str, object] = {
        "id": "T-HOURS",
        "kind": "time_window",
        "channels": ["call", "sms"],
        "windows": [{"days": "all", "start": "08:00", "end": "21:00"}],
        "citation": "12 CFR 1006.6(b)(1)(i)",
    }
    rule.update(rule_overrides)
    spec = RulesetSpec.model_validate(
        {
            "ruleset": "raising",
            "title": "A rule that raises",
            "jurisdiction": {"country": "US"},
            "rules": [rule],
        }
    )
    return Ruleset(spec=spec, path="memory.yaml")


def _boom(self: TimeWindow, ctx: object) -> None:
    raise RuntimeError("kaboom")


@pytest.mark.parametrize("severity", ["deny", "warn"])
def test_rule_that_raises_in_check_denies(monkeypatch: pytest.MonkeyPatch, severity: str) -> None:
    engine = Engine([_one_rule_ruleset(severity=severity)])
    assert engine.evaluate(_contact()).allowed
    monkeypatch.setattr(TimeWindow, "check", _boom)
    decision = engine.evaluate(_contact())
    assert decision.allowed is False
    assert len(decision.reasons) == 1
    reason = decision.reasons[0]
    assert reason.rule_id == "T-HOURS"
    assert reason.severity == "error"
    assert reason.kind == "time_window"
    assert reason.ruleset == "raising"
    assert reason.citation == "12 CFR 1006.6(b)(1)(i)"
    assert "RuntimeError" in reason.message
    assert "kaboom" in reason.message
    # a rule for another channel is not consulted, so it cannot deny
    assert engine.evaluate(_contact(channel="email")).allowed


@pytest.mark.parametrize("severity", ["deny", "warn"])
def test_rule_that_raises_in_check_offers_no_next_time(
    monkeypatch: pytest.MonkeyPatch, severity: str
) -> None:
    engine = Engine([_one_rule_ruleset(severity=severity)])
    monkeypatch.setattr(TimeWindow, "check", _boom)
    decision = engine.evaluate(_contact())
    assert not decision.allowed
    nxt = decision.next_allowed_at
    # whatever the engine offers must be allowed when tried; an erroring rule cannot promise
    # any time, so None (with a note) is the only consistent answer
    if nxt is not None:
        assert engine.evaluate(_contact(at=nxt)).allowed, nxt.isoformat()
    assert nxt is None
    assert decision.next_allowed_note


def test_rule_that_raises_in_dynamic_applies_denies(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine([_one_rule_ruleset()])
    monkeypatch.setattr(TimeWindow, "dynamic_applies", _boom)
    decision = engine.evaluate(_contact())
    assert not decision.allowed
    assert [(r.rule_id, r.severity) for r in decision.reasons] == [("T-HOURS", "error")]


def test_rule_that_raises_in_static_applies_denies(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine([_one_rule_ruleset()])
    monkeypatch.setattr(TimeWindow, "static_applies", _boom)
    decision = engine.evaluate(_contact())
    assert not decision.allowed
    assert [(r.rule_id, r.severity) for r in decision.reasons] == [("T-HOURS", "error")]


def test_rule_that_raises_in_next_ok_still_denies(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine([_one_rule_ruleset()])
    monkeypatch.setattr(TimeWindow, "next_ok", _boom)
    decision = engine.evaluate(_contact(at=NOON.replace(hour=22)))
    assert not decision.allowed
    assert [r.rule_id for r in decision.reasons] == ["T-HOURS"]
    assert decision.next_allowed_at is None
    assert "T-HOURS" in (decision.next_allowed_note or "")


def test_raising_rule_in_the_bundled_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.default()
    monkeypatch.setattr(TimeWindow, "check", _boom)
    decision = engine.evaluate(_contact())
    assert not decision.allowed
    assert [(r.rule_id, r.severity) for r in decision.reasons] == [
        ("US-FED-REGF-1006.6b1i-HOURS", "error")
    ]
    lines = (Path(__file__).resolve().parent.parent / "rulesets/us/federal.yaml").read_text()
    line = lines.splitlines().index("  - id: US-FED-REGF-1006.6b1i-HOURS") + 1
    assert decision.reasons[0].source == f"rulesets/us/federal.yaml:{line}:5"


def test_history_about_unknown_debts_denies(engine: Engine) -> None:
    # records about a debt the consumer does not have cannot be counted for the right debt
    history = [
        ContactRecord(
            channel="call", at=NOON - dt.timedelta(hours=h), outcome="no_answer", debt_ids=["ZZ"]
        )
        for h in range(1, 20)
    ]
    _assert_engine_deny(engine.evaluate(_contact(), history), "CONTACTRULES-INVALID-INPUT")


# --- odd but valid inputs never raise ------------------------------------------------------


def test_history_after_the_contact_is_ignored(engine: Engine) -> None:
    history = [
        ContactRecord(
            channel="call", at=NOON + dt.timedelta(hours=1), outcome="conversation", debt_ids=["D1"]
        )
    ]
    assert engine.evaluate(_contact(), history).allowed


def test_any_aware_tzinfo_is_accepted(engine: Engine) -> None:
    pytz = pytest.importorskip("pytz")
    instants = [
        NOON,
        NOON.astimezone(dt.timezone.utc),
        NOON.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))),
        pytz.timezone("America/Chicago").localize(dt.datetime(2026, 6, 2, 11, 0)),
    ]
    decisions = [engine.evaluate(_contact(at=at)) for at in instants]
    assert all(d.allowed for d in decisions)
    late = [
        dt.datetime(2026, 6, 2, 21, 0, tzinfo=NY),
        pytz.timezone("America/Chicago").localize(dt.datetime(2026, 6, 2, 20, 0)),
        dt.datetime(2026, 6, 3, 1, 0, tzinfo=dt.timezone.utc),
    ]
    for at in late:
        decision = engine.evaluate(_contact(at=at))
        assert not decision.allowed
        assert decision.next_allowed_at == dt.datetime(2026, 6, 3, 8, 0, tzinfo=NY)
        # reported in the caller's own zone
        assert decision.next_allowed_at.utcoffset() == at.utcoffset()


def test_opted_out_medium_gives_no_next_time(engine: Engine) -> None:
    consumer = _consumer(flags=ConsumerFlags(opt_outs=[OptOut(channel="call")]))
    decision = engine.evaluate(_contact(consumer))
    assert not decision.allowed
    assert decision.next_allowed_at is None
