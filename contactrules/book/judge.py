"""One chunk of the book (whole consumers' account and history rows) → one decision row per
account and channel, and the chunk's bad rows.

This is the unit a worker process or a Spark executor runs: it receives Arrow columns, not
Python objects, and sends back Arrow columns and plain :class:`BadRow` values. An account whose
own row or any history row did not validate is denied with ``CONTACTRULES-INVALID-ROWS``
(its history is partial, so no count can be trusted): never allowed, never left out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from .. import codes
from ..decision import Decision
from ..engine import Engine
from ..history import FAIL_CLOSED_CITATION
from ..models import Channel, CollectorType, Consumer, Contact, DialMethod, Recipient
from ..records import History
from .convert import (
    AccountRow,
    HistoryRow,
    accounts_from_rows,
    history_from_rows,
    table_rows,
)
from .problems import BadRow, FileInfo
from .schema import DECISION_SCHEMA

__all__ = ["INVALID_ROWS", "Chunk", "ChunkResult", "Settings", "judge_chunk"]

INVALID_ROWS = codes.REASON_INVALID_ROWS.code
INVALID_ROWS_NOTE = "no time can be given until the account's bad rows are fixed"
_PHONE_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})


@dataclass(frozen=True)
class Settings:
    """What every chunk of one screen shares: the instant, the channels and how to contact."""

    at: dt.datetime
    channels: tuple[Channel, ...]
    accounts: FileInfo
    history: FileInfo
    dial_method: DialMethod | None = None
    collector_type: CollectorType = CollectorType.THIRD_PARTY_COLLECTOR


@dataclass
class Chunk:
    """Whole consumers: every account row and history row of the consumers it holds, each
    table sorted by ``consumer_id`` and carrying the rows' places in their files."""

    accounts: pa.Table
    history: pa.Table
    #: Problems found before the chunk was cut (rows without a consumer id).
    problems: list[BadRow] = field(default_factory=list)


@dataclass
class ChunkResult:
    decisions: pa.RecordBatch
    problems: list[BadRow]
    accounts: int


def judge_chunk(engine: Engine, settings: Settings, chunk: Chunk) -> ChunkResult:
    """Decide every account of the chunk on every channel, in account order."""
    problems = list(chunk.problems)
    accounts = accounts_from_rows(table_rows(chunk.accounts), settings.accounts)
    history = history_from_rows(table_rows(chunk.history), settings.history)
    by_consumer: dict[str, list[HistoryRow]] = defaultdict(list)
    for item in history:
        by_consumer[item.consumer_id].append(item)
    seen: dict[str, list[AccountRow]] = {}
    for account in accounts:
        seen.setdefault(account.consumer_id, []).append(account)
    columns = _Columns(engine.fingerprint)
    for cid, rows in seen.items():
        records = by_consumer.pop(cid, [])
        account = rows[0]
        for account_row in rows:
            problems.extend(account_row.problems)
        if len(rows) > 1:
            problems.extend(
                BadRow.at(
                    settings.accounts,
                    r.row,
                    "consumer_id",
                    codes.SCREEN_DUPLICATE_ACCOUNT.code,
                    f"{len(rows)} account rows have this consumer id (rows "
                    f"{', '.join(str(x.row) for x in rows)}); which is right cannot be told",
                    cid,
                )
                for r in rows
            )
        bad_history = [p for item in records for p in item.problems]
        problems.extend(bad_history)
        consumer = account.consumer
        if consumer is None or len(rows) > 1 or bad_history:
            why = _why_invalid(len(rows), consumer is None, len(bad_history))
            for channel in settings.channels:
                columns.invalid(cid, channel, why)
            continue
        plain = [item.record for item in records if item.record is not None]
        problems.extend(_unknown_debts(settings.history, consumer, records))
        judged = History(plain)
        for channel in settings.channels:
            decision = engine.evaluate(_contact(settings, account, consumer, channel), judged)
            columns.decision(cid, channel, decision)
    for cid, records in by_consumer.items():  # history of no account in the chunk
        problems.extend(
            BadRow.at(
                settings.history,
                item.row,
                "consumer_id",
                codes.SCREEN_UNKNOWN_CONSUMER.code,
                "no account row has this consumer id; the row is left out",
                cid,
            )
            for item in records
        )
    return ChunkResult(columns.batch(), problems, len(seen))


