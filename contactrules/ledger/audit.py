"""The audit log: every decision with the inputs it was made from, exportable as JSON Lines.

A regulator (or the collector's own compliance officer, years later) must be able to see each
contact the ledger judged, the reason it was allowed or denied, which rulesets decided it
(their fingerprint) and when, and to check that the record was not altered afterwards. So each
entry carries its inputs (the contact and the history the engine was given) and their hash,
``sha256`` of the canonical JSON of those inputs: anyone can recompute it from the exported line
alone, without this library. Each entry is also a link of the audit chain
(:mod:`.chain`): its ``link`` document and ``entry_hash`` show that no field of it was changed
and that no entry was removed or slipped in before it.

Canonical JSON here is ``json.dumps(…, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` of ``{"contact": …, "history": […]}``, each model dumped by pydantic in
JSON mode (datetimes as ISO 8601 with their offset).

An export is one JSON object per line, in chain order: a decision's entry (the fields of
:meth:`AuditEntry.as_json`), a genesis or erasure entry (``{"event": …, "entry_hash": …}``),
and, last, the head of the chain (``{"head": {"seq": …, "entry_hash": …}}``) so that a file cut
short is seen to be. A redacted export (:meth:`AuditEntry.redacted`) leaves out the inputs and
every message and fact that could name a person, and keeps the hashes, so its chain still
verifies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from ..errors import InputError
from ..models import Contact, ContactRecord
from .chain import (
    ChainEvent,
    ChainHead,
    canonical_json,
    decision_link,
    digest,
    erased_digest,
    salted_hash,
)
from .privacy import redact_decision, redact_reasons

__all__ = [
    "AuditEntry",
    "AuditFileError",
    "canonical_json",
    "document_hash",
    "inputs_document",
    "inputs_hash",
    "read_chain_jsonl",
    "read_jsonl",
    "write_jsonl",
]


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
    return digest(document)


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
    itself. They differ when the engine allowed the contact but the ledger denied it: recording
    it would have made a contact already reserved for a later instant break a rule, or it was
    proposed too far ahead of the ledger's clock (see ``Ledger.reserve``).
    ``history`` is the history exactly as the engine saw it (outcomes as they were then), and
    ``history_ids`` the ledger ids of those records, in the same order.

    The fields after ``history_ids`` are the entry's place in the audit chain (:mod:`.chain`)
    and what it needs: ``None`` for an entry read from an export written before the chain.
    ``contact`` is ``None`` (and ``history`` empty) once the consumer's personal data was erased
    (``erased``) or in a redacted export (``redacted``); the entry is then checked through its
    hashes only.
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
    contact: Contact | None
    history: tuple[ContactRecord, ...]
    history_ids: tuple[int, ...]
    history_outcomes: tuple[str, ...] = ()
    logged_reasons: tuple[dict[str, Any], ...] | None = None
    seq: int | None = None
    prev_hash: str | None = None
    entry_hash: str | None = None
    salt: str | None = None
    subject: str | None = None
    decision_hash: str | None = None
    consumer_version: str | None = None
    idempotency_key: str | None = None
    request_hash: str | None = None
    erased: bool = False
    redacted: bool = False
    load_problems: tuple[str, ...] = ()
    given_link: dict[str, Any] | None = dataclasses.field(default=None, compare=False)

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The reasons of the decision, each with its rule id, citation, message and facts."""
        reasons: list[dict[str, Any]] = self.decision.get("reasons", [])
        return reasons

    @property
    def rule_ids(self) -> list[str]:
        """The rule ids of the logged reasons, in order (what the chain commits to)."""
        source = self.reasons if self.logged_reasons is None else list(self.logged_reasons)
        return [str(r.get("rule_id")) if isinstance(r, dict) else str(r) for r in source]

    @property
    def chained(self) -> bool:
        return self.seq is not None

    def computed_hash(self) -> str | None:
        """The hash of the inputs as they are now, to compare with :attr:`inputs_hash` (None
        when the inputs are no longer there: erased or redacted)."""
        if self.contact is None:
            return None
        return inputs_hash(self.contact, self.history)

    def link(self) -> dict[str, Any] | None:
        """The link document of this entry, built from its fields (None when not chained)."""
        if (
            self.seq is None
            or self.prev_hash is None
            or self.subject is None
            or self.decision_hash is None
        ):
            return None
        outcomes = self.history_outcomes
        if len(outcomes) != len(self.history_ids):
            outcomes = tuple(r.outcome.value for r in self.history)
        return decision_link(
            seq=self.seq,
            prev=self.prev_hash,
            id=self.id,
            subject=self.subject,
            at=self.at,
            decided_at=self.decided_at,
            allowed=self.allowed,
            contact_allowed=self.contact_allowed,
            record_id=self.record_id,
            fingerprint=self.fingerprint,
            version=self.version,
            rule_ids=self.rule_ids,
            history=list(zip(self.history_ids, outcomes, strict=False)),
            inputs_hash=self.inputs_hash,
            decision_hash=self.decision_hash,
            consumer_version=self.consumer_version,
            idempotency_key=self.idempotency_key,
            request_hash=self.request_hash,
        )

    def problems(self) -> list[tuple[str, str]]:
        """What no longer agrees within this entry, as ``(code, message)`` pairs.

        Its fields must hash to its ``entry_hash``; unless erased or redacted, its consumer id,
        logged decision and inputs must hash to the values chained, and the row's columns must
        say what the logged decision says. (Whether the entry follows the previous one is the
        chain's business: :class:`~.verify.ChainVerifier`.)
        """
        found = [("audit.altered-entry", text) for text in self.load_problems]
        link = self.link()
        if link is not None:
            if self.given_link is not None and self.given_link != link:
                keys = sorted(
                    k
                    for k in set(link) | set(self.given_link)
                    if link.get(k) != self.given_link.get(k)
                )
                found.append(
                    (
                        "audit.altered-entry",
                        f"{', '.join(keys)} differ(s) from the entry's chained link document",
                    )
                )
            if digest(self.given_link or link) != self.entry_hash:
                found.append(
                    (
                        "audit.altered-entry",
                        f"its chained fields hash to {digest(self.given_link or link)}, not to "
                        f"its entry hash {self.entry_hash}: a field of the entry (verdict, "
                        "time, rule ids, history, ids, hashes) was changed after it was logged",
                    )
                )
        if self.erased or self.redacted:
            return found
        found.extend(self._content_problems())
        return found

    def _content_problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        code = "audit.altered-entry"
        if self.salt is not None and self.subject is not None:
            if salted_hash(self.salt, "consumer", self.consumer_id) != self.subject:
                found.append((code, f"consumer id {self.consumer_id!r} is not the one chained"))
            if salted_hash(self.salt, "decision", self.decision) != self.decision_hash:
                found.append((code, "the logged decision was changed after it was logged"))
        elif self.subject is not None:
            found.append((code, "its salt is missing, so its hashes cannot be checked"))
        now = self.computed_hash()
        if now is not None and now != self.inputs_hash:
            found.append(
                (
                    code,
                    f"its inputs (contact, consumer, history) hash to {now}, not to the logged "
                    f"{self.inputs_hash}: they were changed after the decision",
                )
            )
        logged = self.decision
        checks: list[tuple[str, object, object]] = [
            ("allowed", self.allowed, logged.get("allowed", self.allowed)),
            ("fingerprint", self.fingerprint, logged.get("fingerprint", self.fingerprint)),
            ("version", self.version, logged.get("version", self.version)),
        ]
        if "at" in logged:
            checks.append(("at", self.at, dt.datetime.fromisoformat(str(logged["at"]))))
        if self.logged_reasons is not None and "reasons" in logged:
            checks.append(("reasons", list(self.logged_reasons), logged["reasons"]))
        for name, row_value, decision_value in checks:
            if row_value != decision_value:
                found.append(
                    (
                        code,
                        f"{name} is {_short(row_value)} but the logged decision says "
                        f"{_short(decision_value)}",
                    )
                )
        return found

    def erased_digest(self) -> str:
        """What this erased entry's row still holds besides its chained fields, hashed (an
        erasure entry of the chain records it: :func:`~.chain.erased_digest`)."""
        reasons = self.reasons if self.logged_reasons is None else list(self.logged_reasons)
        return erased_digest(self.consumer_id, self.decision, reasons, self.salt)

    def intact(self) -> bool:
        """Whether the entry still agrees with itself and with what was chained."""
        if not self.chained and self.contact is not None:
            return self.computed_hash() == self.inputs_hash
        return not self.problems()

    def redacted_view(self) -> AuditEntry:
        """This entry without personal data: no inputs, no messages or facts, the consumer named
        by its salted hash only, no salt. Its chain still verifies."""
        return dataclasses.replace(
            self,
            consumer_id=self.subject or "",
            contact=None,
            history=(),
            decision=redact_decision(self.decision),
            logged_reasons=tuple(redact_reasons(list(self.logged_reasons or ()))),
            salt=None,
            redacted=True,
            history_outcomes=self._outcomes(),
        )

    def _outcomes(self) -> tuple[str, ...]:
        if len(self.history_outcomes) == len(self.history_ids):
            return self.history_outcomes
        return tuple(r.outcome.value for r in self.history)

    def as_json(self) -> dict[str, Any]:
        """The JSON Lines form: self-contained, so the hashes can be checked from the line."""
        line: dict[str, Any] = {
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
            "reasons": self.reasons if self.logged_reasons is None else list(self.logged_reasons),
            "decision": self.decision,
            "history_ids": list(self.history_ids),
            "history_outcomes": list(self._outcomes()),
        }
        if self.contact is not None:
            line["inputs"] = inputs_document(self.contact, self.history)
        link = self.link()
        if link is not None:
            line["link"] = link
            line["entry_hash"] = self.entry_hash
            if self.salt is not None:
                line["salt"] = self.salt
        if self.erased:
            line["erased"] = True
        if self.redacted:
            line["redacted"] = True
        return line

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditEntry:
        """Read back an :meth:`as_json` document (raises ``KeyError``/``ValueError``)."""
        inputs = data.get("inputs")
        erased = _bool(data.get("erased", False))
        redacted = _bool(data.get("redacted", False))
        if inputs is None and not (erased or redacted):
            raise KeyError("inputs")
        contact = None if inputs is None else Contact.model_validate(inputs["contact"])
        history = (
            ()
            if inputs is None
            else tuple(ContactRecord.model_validate(r) for r in inputs["history"])
        )
        ids = tuple(int(i) for i in data["history_ids"])
        if inputs is not None and len(ids) != len(history):
            raise ValueError(f"{len(ids)} history ids for {len(history)} history records")
        outcomes = tuple(str(o) for o in data.get("history_outcomes", ()))
        link = data.get("link")
        if link is not None and not isinstance(link, dict):
            raise ValueError("link must be a JSON object")
        chain: dict[str, Any] = {}
        if link is not None:
            chain = {
                "seq": int(link["seq"]),
                "prev_hash": str(link["prev"]),
                "subject": str(link["subject"]),
                "decision_hash": str(link["decision_hash"]),
                "consumer_version": link.get("consumer_version"),
                "idempotency_key": link.get("idempotency_key"),
                "request_hash": link.get("request_hash"),
                "entry_hash": str(data["entry_hash"]),
                "salt": data.get("salt"),
                "given_link": link,
            }
            if not outcomes and isinstance(link.get("history"), list):
                outcomes = tuple(str(pair[1]) for pair in link["history"])
        record_id = data["record_id"]
        reasons = data.get("reasons")
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
            contact=contact,
            history=history,
            history_ids=ids,
            history_outcomes=outcomes,
            logged_reasons=None if reasons is None or link is None else tuple(reasons),
            erased=erased,
            redacted=redacted,
            **chain,
        )


