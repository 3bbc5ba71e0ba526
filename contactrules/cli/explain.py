"""``contactrules explain``: what a rule kind or a loaded rule does, why, and its options."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..engine import Engine
from ..rules import REGISTRY
from ..rules.reference import kind_reference, kinds_markdown

__all__ = ["describe", "explain", "run"]


def run(args: argparse.Namespace) -> int:
    """``contactrules explain RULE_ID|KIND [--rulesets PATH]…`` or ``--all`` (Markdown)."""
    if args.all:
        print(kinds_markdown(), end="")
        return 0
    if not args.name:
        print("contactrules explain: give a rule id or kind, or --all", file=sys.stderr)
        return 2
    text = explain(args.name, args.rulesets)
    if text is None:
        print(f'contactrules: no rule id or rule kind "{args.name}"', file=sys.stderr)
        return 1
    print(text)
    return 0


def explain(name: str, ruleset_paths: Sequence[str] | None = None) -> str | None:
    """What a rule kind, or a rule id in the rulesets, is: None when neither is known."""
    if name in REGISTRY:
        return kind_reference(name)
    engine = Engine.from_path(*ruleset_paths) if ruleset_paths else Engine.default()
    return describe(engine, name)


def describe(engine: Engine, rule_id: str) -> str | None:
    """What a rule of ``engine`` does (the text ``explain`` prints), or None if it has none.

    Also what ``GET /v1/rules/{id}`` of the service answers, for the caller's own rulesets.
    """
    found = engine.rule(rule_id)
    if found is None:
        return None
    rule, ruleset = found
    where = ruleset.rule_locations.get(rule.id)
    lines = [
        f"{rule.id} ({rule.KIND}) in ruleset {ruleset.id} — {ruleset.spec.title}",
        f"  {rule.title}" if rule.title else "",
        f"  citation:   {rule.citation}",
        f"  channels:   {', '.join(c.value for c in rule.channels)}",
        f"  confidence: {rule.confidence}",
        f"  source:     {where or ruleset.path}",
    ]
    if rule.note:
        lines.append(f"  note:       {' '.join(rule.note.split())}")
    lines += ["", "Rule kind reference:", "", kind_reference(rule.KIND)]
    return "\n".join(line for line in lines if line != "")
