"""The audit log: every decision with the inputs it was made from, exportable as JSON Lines.

A regulator (or the collector's own compliance officer, years later) must be able to see each
contact the ledger judged, the reason it was allowed or denied, which rulesets decided it
(their fingerprint) and when, and to check that the record was not altered afterwards. So each
entry carries its inputs (the contact and the history the engine was given) and their hash,
``sha256`` of the canonical JSON of those inputs: anyone can recompute it from the exported line
alone, without this library.

Canonical JSON here is ``json.dumps(…, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` of ``{"contact": …, "history": […]}``, each model dumped by pydantic in
JSON mode (datetimes as ISO 8601 with their offset).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from ..errors import InputError
from ..models import Contact, ContactRecord

__all__ = [
    "AuditEntry",
    "AuditFileError",
    "canonical_json",
    "document_hash",
    "inputs_document",
    "inputs_hash",
    "read_jsonl",
    "write_jsonl",
]


def canonical_json(value: object) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 text rather than escapes.

    A value JSON cannot represent (a date among a rule's facts) is written as its text, so
    logging a decision can never fail on the way it is spelt.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def inputs_document(contact: Contact, history: Sequence[ContactRecord]) -> dict[str, Any]:
    """The engine's inputs as JSON data: exactly what :func:`inputs_hash` hashes."""
    return {
        "contact": contact.model_dump(mode="json"),
        "history": [r.model_dump(mode="json") for r in history],
    }


def inputs_hash(contact: Contact, history: Sequence[ContactRecord]) -> str:
    """``sha256:`` + the hex digest of the canonical JSON of the contact and its history."""
    return document_hash(inputs_document(contact, history))


def document_hash(document: dict[str, Any]) -> str:
    """The hash of an :func:`inputs_document` (for callers that already built one)."""
    return "sha256:" + hashlib.sha256(canonical_json(document).encode()).hexdigest()


class AuditFileError(InputError, ValueError):
    """A line of an exported audit file that cannot be read back; says where."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}:1: {message}")


@dataclass(frozen=True)
class AuditEntry:
    """One logged decision.

    ``allowed`` is the ledger's answer; ``contact_allowed`` the engine's verdict on the contact
    itself. They differ only when the engine allowed the contact but recording it would have
    made a contact already reserved for a later instant break a rule (see ``Ledger.reserve``).
    ``history`` is the history exactly as the engine saw it (outcomes as they were then), and
    ``history_ids`` the ledger ids of those records, in the same order.
    """

    id: int
    consumer_id: str
    at: dt.datetime
    decided_at: dt.datetime
    allowed: bool
    contact_allowed: bool
    record_id: int | None
    fingerprint: str
    version: str
    inputs_hash: str
    decision: dict[str, Any]
    contact: Contact
    history: tuple[ContactRecord, ...]
    history_ids: tuple[int, ...]

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The reasons of the decision, each with its rule id, citation, message and facts."""
        reasons: list[dict[str, Any]] = self.decision.get("reasons", [])
        return reasons

    def computed_hash(self) -> str:
        """The hash of the inputs as they are now, to compare with :attr:`inputs_hash`."""
        return inputs_hash(self.contact, self.history)

    def intact(self) -> bool:
        """Whether the inputs still hash to the value logged with the decision."""
        return self.computed_hash() == self.inputs_hash

    def as_json(self) -> dict[str, Any]:
        """The JSON Lines form: self-contained, so the hash can be checked from the line."""
        return {
            "id": self.id,
            "consumer_id": self.consumer_id,
            "at": self.at.isoformat(),
            "decided_at": self.decided_at.isoformat(),
            "allowed": self.allowed,
            "contact_allowed": self.contact_allowed,
            "record_id": self.record_id,
            "fingerprint": self.fingerprint,
            "version": self.version,
            "inputs_hash": self.inputs_hash,
            "reasons": self.reasons,
            "decision": self.decision,
            "inputs": inputs_document(self.contact, self.history),
            "history_ids": list(self.history_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditEntry:
        """Read back an :meth:`as_json` document (raises ``KeyError``/``ValueError``)."""
        inputs = data["inputs"]
        history = tuple(ContactRecord.model_validate(r) for r in inputs["history"])
        ids = tuple(int(i) for i in data["history_ids"])
        if len(ids) != len(history):
            raise ValueError(f"{len(ids)} history ids for {len(history)} history records")
        record_id = data["record_id"]
        return cls(
            id=int(data["id"]),
            consumer_id=str(data["consumer_id"]),
            at=_aware(data["at"]),
            decided_at=_aware(data["decided_at"]),
            allowed=_bool(data["allowed"]),
            contact_allowed=_bool(data["contact_allowed"]),
            record_id=None if record_id is None else int(record_id),
            fingerprint=str(data["fingerprint"]),
            version=str(data["version"]),
            inputs_hash=str(data["inputs_hash"]),
            decision=dict(data["decision"]),
            contact=Contact.model_validate(inputs["contact"]),
            history=history,
            history_ids=ids,
        )


def _aware(text: object) -> dt.datetime:
    value = dt.datetime.fromisoformat(str(text))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def write_jsonl(entries: Iterable[AuditEntry], out: TextIO) -> int:
    """Write one canonical JSON line per entry; return how many were written."""
    count = 0
    for entry in entries:
        out.write(canonical_json(entry.as_json()))
        out.write("\n")
        count += 1
    return count


def read_jsonl(path: str | Path) -> Iterator[AuditEntry]:
    """Read an exported audit file back, entry by entry (raises :class:`AuditFileError`)."""
    name = str(path)
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("an audit line must be a JSON object")
                yield AuditEntry.from_json(data)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise AuditFileError(name, number, f"{where}: {first['msg']}") from None
            except (KeyError, ValueError, TypeError) as exc:
                detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
                raise AuditFileError(name, number, detail) from None
