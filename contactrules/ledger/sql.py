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
- the two statements on the consumer's JSON, whose SQL really differs;
- the clock (PostgreSQL's server clock), the idempotency-key lock, and how the chain's head row
  is locked for the rest of the transaction (``FOR UPDATE``; SQLite's write lock already is).
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
from .chain import ChainEvent, ChainHead
from .privacy import ERASED, ERASED_CONTACT
from .session import DecisionRow, LedgerSession, RecordSource, StoredRecord

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
    "inputs_hash, reasons, decision, contact, history, decided_at, chain_seq, prev_hash, "
    "entry_hash, salt, subject, decision_hash, consumer_version, idempotency_key, request_hash"
)


class Cursor(Protocol):
    """What the shared statements need of a DB-API cursor."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    @property
    def rowcount(self) -> int: ...


class SQLSession(LedgerSession):
    """The ledger's storage operations in SQL; subclasses supply the dialect hooks below."""

    consumer_query: ClassVar[str]
    """Select the consumer's JSON as text, by id (one ``?``)."""

    consumer_upsert: ClassVar[str]
    """Store a consumer's id, JSON and update time (three ``?``); rewrite only when it changed."""

    lock_clause: ClassVar[str] = ""
    """Appended to the chain head's ``SELECT`` to keep other appenders out until the commit."""

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
    def _id_filters(
        self, column: str, ids: Sequence[int] | Sequence[str]
    ) -> Iterator[tuple[str, list[object]]]:
        """``WHERE`` conditions with their parameters that together match ``column`` to ``ids``."""

    # --- operations -------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)

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
        for where, params in self._id_filters("d.record_id", record_ids):
            for record_id, contact, version, consumer in self._execute(
                "SELECT d.record_id, d.contact, d.consumer_version, v.data FROM decisions d "
                f"LEFT JOIN consumer_versions v ON v.hash = d.consumer_version WHERE {where}",
                params,
            ).fetchall():
                data = self._json(contact)
                if data == ERASED_CONTACT or (version is not None and consumer is None):
                    continue
                if version is not None:
                    data["consumer"] = self._json(consumer)
                found[int(record_id)] = data
        return found

    def consumer(self, consumer_id: str) -> str | None:
        row = self._execute(self.consumer_query, (consumer_id,)).fetchone()
        return None if row is None else str(row[0])

    def upsert_consumer(self, consumer_id: str, data: str, now: dt.datetime) -> None:
        self._execute(self.consumer_upsert, (consumer_id, data, self._instant_param(now)))

    def add_consumer_version(
        self, version: str, consumer_id: str, data: dict[str, Any], now: dt.datetime
    ) -> None:
        self._execute(
            "INSERT INTO consumer_versions (hash, consumer_id, data, first_seen) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
            (version, consumer_id, self._json_param(data), self._instant_param(now)),
        )

    def consumer_versions(self, versions: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for where, params in self._id_filters("hash", versions):
            for version, data in self._execute(
                f"SELECT hash, data FROM consumer_versions WHERE {where}", params
            ).fetchall():
                found[str(version)] = self._json(data)
        return found

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
            "fingerprint, version, inputs_hash, reasons, decision, contact, history, decided_at,"
            " chain_seq, prev_hash, salt, subject, decision_hash, consumer_version, "
            "idempotency_key, request_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                row.chain_seq,
                row.prev_hash,
                row.salt,
                row.subject,
                row.decision_hash,
                row.consumer_version,
                row.idempotency_key,
                row.request_hash,
            ),
        )

    def set_entry_hash(self, decision_id: int, entry_hash: str) -> None:
        self._execute("UPDATE decisions SET entry_hash = ? WHERE id = ?", (entry_hash, decision_id))

    def set_chain_fields(self, row: DecisionRow) -> None:
        """Chain a decision logged before the chain existed (schema version 4's step)."""
        self._execute(
            "UPDATE decisions SET chain_seq = ?, prev_hash = ?, entry_hash = ?, salt = ?, "
            "subject = ?, decision_hash = ? WHERE id = ?",
            (
                row.chain_seq,
                row.prev_hash,
                row.entry_hash,
                row.salt,
                row.subject,
                row.decision_hash,
                row.id,
            ),
        )

    def insert_head(self, head: ChainHead) -> None:
        """Start the chain's head row (schema version 4's step)."""
        self._execute(
            "INSERT INTO audit_head (id, seq, entry_hash) VALUES (1, ?, ?)",
            (head.seq, head.entry_hash),
        )

    def decisions(self, after_id: int, limit: int, consumer_id: str | None) -> list[DecisionRow]:
        where = "id > ?" + ("" if consumer_id is None else " AND consumer_id = ?")
        params: tuple[object, ...] = (after_id,) if consumer_id is None else (after_id, consumer_id)
        rows = self._execute(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE {where} ORDER BY id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [self._decision_row(row) for row in rows]

    def _one_decision(self, where: str, param: object) -> DecisionRow | None:
        row = self._execute(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE {where}", (param,)
        ).fetchone()
        return None if row is None else self._decision_row(row)

    def decision_by_id(self, decision_id: int) -> DecisionRow | None:
        return self._one_decision("id = ?", decision_id)

    def decision_by_key(self, key: str) -> DecisionRow | None:
        return self._one_decision("idempotency_key = ?", key)

    def chain_decisions(self, after_seq: int, limit: int) -> list[DecisionRow]:
        rows = self._execute(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE chain_seq > ? "
            "ORDER BY chain_seq LIMIT ?",
            (after_seq, limit),
        ).fetchall()
        return [self._decision_row(row) for row in rows]

    def unchained_decisions(self) -> list[DecisionRow]:
        rows = self._execute(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE chain_seq IS NULL ORDER BY id", ()
        ).fetchall()
        return [self._decision_row(row) for row in rows]

    def chain_events(self) -> list[ChainEvent]:
        rows = self._execute(
            "SELECT seq, kind, body, entry_hash FROM audit_events ORDER BY seq", ()
        ).fetchall()
        return [ChainEvent(int(r[0]), str(r[1]), self._json(r[2]), str(r[3])) for r in rows]

    def insert_event(self, event: ChainEvent) -> None:
        self._execute(
            "INSERT INTO audit_events (seq, kind, body, entry_hash) VALUES (?, ?, ?, ?)",
            (event.seq, event.kind, self._json_param(event.body), event.entry_hash),
        )

    def chain_head(self, lock: bool) -> ChainHead | None:
        lock_clause = self.lock_clause if lock else ""
        row = self._execute(
            f"SELECT seq, entry_hash FROM audit_head WHERE id = 1{lock_clause}", ()
        ).fetchone()
        return None if row is None else ChainHead(int(row[0]), str(row[1]))

    def set_chain_head(self, head: ChainHead) -> None:
        self._execute(
            "UPDATE audit_head SET seq = ?, entry_hash = ? WHERE id = 1",
            (head.seq, head.entry_hash),
        )

    def setting(self, name: str) -> str | None:
        row = self._execute("SELECT value FROM ledger_settings WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, name: str, value: str) -> None:
        self._execute(
            "INSERT INTO ledger_settings (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def holds_data(self) -> bool:
        for table in ("decisions", "records"):
            if self._execute(f"SELECT 1 FROM {table} LIMIT 1", ()).fetchone() is not None:
                return True
        return False

    def consumer_decisions(self, consumer_id: str) -> list[DecisionRow]:
        rows = self._execute(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE consumer_id = ? ORDER BY id",
            (consumer_id,),
        ).fetchall()
        return [r for r in (self._decision_row(row) for row in rows) if not r.erased]

    def redact_decision_row(self, row: DecisionRow) -> None:
        self._execute(
            "UPDATE decisions SET consumer_id = ?, contact = ?, decision = ?, reasons = ?, "
            "salt = ? WHERE id = ?",
            (
                row.consumer_id,
                self._json_param(row.contact),
                self._json_param(row.decision),
                self._json_param(row.reasons),
                row.salt,
                row.id,
            ),
        )

    def erase_records(self, consumer_id: str) -> list[int]:
        ids = [
            int(r[0])
            for r in self._execute(
                "SELECT id FROM records WHERE consumer_id = ? ORDER BY id", (consumer_id,)
            ).fetchall()
        ]
        if ids:
            self._execute(
                "UPDATE records SET consumer_id = ?, to_address = NULL, text = NULL, "
                "third_party_id = NULL, debt_ids = ? WHERE consumer_id = ?",
                (ERASED, self._json_param([]), consumer_id),
            )
        return ids

    def delete_consumer(self, consumer_id: str) -> bool:
        versions = self._execute(
            "DELETE FROM consumer_versions WHERE consumer_id = ?", (consumer_id,)
        ).rowcount
        latest = self._execute("DELETE FROM consumers WHERE id = ?", (consumer_id,)).rowcount
        return bool(versions or latest)

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
            chain_seq=None if row[14] is None else int(row[14]),
            prev_hash=row[15],
            entry_hash=row[16],
            salt=row[17],
            subject=row[18],
            decision_hash=row[19],
            consumer_version=row[20],
            idempotency_key=row[21],
            request_hash=row[22],
        )
