"""``contactrules test``: run officers' cases against the rulesets they sit beside.

(The module is not named after its command: ``test`` is a standard-library package.) Finding,
loading and checking cases is the library's part, in :mod:`contactrules.casefile`.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from typing import TextIO

from ..casefile import CaseResult, check_case, collect, describe_failure
from ..diagnostics import Location, RulesetError, exit_status, format_diagnostics
from ..engine import Engine

__all__ = ["run", "run_test_command"]


def run(args: argparse.Namespace) -> int:
    """``contactrules test PATH… [--coverage] [-v]``."""
    return run_test_command(args.paths, args.coverage, args.verbose, sys.stdout)


def run_test_command(paths: Sequence[str], coverage: bool, verbose: bool, out: TextIO) -> int:
    """Run the cases under ``paths``, print failures (and coverage gaps); 1 when any fails."""
    try:
        engine, cases = collect(paths)
    except RulesetError as exc:
        print(format_diagnostics(exc.diagnostics), file=out)
        return exit_status(exc.diagnostics) or 1
    engines: dict[tuple[str, ...], Engine] = {}
    results: list[CaseResult] = []
    seen: dict[str, set[str]] = defaultdict(set)
    for case in cases:
        ids = case.rulesets or ()
        try:
            sub = engines.setdefault(ids, engine.subset(ids))
        except KeyError as exc:
            print(f"{case.location}: error cases.unknown-ruleset {exc.args[0]}", file=out)
            return 1
        result = check_case(sub, case)
        results.append(result)
        if coverage:
            contact = case.case.contact.for_consumer(case.consumer)
            for rule_id, verdict in sub.trace(contact, case.case.history):
                seen[rule_id].add(verdict)
        if not result.passed:
            print(describe_failure(result), file=out)
        elif verbose:
            print(f"{case.location}: PASS {case.case.name}", file=out)
    if coverage:
        _print_coverage(engine, engines, seen, out)
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0


def _print_coverage(
    engine: Engine,
    engines: dict[tuple[str, ...], Engine],
    seen: dict[str, set[str]],
    out: TextIO,
) -> None:
    used = sorted({rs_id for ids in engines for rs_id in ids})
    print("coverage:", file=out)
    gaps = 0
    for rs in engine.rulesets:
        if rs.id not in used:
            continue
        for rule in rs.spec.rules:
            verdicts = seen.get(rule.id, set())
            where = rs.rule_locations.get(rule.id, Location(rs.path))
            if "deny" not in verdicts:
                gaps += 1
                print(f"  {where}: {rule.id}: no case is denied by it", file=out)
            if not verdicts & {"applied-pass", "not-applicable"}:
                gaps += 1
                print(
                    f"  {where}: {rule.id}: every case on its channels is denied by it "
                    "(the allowed side of its boundary is untested)",
                    file=out,
                )
    print(f"  {gaps} gap(s)", file=out)
