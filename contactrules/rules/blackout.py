"""``blackout``: no contact at all on listed local dates or on a holiday calendar's days.

What it does
    Denies a contact whose local date, in any candidate zone, is a holiday of the named calendar
    (observed days included) or one of the listed dates.

Regulatory basis
    Used where a law names days rather than hours, e.g. Ontario's "no contact on a holiday"
    (R.R.O. 1990, Reg. 74) or the ACCC/ASIC guideline's national public holidays.

Options
    ``holidays``: a calendar (``country``, ``subdivision``, ``national_only``, ``categories``).
    ``dates``: extra ISO dates (``"2026-12-24"``).

Example
    .. code-block:: yaml

        - id: AU-DCG2021-P2S4-NATIONAL-HOLIDAYS
          kind: blackout
          channels: [call, sms, visit]
          holidays: {country: AU, national_only: true}
          citation: ACCC/ASIC Debt collection guideline (2021) Part 2 s 4

    PASS: a call on an ordinary Tuesday. FAIL: a call on Anzac Day (25 April).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from functools import cached_property
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from ..context import Context
from ..localtime import days_from, local_day_start
from .base import Finding, NextTime, RuleBase, earliest_passing
from .holiday_spec import HolidayCalendar

__all__ = ["KIND", "Blackout"]

KIND = "blackout"
SEARCH_DAYS = 40


class Blackout(RuleBase):
    KIND: ClassVar[str] = KIND
    # The first local midnight that starts an unblocked day:
    NEXT_TIME: ClassVar[NextTime] = "computed"
    FACTS: ClassVar[tuple[str, ...]] = ("local_date", "zone", "holiday")
    LOCAL_TIME: ClassVar[bool] = True

    kind: Literal["blackout"]
    holidays: HolidayCalendar | None = None
    dates: list[dt.date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_days(self) -> Blackout:
        if self.holidays is None and not self.dates:
            raise ValueError("a blackout needs a holidays calendar or a list of dates")
        return self

    @cached_property
    def _dates(self) -> frozenset[dt.date]:
        return frozenset(self.dates)

    def blocked(self, day: dt.date) -> str | None:
        if day in self._dates:
            return "listed date"
        if self.holidays is not None and self.holidays.is_holiday(day):
            return "public holiday"
        return None

    def check(self, ctx: Context) -> Finding | None:
        for name, zone in ctx.zones:
            day = ctx.local(name, zone).date()
            why = self.blocked(day)
            if why is not None:
                return Finding(
                    message=f"no {ctx.channel.value} on {day.isoformat()} ({why}) in {name}",
                    facts={"local_date": day.isoformat(), "zone": name, "holiday": why},
                    zone=name,
                )
        return None

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        """The first local midnight, in every zone at once, that starts an unblocked day."""
        latest = ctx.at
        for name, zone in ctx.zones:
            free = next(
                (
                    d
                    for d in days_from(ctx.local(name, zone).date(), 0, SEARCH_DAYS)
                    if self.blocked(d) is None
                ),
                None,
            )
            if free is None:
                return None
            latest = max(latest, local_day_start(free, zone))
        if latest <= ctx.at:
            return None
        # Another zone's blocked day may begin before this instant ends it: confirm, or step on.
        return earliest_passing(ctx, self._midnights(ctx, latest), self.passes, ordered=True)

    def _midnights(self, ctx: Context, start: dt.datetime) -> Iterator[dt.datetime]:
        yield start
        at_start = ctx.at_time(start)
        yield from heapq.merge(
            *(_day_starts(at_start.local(name, zone).date(), zone) for name, zone in ctx.zones)
        )


def _day_starts(first: dt.date, zone: ZoneInfo) -> Iterator[dt.datetime]:
    """The local midnights after ``first`` in one zone (a function, so each zone is its own)."""
    for day in days_from(first, 1, SEARCH_DAYS):
        yield local_day_start(day, zone)
