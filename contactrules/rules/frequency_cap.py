"""``frequency_cap``: at most ``max`` counted contacts per debt, creditor or consumer in a period.

What it does
    Counts past records that match ``counts`` (channels, outcomes, initiator, kind of number),
    reached the same person, and concern the same debt (``per: debt``, each debt of a multi-debt
    contact counted on its own; a record with no debt ids counts for every debt) or any debt
    (``per: consumer``), or any debt collected for the same creditor (``per: creditor``,
    ``Debt.creditor``; debts naming none form one group), over the local calendar days of
    ``window`` (convention K2: "7d" for a contact on date D is D-6 … D). Denies when the count
    has already reached ``max``, i.e. when this contact would exceed it.

Regulatory basis
    12 CFR 1006.14(b)(2)(i)(A) (more than seven calls in seven consecutive days); 1006.14(b)(3)
    (not counted: calls with direct consent, calls not connected); 1006.14(b)(4) (per debt);
    940 CMR 7.04(1)(f); ACCC/ASIC guideline Part 2 s 5.

Options
    ``max`` (int), ``window`` ("7d", "calendar_week", "calendar_month", "ever"), ``per``
    (``debt``/``creditor``/``consumer``), ``counts`` (``channels``, ``outcomes``,
    ``exclude_outcomes``, ``initiated_by`` default collector, ``destinations``
    any/personal/other, ``phone_types`` home/mobile/work/other, a record to a number of unknown
    type counting whatever is listed), ``exclude_consented`` and ``consent_days`` (calls within
    N days of a direct consent to call are not counted, and a call under such consent passes).
    ``counts.exclude_requested``: records the consumer asked for are not counted, and a contact
    marked ``requested_by_consumer`` passes. ``starts_after``: a record filter; the cap applies
    only once a matching record is on file (Ontario: after the first conversation), any debt.

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.14b2iA-CALL-7IN7
          kind: frequency_cap
          channels: [call, voicemail]
          max: 7
          window: 7d
          per: debt
          counts: {exclude_outcomes: [not_connected]}
          citation: 12 CFR 1006.14(b)(2)(i)(A)

    PASS: the seventh call about debt D1 this week; 7 calls each about D1, D2, D3 (21 in all).
    FAIL: an eighth call about D1 with 7 connected calls on the six previous days and today.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, StrictBool

from ..context import Context
from ..localtime import add_days, days_from, local_day_start, utc_micros
from ..records import Record
from .base import Finding, NextTime, RuleBase, earliest_passing
from .counting import (
    CountGroup,
    GroupIndex,
    Period,
    RecordFilter,
    consented_record,
    count_groups,
    day_start_key,
    group_index,
    in_group,
    local_date,
    period_length_days,
    period_start,
)
from .linting import (
    CAP_CEILING,
    UNREACHABLE_CAP,
    LintScope,
    RuleLint,
    reachable_cap,
    record_filter_lints,
    verb,
)

__all__ = ["KIND", "FrequencyCap"]

KIND = "frequency_cap"
MAX_LISTED = 10


class FrequencyCap(RuleBase):
    KIND: ClassVar[str] = KIND
    # The day the oldest surplus record leaves the window:
    NEXT_TIME: ClassVar[NextTime] = "computed"
    FACTS: ClassVar[tuple[str, ...]] = (
        "count",
        "max",
        "window",
        "window_start",
        "zone",
        "debt_id",
        "creditor",
        "records",
    )
    LOCAL_TIME: ClassVar[bool] = True  # periods are local calendar days: conventions K2, K3

    kind: Literal["frequency_cap"]
    max: int = Field(ge=0, description="Largest number of counted contacts allowed in the window.")
    window: Period
    per: Literal["debt", "creditor", "consumer"] = "debt"
    counts: RecordFilter = Field(default_factory=RecordFilter)
    starts_after: RecordFilter | None = Field(
        default=None,
        description=(
            "The cap applies only once a record matching this is on file before the contact"
            " (e.g. the first conversation); default: always."
        ),
    )
    exclude_consented: StrictBool = False
    consent_days: int = Field(default=7, ge=1)

    def lint(self, scope: LintScope) -> Iterator[RuleLint]:
        """A cap of 0 denies everything; one that counts no record, or that no history can
        reach (:func:`reachable_cap`), denies nothing."""
        yield from super().lint(scope)
        if self.max == 0:
            yield RuleLint(
                (),
                "ruleset.zero-cap",
                f'rule "{self.id}" has max: 0, so it denies every contact on '
                "its channels; use kind: prohibited if that is meant",
            )
            return
        yield from record_filter_lints(self, self.counts, "counts", "no past contact is counted")
        ceiling = reachable_cap(self.window)
        if self.max > ceiling:
            why = (
                f"no contact history comes near {CAP_CEILING:,} contacts"
                if ceiling == CAP_CEILING
                else f"even one contact a minute, day and night, makes {ceiling:,} in {self.window}"
            )
            yield RuleLint(
                ("max",),
                UNREACHABLE_CAP,
                f'max: {self.max} can never be reached ({why}), so rule "{self.id}" never '
                f"{verb(self)}; write the limit the law sets",
            )

    def looser_than(self, parent: RuleBase) -> str | None:
        if not isinstance(parent, FrequencyCap):
            return None
        if (parent.window, parent.per, parent.counts, parent.starts_after) != (
            self.window,
            self.per,
            self.counts,
            self.starts_after,
        ):
            return None
        if self.max > parent.max:
            return f"allows {self.max} per {self.window} where {parent.id} allows {parent.max}"
        return None

    def _counted(
        self, ctx: Context, name: str, zone: ZoneInfo
    ) -> tuple[dt.date | None, list[tuple[CountGroup, list[Record]]]]:
        """The period's first local day and, per count group, the records counted."""
        first_day = period_start(self.window, ctx.local(name, zone).date())
        since = None if first_day is None else local_day_start(first_day, zone)
        matching: Sequence[Record] = self.counts.window(ctx, self.channels, since)
        if self.exclude_consented and ctx.has_call_consents:
            matching = [
                r for r in matching if not consented_record(ctx, r.at, zone, self.consent_days)
            ]
        return first_day, [
            (group, [r for r in matching if in_group(r, group)])
            for group in count_groups(ctx, self.per)
        ]

    @cached_property
    def _rolling_days(self) -> int:
        """N for a window of "Nd", else 0: :func:`period_start` without parsing at each call."""
        return period_length_days(self.window) if self.window.endswith("d") else 0

    def _spans(
        self, ctx: Context, name: str, zone: ZoneInfo
    ) -> tuple[dt.date | None, list[tuple[GroupIndex, int, int]]] | None:
        """The fast path's :meth:`_counted`: per count group, its index and the bounds of the
        records counted now (``index.records[lo:hi]``, the same records in the same order).

        None when the fast path cannot say (see :func:`group_index`): use :meth:`_counted`.
        """
        today = ctx.local(name, zone).date()
        rolling = self._rolling_days
        first_day = add_days(today, 1 - rolling) if rolling else period_start(self.window, today)
        consent = (
            (zone, self.consent_days) if self.exclude_consented and ctx.has_call_consents else None
        )
        indexes = group_index(ctx, self.counts, self.channels, self.per, consent)
        if indexes is None:
            return None
        now = utc_micros(ctx.at)
        start = None if first_day is None else day_start_key(ctx, first_day, zone)
        spans: list[tuple[GroupIndex, int, int]] = []
        for index in indexes:
            hi = bisect_left(index.keys, now)
            lo = 0 if start is None else bisect_left(index.keys, start, 0, hi)
            spans.append((index, lo, hi))
        return first_day, spans

    def _over(
        self, ctx: Context, name: str, zone: ZoneInfo
    ) -> tuple[dt.date | None, list[tuple[CountGroup, Sequence[Record]]]]:
        """The period's first local day and the count groups at or over ``max``, with the
        records they count (on either path)."""
        spans = self._spans(ctx, name, zone) if ctx.fast else None
        if spans is None:
            first_day, per_group = self._counted(ctx, name, zone)
            return first_day, [(g, c) for g, c in per_group if len(c) >= self.max]
        first_day, found = spans
        return first_day, [
            (i.group, i.records[lo:hi]) for i, lo, hi in found if hi - lo >= self.max
        ]

    def _consented_now(self, ctx: Context) -> bool:
        """Whether this contact is outside the cap: consented to, asked for by the consumer,
        or made before the event that starts the cap."""
        if self.counts.exclude_requested and ctx.contact.requested_by_consumer:
            return True
        if self.starts_after is not None and not self.starts_after.window(ctx, self.channels, None):
            return True
        return self.exclude_consented and any(
            consented_record(ctx, ctx.at, zone, self.consent_days) for _n, zone in ctx.zones
        )

    def passes(self, ctx: Context) -> bool:
        if self._consented_now(ctx):
            return True
        if ctx.fast:
            for name, zone in ctx.zones:
                spans = self._spans(ctx, name, zone)
                if spans is None:
                    if self._over(ctx, name, zone)[1]:
                        return False
                elif any(hi - lo >= self.max for _index, lo, hi in spans[1]):
                    return False
            return True
        return not any(
            len(counted) >= self.max
            for name, zone in ctx.zones
            for _group, counted in self._counted(ctx, name, zone)[1]
        )

    def check(self, ctx: Context) -> Finding | None:
        if self._consented_now(ctx):
            return None
        for name, zone in ctx.zones:
            first_day, per_debt = (
                self._over(ctx, name, zone) if ctx.fast else self._counted(ctx, name, zone)
            )
            for group, counted in per_debt:
                if len(counted) >= self.max:
                    start = "ever" if first_day is None else first_day.isoformat()
                    label = group.label
                    by_creditor = self.per == "creditor"
                    subject = (
                        f"for creditor {label}"
                        if by_creditor
                        else f"about debt {label}"
                        if label
                        else "to this consumer"
                    )
                    return Finding(
                        message=(
                            f"{len(counted)} counted contacts {subject} since {start} "
                            f"({self.window}, {name}); the limit is {self.max}"
                        ),
                        facts={
                            "count": len(counted),
                            "max": self.max,
                            "window": self.window,
                            "window_start": start,
                            "zone": name,
                            "debt_id": None if by_creditor else label,
                            "creditor": label if by_creditor else None,
                            "records": [r.at.isoformat() for r in counted[-MAX_LISTED:]],
                        },
                        zone=name,
                    )
        return None

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        """For rolling windows, the day the oldest surplus record leaves the window.

        With ``max`` records allowed and ``c >= max`` counted, the record at index
        ``c - max`` (oldest first) must fall out: that happens at the start of the local day
        ``n`` days after its own date. Calendar periods are found by scanning day starts.
        """
        if self.window == "ever" or self.max == 0:
            return None
        rolling = period_length_days(self.window) if self.window.endswith("d") else 0
        if rolling:
            latest: dt.datetime | None = None
            for name, zone in ctx.zones:
                spans = self._spans(ctx, name, zone) if ctx.fast else None
                if spans is not None:
                    # The record that must leave is ``index.records[lo:hi][hi - lo - max]``.
                    for index, lo, hi in spans[1]:
                        if hi - lo >= self.max:
                            leaving = local_date(ctx, index.records[hi - self.max], zone)
                            lifts = local_day_start(add_days(leaving, rolling), zone)
                            latest = lifts if latest is None else max(latest, lifts)
                    continue
                for _group, counted in self._counted(ctx, name, zone)[1]:
                    if len(counted) < self.max:
                        continue
                    leaving = counted[len(counted) - self.max].at.astimezone(zone).date()
                    lifts = local_day_start(add_days(leaving, rolling), zone)
                    latest = lifts if latest is None else max(latest, lifts)
            if latest is not None and latest > ctx.at:
                return latest
        days = period_length_days(self.window) + 1
        candidates: list[dt.datetime] = []
        for _name, zone in ctx.zones:
            first = ctx.at.astimezone(zone).date()
            candidates.extend(local_day_start(day, zone) for day in days_from(first, 1, days + 1))
        return earliest_passing(ctx, candidates, self.passes)
