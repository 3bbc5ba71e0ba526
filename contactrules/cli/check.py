"""``contactrules check``: validate ruleset files (and template registries beside them) and print
``path:line:col`` problems."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..diagnostics import Diagnostic, exit_status, format_diagnostics
from ..loading.loader import lint_paths
from ..templates.registry import lint_paths as lint_registries

__all__ = ["check", "run"]


def run(args: argparse.Namespace) -> int:
    """``contactrules check PATH… [--format text|json|github] [--strict]``."""
    return check(args.paths, args.format, args.strict, sys.stdout)


def check(paths: list[str], fmt: str, strict: bool, out: TextIO) -> int:
    """Print the problems of the rulesets under ``paths``, a summary on stderr; the exit status.

    Template registries (``*.templates.yaml``) found under the same paths are checked too, so
    one command in CI covers what officers edit; a folder that holds only registries is not
    "no ruleset found".
    """
    rulesets, problems = lint_paths(paths)
    templates, template_problems, registries = lint_registries(
        paths, report_unusable_paths=False, only_named=True
    )
    if registries:
        problems = [p for p in problems if p.code != "ruleset.none-found"]
    problems = sorted([*problems, *template_problems], key=Diagnostic.sort_key)
    if problems:
        print(format_diagnostics(problems, fmt), file=out)  # type: ignore[arg-type]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    rules = sum(len(rs.spec.rules) for rs in rulesets)
    found = f"{len(rulesets)} ruleset(s), {rules} rule(s)"
    if registries:
        found += f", {len(templates)} valid template(s)"
    print(f"{found}: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return exit_status(problems, strict=strict)
