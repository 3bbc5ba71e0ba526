"""Replay: which logged decisions would come out differently now? (``contactrules replay``
prints them: :mod:`contactrules.cli.replay`.)

Before a new ruleset version goes live (a state changes its calling hours, an officer tightens a
cap), the compliance team wants to know which past decisions it would have changed. Replay
re-judges every logged contact with the history exactly as the engine saw it then (the records
before it, with the outcomes they had at the time) and reports the ones whose verdict changed.

It compares the engine's verdict on the contact itself: a contact the ledger denied only because
a contact already reserved for a later instant would then have broken a rule is compared on its
own verdict, since that conflict was a fact of the ledger at that moment, not of the contact.

Each entry is checked first (:meth:`~.audit.AuditEntry.intact`: its inputs and decision against
their logged hashes, its fields against its link of the audit chain); an entry that no longer
matches was altered after it was written, and is reported as such. An entry whose consumer's
data was erased, or read from a redacted export, has no inputs left to judge: it is checked,
not re-judged. (Whether entries were removed or slipped in is ``contactrules audit verify``'s
business.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..decision import Decision
from ..engine import Engine
from .audit import AuditEntry

__all__ = ["Replayed", "replay"]


@dataclass(frozen=True)
class Replayed:
    """One logged decision judged again: the new decision and whether its inputs were intact."""

    entry: AuditEntry
    decision: Decision | None
    intact: bool

    @property
    def changed(self) -> bool:
        return self.decision is not None and self.decision.allowed != self.entry.contact_allowed

    @property
    def reportable(self) -> bool:
        return self.changed or not self.intact


def replay(entries: Iterable[AuditEntry], engine: Engine) -> Iterator[Replayed]:
    """Judge each logged contact again with ``engine`` and its history as it was."""
    for entry in entries:
        contact = entry.contact
        decision = None if contact is None else engine.evaluate(contact, entry.history)
        yield Replayed(entry, decision, entry.intact())
