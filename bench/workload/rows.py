"""The workload as a dialer holds it before any library sees it: plain rows, nothing pydantic.

A dialer's call log is rows from its database: an instant as UTC epoch seconds, codes as
strings, the debts as a list. Its consumer row carries the time zone(s) the consumer may be in
as IANA names (derived once, when the address or number changed), the debts the call is about
and the consumer's cease and attorney lists. These are the inputs of the plain-data floor
(:mod:`peers.plain`) and of the "from rows" measurement, which times the public API from the
same rows.

The rows are derived from the generated :class:`~workload.Case` objects, outside any timing,
so every implementation decides exactly the same calls; the zone names are the library's
candidate zones for the consumer (the same tables the object floor reads).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from peers.plain import HistoryRow, PlainCall

from contactrules import ContactRecord

from .generate import Case

__all__ = [
    "HistoryRow",
    "PlainCall",
    "epoch",
    "history_dicts",
    "history_tuples",
    "plain_call",
]

UTC = dt.timezone.utc


def epoch(when: dt.datetime) -> int:
    """Whole UTC epoch seconds (the workload's instants have no fraction of a second)."""
    if when.microsecond:
        raise ValueError(f"{when.isoformat()} has a fraction of a second")
    return int(when.timestamp())


def plain_call(case: Case, at: dt.datetime | None = None) -> PlainCall:
    """The case's call as plain columns (``at`` overrides the instant, for a screen)."""
    from peers.handwritten import candidate_zones

    contact = case.contact
    consumer = contact.consumer
    return PlainCall(
        at=epoch(contact.at if at is None else at),
        debt_ids=tuple(contact.debt_ids),
        zones=tuple(candidate_zones(consumer, contact.to)),
        cease_debt_ids=tuple(consumer.flags.cease_debt_ids),
        attorney_debt_ids=tuple(consumer.flags.attorney_debt_ids),
    )


def history_tuples(history: Sequence[ContactRecord]) -> list[HistoryRow]:
    return [
        (
            epoch(r.at),
            r.channel.value,
            r.recipient.value,
            r.initiated_by.value,
            r.outcome.value,
            tuple(r.debt_ids),
        )
        for r in history
    ]


def history_dicts(history: Sequence[ContactRecord]) -> list[dict[str, Any]]:
    """The rows as mappings with ``ContactRecord``'s field names (what ``History.from_rows``
    and ``ContactRecord.model_validate`` read once ``at`` is made an aware datetime)."""
    return [
        {
            "at": epoch(r.at),
            "channel": r.channel.value,
            "recipient": r.recipient.value,
            "initiated_by": r.initiated_by.value,
            "outcome": r.outcome.value,
            "debt_ids": list(r.debt_ids),
            "to": r.to,
        }
        for r in history
    ]
