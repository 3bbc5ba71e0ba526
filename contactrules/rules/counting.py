"""Which past records a rule counts, and over which local calendar days.

Shared by ``frequency_cap`` and ``cooldown``. Day-counted periods count local calendar days
(convention K2): a period of 7 days for a contact on local date D covers D-6 … D, each day taken
in the consumer's zone, so the window starts at a local midnight, DST included.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Annotated, Literal, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from ..context import UNKNOWN_PHONE_TYPE, Context, phone_type_of
from ..localtime import add_days, local_day_start, utc_micros
from ..location.addresses import same_address
from ..models import (
    Channel,
    ConsentScope,
    Debt,
    Initiator,
    Outcome,
    PhoneType,
    Purpose,
    Recipient,
)
from ..records import Record

__all__ = [
    "CountGroup",
    "GroupIndex",
    "Period",
    "RecordFilter",
    "concerns",
    "consented_record",
    "count_groups",
    "day_start_key",
    "debt_keys",
    "group_index",
    "group_labels",
    "in_group",
    "local_date",
    "particular_debt_of",
    "particular_debts",
    "period_start",
]

_DAYS = re.compile(r"^([1-9][0-9]{0,3})d$")


class RecordFilter(BaseModel):
    """Which records count: channels, outcomes, who initiated, and to which kind of number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: list[Channel] | None = Field(
        default=None, description="Channels that count; default: the rule's channels."
    )
    outcomes: list[Outcome] | None = Field(default=None, description="Default: every outcome.")
    exclude_outcomes: list[Outcome] = Field(default_factory=list)
    initiated_by: list[Initiator] = Field(default_factory=lambda: [Initiator.COLLECTOR])
    purposes: list[Purpose] | None = Field(
        default=None, description="Record purposes that count; default: any (or none recorded)."
    )
    destinations: Literal["any", "personal", "other"] = Field(
        default="any",
        description="personal: home/mobile numbers; other: work and other numbers.",
    )
    phone_types: list[PhoneType] | None = Field(
        default=None,
        description=(
            "Types of number that count (home, mobile, work, other; `to_work: true` on a record"
            " is work); default: any. A record whose number is not among the consumer's phones"
            " counts whatever is listed (fail closed)."
        ),
    )
    exclude_requested: StrictBool = Field(
        default=False,
        description=(
            "Leave out records the consumer asked for (`requested_by_consumer: true`), e.g."
            " Ontario's three-in-seven limit; default: they count."
        ),
    )

    @cached_property
    def identity(self) -> tuple[object, ...]:
        """What the filter selects, as a hashable value: equal filters share one history walk."""
        return tuple(
            tuple(value) if isinstance(value, list) else value
            for value in (getattr(self, name) for name in type(self).model_fields)
        )

    def window(
        self, ctx: Context, default: list[Channel], since: dt.datetime | None
    ) -> Sequence[Record]:
        """Matching records from ``since`` (None: the beginning) up to the judged instant.

        Which records match does not depend on the instant, so the whole history is filtered
        once per evaluation and each window is two bisections of that list.
        """

        records, instants = self.matching(ctx, default)
        hi = bisect_left(instants, utc_micros(ctx.at))
        lo = 0 if since is None else bisect_left(instants, utc_micros(since))
        return records[lo:hi] if hi > lo else ()

    def matching(
        self, ctx: Context, default: list[Channel]
    ) -> tuple[tuple[Record, ...], tuple[int, ...]]:
        """Every matching record of the history, whatever its instant, with its instant key."""

        def every() -> tuple[tuple[Record, ...], tuple[int, ...]]:
            found = self.select(ctx.history.records, ctx, default)
            return tuple(found), tuple(r.key for r in found)

        # Keyed by what the filter is, not which rule holds it: two rules with the same filter
        # (Massachusetts' two "2 in 7 days") walk the history once between them.
        key = self.identity if ctx.fast else id(self)
        return ctx.memo(("window", key, tuple(default)), every)

    def select(
        self, records: Sequence[Record], ctx: Context, default: list[Channel]
    ) -> list[Record]:
        """The records that match, in order: :meth:`matches` unrolled for the hot path.

        A ``pending`` record passes every outcome filter (convention K8).
        """
        channels = self.channels or default
        outcomes = self.outcomes
        excluded = self.exclude_outcomes
        initiators = self.initiated_by
        pending = Outcome.PENDING
        plain = (
            self.purposes is None
            and self.destinations == "any"
            and self.phone_types is None
            and not self.exclude_requested
        )
        contact = ctx.contact
        recipient = contact.recipient
        third_party = contact.third_party_id if recipient is Recipient.THIRD_PARTY else None
        rest = None if plain or not ctx.fast else self._rest(ctx)
        out: list[Record] = []
        for r in records:
            if r.channel not in channels or r.initiated_by not in initiators:
                continue
            if r.recipient is not recipient or (
                third_party is not None and r.third_party_id != third_party
            ):
                continue
            outcome = r.outcome
            if outcome is not pending and (
                (outcomes is not None and outcome not in outcomes) or outcome in excluded
            ):
                continue
            if plain or (self.matches(r, ctx, default) if rest is None else rest(r)):
                out.append(r)
        return out

    def _rest(self, ctx: Context) -> Callable[[Record], bool]:
        """What :meth:`matches` checks beyond :meth:`select`'s loop (fast path), the kind of
        number judged once per number: a history has few numbers and many records to them."""
        purposes = self.purposes
        exclude_requested = self.exclude_requested
        destinations = self.destinations
        phone_types = self.phone_types
        by_number: dict[tuple[str | None, bool | None], bool] = {}
        phones = ctx.contact.consumer.phones
        # ``Context.same_person`` once the recipient is known to be the contact's:
        same_id = ctx.contact.recipient is Recipient.THIRD_PARTY
        third_party = ctx.contact.third_party_id

        def number_matches(record: Record) -> bool:
            if destinations != "any":
                kind = _destination(record, ctx)
                if kind is not None and kind != destinations:
                    return False
            if phone_types is not None:
                phone_type = phone_type_of(record.to, record.to_work, phones)
                if phone_type != UNKNOWN_PHONE_TYPE and PhoneType(phone_type) not in phone_types:
                    return False
            return True

        def rest(record: Record) -> bool:
            if purposes is not None and record.purpose not in purposes:
                return False
            if exclude_requested and record.requested_by_consumer:
                return False
            number = (record.to, record.to_work)
            found = by_number.get(number)
            if found is None:
                found = by_number[number] = number_matches(record)
            return found and (not same_id or record.third_party_id == third_party)

        return rest

    def matches(self, record: Record, ctx: Context, default: list[Channel]) -> bool:
        if record.channel not in (self.channels or default):
            return False
        outcome = record.outcome
        if outcome is not Outcome.PENDING:  # pending matches any outcome: convention K8
            if self.outcomes is not None and outcome not in self.outcomes:
                return False
            if outcome in self.exclude_outcomes:
                return False
        if record.initiated_by not in self.initiated_by:
            return False
        if self.purposes is not None and record.purpose not in self.purposes:
            return False
        if self.exclude_requested and record.requested_by_consumer:
            return False
        if self.destinations != "any":
            kind = _destination(record, ctx)
            # A record whose destination is unknown counts in both buckets (fail closed).
            if kind is not None and kind != self.destinations:
                return False
        if self.phone_types is not None:
            phone_type = phone_type_of(record.to, record.to_work, ctx.contact.consumer.phones)
            if phone_type != UNKNOWN_PHONE_TYPE and PhoneType(phone_type) not in self.phone_types:
                return False
        return ctx.same_person(record)