def _why_invalid(count: int, unreadable: bool, bad_history: int) -> str:
    parts = []
    if count > 1:
        parts.append(f"{count} account rows have this consumer id")
    elif unreadable:
        parts.append("the account row could not be read")
    if bad_history:
        parts.append(f"{bad_history} problem(s) in its history rows")
    return (
        "; ".join(parts) + ": the account's data is incomplete, so counts cannot be trusted and "
        "the contact is denied rather than allowed by accident (the bad rows are reported with "
        "file, row and column)"
    )


def _unknown_debts(info: FileInfo, consumer: Consumer, records: list[HistoryRow]) -> list[BadRow]:
    """History rows naming a debt the account lacks (the engine denies; this says where)."""
    known = {d.id for d in consumer.debts}
    out = []
    for item in records:
        record = item.record
        if record is None:
            continue
        unknown = [d for d in record.debt_ids if d not in known]
        if unknown:
            out.append(
                BadRow.at(
                    info,
                    item.row,
                    "debt_ids",
                    codes.SCREEN_UNKNOWN_DEBT.code,
                    f"names debt(s) {', '.join(unknown)}, which the account does not have "
                    f"({', '.join(sorted(known))}); the account is denied",
                    item.consumer_id,
                )
            )
    return out


def _contact(
    settings: Settings, account: AccountRow, consumer: Consumer, channel: Channel
) -> Contact:
    """The screened contact, about every debt of the account; built without re-validating
    the consumer it carries (validated once, just before)."""
    if channel in _PHONE_CHANNELS:
        to, method = account.to_phone, settings.dial_method
    else:
        to, method = (account.to_email if channel is Channel.EMAIL else None), None
    return Contact.model_construct(
        channel=channel,
        at=settings.at,
        consumer=consumer,
        debt_ids=[d.id for d in consumer.debts],
        to=to,
        recipient=Recipient.CONSUMER,
        collector_type=settings.collector_type,
        dial_method=method,
    )


class _Columns:
    """The decision rows of a chunk, gathered column by column."""

    def __init__(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.data: dict[str, list[object]] = {name: [] for name in DECISION_SCHEMA.names}

    def _add(self, **values: object) -> None:
        for name, column in self.data.items():
            column.append(values.get(name))

    def decision(self, cid: str, channel: Channel, decision: Decision) -> None:
        nxt = decision.next_allowed_at
        self._add(
            consumer_id=cid,
            channel=channel.value,
            allowed=decision.allowed,
            next_allowed_at=None if nxt is None else nxt.astimezone(dt.timezone.utc),
            next_allowed_note=decision.next_allowed_note,
            rule_ids=[r.rule_id for r in decision.reasons],
            citations=[r.citation for r in decision.reasons],
            binding_zone=decision.binding_zone,
            zones=list(decision.zones),
            fingerprint=decision.fingerprint,
        )

    def invalid(self, cid: str, channel: Channel, why: str) -> None:
        self._add(
            consumer_id=cid,
            channel=channel.value,
            allowed=False,
            next_allowed_at=None,
            next_allowed_note=f"{INVALID_ROWS_NOTE} ({why})",
            rule_ids=[INVALID_ROWS],
            citations=[FAIL_CLOSED_CITATION],
            binding_zone=None,
            zones=[],
            fingerprint=self.fingerprint,
        )

    def batch(self) -> pa.RecordBatch:
        return pa.RecordBatch.from_arrays(
            [pa.array(self.data[f.name], f.type) for f in DECISION_SCHEMA],
            schema=DECISION_SCHEMA,
        )
