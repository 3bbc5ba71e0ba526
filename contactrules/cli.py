"""The ``contactrules`` command: check rulesets, evaluate contacts, print schemas.

Exit codes follow linters: 0 fine, 1 problems found in the files, 2 the command was misused.
User mistakes (bad YAML, unknown keys, naive datetimes) are printed as ``path:line:col`` lines,
never as tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from ._version import __version__
from .decision import Decision
from .diagnostics import Diagnostic, Location, RulesetError, exit_status, format_diagnostics
from .engine import Engine
from .files import path_status
from .loader import lint_paths, validation_diagnostics
from .scenario import Scenario
from .yamlsource import load_yaml_file

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contactrules",
        description="Decide whether a debt collector may contact a consumer now, and why.",
    )
    parser.add_argument("--version", action="version", version=f"contactrules {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate ruleset files; print path:line:col problems")
    check.add_argument("paths", nargs="+", help="ruleset files or folders")
    check.add_argument("--format", choices=["text", "json", "github"], default="text")
    check.add_argument("--strict", action="store_true", help="warnings fail too")

    evaluate = sub.add_parser("evaluate", help="judge the contacts in scenario files")
    evaluate.add_argument("files", nargs="+", help="scenario files (YAML or JSON)")
    evaluate.add_argument(
        "--rulesets",
        action="append",
        default=None,
        metavar="PATH",
        help="ruleset files or folders (default: the bundled rulesets)",
    )
    evaluate.add_argument("--format", choices=["text", "json"], default="text")

    test = sub.add_parser("test", help="run the *.cases.yaml cases beside the rulesets")
    test.add_argument("paths", nargs="+", help="folders or files with rulesets and cases")
    test.add_argument(
        "--coverage",
        action="store_true",
        help="list rules no case denies, and rules never seen passing",
    )
    test.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")

    explain = sub.add_parser("explain", help="explain a rule id or a rule kind")
    explain.add_argument(
        "name", nargs="?", help="a rule id (e.g. US-FED-REGF-1006.6b1i-HOURS) or kind"
    )
    explain.add_argument("--all", action="store_true", help="every rule kind, as Markdown")
    explain.add_argument("--rulesets", action="append", default=None, metavar="PATH")

    calendar = sub.add_parser("calendar", help="draw a week's allowed hours as a grid")
    calendar.add_argument("jurisdiction", help="COUNTRY or COUNTRY-SUBDIVISION, e.g. US-MA, AU-VIC")
    calendar.add_argument("--channel", default="call", help="channel to draw (default: call)")
    calendar.add_argument("--week", default=None, help="first day, YYYY-MM-DD (default: today)")
    calendar.add_argument("--zone", default=None, help="IANA zone to draw in (default: first)")
    calendar.add_argument("--rulesets", action="append", default=None, metavar="PATH")
    calendar.add_argument("--svg", default=None, metavar="FILE", help="also write an SVG file")
    calendar.add_argument("--html", default=None, metavar="FILE", help="also write an HTML file")

    schema = sub.add_parser("schema", help="print a JSON Schema for editors and generators")
    schema.add_argument("which", choices=["ruleset", "input"], nargs="?", default="ruleset")

    replay = sub.add_parser(
        "replay", help="re-judge a ledger's logged decisions; list those that would change"
    )
    replay.add_argument(
        "ledger",
        help="sqlite:///PATH, a SQLite file, postgresql://… or an exported audit .jsonl file",
    )
    replay.add_argument(
        "--rulesets",
        action="append",
        default=None,
        metavar="PATH",
        help="ruleset files or folders to judge with (default: the bundled rulesets)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status; a failure is never a traceback.

    Problems in the files named are located lines (exit 1; 2 when a named path does not exist).
    Any other exception is one line on stderr with exit 2: ``contactrules: error …`` for bad
    input and OS errors, ``contactrules: internal error: TYPE: message`` for a bug. Setting
    ``CONTACTRULES_DEBUG=1`` re-raises it instead, with its traceback, for developers.
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args.paths, args.format, args.strict, sys.stdout)
        if args.command == "evaluate":
            return _evaluate(args.files, args.rulesets, args.format, sys.stdout)
        if args.command == "test":
            from .testing import run_test_command

            return run_test_command(args.paths, args.coverage, args.verbose, sys.stdout)
        if args.command == "explain":
            from .explain import explain, kinds_markdown

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
        if args.command == "calendar":
            return _calendar(args)
        if args.command == "replay":
            from .ledger.replay import replay_command

            return replay_command(args.ledger, args.rulesets, sys.stdout)
        if args.command == "schema":
            from .schemas import input_schema, ruleset_schema

            data = ruleset_schema() if args.which == "ruleset" else input_schema()
            print(json.dumps(data, indent=2, ensure_ascii=False))
            return 0
    except RulesetError as exc:
        print(format_diagnostics(exc.diagnostics), file=sys.stderr)
        return exit_status(exc.diagnostics) or 1
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        return 130
    except BrokenPipeError:  # `contactrules evaluate … | head`: the reader has gone
        sys.stderr.close()
        return 0
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("CONTACTRULES_DEBUG", "") not in ("", "0"):
            raise
        print(_failure_line(exc), file=sys.stderr)
        return 2
    return 2  # pragma: no cover - argparse enforces a command


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _failure_line(exc: Exception) -> str:
    """One line for an exception no command turned into located problems."""
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_url=False)
        first = errors[0] if errors else {"loc": (), "msg": str(exc)}
        where = ".".join(str(part) for part in first["loc"])
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        message = _one_line(str(first["msg"]).removeprefix("Value error, "))
        return f"contactrules: error input.invalid {where + ': ' if where else ''}{message}{more}"
    if isinstance(exc, OSError):
        reason = _one_line(exc.strerror or str(exc))
        if exc.filename is not None:
            return str(Diagnostic(Location(str(exc.filename)), "file.io-error", reason))
        return f"contactrules: error file.io-error {reason}"
    if isinstance(exc, ValueError):
        return f"contactrules: error {_one_line(str(exc)) or type(exc).__name__}"
    return f"contactrules: internal error: {type(exc).__name__}: {_one_line(str(exc))}"


def _calendar(args: argparse.Namespace) -> int:
    import datetime as dt

    from .calendar_view import build_week, render_svg, render_text
    from .models import Channel

    country, _, subdivision = args.jurisdiction.upper().partition("-")
    try:
        channel = Channel(args.channel)
        start = dt.date.fromisoformat(args.week) if args.week else dt.date.today()
    except ValueError as exc:
        print(f"contactrules calendar: {exc}", file=sys.stderr)
        return 2
    engine = Engine.from_path(*args.rulesets) if args.rulesets else Engine.default()
    try:
        grid = build_week(
            engine,
            country=country,
            subdivision=subdivision or None,
            channel=channel,
            start=start,
            zone=args.zone,
        )
    except ValueError as exc:
        print(f"contactrules calendar: {exc}", file=sys.stderr)
        return 2
    print(render_text(grid))
    svg = render_svg(grid)
    if args.svg:
        Path(args.svg).write_text(svg, encoding="utf-8")
    if args.html:
        page = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{grid.title}</title>"
            f"</head><body>{svg}</body></html>"
        )
        Path(args.html).write_text(page, encoding="utf-8")
    return 0


def _check(paths: list[str], fmt: str, strict: bool, out: TextIO) -> int:
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


def _evaluate(files: list[str], rulesets: list[str] | None, fmt: str, out: TextIO) -> int:
    engine = Engine.from_path(*rulesets) if rulesets else Engine.default()
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
        for reason in (*d.reasons, *d.warnings):
            tag = "warning " if reason.severity == "warn" else ""
            print(f"      - {tag}{reason.rule_id} [{reason.citation}]", file=out)
            print(f"        {reason.message}", file=out)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
