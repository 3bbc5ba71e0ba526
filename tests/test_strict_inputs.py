"""Strict inputs: malformed input is a located error or still a deny, never an allow.

Each case here once turned a deny into an allow (found by fuzzing scenario files):

- a number where an instant belongs (``at: 0``, ``"00"``, ``2026.0602``) was read as Unix time;
- a history record with no ``debt_ids``, or naming a debt the consumer does not have, was
  counted for no debt (the eighth call in seven days passed); a cease or attorney flag naming
  an unknown debt was ignored;
- ``to: ""``, an opt-out ``address: ""`` or ``days: []`` were accepted and matched nothing;
- ``subdivision: US-MA`` matched neither Massachusetts ruleset (a third call in seven days
  passed), and an unknown country or subdivision matched no ruleset without a word.

The same cases are judged through the Python API (a ``ValidationError`` located at the field, or
a deny with an engine reason) and through scenario files (``contactrules evaluate`` exits
non-zero with a ``path:line:col`` error, or prints DENIED — never ALLOWED).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import build_consumer
from pydantic import ValidationError

from contactrules import (
    Address,
    Consent,
    Consumer,
    ConsumerFlags,
    Contact,
    ContactRecord,
    Debt,
    EmailAddress,
    Engine,
    InconvenientTime,
    OptOut,
    Phone,
    Ruleset,
    RulesetSpec,
    Template,
)
from contactrules.cli import main
from contactrules.engine import ENGINE_CITATION
from contactrules.history import FAIL_CLOSED_CITATION, unknown_record_debts
from contactrules.loading.yamlsource import load_yaml_file
from contactrules.rules.ruleset import Jurisdiction
from contactrules.scenario import ProposedContact, Scenario

CHICAGO = ZoneInfo("America/Chicago")  # build_consumer's consumer lives in Chicago, IL
BOSTON = ZoneInfo("America/New_York")
NOON = dt.datetime(2026, 6, 2, 12, 0, tzinfo=CHICAGO)  # a Tuesday, inside every window
GRANTED = "2026-06-01T09:00:00-05:00"

HOURS = "US-FED-REGF-1006.6b1i-HOURS"
SEVEN_IN_SEVEN = "US-FED-REGF-1006.14b2iA-CALL-7IN7"
COOLDOWN = "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN"
CEASE = "US-FED-REGF-1006.6c-CEASE"
ATTORNEY = "US-FED-REGF-1006.6b2-ATTORNEY"
INCONVENIENT = "US-FED-REGF-1006.6b1-KNOWN-INCONVENIENT"
OPT_OUT = "US-FED-REGF-1006.14h-MEDIUM-OPTOUT"
MA_TWO_IN_SEVEN = "US-MA-940CMR-7.04-1f-CALLS-2IN7"
INVALID_INPUT = "CONTACTRULES-INVALID-INPUT"

Loc = tuple[str | int, ...]


def _contact(consumer: Consumer | None = None, **fields: Any) -> Contact:
    # Dialled by hand, so that the TCPA's consent to automated calls (tests/test_tcpa.py) is
    # not what decides.
    data: dict[str, Any] = {
        "channel": "call",
        "at": NOON,
        "consumer": consumer or build_consumer(),
        "debt_ids": ["D1"],
        "dial_method": "manual",
    }
    data.update(fields)
    return Contact.model_validate(data)


def _record(at: object, **fields: Any) -> ContactRecord:
    data: dict[str, Any] = {"channel": "call", "at": at, "outcome": "no_answer"}
    data.update(fields)
    return ContactRecord.model_validate(data)


def _errors(build: Callable[[], object]) -> list[tuple[Loc, str]]:
    with pytest.raises(ValidationError) as info:
        build()
    return [(tuple(e["loc"]), e["type"]) for e in info.value.errors()]


def _rule_ids(decision: Any) -> list[str]:
    return [r.rule_id for r in decision.reasons]


# --- 1. instants are ISO 8601 text with an offset, or aware datetimes; never numbers --------
# pydantic's lax mode read each of these as seconds since 1970 (UTC).
NUMBERS = [0, -1, 1780000000, 2026.0602, "0", "00", "1780000000", "2026.0602"]

INSTANT_FIELDS: list[tuple[str, Callable[[object], object], Loc]] = [
    ("Contact.at", lambda v: _contact(at=v), ("at",)),
    ("ContactRecord.at", lambda v: _record(v), ("at",)),
    ("OptOut.at", lambda v: OptOut.model_validate({"channel": "sms", "at": v}), ("at",)),
    (
        "Consent.granted_at",
        lambda v: Consent.model_validate({"scope": "time", "granted_at": v}),
        ("granted_at",),
    ),
    (
        "Consent.expires_at",
        lambda v: Consent.model_validate({"scope": "time", "granted_at": GRANTED, "expires_at": v}),
        ("expires_at",),
    ),
    (
        "Consent.revoked_at",
        lambda v: Consent.model_validate({"scope": "time", "granted_at": GRANTED, "revoked_at": v}),
        ("revoked_at",),
    ),
    (
        "ProposedContact.at",
        lambda v: ProposedContact.model_validate({"channel": "call", "at": v, "debt_ids": ["D1"]}),
        ("at",),
    ),
    *(
        (f"Debt.{key}", lambda v, key=key: Debt.model_validate({"id": "D1", key: v}), (key,))
        for key in (
            "initial_communication_at",
            "validation_notice_at",
            "disputed_at",
            "verification_sent_at",
        )
    ),
    (
        "EmailAddress.notice_sent_at",
        lambda v: EmailAddress.model_validate({"address": "a@example.com", "notice_sent_at": v}),
        ("notice_sent_at",),
    ),
    (
        "Phone.reassigned_check_at",
        lambda v: Phone.model_validate({"number": "+13125550111", "reassigned_check_at": v}),
        ("reassigned_check_at",),
    ),
]


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
@pytest.mark.parametrize(
    ("name", "build", "loc"), INSTANT_FIELDS, ids=[f[0] for f in INSTANT_FIELDS]
)
def test_a_number_is_not_an_instant(
    name: str, build: Callable[[object], object], loc: Loc, value: object
) -> None:
    assert _errors(lambda: build(value)) == [(loc, "instant_type")]


def test_the_instant_table_covers_every_instant_of_the_input() -> None:
    """Every date-time field of the scenario document is in INSTANT_FIELDS above."""

    def walk(schema: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        models = {**schema.get("$defs", {}), schema["title"]: schema}
        for title, model in models.items():
            for field, spec in model.get("properties", {}).items():
                if "date-time" in json.dumps(spec):
                    found.add(f"{title}.{field}")
        return found

    covered = {name for name, _build, _loc in INSTANT_FIELDS}
    assert walk(Scenario.model_json_schema()) | walk(Contact.model_json_schema()) == covered


@pytest.mark.parametrize(
    "value",
    [
        "2026-06-02T12:00:00-05:00",
        "2026-06-02T17:00:00Z",
        "2026-06-02 12:00-05:00",
        dt.datetime(2026, 6, 2, 17, 0, tzinfo=dt.timezone.utc),
        NOON,
    ],
    ids=str,
)
def test_iso_text_with_an_offset_and_aware_datetimes_are_instants(value: object) -> None:
    assert _contact(at=value).at == NOON


# --- 2. records without debt ids count against every debt --------------------------------
def _calls_this_week(**fields: Any) -> list[ContactRecord]:
    """Seven unanswered calls, one on each of the seven local days ending today (2 June)."""
    return [_record(NOON - dt.timedelta(days=d, hours=2), **fields) for d in range(7)]


@pytest.mark.parametrize("debt", ["D1", "D2"])
def test_calls_with_no_debt_ids_count_against_every_debt(engine: Engine, debt: str) -> None:
    # 12 CFR 1006.14(b)(2)(i)(A): the eighth call in seven days; the dialer did not log the debt
    consumer = build_consumer(debts=("D1", "D2"))
    decision = engine.evaluate(_contact(consumer, debt_ids=[debt]), _calls_this_week())
    assert SEVEN_IN_SEVEN in _rule_ids(decision), decision.as_dict()
    reason = next(r for r in decision.reasons if r.rule_id == SEVEN_IN_SEVEN)
    assert reason.facts["debt_id"] == debt
    assert reason.facts["count"] == 7


def test_calls_about_one_debt_still_do_not_count_for_another(engine: Engine) -> None:
    consumer = build_consumer(debts=("D1", "D2"))
    history = _calls_this_week(debt_ids=["D1"])
    assert SEVEN_IN_SEVEN in _rule_ids(engine.evaluate(_contact(consumer), history))
    assert engine.evaluate(_contact(consumer, debt_ids=["D2"]), history).allowed


def test_a_conversation_with_no_debt_ids_blocks_every_debt(engine: Engine) -> None:
    # 12 CFR 1006.14(b)(2)(i)(B): seven days after a telephone conversation
    consumer = build_consumer(debts=("D1", "D2"))
    talk = _record(NOON - dt.timedelta(days=1), outcome="conversation")
    for debt in ("D1", "D2"):
        decision = engine.evaluate(_contact(consumer, debt_ids=[debt]), [talk])
        assert COOLDOWN in _rule_ids(decision), decision.as_dict()


# --- 2. a debt id the consumer does not have is an input error ----------------------------
@pytest.mark.parametrize(
    ("debt_ids", "record", "position"),
    [(["D9"], 0, 0), (["D1", "d1"], 3, 1), (["D1 "], 6, 0)],
    ids=["unknown", "wrong-case", "trailing-space"],
)
def test_a_record_about_a_debt_the_consumer_lacks_denies(
    engine: Engine, debt_ids: list[str], record: int, position: int
) -> None:
    history = [
        _record(r.at, debt_ids=debt_ids if i == record else ["D1"])
        for i, r in enumerate(_calls_this_week())
    ]
    decision = engine.evaluate(_contact(), history)
    assert decision.allowed is False
    assert _rule_ids(decision) == [INVALID_INPUT], decision.as_dict()
    reason = decision.reasons[0]
    assert (reason.kind, reason.severity, reason.citation) == ("engine", "deny", ENGINE_CITATION)
    assert reason.facts["record"] == record
    assert reason.facts["debt_id"] == debt_ids[position]
    assert reason.facts["count"] == 1
    assert decision.next_allowed_at is None
    assert decision.next_allowed_note
    assert debt_ids[position] in reason.message


def test_the_engine_cites_its_own_fail_closed_policy() -> None:
    assert FAIL_CLOSED_CITATION == ENGINE_CITATION


def test_one_function_finds_unknown_record_debts() -> None:
    consumer = build_consumer(debts=("D1", "D2"))
    history = [_record(NOON, debt_ids=["D2", "X"]), _record(NOON), _record(NOON, debt_ids=["Y"])]
    found = [(u.record, u.position, u.debt_id) for u in unknown_record_debts(consumer, history)]
    assert found == [(0, 1, "X"), (2, 0, "Y")]


def test_a_scenario_with_a_record_about_an_unknown_debt_is_invalid() -> None:
    data = {
        "consumer": build_consumer().model_dump(mode="json"),
        "history": [
            {"channel": "call", "at": GRANTED, "outcome": "no_answer"},
            {"channel": "call", "at": GRANTED, "outcome": "no_answer", "debt_ids": ["D1", "D2"]},
        ],
        "contacts": [{"channel": "call", "at": GRANTED, "debt_ids": ["D1"]}],
    }
    assert _errors(lambda: Scenario.model_validate(data)) == [
        (("history", 1, "debt_ids", 1), "unknown_debt")
    ]


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"flags": {"cease_debt_ids": ["D9"]}}, ("flags", "cease_debt_ids", 0)),
        ({"flags": {"cease_debt_ids": ["D1", "d1"]}}, ("flags", "cease_debt_ids", 1)),
        ({"flags": {"attorney_debt_ids": ["D1 "]}}, ("flags", "attorney_debt_ids", 0)),
        (
            {"consents": [{"scope": "time", "granted_at": GRANTED, "debt_ids": ["D2"]}]},
            ("consents", 0, "debt_ids", 0),
        ),
    ],
    ids=["cease", "cease-case", "attorney-space", "consent"],
)
def test_flags_and_consents_name_only_the_consumers_debts(fields: dict[str, Any], loc: Loc) -> None:
    errors = _errors(
        lambda: Consumer.model_validate({"id": "C-1", "debts": [{"id": "D1"}], **fields})
    )
    assert errors == [(loc, "unknown_debt")]


def test_an_unknown_debt_error_names_the_debt_and_the_known_ones() -> None:
    with pytest.raises(ValidationError) as info:
        build_consumer(debts=("D1", "D2"), flags={"cease_debt_ids": ["D-1"]})
    assert """debt "D-1" is not among the consumer's debts (D1, D2)""" in str(info.value)


