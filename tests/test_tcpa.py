"""The TCPA ruleset (rulesets/us/tcpa.yaml) and the ``automated_call`` kind, through the
Python API.

Each row cites the source of its expectation. Reference day: Tuesday 2026-06-02; the consumer
lives in Chicago (UTC-05:00 then). The rows are judged by the TCPA ruleset alone; the tests at
the end judge the same law in the bundled default stack, which every caller gets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contactrules import (
    Consent,
    Consumer,
    ContactRecord,
    Decision,
    DialMethod,
    Engine,
    Phone,
)
from contactrules.loading.loader import lint_paths
from contactrules.models import Contact

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"
TCPA_FILE = RULESETS / "us" / "tcpa.yaml"
WIRELESS = "US-TCPA-227b1Aiii-WIRELESS-CONSENT"
TEXT = "US-TCPA-227b1Aiii-TEXT-CONSENT"
RESIDENTIAL = "US-TCPA-64.1200a3-RESIDENTIAL-PRERECORDED"

NOON = "2026-06-02T12:00:00-05:00"
MOBILE = "+13125550111"
OTHER_MOBILE = "+13125550144"
HOME = "+13125550122"
WORK = "+13125550155"
UNLISTED = "+13125550166"
GRANTED = "2025-01-10T12:00:00-06:00"


@pytest.fixture(scope="module")
def tcpa() -> Engine:
    return Engine.from_path(TCPA_FILE)


def _consent(number: str = MOBILE, **fields: Any) -> dict[str, Any]:
    return {"scope": "automated_calls", "address": number, "granted_at": GRANTED, **fields}


def _reply(text: str, at: str = "2026-06-02T09:00:00-05:00", **fields: Any) -> dict[str, Any]:
    base = {"channel": "sms", "at": at, "outcome": "delivered", "initiated_by": "consumer"}
    return {**base, "to": MOBILE, "text": text, **fields}


def _prerecorded(at: str, to: str = HOME, **fields: Any) -> dict[str, Any]:
    base = {"channel": "call", "at": at, "outcome": "no_answer", "to": to}
    return {**base, "dial_method": "prerecorded", **fields}


@dataclass(frozen=True)
class Row:
    name: str
    source: str
    denied_by: str | None
    contact: dict[str, Any] = field(default_factory=dict)
    consents: tuple[dict[str, Any], ...] = ()
    history: tuple[dict[str, Any], ...] = ()
    phones: tuple[dict[str, Any], ...] = ()


ROWS = [
    Row(
        "prerecorded call to a mobile without consent",
        "47 U.S.C. 227(b)(1)(A)(iii)",
        WIRELESS,
        {"dial_method": "prerecorded"},
    ),
    Row(
        "autodialed call to a mobile with consent given to the creditor",
        "47 U.S.C. 227(b)(1)(A) (prior express consent); FCC 07-232",
        None,
        {"dial_method": "autodialer"},
        consents=(_consent(source="creditor"),),
    ),
    Row(
        "manual call to a mobile needs no TCPA consent",
        "47 U.S.C. 227(b)(1)(A) (only ATDS or artificial/prerecorded voice calls)",
        None,
        {"dial_method": "manual"},
    ),
    Row(
        "unstated dial method counts as automated",
        "47 U.S.C. 227(b)(1)(A)(iii); fail closed",
        WIRELESS,
    ),
    Row(
        "unstated dial method with consent passes",
        "47 U.S.C. 227(b)(1)(A)",
        None,
        consents=(_consent(),),
    ),
    Row(
        "a work number is treated as wireless",
        "47 U.S.C. 227(b)(1)(A)(iii); fail closed (many work numbers are mobiles)",
        WIRELESS,
        {"to": WORK, "dial_method": "autodialer"},
    ),
    Row(
        "a number not among the phones is treated as wireless",
        "47 U.S.C. 227(b)(1)(A)(iii); fail closed",
        WIRELESS,
        {"to": UNLISTED, "dial_method": "autodialer"},
    ),
    Row(
        "consent for another number does not help",
        "47 U.S.C. 227(b)(1)(A)(iii) (consent for the number called)",
        WIRELESS,
        {"to": OTHER_MOBILE, "dial_method": "prerecorded"},
        consents=(_consent(),),
    ),
    Row(
        "consent limited to texts does not cover calls",
        "the consent's own scope (a narrower consent only denies more)",
        WIRELESS,
        {"dial_method": "prerecorded"},
        consents=(_consent(channel="sms"),),
    ),
    Row(
        "consent to calls covers a prerecorded voicemail",
        "47 U.S.C. 227(b)(1)(A) (a voicemail left by a prerecorded voice is such a call)",
        None,
        {"channel": "voicemail", "dial_method": "prerecorded"},
        consents=(_consent(channel="call"),),
    ),
    Row(
        "a revoked consent (revoked_at) does not help",
        "47 CFR 64.1200(a)(10)",
        WIRELESS,
        {"dial_method": "prerecorded"},
        consents=(_consent(revoked_at="2026-05-01T00:00:00-05:00"),),
    ),
    Row(
        "automated text without consent",
        "47 U.S.C. 227(b)(1)(A)(iii) (a text is a call)",
        TEXT,
        {"channel": "sms", "dial_method": "autodialer"},
    ),
    Row(
        "text to a home number is treated as wireless",
        "47 U.S.C. 227(b)(1)(A)(iii); fail closed (a number that takes texts)",
        TEXT,
        {"channel": "sms", "to": HOME},
    ),
    Row(
        "text typed and sent by a person",
        "47 U.S.C. 227(b)(1)(A) (only automated calls)",
        None,
        {"channel": "sms", "dial_method": "manual"},
    ),
    Row(
        "STOP from the number revokes at once",
        "47 CFR 64.1200(a)(10) (a reply of stop revokes); honoured at once",
        TEXT,
        {"channel": "sms", "at": "2026-06-02T09:01:00-05:00"},
        consents=(_consent(),),
        history=(_reply("STOP"),),
    ),
    Row(
        "a reply using a revocation word within a sentence revokes",
        "47 CFR 64.1200(a)(10); whole-word match, fail closed",
        WIRELESS,
        {"dial_method": "autodialer"},
        consents=(_consent(),),
        history=(_reply("Please opt-out me from these calls"),),
    ),
    Row(
        "a word that only contains a revocation word does not revoke",
        "47 CFR 64.1200(a)(10) (the words, not parts of other words)",
        None,
        {"dial_method": "autodialer"},
        consents=(_consent(),),
        history=(_reply("I stopped by the bank, payment is on its way"),),
    ),
    Row(
        "STOP from another number does not revoke this number's consent",
        "47 CFR 64.1200(a)(10) (revocation of consent for the number it came from)",
        None,
        {"dial_method": "autodialer"},
        consents=(_consent(),),
        history=(_reply("STOP", to=OTHER_MOBILE),),
    ),
    Row(
        "an e-mail saying unsubscribe revokes consent for every number",
        "47 CFR 64.1200(a)(10) (any reasonable means); an e-mail names no number: fail closed",
        WIRELESS,
        {"dial_method": "prerecorded"},
        consents=(_consent(),),
        history=(_reply("Unsubscribe", channel="email", to="pat@example.com"),),
    ),
    Row(
        "the collector's own message saying stop revokes nothing",
        "47 CFR 64.1200(a)(10) (a revocation by the called party)",
        None,
        {"dial_method": "autodialer"},
        consents=(_consent(),),
        history=(_reply("Reply STOP to opt out", initiated_by="collector"),),
    ),
    Row(
        "consent given again after a STOP is valid",
        "47 U.S.C. 227(b)(1)(A) (prior express consent, given after the revocation)",
        None,
        {"dial_method": "autodialer"},
        consents=(_consent(granted_at="2026-06-02T10:00:00-05:00"),),
        history=(_reply("STOP"),),
    ),
    Row(
        "a STOP after the judged instant does not count yet",
        "records strictly before the judged instant count (docs/decisions.md)",
        None,
        {"dial_method": "autodialer", "at": "2026-06-02T08:00:00-05:00"},
        consents=(_consent(),),
        history=(_reply("STOP"),),
    ),
    Row(
        "reassigned after consent: no valid consent",
        "47 CFR 64.1200(m); 47 U.S.C. 227(b)(1)(A) (consent of the called party)",
        WIRELESS,
        {"dial_method": "prerecorded"},
        consents=(_consent(),),
        phones=({"number": MOBILE, "type": "mobile", "reassigned_reported_on": "2026-05-01"},),
    ),
    Row(
        "consent given on the day of the report counts as before it",
        "47 CFR 64.1200(m); fail closed (the hour of the report is not known)",
        WIRELESS,
        {"dial_method": "prerecorded"},
        consents=(_consent(granted_at="2026-05-01T18:00:00-05:00"),),
        phones=({"number": MOBILE, "type": "mobile", "reassigned_reported_on": "2026-05-01"},),
    ),
    Row(
        "consent given after the report is the new subscriber's",
        "47 U.S.C. 227(b)(1)(A)",
        None,
        {"dial_method": "prerecorded"},
        consents=(_consent(granted_at="2026-05-20T12:00:00-05:00"),),
        phones=({"number": MOBILE, "type": "mobile", "reassigned_reported_on": "2026-05-01"},),
    ),
    Row(
        "third prerecorded call in 30 days to a residential line",
        "47 CFR 64.1200(a)(3) (three calls within any consecutive 30-day period); FCC 20-186",
        None,
        {"to": HOME, "dial_method": "prerecorded"},
        history=(
            _prerecorded("2026-05-10T10:00:00-05:00"),
            _prerecorded("2026-05-30T10:00:00-05:00"),
        ),
    ),
    Row(
        "fourth prerecorded call in 30 days to a residential line",
        "47 CFR 64.1200(a)(3); FCC 20-186; K3",
        RESIDENTIAL,
        {"to": HOME, "dial_method": "prerecorded"},
        history=(
            _prerecorded("2026-05-04T10:00:00-05:00"),
            _prerecorded("2026-05-10T10:00:00-05:00"),
            _prerecorded("2026-05-30T10:00:00-05:00"),
        ),
    ),
    Row(
        "calls with no dial method or number stated count toward the three",
        "47 CFR 64.1200(a)(3); fail closed",
        RESIDENTIAL,
        {"to": HOME, "dial_method": "prerecorded"},
        history=(
            _prerecorded("2026-05-10T10:00:00-05:00"),
            {"channel": "call", "at": "2026-05-20T10:00:00-05:00", "outcome": "no_answer"},
            {"channel": "voicemail", "at": "2026-05-30T10:00:00-05:00", "outcome": "voicemail"},
        ),
    ),
    Row(
        "calls dialled by hand and calls to other numbers do not count",
        "47 CFR 64.1200(a)(3) (calls using a prerecorded voice, to the residential line)",
        None,
        {"to": HOME, "dial_method": "prerecorded"},
        history=(
            _prerecorded("2026-05-10T10:00:00-05:00"),
            _prerecorded("2026-05-20T10:00:00-05:00", dial_method="manual"),
            _prerecorded("2026-05-30T10:00:00-05:00", to=MOBILE),
            _prerecorded("2026-05-31T10:00:00-05:00"),
        ),
    ),
    Row(
        "consent for the residential line lifts the limit",
        "47 U.S.C. 227(b)(1)(B) (without the prior express consent of the called party)",
        None,
        {"to": HOME, "dial_method": "prerecorded"},
        consents=(_consent(HOME),),
        history=tuple(
            _prerecorded(f"2026-05-{day:02d}T10:00:00-05:00") for day in (20, 21, 22, 23)
        ),
    ),
]


def _judge(engine: Engine, row: Row) -> tuple[bool, list[str], dt.datetime | None]:
    phones = list(row.phones) or [
        {"number": MOBILE, "type": "mobile"},
        {"number": OTHER_MOBILE, "type": "mobile"},
        {"number": HOME, "type": "home"},
        {"number": WORK, "type": "work"},
    ]
    consumer = Consumer.model_validate(
        {
            "id": "C-TCPA",
            "addresses": [{"country": "US", "subdivision": "IL", "city": "Chicago"}],
            "phones": phones,
            "debts": [{"id": "CARD"}],
            "consents": list(row.consents),
        }
    )
    fields: dict[str, Any] = {
        "channel": "call",
        "at": NOON,
        "consumer": consumer,
        "debt_ids": ["CARD"],
        "to": MOBILE,
        **row.contact,
    }
    history = [ContactRecord.model_validate(r) for r in row.history]
    decision = engine.evaluate(Contact.model_validate(fields), history)
    return decision.allowed, [r.rule_id for r in decision.reasons], decision.next_allowed_at


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_tcpa(tcpa: Engine, row: Row) -> None:
    allowed, denied, _next = _judge(tcpa, row)
    if row.denied_by is None:
        assert allowed, (row.source, denied)
    else:
        assert denied == [row.denied_by], (row.source, denied)


@pytest.mark.parametrize(
    "word", ["stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe"]
)
def test_each_revocation_word_of_the_rule_revokes(tcpa: Engine, word: str) -> None:
    """47 CFR 64.1200(a)(10): each of the seven words, whatever its case, is a revocation."""
    row = Row(
        word,
        "47 CFR 64.1200(a)(10)",
        TEXT,
        {"channel": "sms"},
        consents=(_consent(),),
        history=(_reply(word.upper() + "!"),),
    )
    _allowed, denied, next_at = _judge(tcpa, row)
    assert denied == [TEXT] and next_at is None


def test_the_fourth_residential_call_waits_for_the_first_to_leave_the_window(
    tcpa: Engine,
) -> None:
    """K3: the window for a call on 2026-06-02 is 2026-05-04 … 2026-06-02; on 06-03 the call
    of 05-04 has left it (47 CFR 64.1200(a)(3))."""
    row = next(
        r for r in ROWS if r.name == "fourth prerecorded call in 30 days to a residential line"
    )
    _allowed, _denied, next_at = _judge(tcpa, row)
    assert next_at == dt.datetime.fromisoformat("2026-06-03T00:00:00-05:00")


def test_the_deny_says_why_and_which_number(tcpa: Engine) -> None:
    row = Row("msg", "", WIRELESS, consents=(_consent(),), history=(_reply("End"),))
    consumer_phones = [{"number": MOBILE, "type": "mobile"}]
    consumer = Consumer.model_validate(
        {
            "id": "C",
            "addresses": [{"country": "US", "subdivision": "IL", "city": "Chicago"}],
            "phones": consumer_phones,
            "debts": [{"id": "CARD"}],
            "consents": list(row.consents),
        }
    )
    contact = Contact.model_validate(
        {"channel": "call", "at": NOON, "consumer": consumer, "debt_ids": ["CARD"], "to": MOBILE}
    )
    decision = tcpa.evaluate(contact, [ContactRecord.model_validate(r) for r in row.history])
    (reason,) = decision.reasons
    assert reason.facts["consent"] == "revoked"
    assert reason.facts["number"] == MOBILE
    assert "dial method not stated" in reason.message and '"end"' in reason.message


def test_the_tcpa_binds_original_creditors_and_third_party_collectors(tcpa: Engine) -> None:
    """47 U.S.C. 227(b)(1) binds "any person" (convention K7)."""
    (ruleset,) = tcpa.rulesets
    assert {c.value for c in ruleset.spec.binds} == {"third_party_collector", "original_creditor"}


# --- the TCPA in the bundled default stack -------------------------------------------------
def _default_call(
    engine: Engine, dial_method: str | None, collector_type: str = "third_party_collector"
) -> Decision:
    """A call at noon on a Tuesday to the consumer's own mobile, with no consent on record."""
    consumer = Consumer.model_validate(
        {
            "id": "C-TCPA",
            "addresses": [{"country": "US", "subdivision": "NY", "city": "Buffalo"}],
            "phones": [{"number": "+17165550111", "type": "mobile"}],
            "debts": [{"id": "CARD"}],
        }
    )
    contact = Contact.model_validate(
        {
            "channel": "call",
            "at": "2026-06-02T12:00:00-04:00",
            "consumer": consumer,
            "debt_ids": ["CARD"],
            "to": "+17165550111",
            "dial_method": dial_method,
            "collector_type": collector_type,
        }
    )
    return engine.evaluate(contact)


