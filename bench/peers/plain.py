"""The plain-data floor: the workload's checks, by hand, over the rows a dialer holds.

The object floor (:mod:`peers.handwritten`) reads the same validated pydantic objects as
contactrules, so part of its time is pydantic's attribute access. This one reads what a
dialer has before any library is involved (:mod:`workload.rows`): the call instant and every
history instant as UTC epoch seconds (``int``), codes as strings, the consumer's candidate
zones as IANA names. It is the lower bound the performance issue asks about: no validation, no
reasons, no rule files.

Unlike the object floor it also computes the earliest allowed instant when a call is denied,
as contactrules' ``next_allowed_at`` does, so that denied calls are compared like for like:

- cease or attorney: never (``None``);
- 7-in-7 and cooldown: history does not grow after the call, so a cap lifts when the window's
  first local day passes the 7th latest counted call (per debt), and the cooldown when it
  passes the latest conversation: the local midnight ``day + 7`` of that record, the latest
  over the candidate zones;
- hours and holidays: from that instant on, jump to the next 08:00 in each zone that is closed
  and to the next local midnight in each zone whose day is a holiday, until every zone is open
  on a working day (at most :data:`MAX_STEPS` jumps; zones whose hours never meet: ``None``).

Rule ids and the order of the checks are those of bench/workload/us-federal-calls.yaml; a
record with no debt ids counts against every debt of the call, as in contactrules. Records at
or after the call's instant are not counted (the call's own reservation, convention K9); the
search for the next instant assumes none lies after it, as in the workload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import holidays

# The ids of bench/workload/us-federal-calls.yaml (the same as peers.handwritten's, repeated so
# that this module imports neither contactrules nor pydantic).
HOURS = "US-FED-REGF-1006.6b1i-HOURS"
CEASE = "US-FED-REGF-1006.6c-CEASE"
ATTORNEY = "US-FED-REGF-1006.6b2-ATTORNEY"
CALLS_7IN7 = "US-FED-REGF-1006.14b2iA-CALL-7IN7"
COOLDOWN = "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN"
HOLIDAY = "BENCH-US-FEDERAL-HOLIDAYS"
NO_ZONE = "CONTACTRULES-NO-ZONE"
UNKNOWN_ZONE = "CONTACTRULES-UNKNOWN-ZONE"
OPENS = 8 * 3600
CLOSES = 21 * 3600
MAX_CALLS = 7
WINDOW_DAYS = 7


class PlainCall(NamedTuple):
    """One proposed call with the consumer's columns it needs."""

    at: int  # UTC epoch seconds
    debt_ids: tuple[str, ...]
    zones: tuple[str, ...]  # IANA names
    cease_debt_ids: tuple[str, ...]
    attorney_debt_ids: tuple[str, ...]


#: ``(at, channel, recipient, initiated_by, outcome, debt_ids)``: a call-log row as a database
#: cursor returns it, ``at`` in UTC epoch seconds, the codes as their text.
HistoryRow = tuple[int, str, str, str, str, tuple[str, ...]]

__all__ = [
    "MAX_STEPS",
    "HistoryRow",
    "PlainCall",
    "PlainFloor",
    "PlainResult",
    "build",
    "decide",
    "decide_dicts",
]

#: ``(allowed, rule ids that deny, next allowed instant in UTC epoch seconds or None)``; an
#: allowed call's next instant is the call's own.
PlainResult = tuple[bool, tuple[str, ...], int | None]

MAX_STEPS = 200
_DAY = dt.timedelta(days=1)
_WEEK = dt.timedelta(days=WINDOW_DAYS)
_BACK = dt.timedelta(days=WINDOW_DAYS - 1)
_MIDNIGHT = dt.time(0)
_OPENING = dt.time(OPENS // 3600)
_fromtimestamp = dt.datetime.fromtimestamp


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except Exception:
        return None


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("US", years=year))


@lru_cache(maxsize=65536)
def _wall(zone: ZoneInfo, day: dt.date, time: dt.time) -> int:
    """The epoch second of a local wall time (a dialer would keep such a table per zone)."""
    return int(dt.datetime.combine(day, time, tzinfo=zone).timestamp())


def _is_holiday(day: dt.date) -> bool:
    return day in _holidays(day.year)


def decide(call: PlainCall, history: Iterable[HistoryRow], with_next: bool = True) -> PlainResult:
    """Decide one call from tuple rows ``(at, channel, recipient, initiated_by, outcome,
    debt_ids)``."""
    zones = _zones(call)
    if isinstance(zones, tuple):
        return zones
    at = call.at
    since = min(_wall(z, _fromtimestamp(at, z).date() - _BACK, _MIDNIGHT) for z in zones)
    debt_ids = call.debt_ids
    counted: dict[str, list[int]] = {d: [] for d in debt_ids}
    talked = -1
    for when, channel, recipient, initiated_by, outcome, about in history:
        if when < since or when >= at or channel != "call" or recipient != "consumer":
            continue
        hit = [d for d in about if d in counted] if about else debt_ids
        if not hit:
            continue
        if initiated_by == "collector" and outcome != "not_connected":
            for d in hit:
                counted[d].append(when)
        if (outcome == "conversation" or outcome == "pending") and when > talked:
            talked = when
    return _verdict(call, zones, counted, talked, with_next)