# --- 3. empty and blank values where a value is needed ------------------------------------
def _consumer_with(**fields: Any) -> Callable[[], object]:
    return lambda: Consumer.model_validate({"id": "C-1", "debts": [{"id": "D1"}], **fields})


BLANKS: list[tuple[str, Callable[[str], object], Loc]] = [
    ("Contact.to", lambda v: _contact(to=v), ("to",)),
    (
        "Contact.third_party_id",
        lambda v: _contact(recipient="third_party", third_party_id=v),
        ("third_party_id",),
    ),
    ("Consumer.id", lambda v: build_consumer(id=v), ("id",)),
    ("Consumer.language", lambda v: build_consumer(language=v), ("language",)),
    ("Debt.id", lambda v: Debt(id=v), ("id",)),
    ("Phone.number", lambda v: Phone(number=v), ("number",)),
    ("Phone.zone", lambda v: Phone(number="+13125550111", zone=v), ("zone",)),
    ("EmailAddress.address", lambda v: EmailAddress(address=v), ("address",)),
    ("Address.city", lambda v: Address(country="US", subdivision="IL", city=v), ("city",)),
    ("Address.postal_code", lambda v: Address(country="US", postal_code=v), ("postal_code",)),
    ("Address.zone", lambda v: Address(country="US", zone=v), ("zone",)),
    ("OptOut.address", lambda v: OptOut(channel="sms", address=v), ("address",)),
    (
        "Consent.address",
        lambda v: Consent.model_validate({"scope": "time", "granted_at": GRANTED, "address": v}),
        ("address",),
    ),
    (
        "ConsumerFlags.cease_debt_ids",
        lambda v: ConsumerFlags(cease_debt_ids=[v]),
        ("cease_debt_ids", 0),
    ),
    (
        "ConsumerFlags.attorney_debt_ids",
        lambda v: ConsumerFlags(attorney_debt_ids=[v]),
        ("attorney_debt_ids", 0),
    ),
    ("Template.id", lambda v: Template(id=v), ("id",)),
    ("Template.language", lambda v: Template(language=v), ("language",)),
    ("ContactRecord.to", lambda v: _record(NOON, to=v), ("to",)),
    (
        "ContactRecord.third_party_id",
        lambda v: _record(NOON, recipient="third_party", third_party_id=v),
        ("third_party_id",),
    ),
    ("ContactRecord.debt_ids", lambda v: _record(NOON, debt_ids=[v]), ("debt_ids", 0)),
    (
        "ProposedContact.to",
        lambda v: ProposedContact.model_validate(
            {"channel": "sms", "at": GRANTED, "debt_ids": ["D1"], "to": v}
        ),
        ("to",),
    ),
]