@pytest.mark.parametrize("collector_type", ["third_party_collector", "original_creditor"])
def test_the_default_engine_denies_an_unstated_dial_method_to_a_mobile(
    engine: Engine, collector_type: str
) -> None:
    """47 U.S.C. 227(b)(1)(A)(iii), fail closed: with no dial method stated the call may be
    automated, and no prior express consent for the number is on record."""
    decision = _default_call(engine, None, collector_type)
    assert not decision.allowed
    assert [r.rule_id for r in decision.reasons] == [WIRELESS]
    (reason,) = decision.reasons
    assert reason.ruleset == "us-tcpa"
    assert "dial method not stated" in reason.message
    assert decision.next_allowed_at is None  # waiting does not give consent


@pytest.mark.parametrize("collector_type", ["third_party_collector", "original_creditor"])
def test_the_default_engine_lets_a_call_dialled_by_hand_through_the_tcpa(
    engine: Engine, collector_type: str
) -> None:
    """47 U.S.C. 227(b)(1)(A): only autodialed and artificial or prerecorded voice calls."""
    decision = _default_call(engine, "manual", collector_type)
    assert decision.allowed, decision.as_dict()
    assert "us-tcpa" in decision.rulesets


def test_an_original_creditor_is_judged_under_the_tcpa_where_state_law_binds_only_collectors(
    engine: Engine,
) -> None:
    """New York's bundled law (us-ny) and Regulation F (us-federal) bind third-party collectors
    only; the TCPA binds "any person" (47 U.S.C. 227(b)(1)), so a creditor collecting its own
    debt is judged under it by default, and the decision lists it among the laws applied."""
    creditor = _default_call(engine, None, "original_creditor")
    assert "us-tcpa" in creditor.rulesets
    assert not {"us-ny", "us-federal"} & set(creditor.rulesets)
    assert [r.rule_id for r in creditor.reasons] == [WIRELESS]
    collector = _default_call(engine, "manual")
    assert {"us-tcpa", "us-ny", "us-federal"} <= set(collector.rulesets)


