"""Contact history as plain, compact values: validated once at the edge, read many times inside.

Why not the pydantic models themselves: a :class:`~contactrules.models.ContactRecord` costs about
1.4 KB (most of it pydantic's bookkeeping) and each attribute read goes through its machinery,
while a dialer holds its call log as rows and asks about the same history call after call. So the
engine turns history into :class:`Record` values (slotted, their UTC instant precomputed as an
integer, debt ids interned) and a :class:`History` sorted once, and every rule reads those.

Three ways in, one validation:

- ``Engine.evaluate(contact, [ContactRecord, ...])``: the models are converted per call;
- :meth:`History.from_rows` takes plain mappings (the JSON/YAML form of docs/input-format.md) and
  validates them in bulk against the same field types as ``ContactRecord``, without building a
  model per row; errors are pydantic's, located as ``3.at``;
- a :class:`History` built once and passed to ``evaluate`` again and again costs nothing more.

The order is total and independent of the input order (convention K9): by UTC instant, and at a
tie the consumer's own record first, then a full key of the record's fields.
"""

from __future__ import annotations

import datetime as dt
import sys
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Annotated, Any, cast, overload
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, TypeAdapter
from typing_extensions import NotRequired, Required, TypedDict

from .localtime import utc_micros
from .models import (
    Channel,
    ContactRecord,
    DialMethod,
    Initiator,
    Outcome,
    Purpose,
    Recipient,
)

__all__ = ["FIELDS", "History", "Record", "as_history"]


class Record:
    """One past contact, as the rules read it: the fields of ``ContactRecord`` plus ``key``.

    ``key`` is the instant in microseconds since 1970-01-01 UTC: an exact, total order across
    zones, gaps and folds (PEP 495 makes aware datetimes compare inconsistently there), and an
    integer compares in nanoseconds where a datetime takes half a microsecond.
    """

    __slots__ = (
        "at",
        "channel",
        "debt_ids",
        "dial_method",
        "initiated_by",
        "key",
        "outcome",
        "purpose",
        "recipient",
        "requested_by_consumer",
        "text",
        "third_party_id",
        "to",
        "to_work",
    )

    channel: Channel
    at: dt.datetime
    key: int
    debt_ids: tuple[str, ...]
    outcome: Outcome
    initiated_by: Initiator
    to: str | None
    to_work: bool | None
    recipient: Recipient
    third_party_id: str | None
    purpose: Purpose | None
    dial_method: DialMethod | None
    text: str | None
    requested_by_consumer: bool

    def __init__(
        self,
        *,
        channel: Channel,
        at: dt.datetime,
        debt_ids: Iterable[str] = (),
        outcome: Outcome,
        initiated_by: Initiator = Initiator.COLLECTOR,
        to: str | None = None,
        to_work: bool | None = None,
        recipient: Recipient = Recipient.CONSUMER,
        third_party_id: str | None = None,
        purpose: Purpose | None = None,
        dial_method: DialMethod | None = None,
        text: str | None = None,
        requested_by_consumer: bool = False,
    ) -> None:
        _fill(
            self,
            channel,
            at,
            debt_ids,
            outcome,
            initiated_by,
            to,
            to_work,
            recipient,
            third_party_id,
            purpose,
            dial_method,
            text,
            requested_by_consumer,
        )

    @classmethod
    def of(cls, record: ContactRecord | Record) -> Record:
        """The plain value of a validated model (a Record is returned as it is).

        Read in one ``attrgetter`` call and filled positionally: the engine converts every
        record of a model history on each call, so this is on the hot path.
        """
        if isinstance(record, Record):
            return record
        plain = object.__new__(cls)
        _fill(plain, *_read_fields(record))
        return plain

    def to_model(self) -> ContactRecord:
        """The validated model again, e.g. to write the record back out as JSON."""
        return ContactRecord(
            channel=self.channel,
            at=self.at,
            debt_ids=list(self.debt_ids),
            outcome=self.outcome,
            initiated_by=self.initiated_by,
            to=self.to,
            to_work=self.to_work,
            recipient=self.recipient,
            third_party_id=self.third_party_id,
            purpose=self.purpose,
            dial_method=self.dial_method,
            text=self.text,
            requested_by_consumer=self.requested_by_consumer,
        )

    def __repr__(self) -> str:
        return f"Record({self.channel.value} at {self.at.isoformat()}, {self.outcome.value})"


#: ``ContactRecord``'s fields in ``_fill``'s order (tests check that the two agree).
FIELDS = (
    "channel",
    "at",
    "debt_ids",
    "outcome",
    "initiated_by",
    "to",
    "to_work",
    "recipient",
    "third_party_id",
    "purpose",
    "dial_method",
    "text",
    "requested_by_consumer",
)
_read_fields = attrgetter(*FIELDS)


def _fill(
    record: Record,
    channel: Channel,
    at: dt.datetime,
    debt_ids: Iterable[str],
    outcome: Outcome,
    initiated_by: Initiator,
    to: str | None,
    to_work: bool | None,
    recipient: Recipient,
    third_party_id: str | None,
    purpose: Purpose | None,
    dial_method: DialMethod | None,
    text: str | None,
    requested_by_consumer: bool,
) -> None:
    record.channel = channel
    record.at = _shared_offset(at)
    record.key = utc_micros(at)
    record.debt_ids = _debt_tuple(tuple(debt_ids))
    record.outcome = outcome
    record.initiated_by = initiated_by
    # A consumer has a few numbers and addresses and many records to them: share one copy.
    record.to = None if to is None else sys.intern(to)
    record.to_work = to_work
    record.recipient = recipient
    record.third_party_id = None if third_party_id is None else sys.intern(third_party_id)
    record.purpose = purpose
    record.dial_method = dial_method
    record.text = text
    record.requested_by_consumer = requested_by_consumer


