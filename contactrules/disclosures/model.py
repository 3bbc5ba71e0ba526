"""The disclosure library file format: ``disclosures:``, the statements laws require, each by
its substance in every language the library knows.

A disclosure is written once, with its citation, and rules name it (``required: - disclosure:
ID``) instead of copying phrase lists into every ruleset. Each *element* is one thing the
disclosure must say ("this is an attempt to collect a debt"); each language lists *forms* of it
(see :mod:`.substance`), any one of which carries the element. ``wordings`` are the official or
sample texts: the library checks that each satisfies every element in its language, so a form
cannot silently drift away from the text it stands for.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from .substance import DisclosureFormError, parse_form

__all__ = ["Disclosure", "DisclosureFile", "Element"]

Confidence = Literal["primary", "secondary", "unconfirmed", "convention"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_language(code: str) -> str:
    # Imported here: the templates package imports the loader, which imports the rules (and so
    # this module); language codes are checked the same way as template languages.
    from ..templates.language import check_language

    return check_language(code)


def _check_forms(forms: dict[str, list[str]]) -> dict[str, list[str]]:
    for language, listed in forms.items():
        _check_language(language)
        if not listed:
            raise ValueError(f'language "{language}" lists no form; list one or remove it')
        for form in listed:
            try:
                parse_form(form)
            except DisclosureFormError as error:
                raise ValueError(str(error)) from None
    return forms


class Element(_Entry):
    """One thing the disclosure must say, and the forms that say it, per language."""

    name: StrictStr = Field(min_length=1, description="What it says, in plain words.")
    forms: dict[str, list[str]] = Field(
        min_length=1,
        description='Per language, forms such as "attempt | attempting ... collect ... debt".',
    )

    _forms_ok = field_validator("forms")(_check_forms)


class Disclosure(_Entry):
    """A statement that some law requires, and how to recognise it."""

    id: StrictStr = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    title: StrictStr = Field(min_length=1)
    citation: StrictStr = Field(min_length=1)
    confidence: Confidence = "secondary"
    jurisdictions: list[StrictStr] = Field(min_length=1)
    elements: list[Element] = Field(min_length=1)
    wordings: dict[str, list[StrictStr]] = Field(
        default_factory=dict,
        description="Per language, official or sample texts; each must satisfy every element.",
    )
    note: StrictStr | None = None

    @field_validator("jurisdictions")
    @classmethod
    def _jurisdictions(cls, value: list[str]) -> list[str]:
        from ..templates.model import check_jurisdiction

        return [check_jurisdiction(code) for code in value]

    @field_validator("wordings")
    @classmethod
    def _wording_languages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for language in value:
            _check_language(language)
        return value

    @property
    def languages(self) -> frozenset[str]:
        """The languages every element has forms in: the ones the disclosure can be checked in."""
        common = set(self.elements[0].forms)
        for element in self.elements[1:]:
            common &= set(element.forms)
        return frozenset(common)


class DisclosureFile(_Entry):
    """A ``*.disclosures.yaml`` file."""

    negations: dict[str, list[StrictStr]] = Field(
        default_factory=dict,
        description="Per language, words that negate a sentence (not, never, no).",
    )
    disclosures: list[Disclosure] = Field(min_length=1)
