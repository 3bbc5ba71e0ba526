"""Local time: wall-clock times of day, and instants of local days and times exact across DST.

Times of day are written in rulesets and inputs as quoted ``"HH:MM"`` text and kept as text in the
models (so JSON Schema and error messages show what the officer wrote); they are turned into
seconds after midnight for comparisons. ``"24:00"`` is allowed as an end meaning "until
midnight". A bare number is refused with an explanation, because YAML 1.1 tools read an unquoted
``21:00`` as the integer 1260 and a lax parser then reads that as 00:21.

Days and instants never overflow: a boundary past the calendar's ends is clamped to
:data:`START_OF_TIME` or :data:`END_OF_TIME` (convention K1 for the DST rules).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field

__all__ = [
    "END_OF_TIME",
    "START_OF_TIME",
    "ClockTime",
    "ZoneRef",
    "add_days",
    "clock_seconds",
    "days_from",
    "format_seconds",
    "later_by",
    "local_dates",
    "local_day_start",
    "local_instant",
    "possible_local_dates",
    "utc_key",
    "utc_micros",
]

#: A candidate zone: its IANA name and the zone itself.
ZoneRef = tuple[str, ZoneInfo]

# The first and last instants a datetime can hold: a boundary that falls outside the calendar
# (a window edge after 9999-12-31 in some zone) is clamped to one of these, never an OverflowError.
START_OF_TIME = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
END_OF_TIME = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
# Civil time on Earth runs from UTC-12 to UTC+14: the local date anywhere is one of these.
_WESTMOST = dt.timezone(dt.timedelta(hours=-12))
_EASTMOST = dt.timezone(dt.timedelta(hours=14))

_HHMM = re.compile(r"(?P<h>[01][0-9]|2[0-4]):(?P<m>[0-5][0-9])(:(?P<s>[0-5][0-9]))?\Z")


def _check_clock_time(value: Any) -> Any:
    if isinstance(value, (bool, int, float)):
        raise ValueError(
            f'a time of day must be quoted text such as "21:00", not the number {value!r} '
            "(an unquoted 21:00 is read by YAML 1.1 tools as 1260)"
        )
    if not isinstance(value, str):
        raise ValueError('a time of day must be quoted text such as "08:00"')
    match = _HHMM.match(value.strip())
    if match is None:
        raise ValueError(f'"{value}" is not a time of day; write it as "HH:MM", e.g. "08:00"')
    if match["h"] == "24" and (match["m"] != "00" or (match["s"] or "00") != "00"):
        raise ValueError(f'"{value}" is past midnight; the latest time is "24:00"')
    return value.strip()


ClockTime = Annotated[
    str,
    BeforeValidator(_check_clock_time),
    Field(
        pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9](:[0-5][0-9])?$",
        description='A local wall-clock time, quoted: "HH:MM" ("24:00" = end of day).',
        examples=["08:00", "21:00"],
    ),
]


@lru_cache(maxsize=4096)
def clock_seconds(value: str) -> int:
    """Seconds after local midnight for a validated ``"HH:MM[:SS]"``."""
    parts = [int(p) for p in value.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)


def format_seconds(seconds: int) -> str:
    """Back from seconds after midnight to ``"HH:MM"`` (or ``"HH:MM:SS"``) for messages."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" if s == 0 else f"{h:02d}:{m:02d}:{s:02d}"


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, clamped to the calendar's ends (year 1 and year 9999)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def days_from(first: dt.date, start: int, stop: int) -> Iterator[dt.date]:
    """The days ``first + start`` … ``first + stop - 1`` that the calendar can hold, in order.

    Searches that look a few days around an instant near year 1 or 9999 skip the days that do
    not exist instead of raising.
    """
    lo = max(start, (dt.date.min - first).days)
    hi = min(stop, (dt.date.max - first).days + 1)
    for offset in range(lo, hi):
        yield first + dt.timedelta(days=offset)