def decide_dicts(
    call: PlainCall, history: Iterable[Mapping[str, Any]], with_next: bool = True
) -> PlainResult:
    """The same decision from mapping rows (keys as ``ContactRecord``'s fields, ``at`` in
    epoch seconds): the rows of the "from rows" measurement."""
    zones = _zones(call)
    if isinstance(zones, tuple):
        return zones
    at = call.at
    since = min(_wall(z, _fromtimestamp(at, z).date() - _BACK, _MIDNIGHT) for z in zones)
    debt_ids = call.debt_ids
    counted: dict[str, list[int]] = {d: [] for d in debt_ids}
    talked = -1
    for row in history:
        when = row["at"]
        if when < since or when >= at or row["channel"] != "call":
            continue
        if row.get("recipient", "consumer") != "consumer":
            continue
        about = row.get("debt_ids")
        hit = [d for d in about if d in counted] if about else debt_ids
        if not hit:
            continue
        outcome = row["outcome"]
        if row.get("initiated_by", "collector") == "collector" and outcome != "not_connected":
            for d in hit:
                counted[d].append(when)
        if (outcome == "conversation" or outcome == "pending") and when > talked:
            talked = when
    return _verdict(call, zones, counted, talked, with_next)


def _zones(call: PlainCall) -> list[ZoneInfo] | PlainResult:
    """The zones, or the fail-closed result when there are none or one is unknown."""
    if not call.zones:
        return False, (NO_ZONE,), None
    zones = [_zone(name) for name in call.zones]
    if None in zones:
        return False, (UNKNOWN_ZONE,), None
    return [z for z in zones if z is not None]


def _closed(t: int, zones: Sequence[ZoneInfo]) -> bool:
    for zone in zones:
        local = _fromtimestamp(t, zone)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        if not OPENS <= seconds < CLOSES:
            return True
    return False


def _verdict(
    call: PlainCall,
    zones: list[ZoneInfo],
    counted: dict[str, list[int]],
    talked: int,
    with_next: bool,
) -> PlainResult:
    at = call.at
    denied: list[str] = []
    if _closed(at, zones):
        denied.append(HOURS)
    cease = call.cease_debt_ids
    if cease and any(d in cease for d in call.debt_ids):
        denied.append(CEASE)
    attorney = call.attorney_debt_ids
    if attorney and any(d in attorney for d in call.debt_ids):
        denied.append(ATTORNEY)
    capped = [calls for calls in counted.values() if len(calls) >= MAX_CALLS]
    if capped:
        denied.append(CALLS_7IN7)
    if talked >= 0:
        denied.append(COOLDOWN)
    for zone in zones:
        if _is_holiday(_fromtimestamp(at, zone).date()):
            denied.append(HOLIDAY)
            break
    if not denied:
        return True, (), at
    if not with_next or CEASE in denied or ATTORNEY in denied:
        return False, tuple(denied), None
    t = at
    if capped:  # the 7th latest counted call of the most-called debt leaves the window
        t = max(t, _lifted(max(sorted(calls)[-MAX_CALLS] for calls in capped), zones))
    if talked >= 0:
        t = max(t, _lifted(talked, zones))
    return False, tuple(denied), _open_day(t, zones)


def _lifted(when: int, zones: Sequence[ZoneInfo]) -> int:
    """The first instant whose seven-local-day window, in every zone, starts after ``when``."""
    return max(_wall(z, _fromtimestamp(when, z).date() + _WEEK, _MIDNIGHT) for z in zones)


def _open_day(t: int, zones: Sequence[ZoneInfo]) -> int | None:
    """The first instant from ``t`` inside the hours in every zone and on no zone's holiday."""
    for _ in range(MAX_STEPS):
        jump = t
        for zone in zones:
            local = _fromtimestamp(t, zone)
            day = local.date()
            if _is_holiday(day):
                jump = max(jump, _wall(zone, day + _DAY, _MIDNIGHT))
            seconds = local.hour * 3600 + local.minute * 60 + local.second
            if seconds < OPENS:
                jump = max(jump, _wall(zone, day, _OPENING))
            elif seconds >= CLOSES:
                jump = max(jump, _wall(zone, day + _DAY, _OPENING))
        if jump == t:
            return t
        t = jump
    return None


class PlainFloor:
    """``decide(call, rows)`` with or without the search for the next allowed instant."""

    def __init__(self, with_next: bool = True) -> None:
        self.with_next = with_next

    def decide(self, call: PlainCall, history: Iterable[HistoryRow]) -> PlainResult:
        return decide(call, history, self.with_next)


def build(with_next: bool = True) -> PlainFloor:
    return PlainFloor(with_next)
