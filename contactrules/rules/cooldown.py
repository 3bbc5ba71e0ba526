"""``cooldown``: no contact for some local calendar days after a triggering event.

What it does
    Denies a contact when a record matching ``after`` (e.g. a telephone conversation, whoever
    started it) about the same debt and with the same person falls within the last ``days``
    local calendar days, the event's own date being day 1 (convention K2); a record with no
    debt ids concerns every debt. A conversation on Monday 2 June blocks 2–8 June; the next call
    may be made on Monday 9 June.

Regulatory basis
    12 CFR 1006.14(b)(2)(i)(B) ("The date of the telephone conversation is the first day of the
    seven-consecutive-day period"); comments 14(b)(2)(i)-1.ii and 14(b)(4)-1.ii.

Options
    ``after``: a record filter (``channels``, ``outcomes``, ``initiated_by``); ``days``;
    ``per`` (``debt``/``consumer``); ``exclude_consented``/``consent_days`` as in frequency_cap;
    ``required`` (default false): the event must come first, so a contact with no matching
    record on file (about each of its debts, for ``per: debt``; a record with no debt ids does
    not show which debt it was about, so it satisfies none) is denied too, with no known time
    at which it becomes allowed (Ontario: no demand before the written notice, Reg. 74 s. 21).

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.14b2iB-CALL-COOLDOWN
          kind: cooldown
          channels: [call, voicemail]
          after: {channels: [call], outcomes: [conversation], initiated_by: [collector, consumer]}
          days: 7
          citation: 12 CFR 1006.14(b)(2)(i)(B)

    PASS: a call eight local days after a conversation. FAIL: a call six days after the
    consumer phoned in and talked about the debt.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

from pydantic import Field, StrictBool

from ..context import Context
from ..localtime import add_days, later_by, local_day_start, utc_micros
from ..records import Record
from .base import Finding, NextTime, RuleBase
from .counting import (
    RecordFilter,
    consented_record,
    count_groups,
    day_start_key,
    group_labels,
    in_group,
    local_date,
)
from .linting import LintScope, RuleLint, record_filter_lints

__all__ = ["KIND", "Cooldown"]

KIND = "cooldown"
_SAME_DAY = dt.timedelta(days=2)  # a local day plus any clock change, with room to spare


class Cooldown(RuleBase):
    KIND: ClassVar[str] = KIND
    # The end of the latest block; None while a required event is missing:
    NEXT_TIME: ClassVar[NextTime] = "computed"
    FACTS: ClassVar[tuple[str, ...]] = (
        "event_at",
        "zone",
        "debt_id",
        "blocked_through",
        "missing_event",
    )
    LOCAL_TIME: ClassVar[bool] = True

    kind: Literal["cooldown"]
    after: RecordFilter
    days: int = Field(
        ge=1, description="Local calendar days blocked, the event's date being day 1."
    )
    per: Literal["debt", "consumer"] = "debt"
    exclude_consented: StrictBool = False
    consent_days: int = Field(default=7, ge=1)
    required: StrictBool = Field(
        default=False,
        description="Deny too when no record matching `after` is on file: the event comes first.",
    )

    def _missing(self, ctx: Context) -> str | None:
        """With ``required``, the first debt (or "" per consumer) with no event on file."""
        if not self.required:
            return None
        if self.exclude_consented and any(
            consented_record(ctx, ctx.at, zone, self.consent_days) for _n, zone in ctx.zones
        ):
            return None
        if ctx.fast and self.per == "debt":
            now = utc_micros(ctx.at)
            first = self._first_events(ctx)
            return next((d for d in ctx.contact.debt_ids if not first.get(d, now) < now), None)
        events = self.after.window(ctx, self.channels, None)
        if self.per != "debt":
            return None if events else ""
        for debt in ctx.contact.debt_ids:
            if not any(debt in r.debt_ids for r in events):
                return debt
        return None

    def _first_events(self, ctx: Context) -> dict[str, int]:
        """Per debt of the contact, the instant key of the first event about it (fast path):
        an event is on file at an instant exactly when that key is before it."""

        def build() -> dict[str, int]:
            first: dict[str, int] = {}
            wanted = set(ctx.contact.debt_ids)
            for record in self.after.matching(ctx, self.channels)[0]:
                for debt in record.debt_ids:
                    if debt in wanted and debt not in first:
                        first[debt] = record.key
            return first

        return ctx.memo(("cooldown.first", self.after.identity, tuple(self.channels)), build)

    def _grouped(
        self, ctx: Context
    ) -> tuple[tuple[int, ...], Mapping[tuple[str, ...], str | None]]:
        """The positions, among the records ``after`` matches, of those in some count group,
        and each record's group label by its debt ids (fast path): a record in no group is
        skipped by :meth:`_latest_block` whatever the instant."""

        def build() -> tuple[tuple[int, ...], Mapping[tuple[str, ...], str | None]]:
            records = self.after.matching(ctx, self.channels)[0]
            labels = group_labels(ctx, records, self.per)
            return tuple([i for i, r in enumerate(records) if labels[r.debt_ids] != ""]), labels

        key = ("cooldown.grouped", self.after.identity, tuple(self.channels), self.per)
        return ctx.memo(key, build)

    def _latest_block_fast(
        self, ctx: Context
    ) -> tuple[dt.datetime, Record, str, str | None, dt.date] | None:
        """:meth:`_latest_block` with the window found by bisection and each record's group
        and local date worked out once per evaluation; the same scan, so the same answer."""
        records, keys = self.after.matching(ctx, self.channels)
        grouped, labels = self._grouped(ctx)
        now = utc_micros(ctx.at)
        hi = bisect_left(keys, now)
        newest = bisect_left(grouped, hi) - 1  # the newest grouped record before the instant
        worst: tuple[dt.datetime, Record, str, str | None, dt.date] | None = None
        for name, zone in ctx.zones:
            if self.exclude_consented and consented_record(ctx, ctx.at, zone, self.consent_days):
                return None
            today = ctx.local(name, zone).date()
            lo = bisect_left(keys, day_start_key(ctx, add_days(today, 1 - self.days), zone), 0, hi)
            if newest < 0 or grouped[newest] < lo:
                continue
            # Records after the newest grouped one are skipped by the reference scan too: they
            # are in no group, and nothing stops a scan before it has found an event.
            best: tuple[dt.date, Record, str | None] | None = None
            stop: dt.datetime | None = None
            for i in range(grouped[newest], lo - 1, -1):
                record = records[i]
                if stop is not None and record.at < stop:
                    break
                debt = labels[record.debt_ids]
                if debt == "":
                    continue
                day = local_date(ctx, record, zone)
                if best is None or day >= best[0]:  # ties: the earliest event is reported
                    best = (day, record, debt)
                    stop = later_by(record.at, -_SAME_DAY)
            if best is None:
                continue
            last = add_days(best[0], self.days - 1)
            lifts = local_day_start(add_days(last, 1), zone)
            if worst is None or lifts > worst[0]:
                worst = (lifts, best[1], name, best[2], last)
        return worst

    def _missing_finding(self, debt: str) -> Finding:
        subject = f" about debt {debt}" if debt else ""
        wanted = ", ".join(c.value for c in self.after.channels or self.channels)
        purposes = self.after.purposes
        what = f"{wanted} ({', '.join(p.value for p in purposes)})" if purposes else wanted
        return Finding(
            message=f"no {what}{subject} is on file; it is required first",
            facts={"missing_event": what, "debt_id": debt or None},
        )

    def _latest_block(
        self, ctx: Context
    ) -> tuple[dt.datetime, Record, str, str | None, dt.date] | None:
        """When the block lifts (latest over zones and events), and the event that sets it."""
        if ctx.fast:
            return self._latest_block_fast(ctx)
        worst: tuple[dt.datetime, Record, str, str | None, dt.date] | None = None
        for name, zone in ctx.zones:
            if self.exclude_consented and consented_record(ctx, ctx.at, zone, self.consent_days):
                return None
            today = ctx.local(name, zone).date()
            since = local_day_start(add_days(today, 1 - self.days), zone)
            groups = count_groups(ctx, self.per)
            # Newest first: the latest local date is near the end, and an event more than a
            # day (plus any clock change) older cannot fall on a later date, so stop there.
            best: tuple[dt.date, Record, str | None] | None = None
            for record in reversed(self.after.window(ctx, self.channels, since)):
                if best is not None and record.at < later_by(best[1].at, -_SAME_DAY):
                    break
                debt = next((g.label for g in groups if in_group(record, g)), "")
                if debt == "":
                    continue
                day = record.at.astimezone(zone).date()
                if best is None or day >= best[0]:  # ties: the earliest event is reported
                    best = (day, record, debt)
            if best is None:
                continue
            last = add_days(best[0], self.days - 1)
            lifts = local_day_start(add_days(last, 1), zone)
            if worst is None or lifts > worst[0]:
                worst = (lifts, best[1], name, best[2], last)
        return worst

    def _finding(self, block: tuple[dt.datetime, Record, str, str | None, dt.date]) -> Finding:
        _lifts, record, name, debt, last = block
        subject = f" about debt {debt}" if debt else ""
        blocked = ", ".join(c.value for c in self.channels)
        event_day = add_days(last, 1 - self.days)
        return Finding(
            message=(
                f"a {record.channel.value} ({record.outcome.value}){subject} on "
                f"{event_day.isoformat()} blocks {blocked}"
                f" through {last.isoformat()} ({name}, day 1 = the event's date)"
            ),
            facts={
                "event_at": record.at.isoformat(),
                "zone": name,
                "debt_id": debt,
                "blocked_through": last.isoformat(),
            },
            zone=name,
        )

    def lint(self, scope: LintScope) -> Iterator[RuleLint]:
        """An ``after:`` filter that no record can match never starts the cooldown."""
        yield from super().lint(scope)
        yield from record_filter_lints(
            self, self.after, "after", "no past contact starts the cooldown"
        )

    def looser_than(self, parent: RuleBase) -> str | None:
        if not isinstance(parent, Cooldown) or parent.after != self.after:
            return None
        if parent.required and not self.required:
            return f"does not require the event first where {parent.id} does"
        if self.days < parent.days:
            return f"blocks {self.days} day(s) where {parent.id} blocks {parent.days}"
        return None

    def check(self, ctx: Context) -> Finding | None:
        missing = self._missing(ctx)
        if missing is not None:
            return self._missing_finding(missing)
        block = self._latest_block(ctx)
        return None if block is None else self._finding(block)

    def passes(self, ctx: Context) -> bool:
        return self._missing(ctx) is None and self._latest_block(ctx) is None

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        """Unknown (None) while a required event is missing: only sending it lifts the bar."""
        if self._missing(ctx) is not None:
            return None
        block = self._latest_block(ctx)
        return None if block is None else block[0]
