"""The ledger interface, and the reserve logic every back-end shares.

Why a ledger: a frequency cap is only as good as the history it counts. With several dialer
campaigns, an SMS platform and agents' manual calls running at once, two workers can each read
"6 calls this week", both see room, and both call. :meth:`Ledger.reserve` closes that gap: in
one transaction that excludes every other writer for the same consumer (SQLite: the database's
write lock; PostgreSQL: an advisory lock keyed on the consumer), it reads the consumer's
history, asks the engine, and records the contact only if it is allowed. Every decision, allowed
or denied, is logged with a hash of its inputs and the ruleset fingerprint (:mod:`.audit`).

Two subtleties a correct ledger must handle, because workers' clocks differ and contacts may be
reserved for an instant other than "now":

- **Same instant.** The engine counts records strictly before the instant it judges, so two
  contacts at exactly the same microsecond would not see each other. The ledger keeps each
  consumer's records in a strict order: a contact proposed at an instant already taken is judged
  and recorded one microsecond later (repeatedly, if need be).
- **Later reservations.** A contact proposed for an instant earlier than contacts already
  reserved would enter their histories too (a worker whose clock runs 100 ms behind must not slip
  a call in before one just made). So an allowed contact is also checked against each later
  reserved contact: if that contact was allowed without the new one and would be denied with it,
  the new contact is denied, with that rule's reason and the later contact named in the facts.

A reserved contact is recorded with outcome ``pending``; rules count a pending record as whatever
outcome they look for (a pending call may have become a conversation, which starts the 7-day
cooldown), so until :meth:`Ledger.record_outcome` says what happened, the ledger errs strict.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Literal, TextIO

from ..decision import Decision, Reason
from ..engine import Engine
from ..errors import ContactrulesError
from ..models import Consumer, Contact, ContactRecord, Initiator, Outcome
from .audit import AuditEntry, document_hash, inputs_document, write_jsonl

__all__ = [
    "DecisionRow",
    "Ledger",
    "LedgerError",
    "LedgerSession",
    "RecordSource",
    "Reservation",
    "SchemaTooNewError",
    "StoredRecord",
    "UnknownRecordError",
]

RecordSource = Literal["reserved", "external"]
ONE_MICROSECOND = dt.timedelta(microseconds=1)
AUDIT_PAGE = 500


class LedgerError(ContactrulesError):
    """A ledger cannot be opened or used as asked; the message says why and what to do."""


class SchemaTooNewError(LedgerError):
    """The database was written by a newer contactrules whose schema this one does not know."""


class UnknownRecordError(LedgerError, KeyError):
    """No contact record has this id."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else "unknown record"


@dataclass(frozen=True)
class Reservation:
    """The answer of :meth:`Ledger.reserve`: the decision, and the ids it was logged under.

    ``record_id`` is the id of the recorded contact (``None`` when denied: nothing was
    recorded); pass it to :meth:`Ledger.record_outcome` once the outcome is known.
    ``decision.at`` is the instant recorded, a microsecond or so after the proposed one when
    that instant was already taken by another record of the consumer.
    """

    decision: Decision
    record_id: int | None
    decision_id: int

    @property
    def allowed(self) -> bool:
        return self.decision.allowed


@dataclass(frozen=True)
class StoredRecord:
    """A contact record as the ledger holds it: its id, consumer and how it got there."""

    id: int
    consumer_id: str
    record: ContactRecord
    source: RecordSource


@dataclass(frozen=True)
class DecisionRow:
    """One row of the decision log, as the back-ends store it (JSON columns as JSON data)."""

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


