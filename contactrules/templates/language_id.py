"""Whether a message's text reads as the language it declares: a language check, not trust.

Why: a ``template`` rule looks its phrases up by the declared language, so an English text
labelled ``es`` would be read for Spanish profanity, threats and disclosures and pass English
ones unread. A registry check and the rule option ``language_verified`` therefore identify the
language of the text and flag a text that reads, with confidence, as another language.

How (docs/template-language.md gives the measurements behind each number):

- ``{{ name }}`` placeholders are removed first: their names are English words in every
  language's text.
- The identifier is py3langid (a naive Bayes model over byte n-grams, shipped in its wheel:
  no network, no download, deterministic). It is restricted to :data:`CANDIDATES`, the
  languages most spoken at home in the United States; choosing among 13 languages rather than
  its 140 makes short texts far more accurate. A declared language outside the set is not
  checked (undetermined).
- A text with fewer than :data:`MIN_LETTERS` letters is undetermined: short texts are misread
  too often. Above it, a text is flagged only when another language wins with a confidence of
  at least :data:`MIN_CONFIDENCE`; a weaker answer is undetermined. Undetermined is never
  flagged: the check can only add a problem it is sure of.
- The model (4.6 MB, compressed) is loaded on first use, not at import, so start-up does not
  pay for it; :func:`warm` loads it ahead of time. Answers are cached per text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from .syntax import CLOSE, OPEN, parse

__all__ = [
    "CANDIDATES",
    "LANGUAGE_NAMES",
    "MAX_IDENTIFIED_CHARS",
    "MIN_CONFIDENCE",
    "MIN_LETTERS",
    "Identification",
    "LanguageCheck",
    "Verdict",
    "identify",
    "letters",
    "spoken_text",
    "verify_language",
    "warm",
]

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "fr": "French",
    "ko": "Korean",
    "ru": "Russian",
    "de": "German",
    "ht": "Haitian Creole",
    "hi": "Hindi",
    "pt": "Portuguese",
}
CANDIDATES: tuple[str, ...] = tuple(LANGUAGE_NAMES)
"""The languages a text can be identified as: English and the twelve languages other than
English most spoken at home in the United States (Census Bureau, American Community Survey).
Chinese is ``zh`` in any script."""

MIN_LETTERS = 20
"""Fewer letters than this (after placeholders are removed) and a text is undetermined. In the
benchmark no correctly labelled text with at least 20 letters was flagged, and 98 % of them
were identified with the confidence needed to catch a mislabelling."""

MIN_CONFIDENCE = 0.8
"""How sure the identifier must be that a text is in another language to flag it."""

MAX_IDENTIFIED_CHARS = 2000
"""A longer text is identified by its first 2,000 characters: the identifier's time grows with
the text (about half a millisecond per 1,000 characters on a laptop-class core), and a page is
more than enough to tell a language."""

Verdict = Literal["declared", "other", "undetermined"]


@dataclass(frozen=True)
class Identification:
    """The language a text reads as, and how sure; ``language`` is ``None`` when too short."""

    language: str | None
    confidence: float
    letters: int


@dataclass(frozen=True)
class LanguageCheck:
    """A text against its declared language: ``declared`` (it reads as it), ``other`` (it
    reads, with confidence, as ``detected``) or ``undetermined`` (``why`` says why)."""

    declared: str
    verdict: Verdict
    detected: str | None
    confidence: float
    letters: int
    why: str = ""

    @property
    def mismatch(self) -> bool:
        """Whether the text reads, with confidence, as another language than declared."""
        return self.verdict == "other"

    @property
    def undetermined(self) -> bool:
        return self.verdict == "undetermined"

    def describe(self) -> str:
        """What was found, in words: "reads as Spanish (es, confidence 99%)"."""
        if self.detected is None:
            return f"is undetermined ({self.why})"
        name = LANGUAGE_NAMES.get(self.detected, self.detected)
        return f"reads as {name} ({self.detected}, confidence {self.confidence:.0%})"


def spoken_text(text: str) -> str:
    """The text without its ``{{ name }}`` placeholders (as written, if it does not parse),
    runs of white space as one space."""
    if OPEN not in text and CLOSE not in text:  # a rendered message: nothing to parse
        return " ".join(text.split())
    segments, problems = parse(text)
    if problems:
        return text
    return " ".join(" ".join(s.split()) for s in segments if isinstance(s, str))


def letters(text: str) -> int:
    """How many letters the text has once its placeholders are removed."""
    return sum(map(str.isalpha, spoken_text(text)))


_lock = threading.Lock()
_model: list[Any] = []


def _identifier() -> Any:
    """py3langid's identifier, restricted to :data:`CANDIDATES`, loaded once."""
    if not _model:
        with _lock:
            if not _model:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(CANDIDATES))
                _model.append(identifier)
    return _model[0]


def warm() -> None:
    """Load the model now (a server may call it at start-up, so no request pays for it)."""
    _identifier()


@lru_cache(maxsize=4096)
def _classify(spoken: str) -> tuple[str, float]:
    language, confidence = _identifier().classify(spoken)
    return str(language), float(confidence)


def identify(text: str, *, min_letters: int = MIN_LETTERS) -> Identification:
    """The language of ``text`` among :data:`CANDIDATES`, placeholders removed; ``language``
    is ``None`` when the text has fewer than ``min_letters`` letters."""
    spoken = spoken_text(text)
    count = sum(map(str.isalpha, spoken))
    if count < min_letters or count == 0:
        return Identification(None, 0.0, count)
    language, confidence = _classify(spoken[:MAX_IDENTIFIED_CHARS])
    return Identification(language, confidence, count)


@lru_cache(maxsize=4096)
def verify_language(text: str, declared: str) -> LanguageCheck:
    """Whether ``text`` reads as ``declared`` (a primary language subtag, such as ``es``).

    Undetermined, never flagged: a declared language the identifier does not know, a text
    with fewer than :data:`MIN_LETTERS` letters, or another language found with a confidence
    below :data:`MIN_CONFIDENCE`.
    """
    declared = declared.strip().lower()
    if declared not in LANGUAGE_NAMES:
        return LanguageCheck(
            declared,
            "undetermined",
            None,
            0.0,
            0,
            f"{declared} is not among the languages identified ({', '.join(CANDIDATES)})",
        )
    found = identify(text)
    if found.language is None:
        return LanguageCheck(
            declared,
            "undetermined",
            None,
            0.0,
            found.letters,
            f"{found.letters} letters; at least {MIN_LETTERS} are needed to identify a language",
        )
    if found.language == declared:
        return LanguageCheck(declared, "declared", found.language, found.confidence, found.letters)
    if found.confidence < MIN_CONFIDENCE:
        return LanguageCheck(
            declared,
            "undetermined",
            found.language,
            found.confidence,
            found.letters,
            f"it leans to {found.language} with confidence {found.confidence:.0%}, below the "
            f"{MIN_CONFIDENCE:.0%} needed",
        )
    return LanguageCheck(declared, "other", found.language, found.confidence, found.letters)
