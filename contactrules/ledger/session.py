"""What a back-end stores, and the operations it offers inside one transaction.

The reserve logic (:mod:`.base`) is written once against :class:`LedgerSession`; both SQL
back-ends implement its operations once, in :class:`~contactrules.ledger.sql.SQLSession`, and
supply only their dialect. :class:`DecisionRow` is a row of the decision log as they store it.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..models import ContactRecord, Outcome
from .chain import ChainEvent, ChainHead, decision_link
from .privacy import ERASED_CONTACT

__all__ = ["DecisionRow", "LedgerSession", "RecordSource", "StoredRecord"]

RecordSource = Literal["reserved", "external"]


@dataclass(frozen=True)
class StoredRecord:
    """A contact record as the ledger holds it: its id, consumer and how it got there."""

    id: int
    consumer_id: str
    record: ContactRecord
    source: RecordSource


@dataclass(frozen=True)
class DecisionRow:
    """One row of the decision log, as the back-ends store it (JSON columns as JSON data).

    ``contact`` is the contact without its consumer, who is stored once per version in
    ``consumer_versions`` under ``consumer_version`` (rows logged before schema version 4 keep
    the consumer inside the contact, and no version). The chain columns are set by
    :meth:`Ledger._log`.
    """

    consumer_id: str
    at: dt.datetime
    allowed: bool
    contact_allowed: bool
    record_id: int | None
    fingerprint: str
    version: str
    inputs_hash: str
    reasons: list[dict[str, Any]]
    decision: dict[str, Any]
    contact: dict[str, Any]
    history: list[tuple[int, str]]
    decided_at: dt.datetime
    id: int = 0
    chain_seq: int | None = None
    prev_hash: str | None = None
    entry_hash: str | None = None
    salt: str | None = None
    subject: str | None = None
    decision_hash: str | None = None
    consumer_version: str | None = None
    idempotency_key: str | None = None
    request_hash: str | None = None

    @property
    def erased(self) -> bool:
        return self.contact == ERASED_CONTACT

    def link(self) -> dict[str, Any]:
        """The row's link document (:func:`~.chain.decision_link`)."""
        assert self.chain_seq is not None and self.prev_hash is not None
        return decision_link(
            seq=self.chain_seq,
            prev=self.prev_hash,
            id=self.id,
            subject=self.subject or "",
            at=self.at,
            decided_at=self.decided_at,
            allowed=self.allowed,
            contact_allowed=self.contact_allowed,
            record_id=self.record_id,
            fingerprint=self.fingerprint,
            version=self.version,
            rule_ids=[str(r.get("rule_id")) for r in self.reasons],
            history=self.history,
            inputs_hash=self.inputs_hash,
            decision_hash=self.decision_hash or "",
            consumer_version=self.consumer_version,
            idempotency_key=self.idempotency_key,
            request_hash=self.request_hash,
        )


