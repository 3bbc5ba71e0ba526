"""The grounds of a decision: for each rule that applied and passed, the basis it relied on.

An allowed e-mail, text or automated call must be defensible as precisely as a denied one, so the
decision names the safe harbor or consent it passed on (12 CFR 1006.6(d)(3)-(5), 1006.22(f)(3);
47 U.S.C. 227(b)). Through the bundled law (the TCPA included), each row citing its source.
Reference day: Tuesday 2026-06-02, noon in Chicago (UTC-05:00). Contacts that are not about the
TCPA say ``dial_method: manual``, so its rules pass without a ground.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import build_consumer
from hypothesis import given, settings
from hypothesis import strategies as st

from contactrules import (
    Consent,
    Consumer,
    ContactRecord,
    Debt,
    Decision,
    EmailAddress,
    Engine,
    Ground,
    Phone,
)
from contactrules.cli import main
from contactrules.models import Contact
from contactrules.rules.consent import ConsentRequired

NOON = "2026-06-02T12:00:00-05:00"
#: Before the history and the contacts, so no contact below is an initial communication.
SENT = "2026-05-01T10:00:00-05:00"
MOBILE = "+13125550111"
HOME = "+13125550122"
HOME_EMAIL = "kim@example.com"
WORK_EMAIL = "kim@employer.example"
EMAIL_TEXT = "This communication is from a debt collector. Please call us. Unsubscribe below."
SMS_TEXT = "This communication is from a debt collector. Please call us. Reply STOP to opt out."

WORK_EMAIL_RULE = "US-FED-REGF-1006.22f3-WORK-EMAIL"
EMAIL_BASIS = "US-FED-REGF-1006.6d4-EMAIL-BASIS"
TEXT_BASIS = "US-FED-REGF-1006.6d5-TEXT-BASIS"
WIRELESS = "US-TCPA-227b1Aiii-WIRELESS-CONSENT"
TEXT_CONSENT = "US-TCPA-227b1Aiii-TEXT-CONSENT"
RESIDENTIAL = "US-TCPA-64.1200a3-RESIDENTIAL-PRERECORDED"


MOBILE_PHONE = {"number": MOBILE, "type": "mobile"}
HOME_PHONES = (MOBILE_PHONE, {"number": HOME, "type": "home"})


def _consumer(
    emails: tuple[dict[str, Any], ...] = (),
    phones: tuple[dict[str, Any], ...] = (),
    consents: tuple[dict[str, Any], ...] = (),
) -> Consumer:
    return build_consumer(
        debts=[Debt(id="D1", initial_communication_at=SENT, validation_notice_at=SENT)],
        emails=[EmailAddress.model_validate(e) for e in emails],
        phones=[Phone.model_validate(p) for p in phones or (MOBILE_PHONE,)],
        consents=[Consent.model_validate(c) for c in consents],
    )


def _inbound(channel: str, at: str, to: str) -> dict[str, Any]:
    """A message the consumer sent the collector from ``to``."""
    return {
        "channel": channel,
        "at": at,
        "debt_ids": ["D1"],
        "outcome": "delivered",
        "initiated_by": "consumer",
        "to": to,
    }


def _prerecorded(at: str, to: str = HOME) -> dict[str, Any]:
    base = {"channel": "call", "at": at, "debt_ids": ["D1"], "outcome": "no_answer"}
    return {**base, "to": to, "dial_method": "prerecorded"}


@dataclass(frozen=True)
class Row:
    name: str
    source: str
    contact: dict[str, Any]
    #: rule id -> the facts its ground must show (a subset of them)
    grounds: dict[str, dict[str, Any]]
    consumer: dict[str, Any] = field(default_factory=dict)
    history: tuple[dict[str, Any], ...] = ()


def _email(to: str) -> dict[str, Any]:
    return {"channel": "email", "to": to, "template": {"text": EMAIL_TEXT}}


def _text() -> dict[str, Any]:
    return {"channel": "sms", "to": MOBILE, "template": {"text": SMS_TEXT}}


ALLOWED_ROWS = [
    Row(
        "e-mail to a creditor-supplied address, notice sent 35 days before",
        "12 CFR 1006.6(d)(4)(ii)",
        _email(HOME_EMAIL),
        {
            EMAIL_BASIS: {
                "basis": "creditor_notice",
                "address": HOME_EMAIL,
                "notice_sent_at": "2026-04-28T12:00:00-05:00",
                "days_since_notice": 35,
            }
        },
        consumer={
            "emails": (
                {
                    "address": HOME_EMAIL,
                    "source": "creditor",
                    "notice_sent_at": "2026-04-28T12:00:00-05:00",
                },
            )
        },
    ),
    Row(
        "e-mail to a work address the consumer wrote from",
        "12 CFR 1006.22(f)(3); comment 22(f)(3)-1; 12 CFR 1006.6(d)(4)(i)(A)",
        _email(WORK_EMAIL),
        {
            WORK_EMAIL_RULE: {
                "basis": "consumer_used_address",
                "used_at": "2026-05-30T10:00:00-05:00",
                "used_channel": "email",
            },
            EMAIL_BASIS: {"basis": "consumer_used_address"},
        },
        consumer={"emails": ({"address": WORK_EMAIL, "employer_provided": True},)},
        history=(_inbound("email", "2026-05-30T10:00:00-05:00", WORK_EMAIL),),
    ),
    Row(
        "e-mail to an address the consumer consented to directly",
        "12 CFR 1006.6(d)(4)(i)(B)",
        _email(HOME_EMAIL),
        {
            EMAIL_BASIS: {
                "basis": "direct_consent",
                "consent_source": "direct",
                "granted_at": "2026-05-15T09:00:00-05:00",
            }
        },
        consumer={
            "emails": ({"address": HOME_EMAIL},),
            "consents": (
                {
                    "scope": "channel",
                    "channel": "email",
                    "address": HOME_EMAIL,
                    "granted_at": "2026-05-15T09:00:00-05:00",
                },
            ),
        },
    ),
    Row(
        "text to a number the consumer texted from 10 days before",
        "12 CFR 1006.6(d)(5)(i)",
        {**_text(), "dial_method": "manual"},
        {
            TEXT_BASIS: {
                "basis": "consumer_used_number_recently",
                "used_at": "2026-05-23T12:00:00-05:00",
                "days_since_use": 10,
                "recent_days": 60,
            }
        },
        history=(_inbound("sms", "2026-05-23T12:00:00-05:00", MOBILE),),
    ),
    Row(
        "text to a number used long ago that a reassigned-numbers check confirmed since",
        "12 CFR 1006.6(d)(5)(ii)",
        {**_text(), "dial_method": "manual"},
        {
            TEXT_BASIS: {
                "basis": "reassigned_check",
                "confirmed_basis": "consumer_used_address",
                "reassigned_check_at": "2026-06-01T12:00:00-05:00",
                "used_at": "2026-01-05T12:00:00-06:00",
            }
        },
        consumer={
            "phones": ({**MOBILE_PHONE, "reassigned_check_at": "2026-06-01T12:00:00-05:00"},)
        },
        history=(_inbound("sms", "2026-01-05T12:00:00-06:00", MOBILE),),
    ),
    Row(
        "autodialed call to a mobile with prior express consent given to the creditor",
        "47 U.S.C. 227(b)(1)(A)(iii)",
        {"channel": "call", "to": MOBILE, "dial_method": "autodialer"},
        {
            WIRELESS: {
                "number": MOBILE,
                "consent": "valid",
                "consent_source": "creditor",
                "granted_at": "2025-01-10T12:00:00-06:00",
                "dial_method": "autodialer",
            }
        },
        consumer={
            "consents": (
                {
                    "scope": "automated_calls",
                    "source": "creditor",
                    "address": MOBILE,
                    "granted_at": "2025-01-10T12:00:00-06:00",
                },
            )
        },
    ),
    Row(
        "automated text to a mobile with consent for texts",
        "47 U.S.C. 227(b)(1)(A)(iii); FCC 2003 TCPA order (texts are calls)",
        {**_text(), "dial_method": "autodialer"},
        {
            TEXT_CONSENT: {
                "consent": "valid",
                "consent_source": "direct",
                "consent_channel": "sms",
            },
            TEXT_BASIS: {"basis": "consumer_used_number_recently"},
        },
        consumer={
            "consents": (
                {
                    "scope": "automated_calls",
                    "channel": "sms",
                    "address": MOBILE,
                    "granted_at": "2026-05-20T12:00:00-05:00",
                },
            )
        },
        history=(_inbound("sms", "2026-05-20T12:00:00-05:00", MOBILE),),
    ),
    Row(
        "second prerecorded call in 30 days to a residential line without consent",
        "47 U.S.C. 227(b)(1)(B); 47 CFR 64.1200(a)(3)(iii); FCC 20-186",
        {"channel": "call", "to": HOME, "dial_method": "prerecorded"},
        {
            RESIDENTIAL: {
                "consent": "none",
                "count": 1,
                "max": 3,
                "days": 30,
                "zone": "America/Chicago",
            }
        },
        consumer={"phones": HOME_PHONES},
        history=(_prerecorded("2026-05-20T11:00:00-05:00"),),
    ),
]


def _evaluate(engine: Engine, row: Row) -> Decision:
    fields: dict[str, Any] = {
        "at": NOON,
        "consumer": _consumer(**row.consumer),
        "debt_ids": ["D1"],
        **row.contact,
    }
    records = [ContactRecord.model_validate(r) for r in row.history]
    return engine.evaluate(Contact.model_validate(fields), records)


def _grounds(decision: Decision) -> dict[str, Ground]:
    return {g.rule_id: g for g in decision.grounds}


@pytest.mark.parametrize("row", ALLOWED_ROWS, ids=[r.name for r in ALLOWED_ROWS])
def test_an_allowed_contact_names_the_basis_it_relied_on(engine: Engine, row: Row) -> None:
    decision = _evaluate(engine, row)
    assert decision.allowed, (row.source, decision.as_dict())
    grounds = _grounds(decision)
    for rule_id, facts in row.grounds.items():
        assert rule_id in grounds, (row.source, sorted(grounds))
        ground = grounds[rule_id]
        shown = {k: ground.facts.get(k) for k in facts}
        assert shown == facts, row.source
        assert ground.citation and ground.ruleset and ground.source, row.source
        assert ground.message.startswith(("relies on", "the ")), ground.message
    # A rule is a ground or an objection, never both.
    objections = {r.rule_id for r in (*decision.reasons, *decision.warnings)}
    assert not objections & set(grounds), row.source


def test_ground_messages_say_what_was_relied_on(engine: Engine) -> None:
    by_name = {r.name: r for r in ALLOWED_ROWS}
    notice = _grounds(_evaluate(engine, ALLOWED_ROWS[0]))[EMAIL_BASIS].message
    assert "creditor notice" in notice and "2026-04-28T12:00:00-05:00" in notice
    assert "35 days" in notice
    free = by_name["second prerecorded call in 30 days to a residential line without consent"]
    message = _grounds(_evaluate(engine, free))[RESIDENTIAL].message
    assert "free_calls exemption: 1 of 3 used in the last 30 days" in message
    wireless = by_name[
        "autodialed call to a mobile with prior express consent given to the creditor"
    ]
    message = _grounds(_evaluate(engine, wireless))[WIRELESS].message
    assert "prior express consent" in message and "to the creditor" in message


@dataclass(frozen=True)
class Refused:
    name: str
    source: str
    row: Row
    #: the rule that objects, and whether it denies (else it warns)
    rule_id: str
    denies: bool


REFUSED_ROWS = [
    Refused(
        "e-mail to a work address taken from the creditor's file",
        "12 CFR 1006.22(f)(3)",
        Row(
            "",
            "",
            _email(WORK_EMAIL),
            {},
            consumer={"emails": ({"address": WORK_EMAIL, "employer_provided": True},)},
        ),
        WORK_EMAIL_RULE,
        True,
    ),
    Refused(
        "e-mail to a creditor-supplied address one day short of the 35",
        "12 CFR 1006.6(d)(4)(ii)",
        Row(
            "",
            "",
            _email(HOME_EMAIL),
            {},
            consumer={
                "emails": (
                    {
                        "address": HOME_EMAIL,
                        "source": "creditor",
                        "notice_sent_at": "2026-04-29T12:00:00-05:00",
                    },
                )
            },
        ),
        EMAIL_BASIS,
        False,
    ),
    Refused(
        "text to a number the consumer last texted from 61 days before",
        "12 CFR 1006.6(d)(5)(i)",
        Row(
            "",
            "",
            {**_text(), "dial_method": "manual"},
            {},
            history=(_inbound("sms", "2026-04-02T12:00:00-05:00", MOBILE),),
        ),
        TEXT_BASIS,
        False,
    ),
    Refused(
        "autodialed call to a mobile without consent",
        "47 U.S.C. 227(b)(1)(A)(iii)",
        Row("", "", {"channel": "call", "to": MOBILE, "dial_method": "autodialer"}, {}),
        WIRELESS,
        True,
    ),
    Refused(
        "fourth prerecorded call in 30 days to a residential line",
        "47 CFR 64.1200(a)(3)(iii)",
        Row(
            "",
            "",
            {"channel": "call", "to": HOME, "dial_method": "prerecorded"},
            {},
            consumer={"phones": HOME_PHONES},
            history=tuple(
                _prerecorded(f"2026-05-{day:02d}T11:00:00-05:00") for day in (12, 19, 26)
            ),
        ),
        RESIDENTIAL,
        True,
    ),
]


@pytest.mark.parametrize("refused", REFUSED_ROWS, ids=[r.name for r in REFUSED_ROWS])
def test_a_rule_that_objects_names_no_ground(engine: Engine, refused: Refused) -> None:
    decision = _evaluate(engine, refused.row)
    objections = decision.reasons if refused.denies else decision.warnings
    assert refused.rule_id in {r.rule_id for r in objections}, refused.source
    assert refused.rule_id not in _grounds(decision), refused.source
    assert decision.allowed is not refused.denies, refused.source


def test_a_manual_call_relies_on_no_tcpa_consent(engine: Engine) -> None:
    """A call a person dials is not an automated call (47 U.S.C. 227(b)(1)(A)): the TCPA rule
    passes because it does not reach the call, which is no basis to name."""
    row = Row("", "", {"channel": "call", "to": MOBILE, "dial_method": "manual"}, {})
    decision = _evaluate(engine, row)
    assert decision.allowed, decision.as_dict()
    assert not [g for g in decision.grounds if g.kind == "automated_call"]


def test_grounds_follow_the_stack_order(engine: Engine) -> None:
    """Federal rules before state rules, and within a ruleset the order they are written."""
    decision = _evaluate(engine, ALLOWED_ROWS[1])
    stack = [rule.id for rs in engine.rulesets for rule in rs.spec.rules]
    ids = [g.rule_id for g in decision.grounds]
    assert ids == sorted(ids, key=stack.index)
    assert ids.index(WORK_EMAIL_RULE) < ids.index(EMAIL_BASIS)


def test_a_ground_hook_that_raises_changes_no_verdict(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verdict is decided before grounds are asked for; a broken hook leaves no ground."""
    before = _evaluate(engine, ALLOWED_ROWS[1])

    def broken(self: ConsentRequired, ctx: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ConsentRequired, "ground", broken)
    after = _evaluate(engine, ALLOWED_ROWS[1])
    assert after.allowed and before.allowed
    assert after.reasons == before.reasons and after.warnings == before.warnings
    assert WORK_EMAIL_RULE in _grounds(before)
    assert not [g for g in after.grounds if g.kind == "consent"]


