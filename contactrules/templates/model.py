"""The template registry file format: ``templates:``, a list of approved message templates.

One entry is one text in one language: the same ``id`` and ``version`` in several languages is
one template translated (the loader checks that the translations agree on channel, purpose and
required placeholders). Every key is required but ``placeholders``, ``effective_until`` and
``note``: a template nobody approved, or with no date from which it may be sent, must not load.
Unknown keys are refused, as in rulesets, so a misspelt ``efective_until`` cannot vanish.

The content hash is not a field: it is computed from the text (see :mod:`.content_hash`), so it
can never disagree with what is sent.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    field_validator,
)

from ..location.places import (
    check_country,
    check_subdivision,
    normalise_country,
    normalise_subdivision,
)
from ..models import Channel, Day, NonBlankStr, Purpose
from .language import check_language
from .syntax import name_problem

__all__ = [
    "MAX_BODY_CHARS",
    "MessageTemplate",
    "Placeholders",
    "RegistryFile",
    "check_jurisdiction",
    "check_template_id",
]

MAX_BODY_CHARS = 50_000
"""Longer than any letter a collector sends; a body beyond it is refused, not read on."""

_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def check_template_id(value: str) -> str:
    """A template id is letters, digits, ``.``, ``_`` and ``-``: never ``@``, which starts a
    version on the command line (``payment-reminder@2``), and never spaces."""
    if not value or len(value) > 100 or not set(value) <= _ID_CHARS or not value[0].isalnum():
        raise ValueError(
            f'"{value}" is not a template id: use letters, digits, ".", "_" and "-", starting '
            'with a letter or digit, such as "payment-reminder-sms"'
        )
    return value


def check_jurisdiction(value: str) -> str:
    """``"US"`` or ``"US-NY"``: a country, or a country and subdivision, that a table knows.

    Written as addresses are normalised (``us-ny`` becomes ``US-NY``), so a registry and a
    consumer's address cannot miss each other over spelling.
    """
    country_part, dash, subdivision_part = value.partition("-")
    country = check_country(normalise_country(country_part))
    if not dash:
        return country
    subdivision = check_subdivision(country, normalise_subdivision(country, subdivision_part))
    return f"{country}-{subdivision}"


def _placeholder_name(value: str) -> str:
    why = name_problem(value)
    if why is not None:
        raise ValueError(why)
    return value


# The patterns tell an editor the form; the validators also check the tables (ISO 639, 3166).
TemplateId = Annotated[
    StrictStr,
    AfterValidator(check_template_id),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"}),
]
Language = Annotated[
    StrictStr,
    AfterValidator(check_language),
    WithJsonSchema({"type": "string", "pattern": "^[a-z]{2,3}$"}),
]
JurisdictionCode = Annotated[
    StrictStr,
    AfterValidator(check_jurisdiction),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$"}),
]
PlaceholderName = Annotated[
    StrictStr,
    AfterValidator(_placeholder_name),
    WithJsonSchema({"type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"}),
]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Placeholders(_Entry):
    """The values a body takes: every one it uses, each declared once, required or optional."""

    required: list[PlaceholderName] = Field(
        default_factory=list,
        description="Values that must be given and not blank; rendering without one fails.",
    )
    optional: list[PlaceholderName] = Field(
        default_factory=list,
        description="Values that may be missing; then nothing is written in their place.",
    )


class MessageTemplate(_Entry):
    """One approved text of a message, in one language, for one channel and purpose."""

    id: TemplateId = Field(description="Shared by every language of the template.")
    version: StrictInt = Field(ge=1, description="A whole number; a changed text is a new one.")
    language: Language = Field(description="BCP 47 primary language subtag: en, es, fr, …")
    channel: Channel
    purpose: Purpose
    jurisdictions: list[JurisdictionCode] = Field(
        min_length=1, description='Where it may be sent: "US", "US-NY", …'
    )
    body: StrictStr = Field(
        min_length=1,
        max_length=MAX_BODY_CHARS,
        description="The text, with {{ name }} placeholders and nothing else.",
    )
    placeholders: Placeholders = Field(default_factory=Placeholders)
    approved_by: NonBlankStr = Field(description="Who approved this text (name and role).")
    approved_on: Day = Field(description="The day it was approved, YYYY-MM-DD.")
    effective_from: Day = Field(description="The first day it may be sent.")
    effective_until: Day | None = Field(
        default=None, description="The last day it may be sent; omitted: no end."
    )
    note: StrictStr | None = Field(default=None, description="Free text for reviewers.")

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the body is blank; write the message")
        return value

    @property
    def key(self) -> tuple[str, int, str]:
        """What identifies an entry in a registry: id, version and language."""
        return (self.id, self.version, self.language)

    @property
    def label(self) -> str:
        """``id@version``, as the command line names it."""
        return f"{self.id}@{self.version}"


class RegistryFile(_Entry):
    """A ``*.templates.yaml`` file."""

    templates: list[MessageTemplate] = Field(min_length=1)
