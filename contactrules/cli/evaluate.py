"""``contactrules evaluate``: judge the contacts in scenario files and print each decision."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from pydantic import ValidationError

from ..decision import Decision
from ..diagnostics import Diagnostic, Location, RulesetError, exit_status, format_diagnostics
from ..engine import Engine
from ..loading.files import path_status
from ..loading.validation import validation_diagnostics
from ..loading.yamlsource import load_yaml_file
from ..scenario import Scenario

__all__ = ["evaluate", "run"]


def _contact_location(path: str, index: int) -> Location:
    """Where the index-th (1-based) proposed contact is written, for a located error."""
    try:
        return load_yaml_file(path).locate(("contacts", index - 1))
    except RulesetError:
        return Location(path, 1, 1)


def _load_scenario(path: str) -> Scenario:
    doc = load_yaml_file(path)
    if not isinstance(doc.value, dict):
        raise RulesetError(
            [
                Diagnostic(
                    Location(path, 1, 1),
                    "input.not-a-mapping",
                    "a scenario file must be a mapping with consumer: and contacts:",
                )
            ]
        )
    try:
        return Scenario.model_validate(doc.value)
    except ValidationError as exc:
        problems = validation_diagnostics(exc, doc, Scenario)
        raise RulesetError(
            [
                Diagnostic(p.location, p.code.replace("ruleset.", "input."), p.message)
                for p in problems
            ]
        ) from None


def run(args: argparse.Namespace) -> int:
    """``contactrules evaluate FILE… [--rulesets PATH]… [--templates PATH]… [--format …]``."""
    return evaluate(args.files, args.rulesets, args.format, sys.stdout, args.templates)


def evaluate(
    files: list[str],
    rulesets: list[str] | None,
    fmt: str,
    out: TextIO,
    templates: list[str] | None = None,
) -> int:
    """Judge every proposed contact in the scenario files and print the decisions.

    ``templates``: registry files or folders, for contacts that name an approved template by id.
    """
    engine = (
        Engine.from_path(*rulesets, templates=templates)
        if rulesets
        else Engine.default(templates=templates)
    )
    problems: list[Diagnostic] = []
    results: list[dict[str, Any]] = []
    for file in files:
        status = path_status(file)
        if isinstance(status, Diagnostic):  # a wrong path: reported, and the exit status is 2
            problems.append(status)
            continue
        try:
            scenario = _load_scenario(file)
        except RulesetError as exc:
            problems.extend(exc.diagnostics)
            continue
        for index, proposed in enumerate(scenario.contacts, start=1):
            try:
                contact = proposed.for_consumer(scenario.consumer)
            except ValidationError as exc:
                problems.append(
                    Diagnostic(
                        _contact_location(file, index),
                        "input.invalid-contact",
                        f"contact {index}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}",
                    )
                )
                continue
            decision = engine.evaluate(contact, scenario.history)
            results.append(
                {
                    "file": file,
                    "scenario": scenario.name,
                    "index": index,
                    "label": proposed.label,
                    "channel": contact.channel.value,
                    "to": contact.to,
                    "debt_ids": contact.debt_ids,
                    "decision": decision,
                }
            )
    if fmt == "json":
        print(
            json.dumps(
                [{**r, "decision": r["decision"].as_dict()} for r in results],
                indent=2,
                ensure_ascii=False,
            ),
            file=out,
        )
    else:
        _print_text(results, out)
    if problems:
        print(format_diagnostics(problems), file=sys.stderr)
        return exit_status(problems) or 1
    return 0


def _print_text(results: list[dict[str, Any]], out: TextIO) -> None:
    current = None
    for r in results:
        if (r["file"], r["scenario"]) != current:
            current = (r["file"], r["scenario"])
            title = f" — {r['scenario']}" if r["scenario"] else ""
            print(f"\n{r['file']}{title}", file=out)
        d: Decision = r["decision"]
        label = f" {r['label']}:" if r["label"] else ""
        target = f" to {r['to']}" if r["to"] else ""
        print(
            f"  [{r['index']}]{label} {r['channel']}{target} about {', '.join(r['debt_ids'])}"
            f" at {d.at.isoformat()}",
            file=out,
        )
        verdict = "ALLOWED" if d.allowed else "DENIED"
        bound = f"; bound by {d.binding_zone}" if d.binding_zone else ""
        print(f"      {verdict} (zones: {', '.join(d.zones) or 'none'}{bound})", file=out)
        if d.template is not None:
            used = d.template
            print(
                f"      template: {used.id}@{used.version} {used.language} {used.content_hash}",
                file=out,
            )
        for reason in (*d.reasons, *d.warnings):
            tag = "warning " if reason.severity == "warn" else ""
            print(f"      - {tag}{reason.rule_id} [{reason.citation}]", file=out)
            print(f"        {reason.message}", file=out)
        if d.grounds:
            print("      relied on:", file=out)
            for ground in d.grounds:
                print(f"      - {ground.rule_id} [{ground.citation}]", file=out)
                print(f"        {ground.message}", file=out)
        if not d.allowed:
            if d.next_allowed_at is not None:
                print(f"      next allowed: {d.next_allowed_at.isoformat()}", file=out)
            else:
                print(f"      next allowed: none ({d.next_allowed_note})", file=out)
        print(
            f"      rulesets: {', '.join(d.rulesets) or 'none'}; {d.fingerprint[:19]}…; "
            f"contactrules {d.version}",
            file=out,
        )