class LedgerSession(ABC):
    """The storage operations a back-end offers inside one of its transactions.

    Both SQL back-ends implement them once, in :class:`~contactrules.ledger.sql.SQLSession`,
    and supply only their dialect.
    """

    @abstractmethod
    def lock(self, consumer_id: str) -> None:
        """Exclude other writers for this consumer until the transaction ends."""

    @abstractmethod
    def records(self, consumer_id: str) -> list[StoredRecord]:
        """Every record of the consumer, by instant then id."""

    @abstractmethod
    def records_by_id(self, ids: Sequence[int]) -> dict[int, StoredRecord]:
        """The records with these ids (missing ids are left out)."""

    @abstractmethod
    def reserved_contacts(self, record_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """For reserved records, the contact (as JSON data) that was judged to reserve them."""

    @abstractmethod
    def consumer(self, consumer_id: str) -> str | None:
        """The consumer's latest JSON, or None."""

    @abstractmethod
    def upsert_consumer(self, consumer_id: str, data: str, now: dt.datetime) -> None:
        """Store the consumer's JSON (written only when it changed)."""

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
        """Log a decision and return its id."""

    @abstractmethod
    def decisions(self, after_id: int, limit: int, consumer_id: str | None) -> list[DecisionRow]:
        """Logged decisions with ids above ``after_id``, in id order."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def record_for(contact: Contact) -> ContactRecord:
    """The record a reserved contact leaves: what was proposed, outcome not known yet.

    It keeps every fact of the contact that later decisions read from a record: a person's call
    that forgot its method would be counted as possibly prerecorded by the TCPA's allowance of
    prerecorded calls to a home number, and a call-back the consumer asked for would fill caps
    that exclude requested contacts.
    """
    return ContactRecord(
        channel=contact.channel,
        at=contact.at,
        debt_ids=list(contact.debt_ids),
        outcome=Outcome.PENDING,
        initiated_by=Initiator.COLLECTOR,
        to=contact.to,
        to_work=contact.to_work,
        recipient=contact.recipient,
        third_party_id=contact.third_party_id,
        purpose=contact.template.purpose if contact.template is not None else None,
        dial_method=contact.dial_method,
        requested_by_consumer=contact.requested_by_consumer,
    )


def free_instant(at: dt.datetime, taken: set[dt.datetime]) -> dt.datetime:
    """``at``, or the first microsecond after it that no record of the consumer occupies."""
    while at in taken:
        at += ONE_MICROSECOND
    return at


class Ledger(ABC):
    """A store of contact records and decisions, shared safely by many workers.

    Construct a back-end (:class:`~contactrules.ledger.sqlite.SQLiteLedger`,
    :class:`~contactrules.ledger.postgres.PostgresLedger`) or call
    :func:`~contactrules.ledger.open_ledger`. One ledger object may be shared by the threads of
    a process (its calls are serialised); each process opens its own.
    """

    backend: ClassVar[str]

    def __init__(self, engine: Engine, *, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.engine = engine
        self._clock = clock or _utc_now
        self._mutex = threading.RLock()

    # --- back-end ---------------------------------------------------------------------------
    @abstractmethod
    def _transaction(self, write: bool) -> AbstractContextManager[LedgerSession]:
        """A transaction: committed when the block ends, rolled back if it raises."""

    _version: int  # set by the back-end once its migrations have run

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return self._version

    @abstractmethod
    def close(self) -> None:
        """Release the connection; the ledger cannot be used afterwards."""

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _now(self) -> dt.datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise LedgerError("the ledger's clock must return timezone-aware datetimes")
        return now

    # --- writing ----------------------------------------------------------------------------
    def reserve(self, contact: Contact) -> Reservation:
        """Judge ``contact`` against the ledger's history and record it only if allowed.

        Atomic with respect to every other writer of the same ledger, in any process or on any
        machine: no two workers can together exceed a cap or break a cooldown. The decision is
        logged either way; a denied contact leaves no record.
        """
        consumer_id = contact.consumer.id
        consumer_json = contact.consumer.model_dump_json()
        with self._mutex, self._transaction(write=True) as session:
            session.lock(consumer_id)
            stored = session.records(consumer_id)
            at = free_instant(contact.at, {s.record.at for s in stored})
            if at != contact.at:
                contact = contact.model_copy(update={"at": at})
            history = [s.record for s in stored]
            decision = self.engine.evaluate(contact, history)
            contact_allowed = decision.allowed
            record = record_for(contact) if decision.allowed else None
            if record is not None:
                blocked = self._later_conflict(session, record, stored, history)
                if blocked is not None:
                    decision, record = _conflict_decision(decision, *blocked), None
            now = self._now()
            inputs = inputs_document(contact, history)
            session.upsert_consumer(consumer_id, consumer_json, now)
            record_id = (
                None
                if record is None
                else session.insert_record(consumer_id, record, "reserved", now)
            )
            decision_id = session.insert_decision(
                DecisionRow(
                    consumer_id=consumer_id,
                    at=contact.at,
                    allowed=decision.allowed,
                    contact_allowed=contact_allowed,
                    record_id=record_id,
                    fingerprint=decision.fingerprint,
                    version=decision.version,
                    inputs_hash=document_hash(inputs),
                    reasons=[r.as_dict() for r in decision.reasons],
                    decision=decision.as_dict(),
                    contact=inputs["contact"],
                    history=[(s.id, s.record.outcome.value) for s in stored],
                    decided_at=now,
                )
            )
        return Reservation(decision, record_id, decision_id)

    def _later_conflict(
        self,
        session: LedgerSession,
        record: ContactRecord,
        stored: Sequence[StoredRecord],
        history: list[ContactRecord],
    ) -> tuple[StoredRecord, Decision] | None:
        """A contact reserved later that ``record`` would make break a rule, with that verdict.

        Usually there is none (contacts are reserved for "now"), and this costs one comparison.
        """
        later = [s for s in stored if s.source == "reserved" and s.record.at > record.at]
        if not later:
            return None
        contacts = session.reserved_contacts([s.id for s in later])
        with_new = [*history, record]
        for item in later:
            data = contacts.get(item.id)
            if data is None:
                continue
            booked = Contact.model_validate_json(json.dumps(data))
            after = self.engine.evaluate(booked, with_new)
            if after.allowed or not self.engine.evaluate(booked, history).allowed:
                continue
            return item, after
        return None

    def record(self, consumer_id: str, record: ContactRecord) -> int:
        """Record a contact made outside :meth:`reserve` (a consumer's inbound call, a letter
        printed elsewhere, a call made while the ledger was down), so that counts include it.

        Facts are never refused; the record's id is returned.
        """
        with self._mutex, self._transaction(write=True) as session:
            session.lock(consumer_id)
            return session.insert_record(consumer_id, record, "external", self._now())

    def record_outcome(self, record_id: int, outcome: Outcome | str) -> None:
        """Set what happened to a recorded contact (no answer, conversation, …).

        The outcome feeds later counts: a ``conversation`` starts the 7-day call cooldown, a
        ``not_connected`` call leaves the 7-in-7 count. Each change is logged with its time.
        """
        new = Outcome(outcome)
        with self._mutex, self._transaction(write=True) as session:
            owner = session.record_owner(record_id)
            if owner is None:
                raise UnknownRecordError(f"no contact record has id {record_id}")
            session.lock(owner[0])
            owner = session.record_owner(record_id)  # re-read under the consumer's lock
            assert owner is not None  # records are never deleted
            if owner[1] is not new:
                session.set_outcome(record_id, owner[1], new, self._now())

    # --- reading ----------------------------------------------------------------------------
    def records(self, consumer_id: str) -> list[StoredRecord]:
        """The consumer's records with their ids, oldest first."""
        with self._mutex, self._transaction(write=False) as session:
            return session.records(consumer_id)

    def history(self, consumer_id: str) -> list[ContactRecord]:
        """The consumer's records, oldest first: the history :meth:`reserve` judges against."""
        return [s.record for s in self.records(consumer_id)]

    def consumer(self, consumer_id: str) -> Consumer | None:
        """The consumer as last seen by :meth:`reserve`, or None."""
        with self._mutex, self._transaction(write=False) as session:
            data = session.consumer(consumer_id)
        return None if data is None else Consumer.model_validate_json(data)

    def audit(self, consumer_id: str | None = None, *, after_id: int = 0) -> Iterator[AuditEntry]:
        """Every logged decision (of one consumer, or all), oldest first.

        Read page by page, each page in its own short transaction, so exporting a large log
        does not hold up writers.
        """
        while True:
            with self._mutex, self._transaction(write=False) as session:
                rows = session.decisions(after_id, AUDIT_PAGE, consumer_id)
                wanted = sorted({i for row in rows for i, _ in row.history})
                stored = session.records_by_id(wanted) if wanted else {}
            for row in rows:
                yield _audit_entry(row, stored)
            if len(rows) < AUDIT_PAGE:
                return
            after_id = rows[-1].id

    def export_audit(self, out: TextIO | str | Path, consumer_id: str | None = None) -> int:
        """Write the audit log as JSON Lines to a stream or a file; return the entry count."""
        if isinstance(out, (str, Path)):
            with open(out, "w", encoding="utf-8") as handle:
                return write_jsonl(self.audit(consumer_id), handle)
        return write_jsonl(self.audit(consumer_id), out)


def _audit_entry(row: DecisionRow, stored: dict[int, StoredRecord]) -> AuditEntry:
    history: list[ContactRecord] = []
    for record_id, outcome in row.history:
        item = stored.get(record_id)
        if item is None:
            raise LedgerError(
                f"decision {row.id} used record {record_id}, which is missing from the ledger"
            )
        record = item.record
        if record.outcome.value != outcome:  # the outcome was set after this decision
            record = record.model_copy(update={"outcome": Outcome(outcome)})
        history.append(record)
    return AuditEntry(
        id=row.id,
        consumer_id=row.consumer_id,
        at=row.at,
        decided_at=row.decided_at,
        allowed=row.allowed,
        contact_allowed=row.contact_allowed,
        record_id=row.record_id,
        fingerprint=row.fingerprint,
        version=row.version,
        inputs_hash=row.inputs_hash,
        decision=row.decision,
        contact=Contact.model_validate_json(json.dumps(row.contact)),
        history=tuple(history),
        history_ids=tuple(i for i, _ in row.history),
    )


def _conflict_decision(own: Decision, later: StoredRecord, verdict: Decision) -> Decision:
    """Deny ``own`` with the reasons the later reserved contact would then be denied for."""
    booked = later.record
    reasons = tuple(
        Reason(
            rule_id=r.rule_id,
            kind=r.kind,
            citation=r.citation,
            message=(
                f"the {booked.channel.value} already reserved for {booked.at.isoformat()} "
                f"(record {later.id}) would then break this rule: {r.message}"
            ),
            severity=r.severity,
            ruleset=r.ruleset,
            source=r.source,
            zone=r.zone,
            facts={**r.facts, "reserved_record_id": later.id, "reserved_at": booked.at.isoformat()},
        )
        for r in verdict.reasons
    )
    return dataclasses.replace(
        own,
        allowed=False,
        reasons=reasons,
        binding_zone=next((r.zone for r in reasons if r.zone), None),
        next_allowed_at=None,
        next_allowed_note=(
            f"a contact is already reserved for {booked.at.isoformat()}; propose an instant "
            "after it"
        ),
    )
