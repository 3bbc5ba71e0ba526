"""What no ruleset file shows alone, and each rule's own lint, as located problems.

Run by :func:`contactrules.loading.loader.lint_paths` after every file is loaded: unknown
jurisdictions and holiday calendars, ``extends`` that names no loaded ruleset or is looser than
its parent, ids used twice, and each rule kind's ``lint()`` hook (dead conditions, dates that
never come, caps that cannot be reached; see :mod:`contactrules.rules.linting`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator

from ..diagnostics import Diagnostic, Location, did_you_mean
from ..rules.holiday_spec import HolidayCalendar
from ..rules.linting import NEVER_EFFECTIVE, LintScope, dead_dates
from ..rules.ruleset import Ruleset
from .yamlsource import PathKey

__all__ = ["calendar_problems", "semantic_problems"]


def calendar_problems(rs: Ruleset) -> Iterator[Diagnostic]:
    for index, rule in enumerate(rs.spec.rules):
        calendar = getattr(rule, "holidays", None)
        if isinstance(calendar, HolidayCalendar):
            for problem in calendar.problems():
                yield Diagnostic(rs.rule_positions[index], "ruleset.unknown-calendar", problem)


def semantic_problems(rulesets: list[Ruleset], thorough: bool = True) -> Iterator[Diagnostic]:
    """Problems no file shows alone, and each rule's own lint (its kind's ``lint`` hook)."""
    by_id = {rs.id: rs for rs in rulesets}
    today = dt.date.today()
    for rs in rulesets:
        if thorough:
            yield from _jurisdiction_problems(rs)
            yield from calendar_problems(rs)
        yield from _extends_problems(rs, by_id)
        yield from _rule_lints(rs, today)
    yield from _duplicates(rulesets)


def _extends_problems(rs: Ruleset, by_id: dict[str, Ruleset]) -> Iterator[Diagnostic]:
    if rs.spec.extends is None:
        return
    parent = by_id.get(rs.spec.extends)
    if parent is None:
        yield Diagnostic(
            Location(rs.path, 1, 1),
            "ruleset.unknown-extends",
            f'extends "{rs.spec.extends}", which is not among the loaded '
            f"rulesets{did_you_mean(rs.spec.extends, by_id)}",
        )
    else:
        yield from _looser(rs, parent)


def _duplicates(rulesets: list[Ruleset]) -> Iterator[Diagnostic]:
    """A ruleset id or a rule id used twice: reasons and layers would be ambiguous."""
    first_set: dict[str, str] = {}
    first_rule: dict[str, Location] = {}
    for rs in rulesets:
        if rs.id in first_set:
            yield Diagnostic(
                Location(rs.path, 1, 1),
                "ruleset.duplicate-ruleset",
                f'ruleset id "{rs.id}" is also used by {first_set[rs.id]}',
            )
        first_set.setdefault(rs.id, rs.path)
        for index, rule in enumerate(rs.spec.rules):
            where = _locate(rs, ("rules", index))
            if rule.id in first_rule and first_rule[rule.id] != where:
                yield Diagnostic(
                    where,
                    "ruleset.duplicate-rule-id",
                    f'rule id "{rule.id}" is already used at {first_rule[rule.id]}',
                )
            first_rule.setdefault(rule.id, where)


def _rule_lints(rs: Ruleset, today: dt.date) -> Iterator[Diagnostic]:
    """What each rule says about itself, located; dead ruleset dates are said once, here."""
    spec = rs.spec
    dead = dead_dates(spec.effective_from, spec.effective_until)
    if dead is not None:
        yield Diagnostic(
            _locate(rs, ("effective_from",)),
            NEVER_EFFECTIVE,
            f'ruleset "{rs.id}" {dead}: none of its rules is ever in force; write the dates '
            "the law sets",
            "warning",
        )
    scope = LintScope(today, spec.effective_from, spec.effective_until)
    for index, rule in enumerate(spec.rules):
        for found in rule.lint(scope):
            where = _locate(rs, ("rules", index, *found.path))
            yield Diagnostic(where, found.code, found.message, found.severity)


def _locate(rs: Ruleset, path: PathKey) -> Location:
    """Where ``path`` (or its nearest written ancestor) is in the ruleset's file."""
    if rs.source is not None:
        return rs.source.locate(path)
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        if path[1] < len(rs.rule_positions):
            return rs.rule_positions[path[1]]
        return rs.where("rules")
    return rs.where(str(path[0])) if path else Location(rs.path, 1, 1)


def _looser(child: Ruleset, parent: Ruleset) -> Iterator[Diagnostic]:
    """A layer may only tighten what it extends (the stricter rule applies anyway)."""
    for rule in child.spec.rules:
        for base in parent.spec.rules:
            if not rule.comparable_with(base):
                continue
            why = rule.looser_than(base)
            if why is not None:
                yield Diagnostic(
                    child.rule_locations.get(rule.id, Location(child.path, 1, 1)),
                    "ruleset.looser-than-parent",
                    f'rule "{rule.id}" {why} in {parent.id}, which this ruleset extends; a '
                    "layer may only tighten (the stricter rule still applies)",
                )


def _jurisdiction_problems(rs: Ruleset) -> Iterator[Diagnostic]:
    known = _supported_jurisdictions()
    j = rs.spec.jurisdiction
    where = rs.where("jurisdiction")
    if j.country not in known:
        yield Diagnostic(
            where,
            "ruleset.unknown-jurisdiction",
            f'"{j.country}" is not a known country code{did_you_mean(j.country, known)}',
        )
    elif j.subdivision is not None and known[j.country] and j.subdivision not in known[j.country]:
        yield Diagnostic(
            where,
            "ruleset.unknown-jurisdiction",
            f'"{j.subdivision}" is not a subdivision of {j.country}'
            f"{did_you_mean(j.subdivision, known[j.country])}",
        )


@functools.lru_cache(maxsize=1)
def _supported_jurisdictions() -> dict[str, tuple[str, ...]]:
    import holidays
    import phonenumbers

    known: dict[str, tuple[str, ...]] = {r: () for r in phonenumbers.SUPPORTED_REGIONS}
    for country, subdivisions in holidays.list_supported_countries().items():
        known[country] = tuple(subdivisions)
    return known
