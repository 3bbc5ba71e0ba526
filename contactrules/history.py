"""Whether a history fits its consumer: every debt a record names is one of the consumer's debts.

Records are given apart from the consumer (``Engine.evaluate(contact, history)``), so no model can
check this alone. A record about "D-1" when the consumer's debt is "D1" would be counted for no
debt at all, and the eighth call in seven days would pass as the first; that is an input error.
(A record with *no* debt ids is fine: it counts against every debt, see ``rules/counting.py``.)

One function finds the problems; the scenario loader turns them into located validation errors,
and the engine, for programmatic callers, into a deny (fail closed), never an allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import codes
from .decision import Reason
from .models import Consumer, ContactRecord
from .records import History, Record

__all__ = [
    "INVALID_INPUT_RULE_ID",
    "UnknownRecordDebt",
    "invalid_history_reason",
    "unknown_record_debts",
]

INVALID_INPUT_RULE_ID = codes.REASON_INVALID_INPUT.code
# The same policy the engine cites for its own denies (engine.ENGINE_CITATION).
FAIL_CLOSED_CITATION = "contactrules fail-closed policy (see docs/decisions.md)"
NOTE = "no time can be computed until the history names only the consumer's debts"
MAX_LISTED = 10


@dataclass(frozen=True)
class UnknownRecordDebt:
    """The ``position``-th debt id of the ``record``-th history entry (both 0-based)."""

    record: int
    position: int
    debt_id: str

    @property
    def loc(self) -> tuple[int | str, ...]:
        """Where it is, relative to the history list."""
        return (self.record, "debt_ids", self.position)


def unknown_record_debts(
    consumer: Consumer, history: Sequence[ContactRecord | Record]
) -> list[UnknownRecordDebt]:
    """Every debt id in ``history`` that is not among ``consumer``'s debts, in input order."""
    known = {d.id for d in consumer.debts}
    given = history.given if isinstance(history, History) else history
    return [
        UnknownRecordDebt(i, j, debt_id)
        for i, record in enumerate(given)
        for j, debt_id in enumerate(record.debt_ids)
        if debt_id not in known
    ]


def invalid_history_reason(
    consumer: Consumer, history: Sequence[ContactRecord | Record]
) -> Reason | None:
    """The engine's deny for a history that names a debt the consumer does not have, or None."""
    unknown = unknown_record_debts(consumer, history)
    if not unknown:
        return None
    first = unknown[0]
    more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
    known = sorted(d.id for d in consumer.debts)
    shown = ", ".join(known[:MAX_LISTED]) + (", …" if len(known) > MAX_LISTED else "")
    return Reason(
        rule_id=INVALID_INPUT_RULE_ID,
        kind="engine",
        citation=FAIL_CLOSED_CITATION,
        message=(
            f'history record {first.record} names debt "{first.debt_id}"{more}, which is not '
            f"among the consumer's debts ({shown or 'none'}); the records could not be counted "
            "for the right debt, so the contact is denied rather than allowed by accident"
        ),
        severity="deny",
        facts={
            "record": first.record,
            "debt_id": first.debt_id,
            "unknown": [{"record": u.record, "debt_id": u.debt_id} for u in unknown[:MAX_LISTED]],
            "count": len(unknown),
        },
    )
