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

from ..models import (
    Channel,
    ContactRecord,
    DialMethod,
    Initiator,
    Outcome,
    Purpose,
    Recipient,
)
from .base import DecisionRow, LedgerSession, RecordSource, StoredRecord

__all__ = ["RECORD_COLUMNS", "Cursor", "SQLSession"]

RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("channel", "channel"),
    ("at", "at"),
    ("debt_ids", "debt_ids"),
    ("outcome", "outcome"),
    ("initiated_by", "initiated_by"),
    ("to", "to_address"),
    ("to_work", "to_work"),
    ("recipient", "recipient"),
    ("third_party_id", "third_party_id"),
    ("purpose", "purpose"),
    ("dial_method", "dial_method"),
    ("text", "text"),
    ("requested_by_consumer", "requested_by_consumer"),
)
"""Each :class:`~contactrules.models.ContactRecord` field and the ``records`` column holding it.

A field left out of this table would be dropped on its way into the ledger, and a rule that
reads it (a consumer's STOP, how a call was placed) would silently judge without it; the
ledger's tests compare the table with the model's fields and round-trip every one.
"""
_FIELDS = tuple(field for field, _ in RECORD_COLUMNS)
_RECORD_COLUMNS = ", ".join(("id", "consumer_id", *(c for _, c in RECORD_COLUMNS), "source"))
_RECORD_INSERT = (
    "INSERT INTO records (consumer_id, {columns}, source, recorded_at) VALUES ({marks})".format(
        columns=", ".join(c for _, c in RECORD_COLUMNS),
        marks=", ".join("?" * (len(RECORD_COLUMNS) + 3)),
    )
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
        values: dict[str, object] = {
            "channel": record.channel.value,
            "at": self._instant_param(record.at),
            "debt_ids": self._json_param(list(record.debt_ids)),
            "outcome": record.outcome.value,
            "initiated_by": record.initiated_by.value,
            "to": record.to,
            "to_work": record.to_work,
            "recipient": record.recipient.value,
            "third_party_id": record.third_party_id,
            "purpose": None if record.purpose is None else record.purpose.value,
            "dial_method": None if record.dial_method is None else record.dial_method.value,
            "text": record.text,
            "requested_by_consumer": record.requested_by_consumer,
        }
        return self._insert(
            _RECORD_INSERT,
            (consumer_id, *(values[f] for f in _FIELDS), source, self._instant_param(now)),
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
        values = dict(zip(_FIELDS, row[2:-1], strict=True))
        record = ContactRecord.model_construct(
            channel=Channel(values["channel"]),
            at=self._instant(values["at"]),
            debt_ids=list(self._json(values["debt_ids"])),
            outcome=Outcome(values["outcome"]),
            initiated_by=Initiator(values["initiated_by"]),
            to=values["to"],
            to_work=None if values["to_work"] is None else bool(values["to_work"]),
            recipient=Recipient(values["recipient"]),
            third_party_id=values["third_party_id"],
            purpose=None if values["purpose"] is None else Purpose(values["purpose"]),
            dial_method=(
                None if values["dial_method"] is None else DialMethod(values["dial_method"])
            ),
            text=values["text"],
            requested_by_consumer=bool(values["requested_by_consumer"]),
        )
        return StoredRecord(id=int(row[0]), consumer_id=row[1], record=record, source=row[-1])

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
