"""``contactrules replay``: which logged decisions would come out differently now?

Before a new ruleset version goes live (a state changes its calling hours, an officer tightens a
cap), the compliance team wants to know which past decisions it would have changed. Replay
re-judges every logged contact with the history exactly as the engine saw it then (the records
before it, with the outcomes they had at the time) and reports the ones whose verdict changed.

It compares the engine's verdict on the contact itself: a contact the ledger denied only because
a contact already reserved for a later instant would then have broken a rule is compared on its
own verdict, since that conflict was a fact of the ledger at that moment, not of the contact.

Each entry's inputs are hashed again first; an entry whose inputs no longer match the logged
hash was altered after it was written, and is reported as such.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from .._version import __version__
from ..decision import Decision
from ..diagnostics import Diagnostic, Location, RulesetError, format_diagnostics
from ..engine import Engine
from ..files import require_regular_file
from . import open_ledger
from .audit import AuditEntry, AuditFileError, read_jsonl
from .base import Ledger, LedgerError

__all__ = ["Replayed", "replay", "replay_command"]


@dataclass(frozen=True)
class Replayed:
    """One logged decision judged again: the new decision and whether its inputs were intact."""

    entry: AuditEntry
    decision: Decision
    intact: bool

    @property
    def changed(self) -> bool:
        return self.decision.allowed != self.entry.contact_allowed

    @property
    def reportable(self) -> bool:
        return self.changed or not self.intact


def replay(entries: Iterable[AuditEntry], engine: Engine) -> Iterator[Replayed]:
    """Judge each logged contact again with ``engine`` and its history as it was."""
    for entry in entries:
        decision = engine.evaluate(entry.contact, entry.history)
        yield Replayed(entry, decision, entry.intact())


def _verdict(allowed: bool) -> str:
    return "ALLOWED" if allowed else "DENIED"


def _print_one(item: Replayed, out: TextIO) -> None:
    entry, new = item.entry, item.decision
    contact = entry.contact
    target = f" to {contact.to}" if contact.to else ""
    print(
        f"decision {entry.id}: consumer {entry.consumer_id}, {contact.channel.value}{target} "
        f"about {', '.join(contact.debt_ids)} at {contact.at.isoformat()}",
        file=out,
    )
    if not item.intact:
        print(
            f"    ALTERED: the logged inputs no longer hash to {entry.inputs_hash} "
            f"(now {entry.computed_hash()}); the entry was changed after it was written",
            file=out,
        )
    if item.changed:
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
    ledger = open_ledger(url, engine, create=False)
    return ledger.audit(), ledger


def replay_command(url: str, rulesets: list[str] | None, out: TextIO) -> int:
    """Re-judge every decision logged in ``url`` (a ledger URL or an exported ``.jsonl``).

    Prints each decision whose verdict would change under ``rulesets`` (default: the bundled
    ones) or whose inputs were altered, then a summary line. Exit status: 0 nothing changed,
    1 some changed (or an entry was altered, or an audit file line is unreadable), 2 the ledger
    could not be opened.
    """
    engine = Engine.from_path(*rulesets) if rulesets else Engine.default()
    from .postgres import redact

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