@pytest.mark.parametrize("value", ["", " ", "\t\n"], ids=["empty", "space", "whitespace"])
@pytest.mark.parametrize(("name", "build", "loc"), BLANKS, ids=[b[0] for b in BLANKS])
def test_a_blank_string_is_not_a_value(
    name: str, build: Callable[[str], object], loc: Loc, value: str
) -> None:
    assert _errors(lambda: build(value)) == [(loc, "blank_string")]


EMPTY_LISTS: list[tuple[str, Callable[[], object], Loc]] = [
    (
        "InconvenientTime.days",
        lambda: InconvenientTime(days=[], start="12:00", end="13:00"),
        ("days",),
    ),
    (
        "InconvenientTime.channels",
        lambda: InconvenientTime(start="12:00", end="13:00", channels=[]),
        ("channels",),
    ),
    (
        "Consent.debt_ids",
        lambda: Consent.model_validate({"scope": "time", "granted_at": GRANTED, "debt_ids": []}),
        ("debt_ids",),
    ),
]


@pytest.mark.parametrize(("name", "build", "loc"), EMPTY_LISTS, ids=[e[0] for e in EMPTY_LISTS])
def test_an_empty_list_that_selects_is_not_a_value(
    name: str, build: Callable[[], object], loc: Loc
) -> None:
    assert _errors(build) == [(loc, "too_short")]


