"""The hash chain over the audit log: what each entry commits to, and how the chain is checked.

Why a chain: a hash of each decision's inputs alone shows that the inputs were not changed, but
not that the decision was not (flip ``allowed``, empty the reasons), nor that an entry was not
deleted or slipped in. So each entry of the audit log carries the hash of a *link document*
that names the previous entry's hash, the entry's position, ids and times, the decision's
verdict and rule ids, and the hashes of everything else (the decision as logged, the inputs);
changing, removing or inserting any entry breaks the link of the entry after it, and the
ledger's *head* (the last entry's position and hash, kept in its own table) shows a removed or
added last entry. An auditor who keeps a head printed by ``contactrules audit verify`` outside
the database (an *anchor*) can later prove that nothing up to it was rewritten, even by someone
able to recompute every hash.

Everything is SHA-256 over canonical JSON (:func:`canonical_json`), written
``sha256:<hex>``, so the chain can be recomputed by a short script outside this library
(docs/ledger.md shows one). Hashes of personal data are salted with a random value kept in the
entry's row (``salt``): erasing a consumer deletes the salt with the data, so the hashes that
keep the chain whole can no longer be matched against a guessed phone number or id.

The chain has three kinds of entries, in one sequence (``seq`` 0, 1, 2, … with no gaps):

- ``genesis`` (seq 0): written when the chain was started (schema version 4); it counts the
  entries logged before, which are then chained in id order right after it;
- ``decision``: one per logged decision (:func:`decision_link`);
- ``erasure``: a consumer's personal data was erased (:func:`erasure_link`); it names the
  decisions whose contents were redacted, so that they are checked by their hashes only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CHAIN_FORMAT",
    "GENESIS_PREV",
    "ChainEvent",
    "ChainHead",
    "ChainProblem",
    "EventKind",
    "canonical_json",
    "decision_link",
    "digest",
    "erased_digest",
    "erasure_link",
    "event_hash",
    "genesis_link",
    "instant_text",
    "salted_hash",
]

CHAIN_FORMAT = "contactrules-audit/1"
"""Names the rules of this module; a future change of what a link covers gets a new name."""

GENESIS_PREV = "sha256:" + "0" * 64
"""The ``prev`` of the genesis entry, which has no predecessor."""

EventKind = Literal["genesis", "erasure"]


def canonical_json(value: object) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 text rather than escapes.

    A value JSON cannot represent (a date among a rule's facts) is written as its text, so
    logging a decision can never fail on the way it is spelt.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value: object) -> str:
    """``sha256:`` + the hex SHA-256 of the canonical JSON of ``value`` (UTF-8)."""
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def salted_hash(salt: str, name: str, value: object) -> str:
    """The hash of ``{"salt": salt, name: value}``: personal data, hashed so that it cannot be
    confirmed by guessing once the salt is gone."""
    return digest({"salt": salt, name: value})


def instant_text(at: dt.datetime) -> str:
    """An instant as links spell it: UTC, microseconds, ``+00:00`` (one spelling per instant)."""
    naive = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds") + "+00:00"


def decision_link(
    *,
    seq: int,
    prev: str,
    id: int,
    subject: str,
    at: dt.datetime,
    decided_at: dt.datetime,
    allowed: bool,
    contact_allowed: bool,
    record_id: int | None,
    fingerprint: str,
    version: str,
    rule_ids: Sequence[str],
    history: Sequence[tuple[int, str]],
    inputs_hash: str,
    decision_hash: str,
    consumer_version: str | None,
    idempotency_key: str | None,
    request_hash: str | None,
) -> dict[str, Any]:
    """What a decision's entry commits to; its hash is :func:`digest` of this document.

    Every column of the decision's row is here, as itself or through a hash: ``subject`` is
    :func:`salted_hash` of the consumer id, ``decision_hash`` of the decision as logged,
    ``inputs_hash`` the hash of the contact and history the engine saw
    (:func:`~.audit.inputs_hash`), ``consumer_version`` the hash of the consumer as judged.
    """
    return {
        "chain": CHAIN_FORMAT,
        "kind": "decision",
        "seq": seq,
        "prev": prev,
        "id": id,
        "subject": subject,
        "at": instant_text(at),
        "decided_at": instant_text(decided_at),
        "allowed": allowed,
        "contact_allowed": contact_allowed,
        "record_id": record_id,
        "fingerprint": fingerprint,
        "version": version,
        "rule_ids": list(rule_ids),
        "history": [[int(i), str(o)] for i, o in history],
        "inputs_hash": inputs_hash,
        "decision_hash": decision_hash,
        "consumer_version": consumer_version,
        "idempotency_key": idempotency_key,
        "request_hash": request_hash,
    }


def genesis_link(
    created_at: dt.datetime, earlier_entries: int, library_version: str
) -> dict[str, Any]:
    """The first entry: when the chain started and how many decisions had been logged before."""
    return {
        "chain": CHAIN_FORMAT,
        "kind": "genesis",
        "seq": 0,
        "prev": GENESIS_PREV,
        "created_at": instant_text(created_at),
        "earlier_entries": earlier_entries,
        "library_version": library_version,
    }


def erasure_link(
    seq: int,
    prev: str,
    erased_at: dt.datetime,
    decisions: Sequence[tuple[int, str]],
    records: Sequence[int],
) -> dict[str, Any]:
    """An erasure: which decisions and records of one consumer lost their personal data.

    Each decision is named with :func:`erased_digest` of what its row holds once erased, so
    that what is left of it is covered again. It names no consumer (that would keep what was
    erased).
    """
    return {
        "chain": CHAIN_FORMAT,
        "kind": "erasure",
        "seq": seq,
        "prev": prev,
        "erased_at": instant_text(erased_at),
        "decisions": [[int(i), str(h)] for i, h in sorted(decisions)],
        "records": sorted(records),
    }


def erased_digest(consumer_id: str, decision: object, reasons: object, salt: str | None) -> str:
    """What an erased decision's row still holds besides its chained fields, hashed."""
    return digest(
        {"consumer_id": consumer_id, "decision": decision, "reasons": reasons, "salt": salt}
    )


