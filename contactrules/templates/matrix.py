"""Every template against every content rule that could apply to it: the officers' matrix.

Why: a template is approved once and then sent to consumers in every place its jurisdictions
cover, as a first message or a later one, about current or time-barred debts. Which rules read
it differs in each (California's rights notice on a first letter, New York's time-barred notice,
the initial mini-Miranda only on a first contact), and an officer needs to see, before
approving, where the text would be denied and why. So each template is rendered with sample
values and judged by the engine, as a contact would be, in each *place* (every jurisdiction of
the loaded rulesets that the template's jurisdictions cover, and the template's own) and each
*situation*; only the rules about the message (kind ``template``, and a message that cannot be
resolved) are reported: hours, caps and consents are not the text's business.

The sample consumer prefers the template's language, is contacted by a third-party collector
(``third_party_collector``), by hand (``dial_method: manual``), at noon UTC on the day judged,
in zone UTC (the hour is not what is judged). A placeholder whose name contains ``phone`` gets
a telephone number, every other one a neutral word, unless sample data is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..engine import Engine
from ..models import (
    Address,
    Channel,
    Consumer,
    Contact,
    ContactRecord,
    Debt,
    Outcome,
    Phone,
    PhoneType,
    Template,
)
from .registry import LoadedTemplate
from .resolve import UNRESOLVED_RULE_ID, covers
from .syntax import Placeholder, parse

__all__ = [
    "SITUATIONS",
    "Cell",
    "Place",
    "Situation",
    "day_in_force",
    "describe",
    "judge_template",
    "places_for",
    "sample_values",
]

SAMPLE_PHONE = "1-800-555-0100"
SAMPLE_WORD = "Sample"
_SAMPLE_EMAIL = "consumer@example.com"


@dataclass(frozen=True, slots=True)
class Situation:
    """What else the rules ask about a message: first contact or not, a time-barred debt."""

    name: str
    initial: bool
    time_barred: bool


SITUATIONS = (
    Situation("first message, current debt", True, False),
    Situation("later message, current debt", False, False),
    Situation("first message, time-barred debt", True, True),
    Situation("later message, time-barred debt", False, True),
)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a consumer may live: a country, a subdivision, a city."""

    country: str
    subdivision: str | None = None
    city: str | None = None

    @property
    def label(self) -> str:
        return "-".join(part for part in (self.country, self.subdivision, self.city) if part)

    @property
    def order(self) -> tuple[str, str, str]:
        return (self.country, self.subdivision or "", self.city or "")


@dataclass(frozen=True, slots=True)
class Cell:
    """One template judged in one place and situation: the content rules that applied, and
    those that denied it with their messages."""

    situation: str
    place: Place
    applied: tuple[str, ...]
    denied: tuple[tuple[str, str], ...]

    @property
    def passed(self) -> bool:
        return not self.denied


def places_for(template: LoadedTemplate, engine: Engine) -> list[Place]:
    """The template's own jurisdictions, and every ruleset jurisdiction they cover."""
    found = set()
    for code in template.spec.jurisdictions:
        country, _, subdivision = code.partition("-")
        found.add(Place(country, subdivision or None))
    for ruleset in engine.rulesets:
        where = ruleset.spec.jurisdiction
        key = (where.country, where.subdivision, where.city)
        if covers(template.spec.jurisdictions, key):
            found.add(Place(*key))
    return sorted(found, key=lambda p: p.order)


def sample_values(
    template: LoadedTemplate, given: Mapping[str, object] | None = None
) -> dict[str, object]:
    """A value for every placeholder, required and optional (the fuller message)."""
    segments, _problems = parse(template.spec.body)
    names = {s.name for s in segments if isinstance(s, Placeholder)}
    values: dict[str, object] = {}
    for name in sorted(names):
        if given is not None and name in given:
            values[name] = given[name]
        elif "phone" in name:
            values[name] = SAMPLE_PHONE
        elif "email" in name:
            values[name] = _SAMPLE_EMAIL
        else:
            values[name] = SAMPLE_WORD
    return values