def test_free_text_may_be_empty() -> None:
    # the template rules judge an empty message (a required disclosure is then missing)
    assert Template(text="").text == ""
    assert ProposedContact.model_validate(
        {"label": "", "channel": "call", "at": GRANTED, "debt_ids": ["D1"]}
    )


# --- 4. subdivisions: one spelling, known to a table --------------------------------------
@pytest.mark.parametrize("written", ["MA", "ma", " MA ", "US-MA", "us-ma", " Us-Ma "])
def test_a_subdivision_is_kept_as_its_upper_case_suffix(written: str) -> None:
    assert Address(country="US", subdivision=written).subdivision == "MA"


@pytest.mark.parametrize(
    ("country", "subdivision"),
    [("CA", "CA-ON"), ("ca", "on"), ("AU", "AU-VIC"), ("GB", "gb-sct")],
)
def test_other_countries_are_normalised_too(country: str, subdivision: str) -> None:
    address = Address(country=country, subdivision=subdivision)
    assert address.subdivision == subdivision.upper().rpartition("-")[2]


@pytest.mark.parametrize(
    ("country", "subdivision", "loc"),
    [
        ("US", "CA-ON", ("subdivision",)),  # the prefix names another country
        ("US", "ZZ", ("subdivision",)),
        ("US", "Massachusetts", ("subdivision",)),
        ("US", "US-", ("subdivision",)),
        ("CA", "XX", ("subdivision",)),
        ("IE", "D", ("subdivision",)),  # no table divides Ireland
        ("ZZ", None, ("country",)),
        ("XX", "MA", ("country",)),
        ("UK", None, ("country",)),  # GB is the code
    ],
)
def test_an_unknown_place_is_a_validation_error(
    country: str, subdivision: str | None, loc: Loc
) -> None:
    assert _errors(lambda: Address(country=country, subdivision=subdivision)) == [
        (loc, "value_error")
    ]


