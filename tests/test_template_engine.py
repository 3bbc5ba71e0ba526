"""The engine judges the message that will be sent: a contact that names an approved template
by id is rendered from the registry, checked as rendered, and denied when it cannot be resolved.

Each resolution problem is a row: what is wrong, and the words the deny reason must say.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import build_consumer
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contactrules.engine import Engine
from contactrules.models import Address, Channel, Contact, ContactRecord, Outcome, Template
from contactrules.templates import load_registry

CHICAGO = dt.timezone(dt.timedelta(hours=-5))
AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=CHICAGO)

REGISTRY = """\
templates:
  - id: reminder
    version: 1
    language: en
    channel: sms
    purpose: payment_reminder
    jurisdictions: [US]
    body: "{{ name }}, Acme is a debt collector. {{ amount }} is due. Reply STOP to opt out."
    placeholders:
      required: [name, amount]
    approved_by: Test Officer
    approved_on: "2026-01-10"
    effective_from: "2026-02-01"
    effective_until: "2026-06-30"
  - id: reminder
    version: 2
    language: en
    channel: sms
    purpose: payment_reminder
    jurisdictions: [US]
    body: "{{ name }}, Acme Services is a debt collector. Pay {{ amount }}. Reply STOP to opt out."
    placeholders:
      required: [name, amount]
    approved_by: Test Officer
    approved_on: "2026-06-20"
    effective_from: "2026-07-01"
  - id: reminder
    version: 1
    language: es
    channel: sms
    purpose: payment_reminder
    jurisdictions: [US]
    body: "{{ name }}, Acme es un cobrador de deudas. Vence {{ amount }}. Responda STOP."
    placeholders:
      required: [name, amount]
    approved_by: Test Officer
    approved_on: "2026-01-10"
    effective_from: "2026-02-01"
  - id: ny-only
    version: 1
    language: en
    channel: sms
    purpose: payment_reminder
    jurisdictions: [US-NY]
    body: "Acme is a debt collector. Reply STOP to opt out."
    approved_by: Test Officer
    approved_on: "2026-01-10"
    effective_from: "2026-02-01"
  - id: lcm
    version: 1
    language: en
    channel: voicemail
    purpose: limited_content_message
    jurisdictions: [US]
    body: "Hi, this is {{ agent }}. Please call me back at {{ phone }}."
    placeholders:
      required: [agent, phone]
    approved_by: Test Officer
    approved_on: "2026-01-10"
    effective_from: "2026-02-01"