def _destination(record: Record, ctx: Context) -> str | None:
    if record.to_work is not None:
        return "other" if record.to_work else "personal"
    for phone in ctx.contact.consumer.phones:
        if same_address(phone.number, record.to):
            return "personal" if phone.type in (PhoneType.HOME, PhoneType.MOBILE) else "other"
    return None


def validate_period(value: str) -> str:
    if value in ("calendar_week", "calendar_month", "ever") or _DAYS.match(value):
        return value
    raise ValueError(
        f'"{value}" is not a period; write a number of days such as "7d", or '
        '"calendar_week", "calendar_month" or "ever"'
    )


Period = Annotated[
    str,
    AfterValidator(validate_period),
    Field(
        description=(
            '"7d" (rolling local days, convention K2), "calendar_week", "calendar_month" or "ever".'
        ),
        examples=["7d", "30d", "calendar_week"],
    ),
]


def period_start(period: str, day: dt.date) -> dt.date | None:
    """First local date of the period that contains ``day``; None for "ever"."""
    if period == "ever":
        return None
    if period == "calendar_week":
        return add_days(day, -day.weekday())
    if period == "calendar_month":
        return day.replace(day=1)
    match = _DAYS.match(period)
    assert match is not None
    return add_days(day, 1 - int(match.group(1)))