def _contact(
    template: LoadedTemplate,
    place: Place,
    situation: Situation,
    at: dt.datetime,
    data: dict[str, object],
) -> Contact:
    spec = template.spec
    consumer = Consumer(
        id="SAMPLE",
        language=spec.language,
        addresses=[
            Address(
                country=place.country, subdivision=place.subdivision, city=place.city, zone="UTC"
            )
        ],
        phones=[Phone(number="+12025550100", type=PhoneType.MOBILE, zone="UTC")],
        debts=[Debt(id="D1", time_barred=situation.time_barred)],
    )
    return Contact(
        channel=spec.channel,
        at=at,
        consumer=consumer,
        debt_ids=["D1"],
        to="+12025550100" if spec.channel in _PHONE_CHANNELS else None,
        dial_method="manual" if spec.channel in _PHONE_CHANNELS else None,
        template=Template(
            id=spec.id,
            version=spec.version,
            language=spec.language,
            data=data,
        ),
    )


_PHONE_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})


def _history(situation: Situation, at: dt.datetime) -> list[ContactRecord]:
    if situation.initial:
        return []
    return [
        ContactRecord(
            channel=Channel.LETTER,
            at=at - dt.timedelta(days=10),
            debt_ids=["D1"],
            outcome=Outcome.DELIVERED,
        )
    ]


def day_in_force(template: LoadedTemplate, on: dt.date) -> dt.date:
    spec = template.spec
    if on < spec.effective_from:
        return spec.effective_from
    if spec.effective_until is not None and on > spec.effective_until:
        return spec.effective_until
    return on


def judge_template(
    engine: Engine,
    template: LoadedTemplate,
    on: dt.date,
    *,
    data: Mapping[str, object] | None = None,
    situations: Sequence[Situation] = SITUATIONS,
    places: Iterable[Place] | None = None,
) -> list[Cell]:
    """The template judged in every place and situation, on ``on`` (or the nearest day the
    template is in force). The engine must hold the template's registry."""
    day = day_in_force(template, on)
    at = dt.datetime.combine(day, dt.time(12), dt.timezone.utc)
    values = sample_values(template, data)
    kinds = {rule.id: rule.KIND for ruleset in engine.rulesets for rule in ruleset.spec.rules}
    cells: list[Cell] = []
    for place in places if places is not None else places_for(template, engine):
        for situation in situations:
            contact = _contact(template, place, situation, at, values)
            history = _history(situation, at)
            decision = engine.evaluate(contact, history)
            denied = tuple(
                (r.rule_id, r.message)
                for r in decision.reasons
                if r.kind == "template" or r.rule_id == UNRESOLVED_RULE_ID
            )
            applied = tuple(
                rule_id
                for rule_id, verdict in engine.trace(contact, history)
                if kinds.get(rule_id) == "template" and verdict != "not-applicable"
            )
            cells.append(Cell(situation.name, place, applied, denied))
    return cells


def describe(template: LoadedTemplate, cells: Sequence[Cell], day: dt.date) -> list[str]:
    """The matrix of one template as lines: each situation, passed or which rules deny it where
    (with the rule's message), so an officer reads where the text cannot be sent."""
    places = sorted({c.place for c in cells}, key=lambda p: p.order)
    everywhere = len(places)
    lines = [
        f"{template.spec.label} {template.spec.language} ({template.spec.channel.value}, "
        f"{template.spec.purpose.value}): {everywhere} place(s), judged on {day}"
    ]
    for situation in dict.fromkeys(c.situation for c in cells):
        own = [c for c in cells if c.situation == situation]
        where: dict[tuple[str, str], list[str]] = {}
        for cell in own:
            for denial in cell.denied:
                where.setdefault(denial, []).append(cell.place.label)
        applied = sorted({rule for c in own for rule in c.applied})
        if not where:
            lines.append(
                f"  {situation}: passes in every place ({len(applied)} rule(s) applied: "
                f"{', '.join(applied) or 'none'})"
            )
            continue
        lines.append(f"  {situation}: DENIED")
        for (rule_id, message), labels in sorted(where.items()):
            at = f"all {everywhere} places" if len(labels) == everywhere else ", ".join(labels)
            lines.append(f"    {rule_id} in {at}: {message}")
    return lines
