"""The ruleset file format: a header saying where and whom it binds, and a list of cited rules.

One file per jurisdiction. The engine stacks every ruleset whose ``jurisdiction`` matches the
consumer's location and whose ``binds`` includes the collector type (conventions K6, K7).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..diagnostics import Location
from ..location.places import normalise_subdivision
from ..models import CollectorType
from . import RuleSpec

if TYPE_CHECKING:
    from ..loading.yamlsource import SourceDocument

__all__ = ["Jurisdiction", "Reference", "Ruleset", "RulesetSpec"]


class _Header(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Jurisdiction(_Header):
    """Where a ruleset applies; a missing level means "all of it"."""

    # The subdivision is normalised as addresses are ("US-MA", "ma" -> "MA"), so a ruleset and an
    # address can never miss each other over spelling. Whether a table knows the code is checked
    # by the loader, which can say where it is written and suggest a spelling.

    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. US.")
    subdivision: str | None = Field(
        default=None, description="ISO 3166-2 suffix (MA) or full code (US-MA); kept as MA."
    )
    city: str | None = Field(default=None, description="City name, e.g. New York.")
    city_aliases: list[str] = Field(
        default_factory=list, description="Other names addresses use, e.g. Brooklyn."
    )

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("subdivision")
    @classmethod
    def _subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if value is None or country is None:  # a bad country is reported on its own
            return value
        return normalise_subdivision(country, value)

    def matches(self, country: str, subdivision: str | None, city: str | None) -> bool:
        if self.country != country:
            return False
        if self.subdivision is not None and self.subdivision != _suffix(country, subdivision):
            return False
        if self.city is None:
            return True
        given = (city or "").casefold()
        return given == self.city.casefold() or any(
            given == a.casefold() for a in self.city_aliases
        )

    def label(self) -> str:
        return "-".join(p for p in (self.country, self.subdivision, self.city) if p)


def _suffix(country: str, subdivision: str | None) -> str | None:
    """A caller's subdivision in the normalised spelling; one that cannot be read matches none."""
    if subdivision is None:
        return None
    try:
        return normalise_subdivision(country, subdivision)
    except ValueError:
        return None


class Reference(_Header):
    id: str
    title: str
    url: str | None = None


class RulesetSpec(_Header):
    """A ruleset file as written."""

    ruleset: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="Id, e.g. us-federal.")
    title: str
    jurisdiction: Jurisdiction
    binds: list[CollectorType] = Field(
        default_factory=lambda: list(CollectorType),
        description="Collector types the law binds (convention K7); default: all.",
    )
    extends: str | None = Field(default=None, description="Id of the ruleset this one tightens.")
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    references: list[Reference] = Field(default_factory=list)
    notes: str | None = None
    rules: list[RuleSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Ruleset:
    """A validated ruleset and where its rules came from (for reasons that point at source)."""

    spec: RulesetSpec
    path: str
    rule_locations: dict[str, Location] = field(default_factory=dict)
    key_locations: dict[str, Location] = field(default_factory=dict)
    rule_positions: tuple[Location, ...] = ()
    source: SourceDocument | None = field(default=None, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without ``source`` (where every value is written, for ``check``): an engine
        sent to worker processes stays small."""
        return {**self.__dict__, "source": None}

    def where(self, key: str) -> Location:
        """Where a top-level key (``jurisdiction``, ``extends``…) is written."""
        return self.key_locations.get(key, Location(self.path, 1, 1))

    @property
    def id(self) -> str:
        return self.spec.ruleset

    def canonical(self) -> dict[str, Any]:
        """The spec as data, with the library disclosures its rules name written out: a rule
        that names one decides by the library's forms, so they are part of its fingerprint."""
        data = self.spec.model_dump(mode="json", exclude_defaults=False)
        named = {
            requirement.disclosure: {
                **requirement.entry.model_dump(mode="json"),
                "negations": {
                    language: sorted(requirement.library.negating(language))
                    for language in sorted(requirement.entry.languages)
                },
            }
            for rule in self.spec.rules
            for requirement in getattr(rule, "disclosure_requirements", ())
        }
        if named:
            data["disclosure_library"] = dict(sorted(named.items()))
        return data

    def digest(self) -> str:
        payload = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()