def later_by(at: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``at + delta``, or the end (start) of representable time when that is past it."""
    try:
        return at + delta
    except OverflowError:
        return END_OF_TIME if delta > dt.timedelta(0) else START_OF_TIME


def possible_local_dates(at: dt.datetime) -> tuple[dt.date, ...]:
    """Every local date that ``at`` can be in somewhere on Earth (UTC-12 … UTC+14).

    What a rule with effective dates needs when no zone is known: it is in force if it is in
    force on any of these dates (the stricter reading).
    """
    found: list[dt.date] = []
    for zone in (_WESTMOST, _EASTMOST):
        try:
            found.append(at.astimezone(zone).date())
        except OverflowError:
            found.append(dt.date.min if zone is _WESTMOST else dt.date.max)
    return tuple(days_from(found[0], 0, (found[1] - found[0]).days + 1))


def local_dates(at: dt.datetime, zones: Sequence[ZoneRef]) -> tuple[dt.date, ...]:
    """Every date ``at`` falls on in ``zones``; every date on Earth when no zone is known."""
    if not zones:
        return possible_local_dates(at)
    return tuple(sorted({at.astimezone(zone).date() for _, zone in zones}))


@lru_cache(maxsize=65536)
def local_instant(day: dt.date, seconds: int, zone: ZoneInfo) -> dt.datetime:
    """The first instant at which the local wall clock in ``zone`` reads ``day`` + ``seconds``.

    Exact across DST (convention K1): in an autumn overlap the earlier of the two readings is
    taken; in a spring gap (the wall time never happens) the answer is the transition instant,
    which is the first instant whose wall clock is past that time. ``seconds`` may be 86400
    (24:00 = next midnight). A wall time outside the calendar (after 9999-12-31, or before year 1
    in UTC) is clamped to :data:`END_OF_TIME` or :data:`START_OF_TIME`.
    """
    try:
        return _local_instant(day, seconds, zone)
    except OverflowError:
        return END_OF_TIME if day.year > 1 else START_OF_TIME


def _local_instant(day: dt.date, seconds: int, zone: ZoneInfo) -> dt.datetime:
    if seconds >= 86400:
        day, seconds = day + dt.timedelta(days=1), seconds - 86400
    wall = dt.datetime.combine(day, dt.time(0), tzinfo=zone) + dt.timedelta(seconds=seconds)
    first = wall.replace(fold=0)
    utc = dt.timezone.utc
    if first.astimezone(utc).astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None):
        return first
    lo = wall.replace(fold=1).astimezone(utc)
    hi = first.astimezone(utc)
    lo, hi = min(lo, hi), max(lo, hi)
    naive = wall.replace(tzinfo=None)
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0).astimezone(zone)


def local_day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first instant of a local calendar day (midnight, or the end of a midnight DST gap).

    Convention K1; the day-counted periods of convention K2 start here.
    """
    return local_instant(day, 0, zone)


_EPOCH = dt.datetime(1970, 1, 1)
_ONE_MICROSECOND = dt.timedelta(microseconds=1)


def utc_key(at: dt.datetime) -> dt.timedelta:
    """An instant as an exact key that orders by UTC, whatever zone it is written in.

    Aware datetimes do not order consistently among themselves: two in the same zone compare
    by wall clock (02:30 in a spring gap is before 03:00, though both are the same UTC
    instant), and one in a gap or fold is never ``==`` to the same instant written in another
    zone (PEP 495). Sorting and bisecting history by this key is a total order; a timedelta
    also holds instants past 9999-12-31 UTC, where ``astimezone`` would overflow.
    """
    return at.replace(tzinfo=None) - _EPOCH - (at.utcoffset() or dt.timedelta(0))


def utc_micros(at: dt.datetime) -> int:
    """:func:`utc_key` as whole microseconds: an integer orders and bisects far faster."""
    return utc_key(at) // _ONE_MICROSECOND
