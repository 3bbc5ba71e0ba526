"""The disclosure library: statements laws require, by their substance, in each language.

Rules name a disclosure (``required: - disclosure: ID``) instead of copying phrase lists, the
substance is matched rather than one wording (:mod:`.substance`), and a disclosure that a rule
requires of a message is never read for another rule's forbidden words (docs/disclosures.md).
"""

from __future__ import annotations

from .library import DISCLOSURES_SUFFIXES, Library, bundled_library, library_for, lint_library
from .model import Disclosure, DisclosureFile, Element
from .substance import DisclosureFormError, Form, Span, Tokens, masked_text, parse_form, tokenize

__all__ = [
    "DISCLOSURES_SUFFIXES",
    "Disclosure",
    "DisclosureFile",
    "DisclosureFormError",
    "Element",
    "Form",
    "Library",
    "Span",
    "Tokens",
    "bundled_library",
    "library_for",
    "lint_library",
    "masked_text",
    "parse_form",
    "tokenize",
]