def _boston(subdivision: str) -> Consumer:
    return build_consumer(
        addresses=[Address(country="US", subdivision=subdivision, city="Boston")],
        phones=[Phone(number="+16175550100", type="mobile")],
    )


@pytest.mark.parametrize("written", ["MA", "US-MA", "us-ma", " ma "])
def test_a_third_call_in_seven_days_in_massachusetts_is_denied(
    engine: Engine, written: str
) -> None:
    # 940 CMR 7.04(1)(f), 209 CMR 18.16(1)(d): two calls in seven days to a personal number
    at = dt.datetime(2026, 6, 2, 12, 0, tzinfo=BOSTON)
    history = [_record(at - dt.timedelta(days=d), debt_ids=["D1"]) for d in (1, 2)]
    decision = engine.evaluate(_contact(_boston(written), at=at, to="+16175550100"), history)
    assert {"us-ma-940cmr", "us-ma-209cmr"} <= set(decision.rulesets)
    assert MA_TWO_IN_SEVEN in _rule_ids(decision), decision.as_dict()


@pytest.mark.parametrize("written", ["US-MA", "us-ma", "MA"])
def test_a_ruleset_may_name_its_subdivision_in_full(engine: Engine, written: str) -> None:
    spec = RulesetSpec.model_validate(
        {
            "ruleset": "full-code",
            "title": "A ruleset written with the full ISO 3166-2 code",
            "jurisdiction": {"country": "US", "subdivision": written},
            "rules": [
                {"id": "T-NO-CALLS", "kind": "prohibited", "channels": ["call"], "citation": "t"}
            ],
        }
    )
    assert spec.jurisdiction.subdivision == "MA"
    decision = Engine([Ruleset(spec=spec, path="memory.yaml")]).evaluate(
        _contact(_boston("MA"), to="+16175550100")
    )
    assert _rule_ids(decision) == ["T-NO-CALLS"]


def test_a_jurisdiction_in_another_country_is_refused() -> None:
    assert _errors(lambda: Jurisdiction(country="US", subdivision="CA-ON")) == [
        (("subdivision",), "value_error")
    ]


def test_a_jurisdiction_matches_any_spelling_of_its_subdivision() -> None:
    ma = Jurisdiction(country="US", subdivision="MA")
    assert all(ma.matches("US", s, None) for s in ("MA", "ma", "US-MA", " us-ma "))
    assert not ma.matches("US", "CA-MA", None)
    assert not ma.matches("US", None, None)