def event_hash(body: dict[str, Any]) -> str:
    """The hash of a genesis or erasure entry (its body is its link document)."""
    return digest(body)


@dataclass(frozen=True)
class ChainEvent:
    """A genesis or erasure entry as stored: its body is its link document."""

    seq: int
    kind: str
    body: dict[str, Any]
    entry_hash: str

    def as_json(self) -> dict[str, Any]:
        """The JSON Lines form of the export."""
        return {"event": self.body, "entry_hash": self.entry_hash}


@dataclass(frozen=True)
class ChainHead:
    """The last entry of the chain, as the ledger records it after every append."""

    seq: int
    entry_hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.entry_hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        """Read ``SEQ:sha256:HEX`` (how ``audit verify`` prints a head, for ``--anchor``)."""
        seq, sep, value = text.strip().partition(":")
        if (
            not sep
            or not seq.isdigit()
            or not value.startswith("sha256:")
            or len(value) != 71
            or any(c not in "0123456789abcdef" for c in value[7:])
        ):
            raise ValueError(f"{text!r} is not SEQ:sha256:HEX (as audit verify prints a head)")
        return cls(int(seq), value)


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with the chain, located: the entry (or line) and what differs.

    ``code`` is one of the ``audit.*`` codes of docs/codes.md.
    """

    code: str
    message: str
    seq: int | None = None
    decision_id: int | None = None
    line: int = 0

    @property
    def where(self) -> str:
        """The entry, as people name it: ``decision 7 (entry 7)``, ``entry 3``."""
        if self.decision_id is not None and self.seq is not None:
            return f"decision {self.decision_id} (entry {self.seq})"
        if self.decision_id is not None:
            return f"decision {self.decision_id}"
        if self.seq is not None:
            return f"entry {self.seq}"
        return "the chain"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
