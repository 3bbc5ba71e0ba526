"""``contactrules audit``: verify a ledger's audit chain, export it, erase a consumer's data.

- ``audit verify LEDGER [--anchor SEQ:HASH]…`` checks every entry of the hash chain
  (:mod:`contactrules.ledger.chain`) of a ledger, or of an exported ``.jsonl`` file, and prints
  each broken link as a located line; exit 0 intact, 1 tampered, 2 the ledger cannot be opened.
  It ends with the chain's head (``head: SEQ:sha256:…``): kept outside the database, it is an
  anchor a later ``--anchor`` checks, which proves nothing up to it was rewritten since.
- ``audit export LEDGER [--output FILE] [--redact] [--consumer ID]`` writes the audit log as JSON
  Lines; ``--redact`` leaves out every personal datum and keeps the hashes.
- ``audit erase LEDGER CONSUMER_ID [--stored-id]`` erases one consumer's personal data and
  records the erasure in the chain.

A ledger whose identifiers are keyed-hashed needs its key (from ``CONTACTRULES_IDENTIFIER_KEY``)
to find a consumer by id; verifying and exporting the whole log do not.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..diagnostics import Diagnostic, Location, format_diagnostics
from ..engine import Engine
from ..ledger import open_ledger
from ..ledger.audit import AuditEntry, AuditFileError, read_chain_jsonl
from ..ledger.base import Ledger, LedgerError
from ..ledger.chain import ChainHead, ChainProblem
from ..ledger.postgres import redact
from ..ledger.privacy import IDENTIFIER_KEY_ENV, identifier_key_from_env
from ..ledger.verify import ChainVerifier, Verification
from ..loading.files import require_regular_file

__all__ = ["add_parser", "erase_command", "export_command", "run", "verify_command"]


def _anchor(text: str) -> ChainHead:
    try:
        return ChainHead.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``audit`` command and its three subcommands."""
    group = sub.add_parser(
        "audit", help="verify a ledger's tamper-evident audit log; export it; erase a consumer"
    )
    commands = group.add_subparsers(dest="audit_command", required=True)
    where = "sqlite:///PATH, a SQLite file, postgresql://…"
    verify = commands.add_parser(
        "verify", help="check every entry of the audit chain; exit 1 when one was tampered with"
    )
    verify.add_argument("ledger", help=f"{where} or an exported audit .jsonl file")
    verify.add_argument(
        "--anchor",
        action="append",
        default=[],
        type=_anchor,
        metavar="SEQ:HASH",
        help="a head printed by an earlier verify, which must still be in the chain",
    )
    export = commands.add_parser("export", help="write the audit log as JSON Lines")
    export.add_argument("ledger", help=where)
    export.add_argument("--output", "-o", default=None, metavar="FILE", help="default: stdout")
    export.add_argument(
        "--redact", action="store_true", help="leave out personal data; keep the hashes"
    )
    export.add_argument(
        "--consumer", default=None, metavar="ID", help="one consumer's entries only"
    )
    erase = commands.add_parser(
        "erase", help="erase one consumer's personal data; the chain stays verifiable"
    )
    erase.add_argument("ledger", help=where)
    erase.add_argument("consumer", metavar="CONSUMER_ID")
    erase.add_argument(
        "--stored-id",
        action="store_true",
        help="CONSUMER_ID is the id as the ledger stores it (a keyed ledger's pseudonym)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``contactrules audit verify|export|erase``."""
    if args.audit_command == "verify":
        return verify_command(args.ledger, args.anchor, sys.stdout)
    if args.audit_command == "export":
        return export_command(args.ledger, args.output, args.redact, args.consumer, sys.stdout)
    return erase_command(args.ledger, args.consumer, args.stored_id, sys.stdout)


def _open(url: str, *, read_only: bool) -> Ledger:
    # Auditing judges nothing: the bundled rulesets are only what a ledger object is built with.
    return open_ledger(
        url,
        Engine.default(),
        create=False,
        read_only=read_only,
        identifier_key=identifier_key_from_env(),
    )


def verify_command(url: str, anchors: list[ChainHead], out: TextIO) -> int:
    """Check the chain of a ledger or exported file; print problems, then a summary."""
    shown = redact(url)
    try:
        if url.endswith(".jsonl"):
            result = _verify_file(url, anchors)
        else:
            ledger = _open(url, read_only=True)
            try:
                result = ledger.verify_audit(anchors)
            finally:
                ledger.close()
    except AuditFileError as exc:
        _print([Diagnostic(Location(exc.path, exc.line, 1), "audit.invalid-entry", exc.message)])
        return 1
    except (LedgerError, OSError) as exc:
        _print([_failure(shown, "ledger.open", exc)])
        return 2
    except UnicodeDecodeError as exc:
        _print([Diagnostic(Location(shown), "file.encoding", f"not UTF-8 ({exc.reason})")])
        return 2
    for problem in result.problems:  # in chain order, which is the order to read them in
        print(_located(shown, problem), file=sys.stderr)
    print(_summary(shown, result), file=out)
    return 0 if result.intact else 1


def _verify_file(path: str, anchors: list[ChainHead]) -> Verification:
    require_regular_file(path)  # a FIFO would block the read, /dev/zero never end
    verifier = ChainVerifier(anchors, head_name="the file")
    head: ChainHead | None = None
    for line, item in read_chain_jsonl(path):
        if isinstance(item, ChainHead):
            if head is not None:
                verifier.result.problems.append(
                    ChainProblem("audit.unexpected-entry", "a second head line", line=line)
                )
            head = item
        elif head is not None:
            verifier.add(item, line)
            verifier.result.problems.append(
                ChainProblem(
                    "audit.unexpected-entry",
                    "comes after the file's head line (lines were appended)",
                    item.seq,
                    item.id if isinstance(item, AuditEntry) else None,
                    line,
                )
            )
        else:
            verifier.add(item, line)
    return verifier.finish(head)


def _summary(where: str, result: Verification) -> str:
    counts = f"{result.decisions} decision(s) and {result.events} other entr(ies)"
    if result.erased:
        counts += f", {result.erased} erased or redacted (checked by their hashes)"
    head = f"; head: {result.head}" if result.head is not None else ""
    if result.intact:
        return f"{where}: audit chain intact: {counts}{head}"
    return f"{where}: audit chain TAMPERED: {len(result.problems)} problem(s) in {counts}{head}"


def export_command(
    url: str, output: str | None, redacted: bool, consumer: str | None, out: TextIO
) -> int:
    """Write the audit log as JSON Lines to ``output`` (or ``out``); exit 0, or 2 on failure."""
    shown = redact(url)
    try:
        ledger = _open(url, read_only=True)
    except (LedgerError, OSError) as exc:
        _print([_failure(shown, "ledger.open", exc)])
        return 2
    try:
        count = ledger.export_audit(out if output is None else output, consumer, redact=redacted)
    except LedgerError as exc:
        _print([_failure(shown, "ledger.read", exc)])
        return 2
    finally:
        ledger.close()
    kind = "redacted " if redacted else ""
    print(f"{shown}: exported {count} {kind}decision(s)", file=sys.stderr)
    return 0


def erase_command(url: str, consumer: str, stored_id: bool, out: TextIO) -> int:
    """Erase one consumer's personal data; exit 0 erased, 1 nothing found, 2 failure."""
    shown = redact(url)
    try:
        ledger = _open(url, read_only=False)
    except (LedgerError, OSError) as exc:
        _print([_failure(shown, "ledger.open", exc)])
        return 2
    try:
        done = ledger.erase_consumer(consumer, stored_id=stored_id)
    except LedgerError as exc:
        _print([_failure(shown, "ledger.write", exc)])
        return 2
    finally:
        ledger.close()
    if done.entry is None:
        hint = (
            f"; with keyed identifiers, set {IDENTIFIER_KEY_ENV} to the ledger's key"
            if not stored_id
            else ""
        )
        _print(
            [
                Diagnostic(
                    Location(shown),
                    "ledger.unknown-consumer",
                    f"no personal data of consumer {consumer!r} is in the ledger (a different "
                    f"id, or erased already){hint}",
                )
            ]
        )
        return 1
    print(
        f"{shown}: erased consumer {consumer}: {done.decisions} decision(s) and {done.records} "
        f"record(s) stripped of personal data; erasure recorded as entry {done.entry} of the "
        "audit chain",
        file=out,
    )
    return 0


def _located(where: str, problem: ChainProblem) -> Diagnostic:
    location = Location(where, problem.line, 1) if problem.line else Location(where)
    return Diagnostic(location, problem.code, str(problem))


def _failure(where: str, code: str, exc: Exception) -> Diagnostic:
    message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    message = " ".join(message.split())
    if message.startswith(f"{where}: "):
        message = message[len(where) + 2 :]
    return Diagnostic(Location(where), code, message)


def _print(diagnostics: list[Diagnostic]) -> None:
    if diagnostics:
        print(format_diagnostics(diagnostics), file=sys.stderr)
