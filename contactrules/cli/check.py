"""``contactrules check``: validate ruleset files and print ``path:line:col`` problems."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..diagnostics import exit_status, format_diagnostics
from ..loading.loader import lint_paths

__all__ = ["check", "run"]


def run(args: argparse.Namespace) -> int:
    """``contactrules check PATH… [--format text|json|github] [--strict]``."""
    return check(args.paths, args.format, args.strict, sys.stdout)


def check(paths: list[str], fmt: str, strict: bool, out: TextIO) -> int:
    """Print the problems of the rulesets under ``paths``, a summary on stderr; the exit status."""
    rulesets, problems = lint_paths(paths)
    if problems:
        print(format_diagnostics(problems, fmt), file=out)  # type: ignore[arg-type]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    rules = sum(len(rs.spec.rules) for rs in rulesets)
    print(
        f"{len(rulesets)} ruleset(s), {rules} rule(s): {errors} error(s), {warnings} warning(s)",
        file=sys.stderr,
    )
    return exit_status(problems, strict=strict)