def period_length_days(period: str) -> int:
    if period == "calendar_week":
        return 7
    if period == "calendar_month":
        return 31
    match = _DAYS.match(period)
    return int(match.group(1)) if match else 0


def debt_keys(ctx: Context, per: str) -> tuple[str | None, ...]:
    """Per debt: each debt of the contact is counted on its own; per consumer: one count."""
    return tuple(ctx.contact.debt_ids) if per == "debt" else (None,)


class CountGroup(NamedTuple):
    """One count of a cap: its label (a debt id, a creditor, or None for the consumer) and the
    consumer's debts it covers (None: every debt)."""

    label: str | None
    debts: frozenset[str] | None


#: The label of the group of debts that name no creditor.
NO_CREDITOR = "(no creditor named)"


def count_groups(ctx: Context, per: str) -> tuple[CountGroup, ...]:
    """The separate counts a cap keeps for this contact.

    ``debt``: one per debt of the contact; ``consumer``: one over everything; ``creditor``: one
    per creditor of the contact's debts, covering every debt of the consumer collected for that
    creditor. Debts that name no creditor form one group together: treating each as its own
    creditor would let an unnamed creditor's contacts escape the count (fail closed).
    The groups do not depend on the instant, so the fast path derives them once per evaluation.
    """
    if ctx.fast:
        return ctx.memo(("count_groups", per), lambda: _count_groups(ctx, per))
    return _count_groups(ctx, per)


def _count_groups(ctx: Context, per: str) -> tuple[CountGroup, ...]:
    if per == "debt":
        return particular_debts(ctx)
    if per == "consumer":
        return (CountGroup(None, None),)
    by_creditor: dict[str, set[str]] = {}
    for debt in ctx.contact.consumer.debts:
        by_creditor.setdefault(debt.creditor or NO_CREDITOR, set()).add(debt.id)
    wanted: list[str] = []
    for debt_id in ctx.contact.debt_ids:
        label = ctx.debts[debt_id].creditor or NO_CREDITOR
        if label not in wanted:
            wanted.append(label)
    return tuple(CountGroup(label, frozenset(by_creditor[label])) for label in wanted)


def particular_debt_of(debt: Debt) -> str:
    """The particular debt a debt is part of: its ``particular_debt``, else its own id."""
    return debt.particular_debt or debt.id


def particular_debts(ctx: Context) -> tuple[CountGroup, ...]:
    """One group per particular debt of the contact (12 CFR 1006.14(b)(4)).

    Student loans serviced under one account number are one particular debt: the consumer's
    debts with the same ``particular_debt`` (or whose id it names) are counted together, and a
    record about any of them counts for the group. The label is the group's id.
    """
    members: dict[str, set[str]] = {}
    for debt in ctx.contact.consumer.debts:
        members.setdefault(particular_debt_of(debt), set()).add(debt.id)
    wanted = dict.fromkeys(particular_debt_of(ctx.debts[d]) for d in ctx.contact.debt_ids)
    return tuple(CountGroup(label, frozenset(members[label])) for label in wanted)


def in_group(record: Record, group: CountGroup) -> bool:
    """Whether a record counts in ``group``; a record with no debt ids counts in every group
    (see :func:`concerns`)."""
    debts = group.debts
    return debts is None or not record.debt_ids or any(d in debts for d in record.debt_ids)


def concerns(record: Record, debt: str | None) -> bool:
    """Whether a record counts for ``debt`` (None: the per-consumer count, every record does).

    A record with no debt ids does not know its debt (a dialer's call log often doesn't), so it
    counts against every debt: counting it for none would let the eighth call in seven days pass
    as the first. (Debt ids the consumer does not have never get here: they are input errors.)
    """
    return debt is None or not record.debt_ids or debt in record.debt_ids


def consented_record(ctx: Context, instant: dt.datetime, zone: ZoneInfo, consent_days: int) -> bool:
    """A call within ``consent_days`` local days of a direct consent (day 1 = consent day)."""
    if not ctx.has_call_consents:
        return False
    for consent in ctx.consents(ConsentScope.CALL_FREQUENCY, when=instant):
        first = consent.granted_at.astimezone(zone).date()
        last = add_days(first, consent_days - 1)
        if instant < local_day_start(add_days(last, 1), zone):
            return True
    return False


