"""``contactrules replay``: list the logged decisions a ruleset change would decide differently.

The re-judging itself is :func:`contactrules.ledger.replay.replay`; this module opens the ledger
or the exported ``.jsonl`` file, prints what changed and chooses the exit status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TextIO

from .._version import __version__
from ..diagnostics import Diagnostic, Location, RulesetError, format_diagnostics
from ..engine import Engine
from ..ledger import open_ledger
from ..ledger.audit import AuditEntry, AuditFileError, read_jsonl
from ..ledger.base import Ledger, LedgerError
from ..ledger.replay import Replayed, replay
from ..loading.files import require_regular_file

__all__ = ["replay_command", "run"]


def _verdict(allowed: bool) -> str:
    return "ALLOWED" if allowed else "DENIED"


def _print_one(item: Replayed, out: TextIO) -> None:
    entry, new = item.entry, item.decision
    contact = entry.contact
    if contact is not None:
        target = f" to {contact.to}" if contact.to else ""
        print(
            f"decision {entry.id}: consumer {entry.consumer_id}, {contact.channel.value}{target} "
            f"about {', '.join(contact.debt_ids)} at {contact.at.isoformat()}",
            file=out,
        )
    else:
        print(
            f"decision {entry.id}: at {entry.at.isoformat()} (its personal data erased)", file=out
        )
    if not item.intact:
        problems = [message for _code, message in entry.problems()] or [
            f"the logged inputs no longer hash to {entry.inputs_hash} (now {entry.computed_hash()})"
        ]
        for message in problems:
            print(f"    ALTERED: {message}; the entry was changed after it was written", file=out)
    if item.changed and new is not None:
        print(
            f"    was {_verdict(entry.contact_allowed)} (contactrules {entry.version}, "
            f"{entry.fingerprint[:19]}…, decided {entry.decided_at.isoformat()})",
            file=out,
        )
        print(
            f"    now {_verdict(new.allowed)} (contactrules {new.version}, "
            f"{new.fingerprint[:19]}…)",
            file=out,
        )
        if not new.allowed:
            label, reasons = (
                "now denied by",
                [(r.rule_id, r.citation, r.message) for r in new.reasons],
            )
        else:
            label, reasons = (
                "was denied by",
                [
                    (str(r.get("rule_id")), str(r.get("citation")), str(r.get("message")))
                    for r in entry.reasons
                ],
            )
        for rule_id, citation, message in reasons:
            print(f"    - {label} {rule_id} [{citation}]", file=out)
            print(f"      {message}", file=out)


def _entries(url: str, engine: Engine) -> tuple[Iterable[AuditEntry], Ledger | None]:
    if url.endswith(".jsonl"):
        require_regular_file(url)  # a FIFO would block the read, /dev/zero never end
        return read_jsonl(url), None
    ledger = open_ledger(url, engine, read_only=True)  # an archived copy, a standby: no writes
    return ledger.audit(), ledger


def run(args: argparse.Namespace) -> int:
    """``contactrules replay LEDGER [--rulesets PATH]…``."""
    return replay_command(args.ledger, args.rulesets, sys.stdout)


def replay_command(url: str, rulesets: list[str] | None, out: TextIO) -> int:
    """Re-judge every decision logged in ``url`` (a ledger URL or an exported ``.jsonl``).

    Prints each decision whose verdict would change under ``rulesets`` (default: the bundled
    ones) or whose inputs were altered, then a summary line. Exit status: 0 nothing changed,
    1 some changed (or an entry was altered, or an audit file line is unreadable), 2 the ledger
    could not be opened.
    """
    engine = Engine.from_path(*rulesets) if rulesets else Engine.default()
    from ..ledger.postgres import redact

    shown = redact(url)
    try:
        entries, ledger = _entries(url, engine)
    except RulesetError as exc:
        print(format_diagnostics(exc.diagnostics), file=sys.stderr)
        return 2
    except (LedgerError, OSError) as exc:
        _error(shown, "ledger.open", _os_reason(exc))
        return 2
    total = changed = altered = 0
    try:
        for item in replay(entries, engine):
            total += 1
            changed += item.changed
            altered += not item.intact
            if item.reportable:
                _print_one(item, out)
    except AuditFileError as exc:
        print(format_diagnostics([_diagnostic(exc)]), file=sys.stderr)
        return 1
    except (LedgerError, OSError) as exc:
        _error(shown, "ledger.read", _os_reason(exc))
        return 2
    except UnicodeDecodeError as exc:
        _error(shown, "file.encoding", f"the file is not UTF-8 ({exc.reason})")
        return 2
    finally:
        if ledger is not None:
            ledger.close()
    summary = (
        f"replayed {total} decision(s) under {engine.fingerprint[:19]}… "
        f"(contactrules {__version__}): {changed} would change"
    )
    if altered:
        summary += f", {altered} altered"
    print(summary, file=out)
    return 1 if changed or altered else 0


def _os_reason(exc: Exception) -> str:
    """The OS's reason alone ("Permission denied"), without Python's "[Errno 13] …: 'path'"."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _diagnostic(exc: AuditFileError) -> Diagnostic:
    return Diagnostic(Location(exc.path, exc.line, 1), "audit.invalid-entry", exc.message)


def _error(where: str, code: str, message: str) -> None:
    # The message often starts with the location already; say it once.
    text = message[len(where) + 2 :] if message.startswith(f"{where}: ") else message
    print(format_diagnostics([Diagnostic(Location(where), code, text)]), file=sys.stderr)
