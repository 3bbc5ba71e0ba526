"""``contactrules screen``: a whole book from files, one decision row per account and channel.

The book is read by :mod:`contactrules.book`, imported only when this command runs, so other
commands neither need pyarrow (the ``screen`` extra) nor pay for importing it.

Exit status: 0 the decisions file was written (bad rows, if any, are reported and their
accounts denied); 1 a file cannot be used (its columns, its order, its bytes), or a bad row
under ``--strict``: nothing is written then; 2 the command was misused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import IO, Any

__all__ = ["add_parser", "run"]

_MISSING_EXTRA = (
    "contactrules screen needs the screen extra: pip install 'contactrules[screen]' "
    "(missing: {name})"
)
#: Bad rows printed on stderr; the rest are counted (all of them go to --bad-rows FILE).
SHOWN_PROBLEMS = 20
_CHANNELS = ("call", "voicemail", "sms", "email", "letter", "visit", "social_dm", "social_public")


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an instant; write ISO 8601 with an offset, 2026-06-02T09:00-04:00"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset; local time depends on it (2026-06-02T09:00-04:00)"
        )
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``screen`` command."""
    screen = sub.add_parser(
        "screen",
        help="screen a book of accounts from Parquet, Arrow IPC or CSV (docs/screening.md)",
        description="Judge every account of a book on each channel at one instant and write "
        "one decision row per account and channel. Both files must be sorted by consumer_id "
        "(as text) unless --sort is given.",
    )
    screen.add_argument("--accounts", required=True, metavar="FILE", help="the accounts file")
    screen.add_argument("--history", required=True, metavar="FILE", help="the history file")
    screen.add_argument(
        "--at", required=True, type=_instant, metavar="INSTANT", help="e.g. 2026-06-02T09:00-04:00"
    )
    screen.add_argument(
        "--channel",
        action="append",
        required=True,
        choices=_CHANNELS,
        help="a channel to screen (repeat for several)",
    )
    screen.add_argument("--out", required=True, metavar="FILE", help="the decisions file")
    screen.add_argument(
        "--format",
        choices=["parquet", "csv", "jsonl"],
        default=None,
        help="of the decisions file (default: from --out's suffix, else parquet)",
    )
    screen.add_argument(
        "--dial-method",
        choices=["manual", "autodialer", "prerecorded"],
        default=None,
        help="how calls and texts would be placed; not given: possibly automated (TCPA)",
    )
    screen.add_argument(
        "--collector-type",
        choices=["third_party_collector", "original_creditor"],
        default="third_party_collector",
    )
    screen.add_argument(
        "--rulesets",
        action="append",
        default=None,
        metavar="PATH",
        help="ruleset files or folders (default: the bundled rulesets)",
    )
    screen.add_argument(
        "--processes", type=_positive, default=1, metavar="N", help="worker processes (default 1)"
    )
    screen.add_argument(
        "--sort",
        action="store_true",
        help="the files are not sorted by consumer_id: partition and sort them first",
    )
    screen.add_argument(
        "--strict", action="store_true", help="any bad row: exit 1 and write nothing"
    )
    screen.add_argument(
        "--bad-rows", default=None, metavar="FILE", help="write every bad row here (JSON Lines)"
    )
    screen.add_argument(
        "--spark",
        default=None,
        metavar="MASTER",
        help="run the screen on Apache Spark, e.g. local[2] (the spark extra and Java)",
    )
    screen.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="the progress line on stderr (auto: on a terminal)",
    )


def _on_spark(master: str, engine: Any, accounts: str, history: str, options: Any) -> Any:
    try:
        from ..spark import screen_files_on_spark
    except ImportError as exc:  # pragma: no cover - the spark extra is missing
        raise ValueError(
            f"--spark needs the spark extra: pip install 'contactrules[spark]' ({exc})"
        ) from None
    return screen_files_on_spark(master, engine, accounts, history, options)


def run(args: argparse.Namespace) -> int:
    try:
        from ..book import ScreenOptions, screen_files
        from ..book.write import output_format
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != "pyarrow":
            raise
        print(_MISSING_EXTRA.format(name=exc.name), file=sys.stderr)
        return 2
    from ..engine import Engine
    from ..models import Channel, CollectorType, DialMethod

    engine = Engine.from_path(*args.rulesets) if args.rulesets else Engine.default()
    channels = tuple(dict.fromkeys(Channel(c) for c in args.channel))
    options = ScreenOptions(
        at=args.at,
        channels=channels,
        out=args.out,
        fmt=output_format(args.out, args.format),
        dial_method=None if args.dial_method is None else DialMethod(args.dial_method),
        collector_type=CollectorType(args.collector_type),
        processes=args.processes,
        strict=args.strict,
        sort=args.sort,
    )
    shown = 0
    report: IO[str] | None = None

    def problem(bad: object) -> None:
        nonlocal shown
        from ..book.problems import BadRow

        assert isinstance(bad, BadRow)
        if report is not None:
            report.write(json.dumps(bad.as_dict(), ensure_ascii=False) + "\n")
        if shown < SHOWN_PROBLEMS:
            print(bad.diagnostic(), file=sys.stderr)
        shown += 1

    stream_arg = None if args.progress == "never" else sys.stderr
    try:
        if args.bad_rows:
            report = open(args.bad_rows, "w", encoding="utf-8")  # noqa: SIM115
        if args.spark:
            outcome = _on_spark(args.spark, engine, args.accounts, args.history, options)
            for bad in outcome.problems:
                problem(bad)
        else:
            outcome = screen_files(
                engine,
                args.accounts,
                args.history,
                options,
                progress_stream=stream_arg,
                on_problem=problem,
                progress_always=args.progress == "always",
            )
    finally:
        if report is not None:
            report.close()
    if shown > SHOWN_PROBLEMS:
        more = f"; all in {args.bad_rows}" if args.bad_rows else "; --bad-rows FILE lists all"
        print(f"… and {shown - SHOWN_PROBLEMS:,} more bad rows{more}", file=sys.stderr)
    for line in outcome.summary.lines():
        print(line, file=sys.stderr)
    if not outcome.written:
        print(
            f"--strict: {len(outcome.problems):,} bad row(s); {args.out} was not written",
            file=sys.stderr,
        )
        return 1
    print(f"wrote {outcome.summary.decisions:,} decisions to {args.out}", file=sys.stderr)
    return 0
