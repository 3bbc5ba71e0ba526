"""The placeholder syntax of template bodies: ``{{ name }}`` and nothing else.

Why not a template language: a message template is approved text with holes for the account's
data. Anything more (expressions, filters, attribute access, loops, defaults) is a way for the
text that reaches a consumer to differ from the text a compliance officer approved, and in
general-purpose engines a way to reach interpreter internals (``{{ x.__class__ }}``). Even
jinja2's ``SandboxedEnvironment`` evaluates expressions and polices them afterwards, and renders
an unknown name as an empty string unless told otherwise; a syntax with no expressions has
nothing to police.

The syntax, in full:

- ``{{`` opens a placeholder and the next ``}}`` closes it. Between them, after any spaces, is
  a name: a lower-case ASCII letter, then lower-case letters, digits or ``_``, at most
  :data:`MAX_NAME` characters in all. Nothing else is allowed there: no dots, brackets, calls,
  filters (``|``) or defaults.
- A ``}}`` that closes nothing is an error, so a mistyped ``{ name }}`` is caught; so are
  ``{%`` and ``{#``, which start statements and comments in other template languages and
  would otherwise be sent as text.
- Every other character, single braces included, is text. There is no escape: ``{{`` cannot be
  written as text, which no collection message needs.

The scanner is hand-written and makes one pass over the body (each search for ``}}`` starts
where the previous one ended), so no input can make it slow.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CLOSE",
    "MAX_NAME",
    "OPEN",
    "Placeholder",
    "Problem",
    "Segment",
    "describe_offset",
    "is_placeholder_name",
    "name_problem",
    "parse",
]

OPEN = "{{"
CLOSE = "}}"
MAX_NAME = 64
_FIRST = frozenset("abcdefghijklmnopqrstuvwxyz")
_REST = _FIRST | frozenset("0123456789_")
#: Jinja-style statements and comments: never meant as text, so a mistake to catch.
_OTHER_TAGS = frozenset({"{%", "{#"})


@dataclass(frozen=True)
class Placeholder:
    """A hole for one value, and where its ``{{`` starts in the body (0-based)."""

    name: str
    offset: int


Segment = str | Placeholder
"""A piece of a parsed body: literal text, or a placeholder."""


@dataclass(frozen=True)
class Problem:
    """Why a body cannot be parsed, and where in the body (0-based offset)."""

    offset: int
    message: str


def is_placeholder_name(name: str) -> bool:
    """Whether ``name`` may name a placeholder: ``first_name``, ``amount_due``, ``phone2``."""
    return (
        0 < len(name) <= MAX_NAME and name[0] in _FIRST and all(char in _REST for char in name[1:])
    )


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a placeholder name, in words; ``None`` when it is one."""
    if is_placeholder_name(name):
        return None
    if not name:
        return "a placeholder needs a name, such as {{ first_name }}"
    if len(name) > MAX_NAME:
        return f"a placeholder name has at most {MAX_NAME} characters"
    if any(char in ".[]()|:=+-*/%~!<>,'\"" for char in name):
        return (
            f'"{name}" is not a plain name: placeholders take no attribute access, indexing, '
            "calls, filters or defaults, only a name such as {{ first_name }}"
        )
    return (
        f'"{name}" is not a placeholder name: use lower-case letters, digits and "_", '
        "starting with a letter, such as {{ first_name }}"
    )


def parse(body: str) -> tuple[tuple[Segment, ...], tuple[Problem, ...]]:
    """The body as text and placeholders, in order, and every problem found in it.

    When there are problems the segments are incomplete and must not be rendered.
    """
    segments: list[Segment] = []
    problems: list[Problem] = []
    text_start = 0
    i = 0
    end = len(body)
    while i < end - 1:
        pair = body[i : i + 2]
        if pair == OPEN:
            if i > text_start:
                segments.append(body[text_start:i])
            close = body.find(CLOSE, i + 2)
            if close < 0:
                problems.append(Problem(i, "this {{ is never closed with }}"))
                return tuple(segments), tuple(problems)
            name = body[i + 2 : close].strip(" ")
            why = name_problem(name)
            if why is None:
                segments.append(Placeholder(name, i))
            else:
                problems.append(Problem(i, why))
            i = text_start = close + 2
        elif pair == CLOSE:
            problems.append(Problem(i, "this }} closes no {{"))
            i += 2
        elif pair in _OTHER_TAGS:
            problems.append(
                Problem(
                    i,
                    f"{pair} starts a statement or comment of other template languages; "
                    "templates have only {{ name }} placeholders and text",
                )
            )
            i += 2
        else:
            i += 1
    if text_start < end:
        segments.append(body[text_start:])
    return tuple(segments), tuple(problems)


def describe_offset(body: str, offset: int) -> str:
    """Where an offset is in the body, in the words an editor uses: line and column of the body.

    The registry's locations point at the start of the body in the file; a body written as a
    block (``body: |``) starts on the next line, so its lines are counted separately.
    """
    before = body[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return f"line {line}, column {column} of the body"
