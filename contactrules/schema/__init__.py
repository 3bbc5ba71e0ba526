"""JSON Schemas generated from the models, for editors (rulesets, template registries,
disclosure libraries) and generators (inputs)."""

from __future__ import annotations

from typing import Any

from ..disclosures.model import DisclosureFile
from ..rules.ruleset import RulesetSpec
from ..scenario import Scenario
from ..templates.model import RegistryFile

__all__ = ["disclosures_schema", "input_schema", "ruleset_schema", "templates_schema"]


def ruleset_schema() -> dict[str, Any]:
    schema = RulesetSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "contactrules ruleset"
    return schema


def input_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "contactrules evaluate input"
    return schema


def templates_schema() -> dict[str, Any]:
    schema = RegistryFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "contactrules template registry"
    return schema


def disclosures_schema() -> dict[str, Any]:
    schema = DisclosureFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "contactrules disclosure library"
    return schema
