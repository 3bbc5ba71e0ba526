"""The storage operations both SQL back-ends share, written once.

SQLite and PostgreSQL hold the same tables (:mod:`.migrations`) and run the same statements, so
a fix to how a record is read or a decision logged must not have to be made twice.
:class:`SQLSession` spells every statement and every row conversion; a back-end's session
supplies only its dialect:

- how a statement runs and how an inserted row's id comes back (``lastrowid`` or
  ``RETURNING id``), with ``?`` placeholders, which PostgreSQL's session turns into ``%s``;
- how a consumer's writers are kept apart (:meth:`~.base.LedgerSession.lock`);
- how instants and JSON documents are stored: UTC text and JSON text in SQLite, ``timestamptz``
  and ``jsonb`` in PostgreSQL;
- how a list of ids is matched (chunks of ``IN (?, …)`` or one ``= ANY(?)``);
- the two statements on the consumer's JSON, whose SQL really differs.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Protocol

from ..models import Channel, ContactRecord, Initiator, Outcome, Purpose, Recipient
from .base import DecisionRow, LedgerSession, RecordSource, StoredRecord

__all__ = ["Cursor", "SQLSession"]

_RECORD_COLUMNS = (
    "id, consumer_id, channel, at, debt_ids, outcome, initiated_by, to_address, to_work, "
    "recipient, third_party_id, purpose, source"
)
_DECISION_COLUMNS = (
    "id, consumer_id, at, allowed, contact_allowed, record_id, fingerprint, version, "
    "inputs_hash, reasons, decision, contact, history, decided_at"
)


class Cursor(Protocol):
    """What the shared statements need of a DB-API cursor."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class SQLSession(LedgerSession):
    """The ledger's storage operations in SQL; subclasses supply the dialect hooks below."""

    consumer_query: ClassVar[str]
    """Select the consumer's JSON as text, by id (one ``?``)."""

    consumer_upsert: ClassVar[str]
    """Store a consumer's id, JSON and update time (three ``?``); rewrite only when it changed."""

    # --- dialect ----------------------------------------------------------------------------
    @abstractmethod
    def _execute(self, statement: str, params: Sequence[object]) -> Cursor:
        """Run a statement written with ``?`` placeholders."""

    @abstractmethod
    def _insert(self, statement: str, params: Sequence[object]) -> int:
        """Run an ``INSERT`` of one row and return the row's ``id``."""

    @abstractmethod
    def _instant_param(self, at: dt.datetime) -> object:
        """An aware instant as the database stores it."""

    @abstractmethod
    def _instant(self, value: Any) -> dt.datetime:
        """A stored instant back as an aware datetime, exact to the microsecond."""

    @abstractmethod
    def _json_param(self, value: object) -> object:
        """A JSON document as the database stores it (in canonical spelling)."""

    @abstractmethod
    def _json(self, value: Any) -> Any:
        """A stored JSON document back as JSON data."""

    @abstractmethod
    def _id_filters(self, column: str, ids: Sequence[int]) -> Iterator[tuple[str, list[object]]]:
        """``WHERE`` conditions with their parameters that together match ``column`` to ``ids``."""

    # --- operations -------------------------------------------------------------------------
    def records(self, consumer_id: str) -> list[StoredRecord]:
        rows = self._execute(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE consumer_id = ? ORDER BY at, id",
            (consumer_id,),
        ).fetchall()
        return [self._stored_record(row) for row in rows]

    def records_by_id(self, ids: Sequence[int]) -> dict[int, StoredRecord]:
        found: dict[int, StoredRecord] = {}
        for where, params in self._id_filters("id", ids):
            for row in self._execute(
                f"SELECT {_RECORD_COLUMNS} FROM records WHERE {where}", params
            ).fetchall():
                item = self._stored_record(row)
                found[item.id] = item
        return found

    def reserved_contacts(self, record_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        for where, params in self._id_filters("record_id", record_ids):
            for record_id, contact in self._execute(
                f"SELECT record_id, contact FROM decisions WHERE {where}", params
            ).fetchall():
                found[int(record_id)] = self._json(contact)
        return found

    def consumer(self, consumer_id: str) -> str | None:
        row = self._execute(self.consumer_query, (consumer_id,)).fetchone()
        return None if row is None else str(row[0])

    def upsert_consumer(self, consumer_id: str, data: str, now: dt.datetime) -> None:
        self._execute(self.consumer_upsert, (consumer_id, data, self._instant_param(now)))

    def insert_record(
        self, consumer_id: str, record: ContactRecord, source: RecordSource, now: dt.datetime
    ) -> int:
        return self._insert(
            "INSERT INTO records (consumer_id, channel, at, debt_ids, outcome, initiated_by, "
            "to_address, to_work, recipient, third_party_id, purpose, source, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                consumer_id,
                record.channel.value,
                self._instant_param(record.at),
                self._json_param(list(record.debt_ids)),
                record.outcome.value,
                record.initiated_by.value,
                record.to,
                record.to_work,
                record.recipient.value,
                record.third_party_id,
                None if record.purpose is None else record.purpose.value,
                source,
                self._instant_param(now),
            ),
        )

    def record_owner(self, record_id: int) -> tuple[str, Outcome] | None:
        row = self._execute(
            "SELECT consumer_id, outcome FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        return None if row is None else (str(row[0]), Outcome(row[1]))

    def set_outcome(self, record_id: int, old: Outcome, new: Outcome, now: dt.datetime) -> None:
        self._execute("UPDATE records SET outcome = ? WHERE id = ?", (new.value, record_id))
        self._execute(
            "INSERT INTO outcome_changes (record_id, old_outcome, new_outcome, changed_at) "
            "VALUES (?, ?, ?, ?)",
            (record_id, old.value, new.value, self._instant_param(now)),
        )

    def insert_decision(self, row: DecisionRow) -> int:
        return self._insert(
            "INSERT INTO decisions (consumer_id, at, allowed, contact_allowed, record_id, "
            "fingerprint, version, inputs_hash, reasons, decision, contact, history, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.consumer_id,
                self._instant_param(row.at),
                row.allowed,
                row.contact_allowed,
                row.record_id,
                row.fingerprint,
                row.version,
                row.inputs_hash,
                self._json_param(row.reasons),
                self._json_param(row.decision),
                self._json_param(row.contact),
                self._json_param([list(pair) for pair in row.history]),
                self._instant_param(row.decided_at),
            ),
        )

    def decisions(self, after_id: int, limit: int, consumer_id: str | None) -> list[DecisionRow]:
        where = "id > ?" + ("" if consumer_id is None else " AND consumer_id = ?")
        params: tuple[object, ...] = (after_id,) if consumer_id is None else (after_id, consumer_id)
        rows = self._execute(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE {where} ORDER BY id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [self._decision_row(row) for row in rows]

    # --- rows -------------------------------------------------------------------------------
    def _stored_record(self, row: Sequence[Any]) -> StoredRecord:
        """A row of ``_RECORD_COLUMNS`` as a record; trusted data, so built without re-validating.

        Private: rows are this module's business; everything else sees :class:`StoredRecord`.
        """
        record = ContactRecord.model_construct(
            channel=Channel(row[2]),
            at=self._instant(row[3]),
            debt_ids=list(self._json(row[4])),
            outcome=Outcome(row[5]),
            initiated_by=Initiator(row[6]),
            to=row[7],
            to_work=None if row[8] is None else bool(row[8]),
            recipient=Recipient(row[9]),
            third_party_id=row[10],
            purpose=None if row[11] is None else Purpose(row[11]),
        )
        return StoredRecord(id=int(row[0]), consumer_id=row[1], record=record, source=row[12])

    def _decision_row(self, row: Sequence[Any]) -> DecisionRow:
        """A row of ``_DECISION_COLUMNS`` as the decision log's row."""
        return DecisionRow(
            id=int(row[0]),
            consumer_id=row[1],
            at=self._instant(row[2]),
            allowed=bool(row[3]),
            contact_allowed=bool(row[4]),
            record_id=None if row[5] is None else int(row[5]),
            fingerprint=row[6],
            version=row[7],
            inputs_hash=row[8],
            reasons=self._json(row[9]),
            decision=self._json(row[10]),
            contact=self._json(row[11]),
            history=[(int(i), str(o)) for i, o in self._json(row[12])],
            decided_at=self._instant(row[13]),
        )
