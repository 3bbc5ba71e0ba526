"""``contactrules test``: run officers' cases against the rulesets they sit beside."""

from __future__ import annotations

import stat
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from .casefile import (
    CaseResult,
    LoadedCase,
    check_case,
    describe_failure,
    find_case_files,
    load_cases,
)
from .diagnostics import Diagnostic, Location, RulesetError, exit_status, format_diagnostics
from .engine import DEFAULT_SKIP_DIRS, Engine
from .files import path_status
from .loader import lint_paths
from .ruleset import Ruleset

__all__ = ["collect", "run_test_command"]


def _is_default(ruleset: Ruleset, root: Path) -> bool:
    """Rulesets in ``examples`` folders below a root are opt-in, as in ``Engine.from_path``."""
    try:
        parts = Path(ruleset.path).resolve().relative_to(root.resolve()).parts[:-1]
    except ValueError:
        return True
    return not set(parts) & set(DEFAULT_SKIP_DIRS)


def collect(paths: Sequence[str | Path]) -> tuple[Engine, list[LoadedCase]]:
    """Load the rulesets and cases under ``paths``; raise RulesetError on any problem.

    A case file without ``rulesets:`` is judged by the rulesets found under the same path
    argument (examples excepted), so the law's own cases keep testing the law when a company
    policy folder is tested beside it.
    """
    rulesets, problems = lint_paths(paths)
    errors = [p for p in problems if p.severity == "error"]
    cases: list[LoadedCase] = []
    for raw in paths:
        root = Path(raw)
        base = root if _is_folder(root) else root.parent
        under = tuple(rs.id for rs in rulesets if _within(rs, root) and _is_default(rs, base))
        files, unlisted = find_case_files([root])
        errors.extend(p for p in unlisted if p not in problems)  # lint_paths saw them too
        for file in files:
            try:
                loaded = load_cases(file)
            except RulesetError as exc:
                errors.extend(exc.diagnostics)
                continue
            cases.extend(
                c if c.rulesets is not None else replace(c, rulesets=under) for c in loaded
            )
    if errors:
        raise RulesetError(errors)
    if not cases:
        raise RulesetError(
            [
                Diagnostic(
                    Location(", ".join(map(str, paths))),
                    "cases.none-found",
                    "no *.cases.yaml files with cases were found",
                )
            ]
        )
    return Engine(rulesets), cases


def _is_folder(path: Path) -> bool:
    status = path_status(path)
    return not isinstance(status, Diagnostic) and stat.S_ISDIR(status.st_mode)


def _within(ruleset: Ruleset, root: Path) -> bool:
    path = Path(ruleset.path).resolve()
    target = root.resolve()
    return path == target or target in path.parents


def run_test_command(paths: Sequence[str], coverage: bool, verbose: bool, out: TextIO) -> int:
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
