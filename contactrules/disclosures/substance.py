"""Matching a disclosure by its substance: the words that carry its meaning, in order, in one
sentence, and not negated.

Why not exact phrases: 12 CFR 1006.18(e) requires the substance of the mini-Miranda ("attempt to
collect a debt", "information obtained will be used for that purpose"), not one wording, and
every firm words it a little differently ("we will use any information we obtain for that
purpose"); exact phrase lists deny those messages for nothing. Why not regular expressions:
officers write these forms, and a pattern can backtrack without bound or match more than its
author meant. A *form* is written ``attempt | attempting ... collect ... debt``: *terms*
separated by ``...``, each a choice of whole words or phrases separated by ``|``. A sentence
satisfies the form when the terms occur in it in that order (any words between them), and no
negating word of the language ("not", "never", "no") occurs in the sentence before its last
term, other than inside a matched term ("will not sue" may itself be a term). So "this is not an
attempt to collect a debt" does not satisfy the form above.

Matching is linear in the text's words times the form's terms; texts are bounded by the
template and input limits. Sentences end at ``; :``, line breaks, and ``. ! ?`` followed by the
end of the text or by a capital letter, so "8 a.m. or after 9 p.m." stays one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..errors import InputError

__all__ = [
    "DisclosureFormError",
    "Form",
    "Span",
    "Tokens",
    "masked_text",
    "parse_form",
    "tokenize",
]

_BREAK = re.compile(r"[;:\n\r\u3002\uff01\uff1f]+|[.!?]+")
_STOPS = frozenset(".!?")
_NON_WORD = re.compile(r"[^\w]+")
MAX_TERMS = 12
"""A form longer than this says a whole sentence word for word: write it as a phrase."""


class DisclosureFormError(InputError, ValueError):
    """A disclosure form that cannot be matched (empty, a term with no words, too many terms)."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(_NON_WORD.sub(" ", text.casefold()).split())


@dataclass(frozen=True, slots=True)
class Form:
    """Terms in order; each term is a choice of word sequences."""

    source: str
    terms: tuple[tuple[tuple[str, ...], ...], ...]


@lru_cache(maxsize=4096)
def parse_form(source: str) -> Form:
    """``"attempt | attempting ... collect ... debt"`` → a :class:`Form`.

    Raises :class:`DisclosureFormError` for a form that cannot be matched."""
    terms: list[tuple[tuple[str, ...], ...]] = []
    for raw_term in source.split("..."):
        choices = tuple(w for w in (_words(c) for c in raw_term.split("|")) if w)
        if not choices:
            raise DisclosureFormError(
                f'"{source}" has an empty term: write words between each "..." (and on both '
                'sides of each "|")'
            )
        if any(not _words(c) for c in raw_term.split("|")):
            raise DisclosureFormError(
                f'"{source}" has an empty choice: write words on both sides of "|"'
            )
        terms.append(choices)
    if len(terms) > MAX_TERMS:
        raise DisclosureFormError(
            f'"{source}" has {len(terms)} terms; at most {MAX_TERMS} (write a long fixed '
            "wording as fewer, longer terms)"
        )
    return Form(source, tuple(terms))


@dataclass(frozen=True, slots=True)
class Span:
    """Word positions ``[start, stop)`` in the whole text's word list."""

    start: int
    stop: int


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text as words, with the sentence each word belongs to."""

    words: tuple[str, ...]
    sentences: tuple[tuple[int, int], ...]  # [start, stop) word positions of each sentence

    def find(self, form: Form, negations: frozenset[str]) -> Span | None:
        """The first span of a sentence that satisfies ``form``, or ``None``."""
        for start, stop in self.sentences:
            found = _in_sentence(self.words, start, stop, form, negations)
            if found is not None:
                return found
        return None


@lru_cache(maxsize=2048)
def tokenize(text: str) -> Tokens:
    words: list[str] = []
    sentences: list[tuple[int, int]] = []
    for sentence in _sentences(text):
        own = _words(sentence)
        if own:
            sentences.append((len(words), len(words) + len(own)))
            words.extend(own)
    return Tokens(tuple(words), tuple(sentences))


def _sentences(text: str) -> list[str]:
    """Split at sentence ends; a full stop before a lower-case word is an abbreviation."""
    parts: list[str] = []
    begin = 0
    for found in _BREAK.finditer(text):
        if found.group()[0] in _STOPS:
            rest = text[found.end() :].lstrip(" \t\"'\u201c\u201d\u00bf\u00a1(")
            if rest and not rest[0].isupper() and rest[0] not in "\n\r":
                continue
        parts.append(text[begin : found.start()])
        begin = found.end()
    parts.append(text[begin:])
    return parts


def _match_at(words: Sequence[str], at: int, stop: int, choice: tuple[str, ...]) -> bool:
    end = at + len(choice)
    return end <= stop and tuple(words[at:end]) == choice


def _in_sentence(
    words: Sequence[str], start: int, stop: int, form: Form, negations: frozenset[str]
) -> Span | None:
    """Earliest-ending match of the terms in order; each start of the first term is tried."""
    first = form.terms[0]
    for begin in range(start, stop):
        head = next((c for c in first if _match_at(words, begin, stop, c)), None)
        if head is None:
            continue
        matched = set(range(begin, begin + len(head)))
        position = begin + len(head)
        for term in form.terms[1:]:
            hit = None
            while position < stop and hit is None:
                hit = next((c for c in term if _match_at(words, position, stop, c)), None)
                if hit is None:
                    position += 1
            if hit is None:
                return None  # a later start cannot find what this one could not
            matched.update(range(position, position + len(hit)))
            position += len(hit)
        negated = any(words[i] in negations and i not in matched for i in range(start, position))
        if not negated:
            return Span(begin, position)
    return None


def masked_text(tokens: Tokens, spans: Iterable[Span]) -> str:
    """The text as the phrase matcher reads it (lower-case words between single spaces,
    padded), with the words of ``spans`` blanked out so that no phrase can match inside them."""
    hidden: set[int] = set()
    for span in spans:
        hidden.update(range(span.start, span.stop))
    if not hidden:
        return " " + " ".join(tokens.words) + " "
    return " " + " ".join("\u2022" if i in hidden else w for i, w in enumerate(tokens.words)) + " "
