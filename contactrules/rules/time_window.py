"""``time_window``: contact only inside allowed local hours, per day type, in every candidate zone.

What it does
    Denies a contact whose local wall-clock time is outside every window for that day, in any
    zone the consumer may be in (convention K4). Windows are half-open ``[start, end)``
    (convention K1): 08:00:00 is inside an 08:00–21:00 window, 21:00:00 is outside. A day is a
    weekday name, or ``holiday`` when a ``holidays`` calendar is given and the local date is on
    it.

Regulatory basis
    12 CFR 1006.6(b)(1)(i); 15 U.S.C. 1692c(a)(1) (8 a.m.–9 p.m.); comment 6(b)(1)(i)-1 (all
    locations); state and national equivalents.

Options
    ``windows``: list of ``{days, start, end}``, at most 48; ``days`` is ``all``, ``weekdays``,
    ``weekends`` or a list of ``mon``…``sun`` and ``holiday``. ``holidays``: a calendar
    (``country``, ``subdivision``, ``national_only``). ``consent_exception`` (default false): an
    active direct consent of scope ``time`` lifts the rule (12 CFR 1006.6(b)(4)).

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.6b1i-HOURS
          kind: time_window
          channels: [call, sms, email]
          windows: [{days: all, start: "08:00", end: "21:00"}]
          citation: 12 CFR 1006.6(b)(1)(i)

    PASS: a call at 08:00:00 local. FAIL: a call at 21:00:00 local, or at 20:00 Eastern to a
    consumer whose address is in the Pacific zone (17:00 there is fine, but see the other zone).
"""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cached_property, lru_cache
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from ..context import Context
from ..localtime import (
    END_OF_TIME,
    START_OF_TIME,
    ClockTime,
    clock_seconds,
    days_from,
    format_seconds,
    later_by,
    local_day_start,
    local_instant,
)
from ..models import ConsentScope
from .base import Finding, NextTime, RuleBase, earliest_passing
from .holiday_spec import HolidayCalendar
from .linting import NEVER_DENIES, LintScope, RuleLint, verb

__all__ = ["KIND", "UNSURE", "TimeWindow", "Window", "joint_next_ok", "joint_search_possible"]

KIND = "time_window"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday"]
_GROUPS: dict[str, tuple[str, ...]] = {
    "all": (*WEEKDAYS, "holiday"),
    "weekdays": WEEKDAYS[:5],
    "weekends": WEEKDAYS[5:],
}
SEARCH_DAYS = 16
#: Most windows one rule may list. A real law has one to three per day type; the limit keeps
#: one evaluation (and the message it explains itself with) bounded for any ruleset.
MAX_WINDOWS = 48
#: Most allowed ranges spelled out in a message; the rest are counted.
MAX_SHOWN = 12
_SEARCH = dt.timedelta(days=SEARCH_DAYS + 1)
_DST_MARGIN = 3 * 3600  # more than any clock change


