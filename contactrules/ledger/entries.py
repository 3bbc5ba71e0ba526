"""Audit entries read back from the decision log: each row with its history and consumer.

A logged decision is stored without the records it counted (they are in ``records``, with the
outcome each had then in the row's ``history``) and without its consumer (in
``consumer_versions``, once per version). Reading an entry puts them back together; what cannot
be put back (a record or a consumer version deleted, a contact no longer valid) is not an
exception but a problem of the entry, for ``audit verify`` and ``replay`` to report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import ValidationError

from ..models import Contact, ContactRecord, Outcome
from .audit import AuditEntry
from .chain import ChainEvent
from .session import DecisionRow, LedgerSession, StoredRecord

__all__ = ["AUDIT_PAGE", "audit_entries", "audit_page", "chain_items"]

AUDIT_PAGE = 500


def audit_page(after_id: int, consumer_id: str | None, session: LedgerSession) -> list[AuditEntry]:
    return audit_entries(session, session.decisions(after_id, AUDIT_PAGE, consumer_id))


def chain_items(session: LedgerSession, up_to: int | None) -> Iterator[AuditEntry | ChainEvent]:
    """Every entry of the chain in order (decisions and events), up to position ``up_to``."""
    events = [e for e in session.chain_events() if up_to is None or e.seq <= up_to]
    after = -1
    while True:
        rows = session.chain_decisions(after, AUDIT_PAGE)
        if up_to is not None:
            rows = [r for r in rows if r.chain_seq is not None and r.chain_seq <= up_to]
        for entry in audit_entries(session, rows):
            while events and entry.seq is not None and events[0].seq < entry.seq:
                yield events.pop(0)
            yield entry
        if len(rows) < AUDIT_PAGE:
            break
        last = rows[-1].chain_seq
        assert last is not None
        after = last
    yield from events


def audit_entries(session: LedgerSession, rows: Sequence[DecisionRow]) -> list[AuditEntry]:
    """Audit entries for decision rows, with their history records and consumer versions."""
    wanted = sorted({i for row in rows if not row.erased for i, _ in row.history})
    stored = session.records_by_id(wanted) if wanted else {}
    hashes = sorted({r.consumer_version for r in rows if r.consumer_version and not r.erased})
    versions = session.consumer_versions(hashes) if hashes else {}
    return [_audit_entry(row, stored, versions) for row in rows]


def _audit_entry(
    row: DecisionRow, stored: dict[int, StoredRecord], versions: dict[str, dict[str, Any]]
) -> AuditEntry:
    problems: list[str] = []
    history: list[ContactRecord] = []
    contact: Contact | None = None
    if not row.erased:
        for record_id, outcome in row.history:
            item = stored.get(record_id)
            if item is None:
                problems.append(f"record {record_id} of its history is missing from the ledger")
                continue
            record = item.record
            if record.outcome.value != outcome:  # the outcome was set after this decision
                record = record.model_copy(update={"outcome": Outcome(outcome)})
            history.append(record)
        data = dict(row.contact)
        if row.consumer_version is not None:
            consumer = versions.get(row.consumer_version)
            if consumer is None:
                problems.append(
                    f"the consumer it was judged with (version {row.consumer_version}) is "
                    "missing from the ledger"
                )
            data["consumer"] = consumer
        if not problems:
            try:
                contact = Contact.model_validate_json(json.dumps(data))
            except ValidationError as exc:
                problems.append(f"its logged contact is no longer valid: {exc.errors()[0]['msg']}")
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
        contact=contact,
        history=tuple(history) if contact is not None else (),
        history_ids=tuple(i for i, _ in row.history),
        history_outcomes=tuple(o for _, o in row.history),
        logged_reasons=tuple(row.reasons),
        seq=row.chain_seq,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
        salt=row.salt,
        subject=row.subject,
        decision_hash=row.decision_hash,
        consumer_version=row.consumer_version,
        idempotency_key=row.idempotency_key,
        request_hash=row.request_hash,
        erased=row.erased,
        load_problems=tuple(problems),
    )