# --- 5. the same through scenario files and the command line ------------------------------
PROBLEM = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): error (?P<code>[\w.-]+) (?P<msg>.+)$"
)


def _chicago(**fields: Any) -> dict[str, Any]:
    return build_consumer(**fields).model_dump(mode="json", exclude_defaults=True)


def _call(at: str = "2026-06-02T12:00:00-05:00", **fields: Any) -> dict[str, Any]:
    # Dialled by hand: each base scenario is denied by the rule it names, not by the TCPA.
    return {"channel": "call", "at": at, "debt_ids": ["D1"], "dial_method": "manual", **fields}


def _week_of_calls(offset: str = "-05:00") -> list[dict[str, Any]]:
    days = ["05-27", "05-28", "05-29", "05-30", "05-31", "06-01", "06-02"]
    return [
        {
            "channel": "call",
            "at": f"2026-{d}T10:00:00{offset}",
            "debt_ids": ["D1"],
            "outcome": "no_answer",
        }
        for d in days
    ]


BASES: dict[str, tuple[dict[str, Any], str]] = {
    "late-call": (
        {"consumer": _chicago(), "contacts": [_call("2026-06-02T21:05:00-05:00")]},
        HOURS,
    ),
    "eighth-call": (
        {"consumer": _chicago(), "history": _week_of_calls(), "contacts": [_call()]},
        SEVEN_IN_SEVEN,
    ),
    "cease": (
        {"consumer": _chicago(flags={"cease_debt_ids": ["D1"]}), "contacts": [_call()]},
        CEASE,
    ),
    "attorney": (
        {"consumer": _chicago(flags={"attorney_debt_ids": ["D1"]}), "contacts": [_call()]},
        ATTORNEY,
    ),
    "inconvenient": (
        {
            "consumer": _chicago(
                flags={"inconvenient_times": [{"days": ["tue"], "start": "12:00", "end": "13:00"}]}
            ),
            "contacts": [_call("2026-06-02T12:30:00-05:00")],
        },
        INCONVENIENT,
    ),
    "opt-out": (
        {
            "consumer": _chicago(
                flags={"opt_outs": [{"channel": "sms", "address": "+13125550111"}]}
            ),
            "contacts": [{**_call(), "channel": "sms", "to": "+13125550111"}],
        },
        OPT_OUT,
    ),
    "consent-for-another-debt": (
        {
            "consumer": _chicago(
                debts=("D1", "D2"),
                consents=[{"scope": "time", "granted_at": GRANTED, "debt_ids": ["D2"]}],
            ),
            "contacts": [_call("2026-06-02T21:05:00-05:00")],
        },
        HOURS,
    ),
    "massachusetts": (
        {
            "consumer": {
                "id": "C-MA",
                "addresses": [{"country": "US", "subdivision": "MA", "city": "Boston"}],
                "phones": [{"number": "+16175550100", "type": "mobile"}],
                "debts": [{"id": "D1"}],
            },
            "history": _week_of_calls("-04:00")[-3:-1],
            "contacts": [_call("2026-06-02T12:00:00-04:00", to="+16175550100")],
        },
        MA_TWO_IN_SEVEN,
    ),
}


def _mutated(base: str, path: Loc, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASES[base][0])
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any]
) -> tuple[Path, int, str, str]:
    path = tmp_path / "scenario.yaml"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    code = main(["evaluate", str(path)])
    out, err = capsys.readouterr()
    return path, code, out, err


@pytest.mark.parametrize("base", sorted(BASES))
def test_each_base_scenario_is_denied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base: str
) -> None:
    _path, code, out, err = _evaluate(tmp_path, capsys, BASES[base][0])
    assert (code, err) == (0, "")
    assert "DENIED" in out and "ALLOWED" not in out
    assert BASES[base][1] in out


