"""What a template registry must satisfy beyond its shape, each problem located in the file.

The model (:mod:`.model`) checks each key alone; these checks relate keys and entries: the body
parses and uses exactly the placeholders declared, dates are in order, no (id, version,
language) is defined twice, and the languages of one ``id@version`` agree on what the message is
(channel, purpose, required values), so that data that renders one language renders them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .. import codes
from ..diagnostics import Diagnostic, Location
from ..loading.yamlsource import PathKey, SourceDocument
from .model import MessageTemplate
from .syntax import Placeholder, describe_offset, parse

__all__ = ["Entry", "entry_problems", "registry_problems"]


@dataclass(frozen=True)
class Entry:
    """One validated registry entry and where it is written."""

    spec: MessageTemplate
    doc: SourceDocument
    index: int

    def locate(self, *path: str | int, key: bool = False) -> Location:
        """Where a key of this entry (or the entry itself, with no path) is written."""
        full: PathKey = ("templates", self.index, *path)
        return self.doc.locate(full, key=key)


def entry_problems(entry: Entry) -> list[Diagnostic]:
    """The problems of one entry on its own: body syntax, placeholders, dates, and a body that
    reads as another language than declared."""
    body = _body_problems(entry)
    if not body:  # a body with placeholder problems is not read for its language
        body += _language_problems(entry)
    return [*body, *_date_problems(entry)]


def _language_problems(entry: Entry) -> list[Diagnostic]:
    """A body identified, with confidence, as another language (see :mod:`.language_id`)."""
    from .language_id import verify_language  # imported when a registry is read, not at start-up

    spec = entry.spec
    found = verify_language(spec.body, spec.language)
    if not found.mismatch:
        return []
    return [
        Diagnostic(
            entry.locate("body"),
            codes.TEMPLATE_WRONG_LANGUAGE.code,
            f"the body {found.describe()}, not {spec.language} as language: says; write "
            f"language: {found.detected} if the text is right, or correct the text if it must "
            f"be in {spec.language}",
        )
    ]


def _body_problems(entry: Entry) -> list[Diagnostic]:
    spec = entry.spec
    body_at = entry.locate("body")
    segments, syntax = parse(spec.body)
    problems = [
        Diagnostic(
            body_at,
            codes.TEMPLATE_SYNTAX.code,
            f"{p.message} ({describe_offset(spec.body, p.offset)})",
        )
        for p in syntax
    ]
    problems += _declaration_problems(entry)
    declared = {*spec.placeholders.required, *spec.placeholders.optional}
    used: dict[str, Placeholder] = {}
    for segment in segments:
        if isinstance(segment, Placeholder):
            used.setdefault(segment.name, segment)
    for name, first in used.items():
        if name not in declared:
            problems.append(
                Diagnostic(
                    body_at,
                    codes.TEMPLATE_UNDECLARED_PLACEHOLDER.code,
                    f"the body uses {{{{ {name} }}}} ({describe_offset(spec.body, first.offset)})"
                    " but placeholders: declares it neither required nor optional",
                )
            )
    if syntax:  # a placeholder the scanner could not read may be the one declared
        return problems
    for kind in ("required", "optional"):
        names: list[str] = getattr(spec.placeholders, kind)
        for j, name in enumerate(names):
            if name not in used:
                problems.append(
                    Diagnostic(
                        entry.locate("placeholders", kind, j),
                        codes.TEMPLATE_UNUSED_PLACEHOLDER.code,
                        f'the {kind} placeholder "{name}" does not appear in the body; '
                        f"write {{{{ {name} }}}} in it or remove the declaration",
                    )
                )
    return problems


def _declaration_problems(entry: Entry) -> list[Diagnostic]:
    """A name declared twice, or both required and optional, leaves its meaning unclear."""
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for kind in ("required", "optional"):
        names: list[str] = getattr(entry.spec.placeholders, kind)
        for j, name in enumerate(names):
            earlier = seen.get(name)
            if earlier is not None:
                also = "again" if earlier == kind else f"and also {earlier}"
                problems.append(
                    Diagnostic(
                        entry.locate("placeholders", kind, j),
                        codes.TEMPLATE_DUPLICATE_PLACEHOLDER.code,
                        f'"{name}" is declared {kind} {also}; declare each placeholder once',
                    )
                )
            else:
                seen[name] = kind
    return problems


def _date_problems(entry: Entry) -> list[Diagnostic]:
    spec = entry.spec
    problems: list[Diagnostic] = []
    if spec.effective_until is not None and spec.effective_until < spec.effective_from:
        problems.append(
            Diagnostic(
                entry.locate("effective_until"),
                codes.TEMPLATE_DATES_REVERSED.code,
                f"effective_until {spec.effective_until} is before effective_from "
                f"{spec.effective_from}, so the template is never in force "
                "(effective_until is the last day it may be sent)",
            )
        )
    if spec.approved_on > spec.effective_from:
        problems.append(
            Diagnostic(
                entry.locate("approved_on"),
                codes.TEMPLATE_DATES_REVERSED.code,
                f"approved_on {spec.approved_on} is after effective_from {spec.effective_from}: "
                "the text would be in force before it was approved",
            )
        )
    return problems


def registry_problems(entries: Sequence[Entry]) -> list[Diagnostic]:
    """Problems across entries (of one file or many): duplicates and disagreeing languages."""
    return [*_duplicates(entries), *_language_mismatches(entries)]


def _duplicates(entries: Iterable[Entry]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    first: dict[tuple[str, int, str], Entry] = {}
    for entry in entries:
        earlier = first.setdefault(entry.spec.key, entry)
        if earlier is entry:
            continue
        problems.append(
            Diagnostic(
                entry.locate(),
                codes.TEMPLATE_DUPLICATE.code,
                f'{entry.spec.label} in language "{entry.spec.language}" is already defined at '
                f"{earlier.locate()}; a changed text needs a new version",
            )
        )
    return problems


def _language_mismatches(entries: Iterable[Entry]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    first: dict[tuple[str, int], Entry] = {}
    for entry in entries:
        spec = entry.spec
        model = first.setdefault((spec.id, spec.version), entry)
        if model is entry or model.spec.language == spec.language:
            continue  # the same language twice is a duplicate, reported as such
        other = model.spec
        differences = [
            ("channel", spec.channel.value, other.channel.value),
            ("purpose", spec.purpose.value, other.purpose.value),
            (
                "placeholders",
                ", ".join(sorted(spec.placeholders.required)) or "none",
                ", ".join(sorted(other.placeholders.required)) or "none",
            ),
        ]
        for key, mine, theirs in differences:
            if mine == theirs:
                continue
            what = "required placeholders" if key == "placeholders" else key
            problems.append(
                Diagnostic(
                    entry.locate(key),
                    codes.TEMPLATE_LANGUAGE_MISMATCH.code,
                    f'{spec.label} in "{spec.language}" has {what} {mine}, but in '
                    f'"{other.language}" ({model.locate()}) {theirs}; the languages of one '
                    "template must be the same message",
                )
            )
    return problems