def _short(value: object) -> str:
    text = canonical_json(value) if not isinstance(value, dt.datetime) else value.isoformat()
    return text if len(text) <= 80 else text[:77] + "..."


def _aware(text: object) -> dt.datetime:
    value = dt.datetime.fromisoformat(str(text))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def write_jsonl(entries: Iterable[AuditEntry | ChainEvent | ChainHead], out: TextIO) -> int:
    """Write one canonical JSON line per item; return how many decisions were written."""
    count = 0
    for item in entries:
        if isinstance(item, ChainHead):
            data: dict[str, Any] = {"head": {"seq": item.seq, "entry_hash": item.entry_hash}}
        elif isinstance(item, ChainEvent):
            data = item.as_json()
        else:
            data = item.as_json()
            count += 1
        out.write(canonical_json(data))
        out.write("\n")
    return count


def read_chain_jsonl(path: str | Path) -> Iterator[tuple[int, AuditEntry | ChainEvent | ChainHead]]:
    """Read an exported audit file back, item by item with its line number (raises
    :class:`AuditFileError` for a line that is not an entry, an event or the head)."""
    name = str(path)
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("an audit line must be a JSON object")
                yield number, _item(data)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise AuditFileError(name, number, f"{where}: {first['msg']}") from None
            except (KeyError, ValueError, TypeError, IndexError) as exc:
                detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
                raise AuditFileError(name, number, detail) from None


def _item(data: dict[str, Any]) -> AuditEntry | ChainEvent | ChainHead:
    if "head" in data:
        head = data["head"]
        return ChainHead(int(head["seq"]), str(head["entry_hash"]))
    if "event" in data:
        body = data["event"]
        if not isinstance(body, dict):
            raise ValueError("event must be a JSON object")
        return ChainEvent(int(body["seq"]), str(body["kind"]), body, str(data["entry_hash"]))
    return AuditEntry.from_json(data)


def read_jsonl(path: str | Path) -> Iterator[AuditEntry]:
    """Read the decisions of an exported audit file back, entry by entry (raises
    :class:`AuditFileError`); chain events and the head line are skipped."""
    for _number, item in read_chain_jsonl(path):
        if isinstance(item, AuditEntry):
            yield item
