"""``time_window``: contact only inside allowed local hours, per day type, in every candidate zone.

What it does
    Denies a contact whose local wall-clock time is outside every window for that day, in any
    zone the consumer may be in (K4). Windows are half-open ``[start, end)`` (K1): 08:00:00 is
    inside an 08:00–21:00 window, 21:00:00 is outside. A day is a weekday name, or ``holiday``
    when a ``holidays`` calendar is given and the local date is on it.

Regulatory basis
    12 CFR 1006.6(b)(1)(i); 15 U.S.C. 1692c(a)(1) (8 a.m.–9 p.m.); comment 6(b)(1)(i)-1 (all
    locations); state and national equivalents.

Options
    ``windows``: list of ``{days, start, end}``; ``days`` is ``all``, ``weekdays``, ``weekends``
    or a list of ``mon``…``sun`` and ``holiday``. ``holidays``: a calendar (``country``,
    ``subdivision``, ``national_only``). ``consent_exception`` (default false): an active direct
    consent of scope ``time`` lifts the rule (12 CFR 1006.6(b)(4)).

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
from collections.abc import Iterator
from functools import cached_property
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from ..clock import ClockTime, clock_seconds, format_seconds
from ..context import Context, local_day_start, local_instant
from ..models import ConsentScope
from .base import Finding, RuleBase, earliest_passing
from .holiday_spec import HolidayCalendar

__all__ = ["KIND", "TimeWindow", "Window"]

KIND = "time_window"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday"]
_GROUPS: dict[str, tuple[str, ...]] = {
    "all": (*WEEKDAYS, "holiday"),
    "weekdays": WEEKDAYS[:5],
    "weekends": WEEKDAYS[5:],
}
SEARCH_DAYS = 16


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
    FACTS: ClassVar[tuple[str, ...]] = ("local_time", "zone", "day_type", "allowed")

    kind: Literal["time_window"]
    windows: list[Window] = Field(min_length=1)
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
            if not any(lo <= secs < hi for lo, hi in self.spans(self.day_type(local.date()))):
                return False
        return True

    def passes(self, ctx: Context) -> bool:
        """``check(ctx) is None`` without composing the explanation (the search's hot path)."""
        if self._open_everywhere(ctx):
            return True
        return self.consent_exception and self.check(ctx) is None

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
            allowed = (
                ", ".join(f"{format_seconds(lo)}–{format_seconds(hi)}" for lo, hi in spans)
                or "no contact"
            )
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

    def _boundaries(self, ctx: Context, zone: ZoneInfo) -> Iterator[dt.datetime]:
        """Window edges and midnights in one zone, in time order, lazily."""
        first = ctx.at.astimezone(zone).date()
        for offset in range(-1, SEARCH_DAYS):
            day = first + dt.timedelta(days=offset)
            edges = [local_day_start(day, zone)]
            for lo, hi in self.spans(self.day_type(day)):
                edges.append(local_instant(day, lo, zone))
                edges.append(local_instant(day, hi, zone))
            yield from sorted(edges)

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        merged = heapq.merge(*(self._boundaries(ctx, zone) for _name, zone in ctx.zones))
        return earliest_passing(ctx, merged, self.passes, ordered=True)