@pytest.mark.parametrize(
    ("model", "data", "error"),
    [
        (Consent, {"scope": "automated_calls", "granted_at": GRANTED}, "consent_number"),
        (Phone, {"number": MOBILE, "reassigned_reported_on": 20260501}, "day_type"),
        (
            ContactRecord,
            {"channel": "sms", "at": NOON, "outcome": "delivered", "dial_method": "robot"},
            "enum",
        ),
    ],
)
def test_bad_tcpa_inputs_are_errors(model: Any, data: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    assert error in {e["type"] for e in caught.value.errors()}


def test_a_rule_on_channels_that_are_never_calls_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "ruleset: mine\ntitle: Mine\njurisdiction: {country: US}\nrules:\n"
        "  - id: MINE-1\n    kind: automated_call\n    channels: [email]\n"
        "    citation: 47 U.S.C. 227(b)(1)(A)(iii)\n",
        encoding="utf-8",
    )
    _rulesets, problems = lint_paths([path])
    assert any(p.code == "ruleset.dead-condition" and "MINE-1" in p.message for p in problems)


@settings(max_examples=60, deadline=None)
@given(
    channel=st.sampled_from(["call", "voicemail", "sms"]),
    method=st.sampled_from([None, *DialMethod]),
    to=st.sampled_from([MOBILE, HOME, WORK, UNLISTED]),
    replies=st.lists(st.sampled_from(["STOP", "ok", "cancel it", "thanks"]), max_size=2),
)
def test_consent_for_the_number_never_makes_a_decision_stricter(
    tcpa: Engine, channel: str, method: DialMethod | None, to: str, replies: list[str]
) -> None:
    """Adding a consent for the number called can only lift denials (47 U.S.C. 227(b)(1))."""
    history = tuple(
        _reply(text, at=f"2026-06-02T0{i + 8}:00:00-05:00", to=to) for i, text in enumerate(replies)
    )
    contact = {"channel": channel, "to": to, "dial_method": method}
    without = Row("without", "", None, contact, history=history)
    with_consent = Row("with", "", None, contact, consents=(_consent(to),), history=history)
    allowed_without, _, _ = _judge(tcpa, without)
    allowed_with, _, _ = _judge(tcpa, with_consent)
    assert allowed_with or not allowed_without
    if method is DialMethod.MANUAL:
        assert allowed_without