ERRORS: list[tuple[str, Loc, Any]] = [
    ("late-call", ("contacts", 0, "at"), 0),
    ("late-call", ("contacts", 0, "at"), "00"),
    ("late-call", ("contacts", 0, "at"), 2026.0602),
    ("eighth-call", ("history", 3, "at"), 0),
    ("eighth-call", ("history", 2, "debt_ids", 0), "D-1"),
    ("eighth-call", ("history", 5, "debt_ids", 0), "d1"),
    ("cease", ("consumer", "flags", "cease_debt_ids", 0), "d1"),
    ("attorney", ("consumer", "flags", "attorney_debt_ids", 0), "D1 "),
    ("inconvenient", ("consumer", "flags", "inconvenient_times", 0, "days"), []),
    ("inconvenient", ("consumer", "flags", "inconvenient_times", 0, "channels"), []),
    ("opt-out", ("contacts", 0, "to"), ""),
    ("opt-out", ("consumer", "flags", "opt_outs", 0, "address"), ""),
    ("opt-out", ("consumer", "flags", "opt_outs", 0, "at"), "0"),
    ("consent-for-another-debt", ("consumer", "consents", 0, "debt_ids", 0), "D9"),
    ("consent-for-another-debt", ("consumer", "consents", 0, "debt_ids"), []),
    ("consent-for-another-debt", ("consumer", "consents", 0, "granted_at"), 0),
    ("massachusetts", ("consumer", "addresses", 0, "subdivision"), "CA-ON"),
    ("massachusetts", ("consumer", "addresses", 0, "subdivision"), "ZZ"),
    ("massachusetts", ("consumer", "addresses", 0, "country"), "XX"),
    ("massachusetts", ("history", 0, "at"), "00"),
]


@pytest.mark.parametrize(
    ("base", "path", "value"),
    ERRORS,
    ids=[f"{b}-{'.'.join(map(str, p))}={v!r}" for b, p, v in ERRORS],
)
def test_malformed_scenario_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base: str, path: Loc, value: Any
) -> None:
    file, code, out, err = _evaluate(tmp_path, capsys, _mutated(base, path, value))
    assert code == 1, out
    assert "ALLOWED" not in out
    problems = [PROBLEM.match(line) for line in err.splitlines() if line.strip()]
    assert problems and all(problems), err
    doc = load_yaml_file(file)
    expected = {str(doc.locate(path)), str(doc.locate(path, key=True))}
    where = [f"{m['path']}:{m['line']}:{m['col']}" for m in problems if m]
    assert where[0] in expected, (err, expected)
    assert problems[0] and problems[0]["code"].startswith("input.")


def _without_debt_ids(base: str) -> dict[str, Any]:
    data = copy.deepcopy(BASES[base][0])
    for record in data["history"]:
        del record["debt_ids"]
    return data


DENIES: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    (
        "records-with-empty-debt-ids",
        lambda: _mutated("eighth-call", ("history", 0, "debt_ids"), []),
    ),
    ("records-without-debt-ids", lambda: _without_debt_ids("eighth-call")),
    *[
        (
            f"subdivision={written!r}",
            lambda w=written: _mutated(
                "massachusetts", ("consumer", "addresses", 0, "subdivision"), w
            ),
        )
        for written in ("US-MA", "us-ma", " ma ")
    ],
]


@pytest.mark.parametrize(("name", "build"), DENIES, ids=[d[0] for d in DENIES])
def test_a_reading_that_stays_valid_stays_denied(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    build: Callable[[], dict[str, Any]],
) -> None:
    base = "massachusetts" if name.startswith("subdivision") else "eighth-call"
    _file, code, out, err = _evaluate(tmp_path, capsys, build())
    assert (code, err) == (0, "")
    assert "DENIED" in out and "ALLOWED" not in out
    assert BASES[base][1] in out


def test_a_case_file_expecting_a_number_as_the_next_time_is_a_located_error(
    tmp_path: Path,
) -> None:
    """Case files use the same instants as scenarios: ``next_allowed_at: 0`` is not 1970."""
    from contactrules.casefile import load_cases
    from contactrules.diagnostics import RulesetError

    case_file = tmp_path / "x.cases.yaml"
    case_file.write_text(
        "cases:\n"
        "  - name: a number as the next time\n"
        "    source: test\n"
        "    consumer: {id: C-1, addresses: [{country: US, subdivision: IL}], debts: [{id: D1}]}\n"
        '    contact: {channel: call, at: "2026-06-02T21:30:00-05:00", debt_ids: [D1]}\n'
        "    expect: {allowed: false, next_allowed_at: 0}\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesetError) as caught:
        load_cases(case_file)
    (problem,) = caught.value.diagnostics
    assert (problem.location.line, problem.location.col) == (6, 47), str(problem)
    assert "numbers are not instants" in problem.message
