"""The ledger interface, and the reserve logic every back-end shares.

Why a ledger: a frequency cap is only as good as the history it counts. With several dialer
campaigns, an SMS platform and agents' manual calls running at once, two workers can each read
"6 calls this week", both see room, and both call. :meth:`Ledger.reserve` closes that gap: in
one transaction that excludes every other writer for the same consumer (SQLite: the database's
write lock; PostgreSQL: an advisory lock keyed on the consumer), it reads the consumer's
history, asks the engine, and records the contact only if it is allowed. Every decision, allowed
or denied, is logged with a hash of its inputs and the ruleset fingerprint (:mod:`.audit`), as
the next link of a hash chain (:mod:`.chain`) that shows any later change.

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
  A contact proposed too far *ahead* of the ledger's own clock is refused outright
  (:mod:`.clock`).

A reserved contact is recorded with outcome ``pending``; rules count a pending record as whatever
outcome they look for (a pending call may have become a conversation, which starts the 7-day
cooldown), so until :meth:`Ledger.record_outcome` says what happened, the ledger errs strict.

Behind a network, answers get lost and connections drop: a reserve given an idempotency key
(:mod:`.idempotency`) can be retried safely, and every call runs through :meth:`Ledger._run`,
where a back-end that can lose its connection (PostgreSQL) reconnects and runs the transaction
again when that cannot record anything twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import json
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, TextIO, TypeVar

from ..decision import Decision, Reason
from ..engine import Engine
from ..errors import ContactrulesError
from ..models import Consumer, Contact, ContactRecord, Initiator, Outcome, Purpose
from .audit import AuditEntry, canonical_json, document_hash, inputs_document, write_jsonl
from .chain import (
    ChainEvent,
    ChainHead,
    digest,
    erased_digest,
    erasure_link,
    event_hash,
    salted_hash,
)
from .clock import DEFAULT_MAX_CLOCK_SKEW, skew_decision
from .entries import AUDIT_PAGE, audit_entries, audit_page, chain_items
from .idempotency import decision_from_json, key_problem, request_hash
from .privacy import (
    ERASED,
    ERASED_CONTACT,
    MIN_KEY_BYTES,
    PLAIN,
    Identifiers,
    redact_decision,
    redact_reasons,
)
from .session import DecisionRow, LedgerSession, RecordSource, StoredRecord
from .verify import ChainVerifier, Verification

__all__ = [
    "ConnectionLostError",
    "DecisionRow",
    "Erasure",
    "IdempotencyConflictError",
    "IdentifierKeyError",
    "Ledger",
    "LedgerError",
    "LedgerSession",
    "ReadOnlyLedgerError",
    "RecordSource",
    "Reservation",
    "SchemaTooNewError",
    "StoredRecord",
    "UnknownRecordError",
]

ONE_MICROSECOND = dt.timedelta(microseconds=1)
T = TypeVar("T")


class LedgerError(ContactrulesError):
    """A ledger cannot be opened or used as asked; the message says why and what to do."""


class SchemaTooNewError(LedgerError):
    """The database was written by a newer contactrules whose schema this one does not know."""


class UnknownRecordError(LedgerError, KeyError):
    """No contact record has this id."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else "unknown record"


class IdempotencyConflictError(LedgerError):
    """An idempotency key already names another request (another contact or consumer)."""


class ReadOnlyLedgerError(LedgerError):
    """A write was asked of a ledger opened read-only, or the database refused it as read-only."""


