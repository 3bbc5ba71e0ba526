"""The ``contactrules`` command: the parser, and ``main``, which runs one command module.

Each command lives in its own module here (``test`` in ``cases``, ``calendar`` in ``week``).

Exit codes follow linters: 0 fine, 1 problems found in the files, 2 the command was misused.
User mistakes (bad YAML, unknown keys, naive datetimes) are printed as ``path:line:col`` lines,
never as tracebacks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from .._version import __version__
from ..diagnostics import Diagnostic, Location, RulesetError, exit_status, format_diagnostics
from . import audit, cases, check, evaluate, explain, replay, schema, screen, serve, templates, week

__all__ = ["main"]

#: Each command's module runs it from the parsed arguments and returns its exit status.
_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "audit": lambda args: audit.run(args),
    "calendar": lambda args: week.run(args),
    "check": lambda args: check.run(args),
    "evaluate": lambda args: evaluate.run(args),
    "explain": lambda args: explain.run(args),
    "replay": lambda args: replay.run(args),
    "schema": lambda args: schema.run(args),
    "screen": lambda args: screen.run(args),
    "serve": lambda args: serve.run(args),
    "templates": lambda args: templates.run(args),
    "test": lambda args: cases.run(args),
}


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
    evaluate.add_argument(
        "--templates",
        action="append",
        default=None,
        metavar="PATH",
        help="template registry files or folders, for contacts that send a template by id",
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
    calendar.add_argument(
        "--dial-method",
        default="manual",
        choices=["manual", "autodialer", "prerecorded", "unstated"],
        help="how calls and texts are placed (default: manual; the TCPA judges the others)",
    )
    calendar.add_argument("--week", default=None, help="first day, YYYY-MM-DD (default: today)")
    calendar.add_argument("--zone", default=None, help="IANA zone to draw in (default: first)")
    calendar.add_argument("--rulesets", action="append", default=None, metavar="PATH")
    calendar.add_argument("--svg", default=None, metavar="FILE", help="also write an SVG file")
    calendar.add_argument("--html", default=None, metavar="FILE", help="also write an HTML file")

    schema = sub.add_parser("schema", help="print a JSON Schema for editors and generators")
    schema.add_argument(
        "which",
        choices=["ruleset", "input", "templates", "disclosures"],
        nargs="?",
        default="ruleset",
    )

    _add_templates(sub)
    serve.add_parser(sub)
    audit.add_parser(sub)
    screen.add_parser(sub)

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


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day; write YYYY-MM-DD") from None


def _add_judging_options(command: argparse.ArgumentParser) -> None:
    """How templates are judged by the rules: which rulesets, on which day, with which values."""
    command.add_argument(
        "--rulesets",
        action="append",
        default=None,
        metavar="PATH",
        help="ruleset files or folders to judge the templates by (default: the bundled law)",
    )
    command.add_argument(
        "--on",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day judged (default: today; a template not in force then: its nearest day)",
    )
    command.add_argument(
        "--data",
        default=None,
        metavar="FILE",
        help="sample placeholder values (default: a phone number for *phone*, else a word)",
    )


def _add_templates(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = sub.add_parser("templates", help="check message template registries; render one")
    commands = group.add_subparsers(dest="templates_command", required=True)
    check = commands.add_parser(
        "check", help="validate *.templates.yaml registries; print each template's hash"
    )
    check.add_argument("paths", nargs="+", help="registry files or folders")
    _add_judging_options(check)
    check.add_argument(
        "--no-rules", action="store_true", help="only check the registries, not the rules"
    )
    diff = commands.add_parser(
        "diff", help="compare two registries: changed messages, rules that newly deny them"
    )
    diff.add_argument("old", nargs=1, metavar="OLD", help="the registry as it was (file/folder)")
    diff.add_argument("new", nargs=1, metavar="NEW", help="the registry as proposed (file/folder)")
    _add_judging_options(diff)
    render = commands.add_parser("render", help="print one template filled with data")
    render.add_argument("template", metavar="ID[@VERSION]", help="e.g. payment-reminder-sms@1")
    render.add_argument(
        "--data", required=True, metavar="FILE", help="placeholder values (YAML or JSON mapping)"
    )
    render.add_argument("--language", required=True, help="language code, e.g. en, es")
    render.add_argument(
        "--templates",
        action="append",
        required=True,
        metavar="PATH",
        help="registry files or folders (no default: name the approved registry)",
    )
    render.add_argument(
        "--on",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day the text is sent; picks the version in force (default: today)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status; a failure is never a traceback.

    Problems in the files named are located lines (exit 1; 2 when a named path does not exist).
    Any other exception is one line on stderr with exit 2: ``contactrules: error …`` for bad
    input and OS errors, ``contactrules: internal error: TYPE: message`` for a bug. Setting
    ``CONTACTRULES_DEBUG=1`` re-raises it instead, with its traceback, for developers.
    """
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
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
