"""``required: - disclosure: ID`` in a ``template`` rule: the library entry it names.

Resolved when the ruleset is validated, so an unknown id is a located error in ``check`` (with
a "did you mean"), never a rule that silently requires nothing. The library comes from the
validation context (the loader passes the bundled library plus those under its paths), or is
the bundled one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

from .library import Library, bundled_library
from .model import Disclosure
from .substance import Span, Tokens, parse_form

__all__ = ["LIBRARY_CONTEXT_KEY", "DisclosureRequirement"]

LIBRARY_CONTEXT_KEY = "disclosure_library"


class DisclosureRequirement(BaseModel):
    """A disclosure from the library that the message must carry, every element of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    disclosure: str = Field(
        min_length=1, description="The id of a disclosure in the disclosure library."
    )
    _entry: Disclosure | None = PrivateAttr(default=None)
    _library: Library | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> DisclosureRequirement:
        context: Any = info.context
        library = context.get(LIBRARY_CONTEXT_KEY) if isinstance(context, dict) else None
        if not isinstance(library, Library):
            library = bundled_library()
        try:
            self._entry = library.get(self.disclosure)
        except KeyError as error:
            raise ValueError(error.args[0]) from None
        self._library = library
        return self

    @property
    def entry(self) -> Disclosure:
        assert self._entry is not None  # set by the validator
        return self._entry

    @property
    def library(self) -> Library:
        assert self._library is not None
        return self._library

    @property
    def name(self) -> str:
        return f"{self.entry.title} ({self.disclosure})"

    def missing(self, language: str, tokens: Tokens) -> list[str] | None:
        """The elements the text lacks; ``None`` when the library has no forms in ``language``
        (then the message cannot be verified)."""
        if language not in self.entry.languages:
            return None
        return self.library.satisfied(self.entry, language, tokens)

    def spans(self, language: str, tokens: Tokens) -> list[Span]:
        """Where the text carries each element (the first place each form matches)."""
        negations = self.library.negating(language)
        found: list[Span] = []
        for element in self.entry.elements:
            for form in element.forms.get(language, ()):
                span = tokens.find(parse_form(form), negations)
                if span is not None:
                    found.append(span)
        return found