class ConnectionLostError(LedgerError):
    """The connection to the database was lost and could not be restored within the retries.

    ``outcome_unknown`` is true when it was lost while a write was being committed without an
    idempotency key: the write may or may not have been recorded.
    """

    def __init__(self, message: str, *, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.outcome_unknown = outcome_unknown


class IdentifierKeyError(LedgerError):
    """The identifier key given does not fit the ledger (missing, different, or not wanted)."""


@dataclass(frozen=True)
class Reservation:
    """The answer of :meth:`Ledger.reserve`: the decision, and the ids it was logged under.

    ``record_id`` is the id of the recorded contact (``None`` when denied: nothing was
    recorded); pass it to :meth:`Ledger.record_outcome` once the outcome is known.
    ``decision.at`` is the instant recorded, a microsecond or so after the proposed one when
    that instant was already taken by another record of the consumer.
    ``replayed`` is true when the answer was read back from the log (a retried reserve with the
    same idempotency key, or a lookup) rather than decided by this call; the decision is then
    the logged one, with any non-JSON fact as its text.
    """

    decision: Decision
    record_id: int | None
    decision_id: int
    idempotency_key: str | None = None
    replayed: bool = dataclasses.field(default=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.decision.allowed


@dataclass(frozen=True)
class Erasure:
    """What :meth:`Ledger.erase_consumer` did: how many decisions and records lost their
    personal data, and the chain entry that records the erasure (None: nothing to erase)."""

    consumer_id: str
    decisions: int
    records: int
    entry: int | None
    erased_at: dt.datetime | None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def record_for(contact: Contact, decision: Decision | None = None) -> ContactRecord:
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
        purpose=_purpose(contact, decision),
        dial_method=contact.dial_method,
        requested_by_consumer=contact.requested_by_consumer,
    )


def _purpose(contact: Contact, decision: Decision | None) -> Purpose | None:
    """A template sent by id has the registry's purpose, which the contact need not state: an
    opt-out confirmation recorded as a collection message would not count as the one allowed."""
    if decision is not None and decision.template is not None:
        return Purpose(decision.template.purpose)
    return contact.template.purpose if contact.template is not None else None


def free_instant(at: dt.datetime, taken: set[dt.datetime]) -> dt.datetime:
    """``at``, or the first microsecond after it that no record of the consumer occupies."""
    while at in taken:
        at += ONE_MICROSECOND
    return at


def _as_stored(value: Any) -> Any:
    """``value`` as it reads back from a JSON column (dates among facts become text), so that
    what is hashed is what is stored."""
    return json.loads(canonical_json(value))


def _check_key(key: bytes | str | None) -> bytes | None:
    if key is None:
        return None
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < MIN_KEY_BYTES:
        raise IdentifierKeyError(
            f"the identifier key is {len(raw)} bytes long; use at least {MIN_KEY_BYTES} random "
            "bytes (e.g. the output of `openssl rand -base64 32`): a short key could be guessed"
        )
    return raw


class Ledger(ABC):
    """A store of contact records and decisions, shared safely by many workers.

    Construct a back-end (:class:`~contactrules.ledger.sqlite.SQLiteLedger`,
    :class:`~contactrules.ledger.postgres.PostgresLedger`) or call
    :func:`~contactrules.ledger.open_ledger`. One ledger object may be shared by the threads of
    a process (its calls are serialised); each process opens its own.

    Options every back-end takes:

    - ``clock``: the ledger's clock (default: PostgreSQL's server clock, or this machine's for
      SQLite); decision times, and the reference of the clock-skew guard;
    - ``max_clock_skew``: how far ahead of that clock a proposed contact may lie (default five
      minutes, :data:`~.clock.DEFAULT_MAX_CLOCK_SKEW`; ``None`` turns the guard off);
    - ``read_only``: open for audit and replay only; every write raises
      :class:`ReadOnlyLedgerError`, nothing is created or upgraded;
    - ``identifier_key``: the operator's key for storing consumer and third-party ids
      keyed-hashed (:mod:`.privacy`); never stored in the ledger.
    """

    backend: ClassVar[str]

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        max_clock_skew: dt.timedelta | None = DEFAULT_MAX_CLOCK_SKEW,
        read_only: bool = False,
        identifier_key: bytes | str | None = None,
    ) -> None:
        self.engine = engine
        self._clock = clock
        if max_clock_skew is not None and max_clock_skew < dt.timedelta(0):
            raise LedgerError(f"max_clock_skew must not be negative, not {max_clock_skew}")
        self.max_clock_skew = max_clock_skew
        self.read_only = read_only
        self._ids = Identifiers(_check_key(identifier_key))
        self._lookup_needs_key = False
        self._mutex = threading.RLock()

    # --- back-end ---------------------------------------------------------------------------
    @abstractmethod
    def _transaction(self, write: bool) -> AbstractContextManager[LedgerSession]:
        """A transaction: committed when the block ends, rolled back if it raises."""

    def _execute(
        self, write: bool, work: Callable[[LedgerSession], T], retry: bool, replayable: bool
    ) -> T:
        """Run ``work`` in one transaction. A back-end that can lose its connection overrides
        this to reconnect and run it again: when ``retry``, if the transaction surely did not
        commit; when also ``replayable``, even if the commit's outcome is unknown."""
        with self._transaction(write) as session:
            return work(session)

    def _run(
        self,
        write: bool,
        work: Callable[[LedgerSession], T],
        *,
        retry: bool = True,
        replayable: bool = False,
    ) -> T:
        """Every call goes through here: one transaction at a time per ledger object."""
        if write and self.read_only:
            raise ReadOnlyLedgerError(
                f"{self!r} was opened read-only (for audit and replay); open it without "
                "read_only to write"
            )
        with self._mutex:
            return self._execute(write, work, retry, replayable)

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

    def _now(self, session: LedgerSession) -> dt.datetime:
        now = session.now() if self._clock is None else self._clock()
        if now.tzinfo is None:
            raise LedgerError("the ledger's clock must return timezone-aware datetimes")
        return now

    def _settle_identifiers(self) -> None:
        """Check the identifier key against the one the ledger was written with (back-ends call
        this once open); a fresh ledger takes the mode it is first opened with."""
        wanted = self._ids.setting()

        def work(session: LedgerSession) -> str | None:
            found = session.setting("identifiers")
            if found is None and session.holds_data():
                found = PLAIN  # written before the setting existed: ids as given
                if not self.read_only and wanted == PLAIN:
                    session.set_setting("identifiers", PLAIN)
            elif found is None and not self.read_only:
                session.set_setting("identifiers", wanted)
                found = wanted
            return found

        found = self._run(not self.read_only, work, replayable=True)
        if found is None or found == wanted:
            return
        if found == PLAIN:
            raise IdentifierKeyError(
                f"{self!r} stores consumer ids as given, so it cannot take an identifier key "
                "(the records already in it would no longer be found); open it without a key, "
                "or start a new ledger for keyed identifiers"
            )
        if wanted == PLAIN and self.read_only:
            self._lookup_needs_key = True
            return
        if wanted == PLAIN:
            raise IdentifierKeyError(
                f"{self!r} stores consumer ids keyed-hashed; give it its identifier key "
                "(identifier_key=, or CONTACTRULES_IDENTIFIER_KEY for the command line): "
                "without it no consumer's history would be found and caps could be exceeded"
            )
        raise IdentifierKeyError(
            f"{self!r} was written with another identifier key than the one given (its key "
            "check differs); give the ledger's own key: with another one no consumer's history "
            "would be found and caps could be exceeded"
        )

    def _ref(self, consumer_id: str) -> str:
        """A consumer id as the ledger stores it."""
        if self._lookup_needs_key:
            raise IdentifierKeyError(
                f"{self!r} stores consumer ids keyed-hashed; give its identifier key to look "
                "a consumer up by id"
            )
        return self._ids.consumer(consumer_id)

    def pseudonym(self, consumer_id: str) -> str:
        """The id under which the ledger stores this consumer (the id itself without a key)."""
        return self._ref(consumer_id)

    # --- writing ----------------------------------------------------------------------------
    def reserve(self, contact: Contact, *, idempotency_key: str | None = None) -> Reservation:
        """Judge ``contact`` against the ledger's history and record it only if allowed.

        Atomic with respect to every other writer of the same ledger, in any process or on any
        machine: no two workers can together exceed a cap or break a cooldown. The decision is
        logged either way; a denied contact leaves no record.

        With an ``idempotency_key``, a second call with the same key and the same contact
        returns the first call's :class:`Reservation` (same ids, same decision) and records
        nothing; the same key with another contact or consumer raises
        :class:`IdempotencyConflictError`. Such a call is safe to retry after any error,
        including a :class:`ConnectionLostError`.
        """
        if idempotency_key is not None:
            problem = key_problem(idempotency_key)
            if problem is not None:
                raise LedgerError(problem)
        judged = self._ids.contact(contact)
        consumer_ref = judged.consumer.id
        consumer_data = judged.consumer.model_dump(mode="json")
        consumer_version = document_hash(consumer_data)
        request = request_hash(judged) if idempotency_key is not None else None

        def work(session: LedgerSession) -> Reservation:
            if idempotency_key is not None:
                session.lock_key(idempotency_key)
            session.lock(consumer_ref)
            if idempotency_key is not None:
                logged = session.decision_by_key(idempotency_key)
                if logged is not None:
                    return _replayed(logged, idempotency_key, consumer_ref, request)
            return self._reserve(
                session, judged, consumer_data, consumer_version, idempotency_key, request
            )

        return self._run(True, work, replayable=idempotency_key is not None)

    def _reserve(
        self,
        session: LedgerSession,
        contact: Contact,
        consumer_data: dict[str, Any],
        consumer_version: str,
        idempotency_key: str | None,
        request: str | None,
    ) -> Reservation:
        consumer_id = contact.consumer.id
        stored = session.records(consumer_id)
        at = free_instant(contact.at, {s.record.at for s in stored})
        if at != contact.at:
            contact = contact.model_copy(update={"at": at})
        history = [s.record for s in stored]
        decision = self.engine.evaluate(contact, history)
        contact_allowed = decision.allowed
        now = self._now(session)
        record = record_for(contact, decision) if decision.allowed else None
        if self.max_clock_skew is not None and contact.at - now > self.max_clock_skew:
            decision, record = skew_decision(decision, now, self.max_clock_skew), None
        elif record is not None:
            blocked = self._later_conflict(session, record, stored, history)
            if blocked is not None:
                decision, record = _conflict_decision(decision, *blocked), None
        inputs = inputs_document(contact, history)
        session.upsert_consumer(consumer_id, canonical_json(consumer_data), now)
        session.add_consumer_version(consumer_version, consumer_id, consumer_data, now)
        record_id = (
            None if record is None else session.insert_record(consumer_id, record, "reserved", now)
        )
        stored_contact = {k: v for k, v in inputs["contact"].items() if k != "consumer"}
        salt = secrets.token_hex(16)
        logged = _as_stored(decision.as_dict())
        decision_id = self._log(
            session,
            DecisionRow(
                consumer_id=consumer_id,
                at=contact.at,
                allowed=decision.allowed,
                contact_allowed=contact_allowed,
                record_id=record_id,
                fingerprint=decision.fingerprint,
                version=decision.version,
                inputs_hash=document_hash(inputs),
                reasons=_as_stored([r.as_dict() for r in decision.reasons]),
                decision=logged,
                contact=stored_contact,
                history=[(s.id, s.record.outcome.value) for s in stored],
                decided_at=now,
                salt=salt,
                subject=salted_hash(salt, "consumer", consumer_id),
                decision_hash=salted_hash(salt, "decision", logged),
                consumer_version=consumer_version,
                idempotency_key=idempotency_key,
                request_hash=request,
            ),
        )
        return Reservation(decision, record_id, decision_id, idempotency_key)

    def _log(self, session: LedgerSession, row: DecisionRow) -> int:
        """Append a decision to the log and the chain: position and predecessor from the head
        (locked until the commit, so entries are chained in the order they commit)."""
        head = session.chain_head(lock=True)
        if head is None:
            raise LedgerError(
                f"{self!r}: the audit chain has no head (its table was emptied); nothing can be "
                "logged until it is restored: run contactrules audit verify"
            )
        row = dataclasses.replace(row, chain_seq=head.seq + 1, prev_hash=head.entry_hash)
        decision_id = session.insert_decision(row)
        entry_hash = digest(dataclasses.replace(row, id=decision_id).link())
        session.set_entry_hash(decision_id, entry_hash)
        session.set_chain_head(ChainHead(head.seq + 1, entry_hash))
        return decision_id

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

        Facts are never refused; the record's id is returned. (If the connection is lost while
        it commits, :class:`ConnectionLostError` says that it may or may not be recorded.)
        """
        stored = self._ids.record(record)

        def work(session: LedgerSession) -> int:
            ref = self._ref(consumer_id)
            session.lock(ref)
            return session.insert_record(ref, stored, "external", self._now(session))

        return self._run(True, work)

    def record_outcome(self, record_id: int, outcome: Outcome | str) -> None:
        """Set what happened to a recorded contact (no answer, conversation, …).

        The outcome feeds later counts: a ``conversation`` starts the 7-day call cooldown, a
        ``not_connected`` call leaves the 7-in-7 count. Each change is logged with its time.
        Setting the same outcome again changes nothing, so a retry is always safe.
        """
        new = Outcome(outcome)

        def work(session: LedgerSession) -> None:
            owner = session.record_owner(record_id)
            if owner is None:
                raise UnknownRecordError(f"no contact record has id {record_id}")
            session.lock(owner[0])
            owner = session.record_owner(record_id)  # re-read under the consumer's lock
            assert owner is not None  # records are never deleted
            if owner[1] is not new:
                session.set_outcome(record_id, owner[1], new, self._now(session))

        self._run(True, work, replayable=True)

    def erase_consumer(self, consumer_id: str, *, stored_id: bool = False) -> Erasure:
        """Erase one consumer's personal data, keeping the audit chain verifiable.

        The consumer's stored JSON and versions are deleted; their records keep only channel,
        time, outcome and how they were placed (no number, text, third party or debt ids); their
        logged decisions keep the verdict, times, rule ids, citations and every hash, lose the
        contact, the messages and facts, and the salt of their hashes (so the hashes can no
        longer be matched against guessed data). An erasure entry appended to the chain names
        the decisions and records erased, so ``audit verify`` checks them by their hashes only.

        ``consumer_id`` is the consumer's id (with a keyed ledger, the key is needed), or with
        ``stored_id=True`` the id as stored (a pseudonym printed by ``replay`` or an export).
        Erasing again finds nothing (``entry`` is None). Erase only what no retention duty
        keeps: the consumer's history no longer counts towards caps once erased.
        """

        def work(session: LedgerSession) -> Erasure:
            ref = consumer_id if stored_id else self._ref(consumer_id)
            session.lock(ref)
            rows = session.consumer_decisions(ref)
            erased: list[tuple[int, str]] = []
            for row in rows:
                kept = dataclasses.replace(
                    row,
                    consumer_id=ERASED,
                    contact=dict(ERASED_CONTACT),
                    decision=_as_stored(redact_decision(row.decision)),
                    reasons=_as_stored(redact_reasons(row.reasons)),
                    salt=None,
                )
                session.redact_decision_row(kept)
                digest = erased_digest(kept.consumer_id, kept.decision, kept.reasons, None)
                erased.append((row.id, digest))
            records = session.erase_records(ref)
            had_consumer = session.delete_consumer(ref)
            if not rows and not records and not had_consumer:
                return Erasure(ref, 0, 0, None, None)
            now = self._now(session)
            head = session.chain_head(lock=True)
            if head is None:
                raise LedgerError(f"{self!r}: the audit chain has no head; nothing was erased")
            body = erasure_link(head.seq + 1, head.entry_hash, now, erased, records)
            event = ChainEvent(head.seq + 1, "erasure", body, event_hash(body))
            session.insert_event(event)
            session.set_chain_head(ChainHead(event.seq, event.entry_hash))
            return Erasure(ref, len(rows), len(records), event.seq, now)

        return self._run(True, work, replayable=True)

    # --- reading ----------------------------------------------------------------------------
    def reservation(self, decision_id: int) -> Reservation | None:
        """The reservation a logged decision answered (None when no decision has this id)."""
        row = self._run(False, lambda session: session.decision_by_id(decision_id))
        return None if row is None else _reservation_of(row)

    def reservation_by_key(self, idempotency_key: str) -> Reservation | None:
        """The reservation made with this idempotency key, or None."""
        row = self._run(False, lambda session: session.decision_by_key(idempotency_key))
        return None if row is None else _reservation_of(row)

    def records(self, consumer_id: str) -> list[StoredRecord]:
        """The consumer's records with their ids, oldest first."""
        ref = self._ref(consumer_id)
        return self._run(False, lambda session: session.records(ref))

    def history(self, consumer_id: str) -> list[ContactRecord]:
        """The consumer's records, oldest first: the history :meth:`reserve` judges against."""
        return [s.record for s in self.records(consumer_id)]

    def consumer(self, consumer_id: str) -> Consumer | None:
        """The consumer as last seen by :meth:`reserve`, or None (with a keyed ledger, its id
        inside is the pseudonym)."""
        ref = self._ref(consumer_id)
        data = self._run(False, lambda session: session.consumer(ref))
        return None if data is None else Consumer.model_validate_json(data)

    def audit(self, consumer_id: str | None = None, *, after_id: int = 0) -> Iterator[AuditEntry]:
        """Every logged decision (of one consumer, or all), oldest first.

        Read page by page, each page in its own short transaction, so exporting a large log
        does not hold up writers.
        """
        ref = None if consumer_id is None else self._ref(consumer_id)
        while True:
            entries = self._run(False, functools.partial(audit_page, after_id, ref))
            yield from entries
            if len(entries) < AUDIT_PAGE:
                return
            after_id = entries[-1].id

    def export_audit(
        self, out: TextIO | str | Path, consumer_id: str | None = None, *, redact: bool = False
    ) -> int:
        """Write the audit log as JSON Lines to a stream or a file; return the entry count.

        The whole log is written in chain order with its genesis and erasure entries and, last,
        its head, so that ``contactrules audit verify FILE`` can check the file alone; one
        consumer's entries (``consumer_id``) are written without them. ``redact`` leaves out
        every personal datum (inputs, messages, facts, consumer ids) and keeps the hashes.
        """
        if isinstance(out, (str, Path)):
            with open(out, "w", encoding="utf-8") as handle:
                return self.export_audit(handle, consumer_id, redact=redact)
        if consumer_id is not None:
            entries = self.audit(consumer_id)
            return write_jsonl((e.redacted_view() if redact else e for e in entries), out)

        def work(session: LedgerSession) -> int:
            head = session.chain_head(lock=False)
            items = chain_items(session, None if head is None else head.seq)
            if redact:
                items = (i.redacted_view() if isinstance(i, AuditEntry) else i for i in items)
            tail: list[ChainHead] = [] if head is None else [head]
            return write_jsonl(itertools.chain(items, tail), out)

        return self._run(False, work, retry=False)

    def verify_audit(self, anchors: Sequence[ChainHead] = ()) -> Verification:
        """Check the whole audit chain (see :class:`~.verify.ChainVerifier`) in one read
        transaction; ``anchors`` are heads recorded earlier that must still be in it."""

        def work(session: LedgerSession) -> Verification:
            verifier = ChainVerifier(anchors)
            head = session.chain_head(lock=False)
            for row in session.unchained_decisions():
                verifier.add(audit_entries(session, [row])[0])
            for item in chain_items(session, None):
                verifier.add(item)
            return verifier.finish(head)

        return self._run(False, work)


def _replayed(row: DecisionRow, key: str, consumer_id: str, request: str | None) -> Reservation:
    if row.consumer_id != consumer_id or row.request_hash != request:
        raise IdempotencyConflictError(
            f"idempotency key {key!r} already names another request (decision {row.id}, "
            f"decided {row.decided_at.isoformat()}, for another contact or consumer); a key "
            "names one contact: use a new key for a new contact"
        )
    return _reservation_of(row)


def _reservation_of(row: DecisionRow) -> Reservation:
    return Reservation(
        decision_from_json(row.decision),
        row.record_id,
        row.id,
        row.idempotency_key,
        replayed=True,
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
