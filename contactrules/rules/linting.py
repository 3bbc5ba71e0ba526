"""What ``contactrules check`` says about a rule on its own: dead rules and doubtful settings.

A rule that can never deny is worse than no rule: the ruleset reads as if the law were enforced
while every contact passes. Each rule kind's ``lint`` hook (:meth:`RuleBase.lint`) yields
:class:`RuleLint` values naming the field at fault by its YAML path inside the rule; the loader
turns that path into ``path:line:col`` through the ruleset's source document. The checks every
kind shares live here, with the limits that define "never" (documented in docs/rulesets.md).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import codes
from ..diagnostics import Severity, did_you_mean
from ..models import Outcome, Purpose
from .counting import RecordFilter, period_length_days

if TYPE_CHECKING:
    from .base import RuleBase

__all__ = [
    "CAP_CEILING",
    "CONTACTS_PER_DAY",
    "DEAD_CONDITION",
    "EMPTY_FILTER",
    "LATEST_PLAUSIBLE_YEAR",
    "NEVER_DENIES",
    "NEVER_EFFECTIVE",
    "UNREACHABLE_CAP",
    "LintScope",
    "RuleLint",
    "common_lints",
    "dead_dates",
    "reachable_cap",
    "record_filter_lints",
    "verb",
]

DEAD_CONDITION = codes.RULESET_DEAD_CONDITION.code
EMPTY_FILTER = codes.RULESET_EMPTY_FILTER.code
UNREACHABLE_CAP = codes.RULESET_UNREACHABLE_CAP.code
NEVER_EFFECTIVE = codes.RULESET_NEVER_EFFECTIVE.code
NEVER_DENIES = codes.RULESET_NEVER_DENIES.code

LATEST_PLAUSIBLE_YEAR = 2200
"""An ``effective_from`` after this year is a placeholder ("9999-12-31"), not a date of law."""

CONTACTS_PER_DAY = 24 * 60
"""One contact a minute, day and night: more than any collector can make to one person."""

CAP_CEILING = 100_000
"""No history reaches this many contacts (a contact a minute for ten weeks without a pause)."""

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleLint:
    """One problem a rule finds in itself; ``path`` is inside the rule (``()``: the rule)."""

    path: PathKey
    code: str
    message: str
    severity: Severity = "warning"


@dataclass(frozen=True)
class LintScope:
    """What a rule's lint may know beyond the rule: the day of the check, its ruleset's dates.

    The loader has already narrowed each rule's dates to its ruleset's, so a rule that lies
    wholly outside them shows up as ``effective_from`` after ``effective_until``; the ruleset's
    own dates say which side is at fault.
    """

    today: dt.date
    ruleset_from: dt.date | None = None
    ruleset_until: dt.date | None = None


def verb(rule: RuleBase) -> str:
    """What a rule does when it fails: deny, or (``severity: warn``) warn."""
    return "denies" if rule.severity == "deny" else "warns"


def dead_dates(start: dt.date | None, end: dt.date | None) -> str | None:
    """Why dates ``start``…``end`` (either may be missing) leave no day in force, or None."""
    if start is not None and start.year > LATEST_PLAUSIBLE_YEAR:
        return f"comes into force on {start}, after the year {LATEST_PLAUSIBLE_YEAR}"
    if start is not None and end is not None and start > end:
        return f"comes into force on {start}, after its effective_until ({end})"
    return None


def reachable_cap(window: str) -> int:
    """The largest count any history can reach in ``window``; a larger ``max`` never denies.

    A window of N local days holds at most N × 1,440 contacts (one a minute, day and night;
    ``calendar_week`` is 7 days, ``calendar_month`` 31), and no window more than
    :data:`CAP_CEILING`, which also bounds ``ever``. A ``max`` above that is a slip (an extra
    digit, a placeholder such as 999999), never a limit the law sets.
    """
    days = period_length_days(window)
    return min(days * CONTACTS_PER_DAY, CAP_CEILING) if days else CAP_CEILING


def common_lints(rule: RuleBase, scope: LintScope) -> Iterator[RuleLint]:
    """The checks every kind shares: placeholders, conditions, dates and confidence."""
    yield from _placeholder_lints(rule)
    yield from _condition_lints(rule)
    yield from _date_lints(rule, scope)
    # Convention K10: a rule claims no more certainty than its source, so one resting on an
    # unconfirmed reading says so every time the rulesets are checked.
    if rule.confidence == "unconfirmed":
        yield RuleLint(
            (),
            codes.RULESET_UNCONFIRMED.code,
            f'rule "{rule.id}" rests on a source marked unconfirmed; verify it before relying '
            "on it" + (f" ({' '.join(rule.note.split())})" if rule.note else ""),
        )


def _placeholder_lints(rule: RuleBase) -> Iterator[RuleLint]:
    if not rule.message:
        return
    known = rule.placeholders()
    for _literal, name, _spec, _conversion in string.Formatter().parse(rule.message):
        if name is not None and name not in known:
            yield RuleLint(
                (),
                codes.RULESET_UNKNOWN_PLACEHOLDER.code,
                f'message placeholder "{{{name}}}" is not a fact of {rule.KIND} rules '
                f"({', '.join(known)}){did_you_mean(name, known)}",
            )


_WHEN_LISTS = {
    "recipients": "recipients",
    "phone_types": "phone types",
    "languages": "languages",
    "collector_types": "collector types",
    "purposes": "purposes",
}


def _condition_lints(rule: RuleBase) -> Iterator[RuleLint]:
    """A ``when:`` list that is empty, or purposes all excluded, match no contact at all."""
    for key, noun in _WHEN_LISTS.items():
        if getattr(rule.when, key) == []:
            yield RuleLint(
                ("when", key),
                DEAD_CONDITION,
                f'when: {key} is an empty list, so rule "{rule.id}" applies to no contact and '
                f"never {verb(rule)}; list the {noun} it covers, or remove the key to cover all",
            )
    languages = rule.when.languages
    if languages and "unknown" not in languages:
        yield RuleLint(
            ("when", "languages"),
            codes.RULESET_SKIPS_UNKNOWN_LANGUAGE.code,
            f'when: languages does not list unknown, so rule "{rule.id}" does not judge a '
            "consumer whose preferred language is not stated (nor one whose language is not a "
            "language code); add unknown unless it must apply only to consumers known to prefer "
            f"{', '.join(languages)}",
        )
    purposes = set(Purpose) if rule.when.purposes is None else set(rule.when.purposes)
    if rule.unless_purposes and purposes and purposes <= set(rule.unless_purposes):
        yield RuleLint(
            ("unless_purposes",),
            DEAD_CONDITION,
            f"unless_purposes excludes every purpose the rule could apply to, so rule "
            f'"{rule.id}" applies to no contact and never {verb(rule)}; keep only the '
            "purposes the law exempts",
        )


def _date_lints(rule: RuleBase, scope: LintScope) -> Iterator[RuleLint]:
    if dead_dates(scope.ruleset_from, scope.ruleset_until) is not None:
        return  # reported once, for the ruleset
    end = rule.effective_until
    never = _never_in_force(rule, scope)
    if never is not None:
        field, why = never
        yield RuleLint(
            (field,),
            NEVER_EFFECTIVE,
            f'rule "{rule.id}" {why}: it is never in force and never {verb(rule)}; write the '
            "dates the law sets",
        )
    elif end is not None and end < scope.today:
        yield RuleLint(
            (),
            codes.RULESET_EXPIRED.code,
            f'rule "{rule.id}" stopped being in force on {end}; it only judges past contacts now',
        )


def _never_in_force(rule: RuleBase, scope: LintScope) -> tuple[str, str] | None:
    """The date field at fault and why, when the rule (its ruleset's dates applied) never is."""
    start, end = rule.effective_from, rule.effective_until
    if start is not None and start.year > LATEST_PLAUSIBLE_YEAR:
        return (
            "effective_from",
            f"comes into force on {start}, after the year {LATEST_PLAUSIBLE_YEAR}",
        )
    if start is None or end is None or start <= end:
        return None
    if scope.ruleset_from is not None and end < scope.ruleset_from:
        return "effective_until", (
            f"stops being in force on {end}, before its ruleset comes into force "
            f"({scope.ruleset_from})"
        )
    if scope.ruleset_until is not None and start > scope.ruleset_until:
        return "effective_from", (
            f"comes into force on {start}, after its ruleset stops being in force "
            f"({scope.ruleset_until})"
        )
    return "effective_from", f"comes into force on {start}, after its last day ({end})"


_FILTER_LISTS = {
    "initiated_by": "who starts the contacts to count (collector, consumer)",
    "purposes": "the purposes to count",
}


def record_filter_lints(
    rule: RuleBase, records: RecordFilter, key: str, effect: str
) -> Iterator[RuleLint]:
    """Empty lists in a record filter (``counts:``, ``after:``): no past contact matches.

    ``effect`` says what matching nothing means for the kind ("no past contact is counted").
    An empty ``channels`` is the exception: the filter then reads the rule's own channels, so
    the rule still works, but not as written; that is a different warning.
    """
    for field, what in _FILTER_LISTS.items():
        if getattr(records, field) == []:
            yield RuleLint(
                (key, field),
                DEAD_CONDITION,
                f'{key}: {field} is an empty list, so {effect} and rule "{rule.id}" never '
                f"{verb(rule)}; list {what}, or remove the key",
            )
    counted = set(Outcome) if records.outcomes is None else set(records.outcomes)
    if not counted - set(records.exclude_outcomes) - {Outcome.PENDING}:
        field = "outcomes" if records.outcomes is not None else "exclude_outcomes"
        what = (
            f"{key}: outcomes is an empty list"
            if records.outcomes == []
            else f"{key}: outcomes and exclude_outcomes leave no recorded outcome to count"
        )
        yield RuleLint(
            (key, field),
            DEAD_CONDITION,
            f"{what}, so {effect} once its outcome is recorded (only while pending) and rule "
            f'"{rule.id}" practically never {verb(rule)}; list the outcomes to count, or '
            "remove the key to count every outcome",
        )
    if records.phone_types == []:
        yield RuleLint(
            (key, "phone_types"),
            EMPTY_FILTER,
            f"{key}: phone_types is an empty list, so only contacts to numbers of unknown type "
            f'are counted and rule "{rule.id}" hardly ever {verb(rule)}; list the phone types '
            "to count, or remove the key to count every number",
        )
    if records.channels == []:
        yield RuleLint(
            (key, "channels"),
            EMPTY_FILTER,
            f"{key}: channels is an empty list, which is read as the rule's own channels "
            f"({', '.join(c.value for c in rule.channels)}); list the channels to count, or "
            "remove the key",
        )