class Window(BaseModel):
    """One allowed interval ``[start, end)`` on some days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: Literal["all", "weekdays", "weekends"] | list[DayName] = "all"
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _opens(self) -> Window:
        if clock_seconds(self.start) >= clock_seconds(self.end):
            raise ValueError(
                f"the window {self.start}–{self.end} never opens: start must be before end "
                '(to allow until midnight write end: "24:00")'
            )
        return self

    @property
    def day_names(self) -> tuple[str, ...]:
        return _GROUPS[self.days] if isinstance(self.days, str) else tuple(self.days)

    @property
    def span(self) -> tuple[int, int]:
        return clock_seconds(self.start), clock_seconds(self.end)


class TimeWindow(RuleBase):
    KIND: ClassVar[str] = KIND
    NEXT_TIME: ClassVar[NextTime] = "computed"  # the first instant open in every zone
    FACTS: ClassVar[tuple[str, ...]] = ("local_time", "zone", "day_type", "allowed")
    LOCAL_TIME: ClassVar[bool] = True

    kind: Literal["time_window"]
    windows: list[Window] = Field(
        min_length=1,
        max_length=MAX_WINDOWS,
        description=f"Allowed intervals; at most {MAX_WINDOWS} per rule.",
    )
    holidays: HolidayCalendar | None = None
    consent_exception: StrictBool = False

    def day_type(self, day: dt.date) -> str:
        if self.holidays is not None and self.holidays.is_holiday(day):
            return "holiday"
        return WEEKDAYS[day.weekday()]

    @cached_property
    def _spans(self) -> dict[str, list[tuple[int, int]]]:
        return {
            day: sorted(w.span for w in self.windows if day in w.day_names)
            for day in (*WEEKDAYS, "holiday")
        }

    def spans(self, day_type: str) -> list[tuple[int, int]]:
        return self._spans[day_type]

    @cached_property
    def _merged(self) -> dict[str, list[tuple[int, int]]]:
        """Per day type, the windows merged into disjoint ranges (for bisection)."""
        out: dict[str, list[tuple[int, int]]] = {}
        for day, spans in self._spans.items():
            merged: list[tuple[int, int]] = []
            for lo, hi in spans:
                if merged and lo <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
                else:
                    merged.append((lo, hi))
            out[day] = merged
        return out

    def _open_at(self, day_type: str, secs: int) -> bool:
        merged = self._merged[day_type]
        index = bisect_right(merged, (secs, 86401)) - 1
        return index >= 0 and secs < merged[index][1]

    def lint(self, scope: LintScope) -> Iterator[RuleLint]:
        """Windows open every second of every day type the rule can see never deny."""
        yield from super().lint(scope)
        days = (*WEEKDAYS, "holiday") if self.holidays is not None else WEEKDAYS
        if all(_covers_whole_day(self.spans(day)) for day in days):
            yield RuleLint(
                ("windows",),
                NEVER_DENIES,
                f'the windows of rule "{self.id}" are open around the clock on every day, so it '
                f"never {verb(self)}; write the hours the law allows",
            )

    def looser_than(self, parent: RuleBase) -> str | None:
        if not isinstance(parent, TimeWindow):
            return None
        for day in (*WEEKDAYS, "holiday"):
            mine, theirs = self.spans(day), parent.spans(day)
            for lo, hi in mine:
                if not any(plo <= lo and hi <= phi for plo, phi in theirs):
                    return (
                        f"allows {format_seconds(lo)}–{format_seconds(hi)} on {day}, outside "
                        f"{parent.id}'s hours ("
                        + (
                            ", ".join(f"{format_seconds(a)}–{format_seconds(b)}" for a, b in theirs)
                            or "no contact"
                        )
                        + ")"
                    )
        return None

    def _consented(self, ctx: Context, seconds: dict[str, int]) -> bool:
        for consent in ctx.consents(ConsentScope.TIME):
            if consent.start is None or consent.end is None:
                return True
            lo, hi = clock_seconds(consent.start), clock_seconds(consent.end)
            if all(lo <= s < hi for s in seconds.values()):
                return True
        return False

    def _open_everywhere(self, ctx: Context) -> bool:
        for name, zone in ctx.zones:
            local = ctx.local(name, zone)
            secs = local.hour * 3600 + local.minute * 60 + local.second
            if not self._open_at(self.day_type(local.date()), secs):
                return False
        return True

    def passes(self, ctx: Context) -> bool:
        """``check(ctx) is None`` without composing the explanation (the search's hot path)."""
        if self._open_everywhere(ctx):
            return True
        if not self.consent_exception:
            return False
        seconds = {}
        for name, zone in ctx.zones:
            local = ctx.local(name, zone)
            seconds[name] = local.hour * 3600 + local.minute * 60 + local.second
        return self._consented(ctx, seconds)

    def check(self, ctx: Context) -> Finding | None:
        failures: list[Finding] = []
        seconds: dict[str, int] = {}
        for name, zone in ctx.zones:
            local = ctx.local(name, zone)
            secs = local.hour * 3600 + local.minute * 60 + local.second
            seconds[name] = secs
            day_type = self.day_type(local.date())
            spans = self.spans(day_type)
            if any(lo <= secs < hi for lo, hi in spans):
                continue
            allowed = _describe(spans)
            failures.append(
                Finding(
                    message=(
                        f"{ctx.channel.value} at {local:%H:%M:%S} ({day_type}) in {name} is "
                        f"outside the allowed hours ({allowed})"
                    ),
                    facts={
                        "local_time": local.strftime("%Y-%m-%d %H:%M:%S %Z"),
                        "zone": name,
                        "day_type": day_type,
                        "allowed": allowed,
                    },
                    zone=name,
                )
            )
        if not failures:
            return None
        if self.consent_exception and self._consented(ctx, seconds):
            return None
        return failures[0]

    def _boundaries(self, ctx: Context, name: str, zone: ZoneInfo) -> Iterator[dt.datetime]:
        """Window edges and midnights in one zone, in time order, lazily."""
        first = ctx.local(name, zone).date()
        for day in days_from(first, -1, SEARCH_DAYS):
            edges = [local_day_start(day, zone)]
            for lo, hi in self.spans(self.day_type(day)):
                edges.append(local_instant(day, lo, zone))
                edges.append(local_instant(day, hi, zone))
            yield from sorted(edges)

    def _open_intervals(self, ctx: Context, name: str, zone: ZoneInfo) -> Iterator[tuple[int, int]]:
        """The instants at which one zone's windows are open, as merged ``[start, end)``
        intervals in time order, lazily (a window to 24:00 joins the next day's from 00:00).
        Instants are POSIX seconds: comparing aware datetimes of different zones is slow.

        Windows that closed well before ``ctx.at`` on its own local day are skipped without
        computing their instants (the margin covers any DST shift): the search steps through
        many instants of one day, and each step should cost only what lies ahead of it.
        """
        local = ctx.local(name, zone)
        first = local.date()
        passed = local.hour * 3600 + local.minute * 60 + local.second - _DST_MARGIN
        pending: tuple[int, int] | None = None
        for day in days_from(first, 0, SEARCH_DAYS):
            for lo, hi in self._merged[self.day_type(day)]:
                if day == first and hi < passed:
                    continue
                start, end = _posix(day, lo, zone), _posix(day, hi, zone)
                if start >= end:
                    continue
                if pending is not None and start <= pending[1]:
                    pending = (pending[0], max(pending[1], end))
                    continue
                if pending is not None:
                    yield pending
                pending = (start, end)
        if pending is not None:
            yield pending

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        """The start of the first interval after ``ctx.at`` open in every zone at once.

        Intersecting each zone's open intervals costs one step per interval, where trying every
        window edge of every zone against every zone cost their product. A time-of-day consent
        can open other instants, so with one the edges are tried one by one as before.
        """
        found = self._earliest(ctx)
        if found is None and later_by(ctx.at, _SEARCH) >= END_OF_TIME:
            return END_OF_TIME  # the search ran off the calendar: no later time can be written
        return found

    def _earliest(self, ctx: Context) -> dt.datetime | None:
        if self._consents_time(ctx):
            return self._scan(ctx)
        found = joint_next_ok((self,), ctx)
        return self._scan(ctx) if found is UNSURE else found

    def _consents_time(self, ctx: Context) -> bool:
        return self.consent_exception and any(True for _ in ctx.consents(ConsentScope.TIME))

    def _scan(self, ctx: Context) -> dt.datetime | None:
        merged = heapq.merge(*(self._boundaries(ctx, name, zone) for name, zone in ctx.zones))
        return earliest_passing(ctx, merged, self.passes, ordered=True)


UNSURE = START_OF_TIME  # the intervals and the clock disagree (a DST oddity): scan instead


def joint_next_ok(rules: Sequence[TimeWindow], ctx: Context) -> dt.datetime | None:
    """The first instant after ``ctx.at`` at which every one of ``rules`` passes in every zone.

    The engine asks this of all the window rules of a contact at once, so that two rules whose
    windows never meet cost one search rather than a step of the fixed-point search for every
    window of one rule that the other refuses. Returns ``UNSURE`` when an interval holds
    ``ctx.at`` or its start does not pass by the clock; the caller then scans.
    """
    if not ctx.zones:
        return None
    now = ctx.at.timestamp()
    streams = [rule._open_intervals(ctx, name, zone) for rule in rules for name, zone in ctx.zones]
    for start, end in _common(streams):
        if end <= now:
            continue
        if start <= now:
            return UNSURE
        instant = dt.datetime.fromtimestamp(start, dt.timezone.utc)
        later = ctx.at_time(instant)
        return instant if all(rule.passes(later) for rule in rules) else UNSURE
    if later_by(ctx.at, _SEARCH) >= END_OF_TIME:
        return END_OF_TIME  # the search ran off the calendar: no later time can be written
    return None


def joint_search_possible(rules: Sequence[TimeWindow], ctx: Context) -> bool:
    """Whether :func:`joint_next_ok` is exact for these rules (no time-of-day consent)."""
    return not any(rule._consents_time(ctx) for rule in rules)


@lru_cache(maxsize=65536)
def _posix(day: dt.date, seconds: int, zone: ZoneInfo) -> int:
    """:func:`local_instant` as POSIX seconds (whole seconds by construction)."""
    return int(local_instant(day, seconds, zone).timestamp())


def _describe(spans: list[tuple[int, int]]) -> str:
    """The allowed ranges as text, the first few spelled out and the rest counted."""
    if not spans:
        return "no contact"
    text = ", ".join(f"{format_seconds(lo)}–{format_seconds(hi)}" for lo, hi in spans[:MAX_SHOWN])
    if len(spans) > MAX_SHOWN:
        text += f" and {len(spans) - MAX_SHOWN} more"
    return text


def _common(streams: list[Iterator[tuple[int, int]]]) -> Iterator[tuple[int, int]]:
    """The intersection of several ordered streams of disjoint intervals, in order, lazily.

    The interval that ends first cannot meet any later interval of the others, so it is the one
    replaced; starts only grow, so the latest start is kept as a running maximum and each step
    costs a heap operation rather than a pass over every stream.
    """
    ends: list[tuple[int, int]] = []
    latest_start: int | None = None
    for index, stream in enumerate(streams):
        item = next(stream, None)
        if item is None:
            return
        latest_start = item[0] if latest_start is None else max(latest_start, item[0])
        ends.append((item[1], index))
    if latest_start is None:
        return
    heapq.heapify(ends)
    while True:
        end, index = ends[0]
        if latest_start < end:
            yield latest_start, end
        item = next(streams[index], None)
        if item is None:
            return
        latest_start = max(latest_start, item[0])
        heapq.heapreplace(ends, (item[1], index))


def _covers_whole_day(spans: list[tuple[int, int]]) -> bool:
    """Whether sorted ``[start, end)`` spans leave no second of 00:00–24:00 uncovered."""
    covered = 0
    for lo, hi in spans:
        if lo > covered:
            return False
        covered = max(covered, hi)
    return covered >= 24 * 3600
