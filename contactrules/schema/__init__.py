"""JSON Schemas generated from the models, for editors (rulesets) and generators (inputs)."""

from __future__ import annotations

from typing import Any

from ..rules.ruleset import RulesetSpec
from ..scenario import Scenario

__all__ = ["input_schema", "ruleset_schema"]


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