"""
DATA = {"name": "Ana", "amount": "$120.00"}


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Engine]:
    folder = tmp_path_factory.mktemp("registry")
    (folder / "acme.templates.yaml").write_text(REGISTRY, encoding="utf-8")
    plain = Engine.default()
    return plain, plain.with_templates(load_registry([folder]))


def _contact(channel: Channel = Channel.SMS, at: dt.datetime = AT, **template: Any) -> Contact:
    return Contact(
        channel=channel,
        at=at,
        consumer=build_consumer(),
        debt_ids=["D1"],
        to="+13125550111",
        dial_method="manual",
        template=Template(**template),
    )


LATER = [
    ContactRecord(
        channel=Channel.LETTER,
        at=AT - dt.timedelta(days=20),
        debt_ids=["D1"],
        outcome=Outcome.DELIVERED,
    )
]


def test_a_registered_template_is_rendered_judged_and_named(engines: tuple[Engine, Engine]) -> None:
    _, engine = engines
    decision = engine.evaluate(_contact(id="reminder", data=DATA), LATER)
    assert decision.allowed, decision.reasons
    assert decision.template is not None
    assert (decision.template.id, decision.template.version) == ("reminder", 1)
    registry = engine.templates
    assert registry is not None
    chosen = registry.select("reminder", "en", version=1, on=AT.date())
    assert decision.template.content_hash == chosen.content_hash
    assert decision.as_dict()["template"]["content_hash"] == chosen.content_hash


def test_the_rendered_text_is_what_the_rules_read(engines: tuple[Engine, Engine]) -> None:
    """12 CFR 1006.2(j): a limited-content voicemail that leaks the debt through a value is
    not one; only the rendered message shows it."""
    _, engine = engines
    clean = engine.evaluate(
        _contact(Channel.VOICEMAIL, id="lcm", data={"agent": "Jordan", "phone": "800-555-0100"})
    )
    assert clean.allowed, clean.reasons
    leaked = engine.evaluate(
        _contact(
            Channel.VOICEMAIL,
            id="lcm",
            data={"agent": "Jordan about your debt", "phone": "800-555-0100"},
        )
    )
    assert [r.rule_id for r in leaked.reasons] == ["US-FED-REGF-1006.2j-LCM"]


UNRESOLVED = [
    # (what, template fields, channel, words the reason must say)
    ("no such id", {"id": "remindr", "data": DATA}, Channel.SMS, 'did you mean "reminder"'),
    ("no such version", {"id": "reminder", "version": 9, "data": DATA}, Channel.SMS, "version 9"),
    ("no such language", {"id": "reminder", "language": "fr", "data": DATA}, Channel.SMS, '"fr"'),
    ("another channel", {"id": "reminder", "data": DATA}, Channel.EMAIL, "approved for sms"),
    (
        "another purpose",
        {"id": "reminder", "purpose": "collection", "data": DATA},
        Channel.SMS,
        "approved as payment_reminder",
    ),
    ("another jurisdiction", {"id": "ny-only", "data": {}}, Channel.SMS, "US-IL"),
    ("a value missing", {"id": "reminder", "data": {"name": "Ana"}}, Channel.SMS, "amount"),
    (
        "a blank value",
        {"id": "reminder", "data": {"name": "Ana", "amount": " "}},
        Channel.SMS,
        "amount",
    ),
    (
        "a version not in force",
        {"id": "reminder", "version": 2, "data": DATA},
        Channel.SMS,
        "in force",
    ),
]


@pytest.mark.parametrize(
    ("what", "fields", "channel", "says"), UNRESOLVED, ids=[u[0] for u in UNRESOLVED]
)
def test_a_template_that_cannot_be_resolved_is_denied(
    engines: tuple[Engine, Engine], what: str, fields: dict[str, Any], channel: Channel, says: str
) -> None:
    _, engine = engines
    decision = engine.evaluate(_contact(channel, **fields), LATER)
    assert not decision.allowed
    assert [r.rule_id for r in decision.reasons] == ["CONTACTRULES-TEMPLATE-UNRESOLVED"], what
    assert says in decision.reasons[0].message, decision.reasons[0].message
    assert decision.next_allowed_at is None


def test_without_a_registry_a_named_template_is_denied(engines: tuple[Engine, Engine]) -> None:
    plain, _ = engines
    decision = plain.evaluate(_contact(id="reminder", data=DATA), LATER)
    assert [r.rule_id for r in decision.reasons] == ["CONTACTRULES-TEMPLATE-UNRESOLVED"]
    assert "no template registry is loaded" in decision.reasons[0].message


def test_the_version_in_force_is_chosen_by_the_consumers_local_date(
    engines: tuple[Engine, Engine],
) -> None:
    """Version 1 runs to 2026-06-30 and version 2 from 2026-07-01: at 03:00 UTC on July 1 it is
    still June 30 in Chicago, so version 1 is sent (dates are the consumer's, convention K2)."""
    _, engine = engines
    at = dt.datetime(2026, 7, 1, 3, 0, tzinfo=dt.timezone.utc)
    decision = engine.evaluate(_contact(at=at, id="reminder", data=DATA), LATER)
    assert decision.template is not None and decision.template.version == 1
    a_day_later = engine.evaluate(
        _contact(at=at + dt.timedelta(days=1), id="reminder", data=DATA), LATER
    )
    assert a_day_later.template is not None and a_day_later.template.version == 2


def test_a_consumer_in_zones_on_both_sides_of_a_version_change_is_asked_for_the_version(
    engines: tuple[Engine, Engine],
) -> None:
    """Convention K4: where the location is uncertain, every zone counts; when the dates of
    the zones pick different versions, the caller must name one."""
    _, engine = engines
    consumer = build_consumer(
        addresses=[
            Address(country="US", subdivision="IL", city="Chicago"),
            Address(country="US", subdivision="NY", city="New York"),
        ]
    )
    at = dt.datetime(2026, 7, 1, 4, 30, tzinfo=dt.timezone.utc)  # 23:30 in Chicago, 00:30 in NY
    contact = Contact(
        channel=Channel.SMS,
        at=at,
        consumer=consumer,
        debt_ids=["D1"],
        dial_method="manual",
        template=Template(id="reminder", data=DATA),
    )
    decision = engine.evaluate(contact, LATER)
    assert decision.reasons[0].rule_id == "CONTACTRULES-TEMPLATE-UNRESOLVED"
    assert "name the version" in decision.reasons[0].message


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "reminder", "data": DATA, "text": "hello"},
        {"data": DATA},
        {"id": "reminder", "version": 1},
        {"id": "reminder", "data": {"amount": [1, 2]}},
        {"id": "reminder", "data": {"amount": True}},
    ],
)
def test_contradictory_or_malformed_template_input_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Template(**fields)


