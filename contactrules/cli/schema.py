"""``contactrules schema``: print the JSON Schema of rulesets, scenario input, template
registries or disclosure libraries."""

from __future__ import annotations

import argparse
import json

from ..schema import disclosures_schema, input_schema, ruleset_schema, templates_schema

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """``contactrules schema [ruleset|input|templates|disclosures]``: the schema, as JSON."""
    schemas = {
        "ruleset": ruleset_schema,
        "input": input_schema,
        "templates": templates_schema,
        "disclosures": disclosures_schema,
    }
    data = schemas[args.which]()
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0