# --- the fast path: what does not depend on the instant, derived once per evaluation ----------
#
# The search for the next allowed time judges caps and cooldowns at many instants of one
# evaluation. Which records match, which count group each falls in, whether one was made under
# a consent and each record's local date depend on the history, the contact and the zone, never
# on the instant; so the fast path (``ctx.fast``) works them out once and each window at an
# instant is a bisection of instant keys, exactly the records the reference path counts.


class GroupIndex(NamedTuple):
    """One count group's matching records, whatever their instant (oldest first), and their
    instant keys: what the group counts at an instant is a slice found by two bisections."""

    group: CountGroup
    records: tuple[Record, ...]
    keys: tuple[int, ...]


def _new_flags() -> dict[tuple[str, ...], bool]:
    return {}


def _new_labels() -> dict[tuple[str, ...], str | None]:
    return {}


def _new_dates() -> dict[int, dt.date]:
    return {}


def group_index(
    ctx: Context,
    counts: RecordFilter,
    default: list[Channel],
    per: str,
    unconsented: tuple[ZoneInfo, int] | None = None,
) -> tuple[GroupIndex, ...] | None:
    """Per count group (:func:`count_groups` order), the records that ``counts`` selects.

    ``unconsented`` (a zone and a number of consent days) leaves out the records made under a
    direct consent to call (:func:`consented_record`), which is judged in that zone's days.
    None when judging that raised for some record: the reference path, which judges only the
    records in the window, then decides whether the error matters (it does exactly when the
    record is in the window). Whether a record is in a group depends only on its debt ids (a
    book has few distinct lists of them), so each list is judged once per group and evaluation.
    """

    def build() -> tuple[GroupIndex, ...] | None:
        records: Sequence[Record] = counts.matching(ctx, default)[0]
        if unconsented is not None:
            zone, days = unconsented
            try:
                records = [r for r in records if not consented_record(ctx, r.at, zone, days)]
            except Exception:
                return None
        out: list[GroupIndex] = []
        for group in count_groups(ctx, per):
            if group.debts is None:
                chosen: Sequence[Record] = records
            else:
                hits = ctx.memo(("in_group", group), _new_flags)
                for ids, record in _unseen(records, hits).items():
                    hits[ids] = in_group(record, group)
                chosen = [r for r in records if hits[r.debt_ids]]
            out.append(GroupIndex(group, tuple(chosen), tuple([r.key for r in chosen])))
        return tuple(out)

    key = ("group_index", counts.identity, tuple(default), per, unconsented)
    return ctx.memo(key, build)


def _unseen(
    records: Sequence[Record], seen: Mapping[tuple[str, ...], object]
) -> dict[tuple[str, ...], Record]:
    """One record per list of debt ids not yet in ``seen``: what group a record is in depends
    on its debt ids alone."""
    return {r.debt_ids: r for r in records if r.debt_ids not in seen}


def group_labels(
    ctx: Context, records: Sequence[Record], per: str
) -> Mapping[tuple[str, ...], str | None]:
    """By debt ids, the label of the first count group a record with those ids is in ("" when
    none), for every record of ``records``; each list of debt ids judged once per evaluation."""
    labels = ctx.memo(("group_label", per), _new_labels)
    unseen = _unseen(records, labels)
    if unseen:
        groups = count_groups(ctx, per)
        for ids, record in unseen.items():
            labels[ids] = next((g.label for g in groups if in_group(record, g)), "")
    return labels


def _new_starts() -> dict[dt.date, int]:
    return {}


def day_start_key(ctx: Context, day: dt.date, zone: ZoneInfo) -> int:
    """The instant key of :func:`local_day_start`, once per evaluation, day and zone: the search
    for the next allowed time asks for the same few window starts again and again."""
    starts = ctx.memo(("day_start", zone), _new_starts)
    key = starts.get(day)
    if key is None:
        key = starts[day] = utc_micros(local_day_start(day, zone))
    return key


def local_date(ctx: Context, record: Record, zone: ZoneInfo) -> dt.date:
    """``record.at.astimezone(zone).date()``, computed once per evaluation, instant and zone.

    The local date is a function of the UTC instant alone, and ``key`` is that instant exactly.
    """
    dates = ctx.memo(("local_date", zone), _new_dates)
    day = dates.get(record.key)
    if day is None:
        day = dates[record.key] = record.at.astimezone(zone).date()
    return day