def test_the_registry_is_part_of_the_fingerprint(
    engines: tuple[Engine, Engine], tmp_path: Path
) -> None:
    plain, engine = engines
    assert engine.fingerprint != plain.fingerprint
    (tmp_path / "a.templates.yaml").write_text(REGISTRY, encoding="utf-8")
    assert plain.with_templates([tmp_path]).fingerprint == engine.fingerprint
    (tmp_path / "a.templates.yaml").write_text(REGISTRY.replace("is due", "is owed"), "utf-8")
    assert plain.with_templates([tmp_path]).fingerprint != engine.fingerprint


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(min_size=1, max_size=30).filter(lambda s: s.strip()),
    amount=st.one_of(st.text(max_size=20), st.integers(), st.none()),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 3),
)
def test_fast_and_reference_evaluators_agree_on_registered_templates(
    engines: tuple[Engine, Engine], name: str, amount: object, minutes: int
) -> None:
    """Whatever the values and the hour, the reference evaluator gives the same decision, and a
    registered template is allowed only when it was rendered (it names its content hash)."""
    _, engine = engines
    contact = _contact(
        at=AT + dt.timedelta(minutes=minutes), id="reminder", data={"name": name, "amount": amount}
    )
    fast = engine.evaluate(contact, LATER)
    reference = engine.as_reference().evaluate(contact, LATER)
    assert fast.as_dict() == reference.as_dict()
    if fast.allowed:
        assert fast.template is not None


def test_the_ledger_records_the_registry_purpose_of_a_template_sent_by_id(
    engines: tuple[Engine, Engine], tmp_path: Path
) -> None:
    """The contact need not state the purpose of a template sent by id; the record it leaves
    must carry the registry's, which later decisions count by (12 CFR 1006.14(h)(2)(i) allows
    one opt-out confirmation)."""
    from contactrules.ledger import open_ledger

    _, engine = engines
    with open_ledger(tmp_path / "ledger.db", engine) as ledger:
        ledger.record("C-1", LATER[0])
        reservation = ledger.reserve(_contact(id="reminder", data=DATA))
        assert reservation.allowed, reservation.decision.reasons
        _letter, record = ledger.history("C-1")
    assert record.purpose is not None and record.purpose.value == "payment_reminder"


@pytest.mark.parametrize(
    ("stated", "allowed"), [("es", True), ("es-MX", True), ("SPA", True), ("Spanish", False)]
)
def test_the_preferred_language_is_read_as_a_language_code(stated: str, allowed: bool) -> None:
    """A consumer record saying es-MX prefers Spanish; one saying "Spanish" states no code, so no
    template matches it (fail closed)."""
    rule = {
        "ruleset": "lang",
        "title": "t",
        "jurisdiction": {"country": "US"},
        "rules": [
            {
                "id": "LANG",
                "kind": "template",
                "channels": ["sms"],
                "require_template": False,
                "language_must_match": True,
                "citation": "policy",
                "confidence": "policy",
            }
        ],
    }
    from contactrules.rules.ruleset import Ruleset, RulesetSpec

    engine = Engine([Ruleset(RulesetSpec.model_validate(rule), "lang.yaml")])
    contact = _contact(language="es", text="Hola").model_copy(
        update={"consumer": build_consumer(language=stated)}
    )
    assert engine.evaluate(contact).allowed is allowed
