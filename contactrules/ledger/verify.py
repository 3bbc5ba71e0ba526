"""Checking the audit chain: every entry in order, each broken link located.

:class:`ChainVerifier` is fed the chain's entries in ``seq`` order (from a ledger, page by page,
or from an exported file, line by line) and then its head. It reports, as
:class:`~.chain.ChainProblem` values:

- ``audit.altered-entry``: an entry's fields no longer hash to its entry hash, or (unless its
  consumer's data was erased) its decision, inputs or consumer id no longer hash to what was
  chained, or its columns disagree with its logged decision;
- ``audit.missing-entry``: a position of the chain is empty (an entry was deleted), or the
  chain ends before the head the ledger recorded;
- ``audit.unexpected-entry``: a decision outside the chain, an entry whose position is taken
  twice, or entries after the recorded head (inserted, or appended without the ledger);
- ``audit.broken-link``: an entry does not name the hash of the entry before it (an entry before
  it was replaced), or the head's hash is not the last entry's;
- ``audit.anchor-mismatch``: a head recorded earlier (an anchor) is not in the chain as it was.

Each stored hash is taken as the next link's expectation, so one changed entry is reported once,
at that entry, and the rest of the chain is still checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .audit import AuditEntry
from .chain import GENESIS_PREV, ChainEvent, ChainHead, ChainProblem, event_hash

__all__ = ["ChainVerifier", "Verification"]


@dataclass
class Verification:
    """What :class:`ChainVerifier` found: counts, the head, and every problem."""

    decisions: int = 0
    events: int = 0
    erased: int = 0
    head: ChainHead | None = None
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


class ChainVerifier:
    """Walks one chain in ``seq`` order; :meth:`finish` with the head returns the result."""

    def __init__(self, anchors: Sequence[ChainHead] = (), *, head_name: str = "the ledger") -> None:
        self.result = Verification()
        self._anchors = {a.seq: a for a in anchors}
        self._head_name = head_name
        self._expected = 0
        self._prev: str | None = None
        self._seen: set[int] = set()
        self._erased: dict[int, tuple[int, int, str]] = {}  # decision id -> (seq, line, digest)
        self._erasures: list[tuple[int, dict[int, str]]] = []  # (seq, {decision id: digest})

    def _problem(
        self,
        code: str,
        message: str,
        *,
        seq: int | None = None,
        decision: int | None = None,
        line: int = 0,
    ) -> None:
        self.result.problems.append(ChainProblem(code, message, seq, decision, line))

    def add(self, item: AuditEntry | ChainEvent, line: int = 0) -> None:
        """Check one entry against the entries before it."""
        decision = item.id if isinstance(item, AuditEntry) else None
        if isinstance(item, AuditEntry):
            self.result.decisions += 1
            if item.erased or item.redacted:
                self.result.erased += 1
            if item.seq is None:
                self._problem(
                    "audit.unexpected-entry",
                    "is not in the audit chain: it was written outside the ledger, or exported "
                    "before the chain existed",
                    decision=decision,
                    line=line,
                )
                return
        else:
            self.result.events += 1
        seq = item.seq
        assert seq is not None
        stored_hash = item.entry_hash or ""
        if seq in self._seen or seq < self._expected:
            self._problem(
                "audit.unexpected-entry",
                f"takes position {seq} of the chain, which another entry already holds "
                "(an entry was inserted)",
                seq=seq,
                decision=decision,
                line=line,
            )
            return
        self._seen.add(seq)
        prev = item.prev_hash if isinstance(item, AuditEntry) else str(item.body.get("prev"))
        if seq > self._expected:
            missing = (
                f"entry {self._expected}"
                if seq == self._expected + 1
                else f"entries {self._expected} to {seq - 1}"
            )
            self._problem(
                "audit.missing-entry",
                f"{missing} of the chain, before it, {'is' if seq == self._expected + 1 else 'are'}"
                " missing (deleted)",
                seq=seq,
                decision=decision,
                line=line,
            )
        elif self._prev is not None and prev != self._prev:
            self._problem(
                "audit.broken-link",
                f"names {prev} as the hash of the entry before it, which hashes to {self._prev}:"
                " the entry before it was replaced",
                seq=seq,
                decision=decision,
                line=line,
            )
        elif self._prev is None and seq == 0 and prev != GENESIS_PREV:
            self._problem("audit.broken-link", "the first entry has a predecessor", seq=seq)
        if isinstance(item, AuditEntry):
            for code, message in item.problems():
                self._problem(code, message, seq=seq, decision=decision, line=line)
            if item.erased and not item.redacted:
                self._erased[item.id] = (seq, line, item.erased_digest())
        else:
            self._check_event(item, line)
        anchor = self._anchors.get(seq)
        if anchor is not None and anchor.entry_hash != stored_hash:
            self._problem(
                "audit.anchor-mismatch",
                f"hashes to {stored_hash}, but the anchor recorded {anchor.entry_hash}: the chain "
                "up to the anchor was rewritten",
                seq=seq,
                decision=decision,
                line=line,
            )
        self._prev = stored_hash
        self._expected = seq + 1

    def _check_event(self, event: ChainEvent, line: int) -> None:
        body = event.body
        if event_hash(body) != event.entry_hash:
            self._problem(
                "audit.altered-entry",
                f"its {event.kind} entry hashes to {event_hash(body)}, not to its entry hash "
                f"{event.entry_hash}: it was changed after it was written",
                seq=event.seq,
                line=line,
            )
        if body.get("seq") != event.seq or body.get("kind") != event.kind:
            self._problem(
                "audit.altered-entry",
                f"its position or kind ({event.seq}, {event.kind}) is not the one it was written "
                f"with ({body.get('seq')}, {body.get('kind')})",
                seq=event.seq,
                line=line,
            )
        if (event.seq == 0) != (event.kind == "genesis"):
            self._problem(
                "audit.unexpected-entry",
                "a chain starts with its genesis entry, and has only one",
                seq=event.seq,
                line=line,
            )
        if event.kind == "erasure":
            named: dict[int, str] = {}
            for pair in body.get("decisions", []):
                if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int):
                    named[pair[0]] = str(pair[1])
            self._erasures.append((event.seq, named))

    def finish(self, head: ChainHead | None) -> Verification:
        """Check the end of the chain against ``head``, and the anchors beyond it."""
        self.result.head = head
        last = self._expected - 1
        if head is None:
            self._problem(
                "audit.missing-entry",
                f"{self._head_name} has no record of the chain's head: entries at its end may "
                "have been removed",
            )
        elif last < head.seq:
            self._problem(
                "audit.missing-entry",
                f"the chain ends at entry {last}, but {self._head_name} recorded entry "
                f"{head.seq} as its last: the entries after {last} were deleted",
                seq=last + 1,
            )
        elif last > head.seq:
            self._problem(
                "audit.unexpected-entry",
                f"the chain goes on to entry {last}, past the head {self._head_name} recorded "
                f"(entry {head.seq}): entries were appended outside the ledger",
                seq=head.seq + 1,
            )
        elif self._prev != head.entry_hash:
            self._problem(
                "audit.broken-link",
                f"the last entry hashes to {self._prev}, but {self._head_name} recorded "
                f"{head.entry_hash}: the last entry was replaced",
                seq=last,
            )
        for seq, anchor in sorted(self._anchors.items()):
            if seq > last:
                self._problem(
                    "audit.anchor-mismatch",
                    f"the anchor names entry {seq} ({anchor.entry_hash}), but the chain ends at "
                    f"entry {last}: entries up to the anchor were deleted",
                    seq=seq,
                )
        for decision, (seq, line, digest) in sorted(self._erased.items()):
            recorded = [
                named[decision] for s, named in self._erasures if s > seq and decision in named
            ]
            if not recorded:
                self._problem(
                    "audit.altered-entry",
                    "its contents were erased, but no erasure entry after it names it",
                    seq=seq,
                    decision=decision,
                    line=line,
                )
            elif digest not in recorded:
                self._problem(
                    "audit.altered-entry",
                    f"what is left of it after its erasure hashes to {digest}, not to the "
                    f"{recorded[-1]} its erasure entry recorded: it was changed since",
                    seq=seq,
                    decision=decision,
                    line=line,
                )
        return self.result