def _shared_offset(at: dt.datetime) -> dt.datetime:
    """``at`` with one shared fixed-offset zone per offset, where it had a private one.

    Parsed text carries a fixed offset object per instant (24 bytes each, most of a history
    repeating two or three offsets); a named zone (``ZoneInfo``) is kept, as it decides local
    arithmetic.
    """
    tz = at.tzinfo
    if tz is None or isinstance(tz, (dt.timezone, ZoneInfo)):
        return at
    offset = at.utcoffset()
    return at if offset is None else at.replace(tzinfo=_fixed_zone(offset))


@lru_cache(maxsize=256)
def _fixed_zone(offset: dt.timedelta) -> dt.timezone:
    return dt.timezone(offset)


@lru_cache(maxsize=4096)
def _debt_tuple(debt_ids: tuple[str, ...]) -> tuple[str, ...]:
    """One shared tuple per distinct list of debt ids: a book has few, its history many."""
    return tuple(sys.intern(d) for d in debt_ids)


def _tie_key(record: Record) -> tuple[object, ...]:
    """A total order for records at the same instant, independent of the input order.

    Convention K9: at a tie the consumer's own contact sorts first and the collector's after it,
    so a reply written at the same instant counts as given (the stricter reading). Used only
    within a run of one instant, so the instant itself is not part of the key.
    """
    # The enums are str enums and compare as their values; for one instant the UTC offset
    # orders as the written form (isoformat) does, at a fraction of the cost.
    return (
        0 if record.initiated_by is Initiator.CONSUMER else 1,
        record.at.utcoffset(),
        record.channel,
        record.outcome,
        record.to or "",
        ",".join(record.debt_ids),
        record.recipient,
        record.third_party_id or "",
        record.purpose or "",
        record.to_work is True,
        record.dial_method or "",
        record.requested_by_consumer,
        record.text or "",
    )


class History(Sequence[Record]):
    """Records sorted once by instant (ties in :func:`_tie_key` order), with their keys.

    Immutable: build it once per consumer and pass it to every evaluation; the engine then
    neither copies nor re-sorts it.
    """

    __slots__ = ("given", "keys", "records")

    records: tuple[Record, ...]
    keys: tuple[int, ...]
    #: The records in the order they were given: an error about one names its position there,
    #: as it would for the list of models (``history[3]``), not its place in the sorted order.
    given: tuple[Record, ...]

    def __init__(self, records: Iterable[ContactRecord | Record] = ()) -> None:
        plain = [Record.of(r) for r in records]
        self.given = tuple(plain)
        plain.sort(key=_instant)  # stable; ties put in a full order below
        keys = [r.key for r in plain]
        if len(set(keys)) != len(keys):
            plain = _ties_ordered(plain, keys)
        self.records = tuple(plain)
        self.keys = tuple(keys)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> History:
        """A history from plain mappings, validated in bulk against ``ContactRecord``'s fields.

        Raises ``pydantic.ValidationError`` located by row index (``3.at``) on the first call
        with any bad row: nothing is half-read, and a malformed row is never dropped.
        """
        valid = _rows_adapter().validate_python(list(rows))
        return cls(Record(**row) for row in valid)

    def before(self, key: int) -> tuple[Record, ...]:
        """The records strictly before an instant key (convention K9: one at the instant is
        the contact's own reservation and is not counted)."""
        return self.records[: bisect_left(self.keys, key)]

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Record, ...]: ...
    def __getitem__(self, index: int | slice) -> Record | tuple[Record, ...]:
        return self.records[index]

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def __repr__(self) -> str:
        return f"History({len(self.records)} records)"


def _instant(record: Record) -> int:
    return record.key


def _ties_ordered(records: list[Record], keys: list[int]) -> list[Record]:
    """Records sorted by instant, each run of one instant put in :func:`_tie_key` order."""
    out: list[Record] = []
    start = 0
    while start < len(records):
        end = start + 1
        while end < len(records) and keys[end] == keys[start]:
            end += 1
        run = records[start:end]
        if len(run) > 1:
            run.sort(key=_tie_key)
        out.extend(run)
        start = end
    return out


def as_history(history: Iterable[ContactRecord | Record] | History) -> History:
    """The history as the engine reads it: a History is used as given, anything else sorted."""
    return history if isinstance(history, History) else History(history)


@lru_cache(maxsize=1)
def _rows_adapter() -> TypeAdapter[list[dict[str, Any]]]:
    """A validator of rows with exactly ``ContactRecord``'s fields, types and strictness.

    Built from the model's own fields, so a field added to the model is accepted here too; a
    row is a TypedDict, validated by pydantic's core without creating a model per row.
    """
    annotated: Any = Annotated
    fields: dict[str, Any] = {}
    for name, info in ContactRecord.model_fields.items():
        annotation: Any = info.annotation
        if info.metadata:
            params = (annotation, *info.metadata)
            annotation = annotated[params]
        fields[name] = Required[annotation] if info.is_required() else NotRequired[annotation]
    row: Any = cast(Any, TypedDict)("ContactRecordRow", fields)
    row.__pydantic_config__ = ConfigDict(extra="forbid")
    return TypeAdapter(list[row])
