"""``contactrules schema``: print the JSON Schema of rulesets or of scenario input."""

from __future__ import annotations

import argparse
import json

from ..schema import input_schema, ruleset_schema

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """``contactrules schema [ruleset|input]``: the schema, as indented JSON on stdout."""
    data = ruleset_schema() if args.which == "ruleset" else input_schema()
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0
