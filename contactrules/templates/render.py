"""Filling a template's placeholders with an account's values: the message, or why not.

Why so little: rendering replaces each ``{{ name }}`` with the text of one value and does
nothing else (see :mod:`.syntax` for why there are no expressions). A value is never scanned
again, so a value holding ``{{ x }}`` is written as those characters. What can go wrong is
refused with every problem at once, never papered over:

- a required value that is missing, ``null`` or blank (``template.missing-value``): "You owe
  $." must never be sent; only a placeholder declared ``optional`` may be left empty;
- a value that is not text or a number (``template.invalid-data``): a list, a mapping, true or
  false, or a number that is not finite has no one way to be written;
- a body that does not parse, or that uses a name it does not declare (``template.syntax``,
  ``template.undeclared-placeholder``), for a template built in code rather than loaded;
- a message longer than :data:`MAX_RENDERED_CHARS` (``template.too-long``), checked while it is
  built, so no value can make rendering use unbounded memory.

Numbers are written as Python writes them (``1234.5``, ``12``); money and dates should be
formatted by the caller, as text, in the template's language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from .. import codes
from ..diagnostics import Diagnostic, Location, RulesetError
from .model import MessageTemplate
from .syntax import Placeholder, describe_offset, parse

__all__ = ["MAX_RENDERED_CHARS", "render"]

MAX_RENDERED_CHARS = 100_000
"""More than any letter; a longer message is refused rather than built."""

Locator = Callable[[str], Location]


def _text(value: object) -> str | None:
    """The text a value is written as, or ``None`` when it has no one way to be written."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # bool is an int to Python, but True is not a number to write
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


def render(
    template: MessageTemplate,
    values: Mapping[str, object],
    *,
    locate: Locator | None = None,
    source: str = "<data>",
) -> str:
    """The template's body with every placeholder replaced by its value.

    ``values`` may hold more than the template uses (an account's whole record); names it does
    not use are ignored. ``locate`` says where a value is written, for located problems; without
    it they are located at ``source``. Raises :class:`RulesetError` with every problem found.
    """
    where: Locator = locate or (lambda _name: Location(source))
    segments, syntax = parse(template.body)
    label = f"{template.label} ({template.language})"
    if syntax:
        raise RulesetError(
            Diagnostic(
                Location(source),
                codes.TEMPLATE_SYNTAX.code,
                f"{label}: {p.message} ({describe_offset(template.body, p.offset)})",
            )
            for p in syntax
        )
    required = set(template.placeholders.required)
    optional = set(template.placeholders.optional)
    filled: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for segment in segments:
        if not isinstance(segment, Placeholder) or segment.name in filled:
            continue
        text = _fill(segment.name, values, required, optional, label, where, source, problems)
        if text is not None:
            filled[segment.name] = text
    if problems:
        raise RulesetError(problems)
    return _join(segments, filled, label, source)


def _fill(
    name: str,
    values: Mapping[str, object],
    required: set[str],
    optional: set[str],
    label: str,
    where: Locator,
    source: str,
    problems: list[Diagnostic],
) -> str | None:
    """The text for one placeholder, or ``None`` after adding the problem to ``problems``."""
    if name not in required and name not in optional:
        problems.append(
            Diagnostic(
                Location(source),
                codes.TEMPLATE_UNDECLARED_PLACEHOLDER.code,
                f"{label} uses {{{{ {name} }}}} but declares it neither required nor optional",
            )
        )
        return None
    value = values.get(name)
    if value is None:
        if name in optional:
            return ""
        problems.append(
            Diagnostic(
                Location(source),
                codes.TEMPLATE_MISSING_VALUE.code,
                f'no value for "{name}", which {label} requires',
            )
        )
        return None
    text = _text(value)
    if text is None:
        problems.append(
            Diagnostic(
                where(name),
                codes.TEMPLATE_INVALID_DATA.code,
                f'the value of "{name}" is {type(value).__name__} {value!r:.60}; '
                "a placeholder takes text or a finite number",
            )
        )
        return None
    if name in required and not text.strip():
        problems.append(
            Diagnostic(
                where(name),
                codes.TEMPLATE_MISSING_VALUE.code,
                f'the value of "{name}" is blank, and {label} requires it',
            )
        )
        return None
    return text


def _join(
    segments: tuple[str | Placeholder, ...], filled: Mapping[str, str], label: str, source: str
) -> str:
    parts: list[str] = []
    length = 0
    for segment in segments:
        piece = filled[segment.name] if isinstance(segment, Placeholder) else segment
        length += len(piece)
        if length > MAX_RENDERED_CHARS:
            raise RulesetError(
                [
                    Diagnostic(
                        Location(source),
                        codes.TEMPLATE_TOO_LONG.code,
                        f"{label} with these values is longer than {MAX_RENDERED_CHARS:,} "
                        "characters; it is refused rather than built",
                    )
                ]
            )
        parts.append(piece)
    return "".join(parts)
