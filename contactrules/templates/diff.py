"""Two registries compared as an officer reviews a change: which messages change, and which rules
newly deny them.

Why by rendered message and by rule rather than by file lines: reordering a file, re-dating an
approval or fixing a note changes nothing a consumer receives, while one changed word in a body
may make California's notice disappear. So each (template id, language) is compared by the text
in force on the day (its content hash), the changed ones are rendered with the same sample
values, and both versions go through the matrix (:mod:`.matrix`): a rule that denies the new
text somewhere it did not deny the old is a regression to look at before approving.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..engine import Engine
from .matrix import Cell, judge_template, sample_values
from .registry import LoadedTemplate, Registry
from .render import render

__all__ = ["TemplateChange", "compare", "describe_changes"]

Denial = tuple[str, str, str]  # situation, place, rule id


@dataclass(frozen=True)
class TemplateChange:
    """How one (id, language) differs between the old and the new registry."""

    template_id: str
    language: str
    status: str  # "added", "removed", "changed", "unchanged"
    old: LoadedTemplate | None = None
    new: LoadedTemplate | None = None
    old_message: str | None = None
    new_message: str | None = None
    newly_denied: list[tuple[Denial, str]] = field(default_factory=list)
    no_longer_denied: list[Denial] = field(default_factory=list)


def _in_force(registry: Registry, day: dt.date) -> dict[tuple[str, str], LoadedTemplate]:
    chosen: dict[tuple[str, str], LoadedTemplate] = {}
    for loaded in registry.templates:
        if not loaded.in_effect(day):
            continue
        key = (loaded.spec.id, loaded.spec.language)
        if key not in chosen or chosen[key].spec.version < loaded.spec.version:
            chosen[key] = loaded
    return chosen


def _denials(cells: list[Cell]) -> dict[Denial, str]:
    return {
        (cell.situation, cell.place.label, rule_id): message
        for cell in cells
        for rule_id, message in cell.denied
    }


def compare(
    engine: Engine,
    old: Registry,
    new: Registry,
    day: dt.date,
    *,
    data: Mapping[str, object] | None = None,
) -> list[TemplateChange]:
    """Every (id, language) in force on ``day`` in either registry, with what changed."""
    before, after = _in_force(old, day), _in_force(new, day)
    old_engine, new_engine = engine.with_templates(old), engine.with_templates(new)
    changes: list[TemplateChange] = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was is not None and now is not None and was.content_hash == now.content_hash:
            changes.append(TemplateChange(*key, "unchanged", was, now))
            continue
        status = "added" if was is None else "removed" if now is None else "changed"
        old_cells = judge_template(old_engine, was, day, data=data) if was else []
        new_cells = judge_template(new_engine, now, day, data=data) if now else []
        old_denials, new_denials = _denials(old_cells), _denials(new_cells)
        changes.append(
            TemplateChange(
                *key,
                status,
                was,
                now,
                render(was.spec, sample_values(was, data)) if was else None,
                render(now.spec, sample_values(now, data)) if now else None,
                sorted((d, m) for d, m in new_denials.items() if d not in old_denials),
                sorted(d for d in old_denials if d not in new_denials) if now is not None else [],
            )
        )
    return changes


def describe_changes(changes: list[TemplateChange]) -> list[str]:
    """The changes as lines, unchanged templates left out."""
    lines: list[str] = []
    for change in changes:
        if change.status == "unchanged":
            continue
        label = change.template_id + " " + change.language
        if change.status == "added":
            assert change.new is not None
            lines.append(f"added {change.new.spec.label} {change.language}:")
            lines.append(f"  + {change.new_message}")
            lines.extend(_grouped("denied", change.newly_denied))
            continue
        if change.status == "removed":
            assert change.old is not None
            lines.append(f"removed {change.old.spec.label} {change.language} (none in force now)")
            continue
        assert change.old is not None and change.new is not None
        lines.append(
            f"changed {label}: {change.old.spec.label} {change.old.content_hash[:19]}… -> "
            f"{change.new.spec.label} {change.new.content_hash[:19]}…"
        )
        if change.old_message != change.new_message:
            lines.append(f"  - {change.old_message}")
            lines.append(f"  + {change.new_message}")
        else:
            lines.append("  (the same message; what changed is around it: channel, purpose, …)")
        lines.extend(_grouped("newly denied", change.newly_denied))
        lines.extend(_grouped("no longer denied", [(d, "") for d in change.no_longer_denied]))
    return lines


def _grouped(what: str, denials: list[tuple[Denial, str]]) -> list[str]:
    """One line per situation and rule, with the places, not one per place."""
    places: dict[tuple[str, str, str], list[str]] = {}
    for (situation, place, rule_id), message in denials:
        places.setdefault((situation, rule_id, message), []).append(place)
    return [
        f"  {what} ({situation}) by {rule_id} in {', '.join(where)}"
        + (f": {message}" if message else "")
        for (situation, rule_id, message), where in sorted(places.items())
    ]