class LedgerSession(ABC):
    """The storage operations a back-end offers inside one of its transactions.

    Both SQL back-ends implement them once, in :class:`~contactrules.ledger.sql.SQLSession`,
    and supply only their dialect.
    """

    @abstractmethod
    def now(self) -> dt.datetime:
        """The ledger's own clock (PostgreSQL: the server's, shared by every worker)."""

    @abstractmethod
    def lock(self, consumer_id: str) -> None:
        """Exclude other writers for this consumer until the transaction ends."""

    @abstractmethod
    def lock_key(self, key: str) -> None:
        """Exclude other writers with this idempotency key until the transaction ends."""

    @abstractmethod
    def records(self, consumer_id: str) -> list[StoredRecord]:
        """Every record of the consumer, by instant then id."""

    @abstractmethod
    def records_by_id(self, ids: Sequence[int]) -> dict[int, StoredRecord]:
        """The records with these ids (missing ids are left out)."""

    @abstractmethod
    def reserved_contacts(self, record_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """For reserved records, the contact (as JSON data, with its consumer) that was judged
        to reserve them; erased ones are left out."""

    @abstractmethod
    def consumer(self, consumer_id: str) -> str | None:
        """The consumer's latest JSON, or None."""

    @abstractmethod
    def upsert_consumer(self, consumer_id: str, data: str, now: dt.datetime) -> None:
        """Store the consumer's JSON (written only when it changed)."""

    @abstractmethod
    def add_consumer_version(
        self, version: str, consumer_id: str, data: dict[str, Any], now: dt.datetime
    ) -> None:
        """Keep a consumer as judged, once per distinct version (its hash)."""

    @abstractmethod
    def consumer_versions(self, versions: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The consumers stored under these version hashes (missing ones are left out)."""

    @abstractmethod
    def insert_record(
        self, consumer_id: str, record: ContactRecord, source: RecordSource, now: dt.datetime
    ) -> int:
        """Add a record and return its id."""

    @abstractmethod
    def record_owner(self, record_id: int) -> tuple[str, Outcome] | None:
        """The consumer id and current outcome of a record, or None."""

    @abstractmethod
    def set_outcome(self, record_id: int, old: Outcome, new: Outcome, now: dt.datetime) -> None:
        """Change a record's outcome and log the change."""

    @abstractmethod
    def insert_decision(self, row: DecisionRow) -> int:
        """Log a decision (without its entry hash yet) and return its id."""

    @abstractmethod
    def set_entry_hash(self, decision_id: int, entry_hash: str) -> None:
        """Store a logged decision's entry hash, once its id is known."""

    @abstractmethod
    def decisions(self, after_id: int, limit: int, consumer_id: str | None) -> list[DecisionRow]:
        """Logged decisions with ids above ``after_id``, in id order."""

    @abstractmethod
    def decision_by_id(self, decision_id: int) -> DecisionRow | None:
        """One logged decision, or None."""

    @abstractmethod
    def decision_by_key(self, key: str) -> DecisionRow | None:
        """The decision logged with this idempotency key, or None."""

    @abstractmethod
    def chain_decisions(self, after_seq: int, limit: int) -> list[DecisionRow]:
        """Chained decisions with positions above ``after_seq``, in chain order."""

    @abstractmethod
    def unchained_decisions(self) -> list[DecisionRow]:
        """Decisions that hold no position in the chain (none, unless inserted by hand)."""

    @abstractmethod
    def chain_events(self) -> list[ChainEvent]:
        """The genesis and erasure entries, in chain order."""

    @abstractmethod
    def insert_event(self, event: ChainEvent) -> None:
        """Append a genesis or erasure entry."""

    @abstractmethod
    def chain_head(self, lock: bool) -> ChainHead | None:
        """The last entry of the chain; ``lock`` excludes other appenders until the end."""

    @abstractmethod
    def set_chain_head(self, head: ChainHead) -> None:
        """Record the new last entry of the chain."""

    @abstractmethod
    def setting(self, name: str) -> str | None:
        """One of the ledger's settings, or None."""

    @abstractmethod
    def set_setting(self, name: str, value: str) -> None:
        """Store one of the ledger's settings."""

    @abstractmethod
    def holds_data(self) -> bool:
        """Whether any decision or record was ever written."""

    @abstractmethod
    def consumer_decisions(self, consumer_id: str) -> list[DecisionRow]:
        """The consumer's logged decisions whose contents were not erased, in id order."""

    @abstractmethod
    def redact_decision_row(self, row: DecisionRow) -> None:
        """Store an erased row's consumer id, contact, decision and reasons; drop its salt."""

    @abstractmethod
    def erase_records(self, consumer_id: str) -> list[int]:
        """Strip the consumer's records of what identifies them; return their ids."""

    @abstractmethod
    def delete_consumer(self, consumer_id: str) -> bool:
        """Delete the consumer's stored JSON and versions; whether there was any."""