def test_grounds_are_in_the_decision_dict_as_json(engine: Engine) -> None:
    decision = _evaluate(engine, ALLOWED_ROWS[0])
    data = json.loads(json.dumps(decision.as_dict()))
    grounds = {g["rule_id"]: g for g in data["grounds"]}
    assert grounds[EMAIL_BASIS]["facts"]["basis"] == "creditor_notice"
    assert set(grounds[EMAIL_BASIS]) == {
        "rule_id",
        "kind",
        "citation",
        "message",
        "ruleset",
        "source",
        "zone",
        "facts",
    }


SCENARIO = f"""\
name: work e-mail the consumer wrote from
consumer:
  id: C-1
  addresses:
    - {{country: US, subdivision: IL, city: Chicago}}
  emails:
    - {{address: {WORK_EMAIL}, employer_provided: true}}
  debts:
    - {{id: D1, initial_communication_at: "{SENT}", validation_notice_at: "{SENT}"}}
history:
  - {{channel: email, at: "2026-05-30T10:00:00-05:00", debt_ids: [D1], outcome: delivered,
     initiated_by: consumer, to: {WORK_EMAIL}}}
contacts:
  - channel: email
    at: "{NOON}"
    to: {WORK_EMAIL}
    debt_ids: [D1]
    template: {{text: "{EMAIL_TEXT}"}}
"""


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_evaluate_prints_what_was_relied_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    assert main(["evaluate", "--format", fmt, str(path)]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        (item,) = json.loads(out)
        assert item["decision"]["allowed"] is True
        rule_ids = [g["rule_id"] for g in item["decision"]["grounds"]]
        assert WORK_EMAIL_RULE in rule_ids
    else:
        assert "ALLOWED" in out
        _head, _, tail = out.partition("relied on:")
        assert tail, out
        assert f"- {WORK_EMAIL_RULE} [12 CFR 1006.22(f)(3)" in tail
        assert "consumer used address" in tail


@settings(max_examples=40, deadline=None)
@given(days_ago=st.integers(min_value=1, max_value=120))
def test_text_basis_is_a_ground_exactly_when_it_does_not_warn(
    engine: Engine, days_ago: int
) -> None:
    """12 CFR 1006.6(d)(5)(i): use within 60 days is the basis; the ground says how long ago."""
    at = dt.datetime.fromisoformat(NOON) - dt.timedelta(days=days_ago)
    row = Row(
        "",
        "",
        {**_text(), "dial_method": "manual"},
        {},
        history=(_inbound("sms", at.isoformat(), MOBILE),),
    )
    decision = _evaluate(engine, row)
    warned = TEXT_BASIS in {r.rule_id for r in decision.warnings}
    ground = _grounds(decision).get(TEXT_BASIS)
    assert warned is (days_ago > 60)
    assert (ground is None) is warned
    if ground is not None:
        assert ground.facts["days_since_use"] == days_ago
