"""The Python glue a general-purpose rule engine needs before it can decide this workload.

Neither zen-engine nor Cedar knows time zones, local calendar days or contact histories, so a
collector using them must compute from the same Python objects, before every call:

- the candidate zones (the same tables as the floor and contactrules),
- the local time (seconds after midnight) and local date in each zone,
- the number of counted calls about each debt in the last seven local days (the largest is
  passed), and how many local days ago the latest conversation about a debt of the call was,
- the debt ids of the call and the consumer's cease and attorney lists (the engines intersect
  them).

The engines then decide the thresholds and flags: hours in every zone, cease, attorney, 7 or
more calls, a conversation less than 7 days ago, a holiday in any zone (the holiday dates are
part of the engines' rules, materialised from the ``holidays`` package when they are built).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import holidays

from contactrules.models import Contact, ContactRecord

from .handwritten import (
    _BACK,
    _CALL,
    _COLLECTOR,
    _CONSUMER,
    _MIDNIGHT,
    _NOT_CONNECTED,
    _TALKED,
    _UTC,
    NO_ZONE,
    UNKNOWN_ZONE,
    _zone,
    candidate_zones,
)

__all__ = ["NEVER", "facts", "holiday_dates"]

NEVER = 100_000  # "days since the last conversation" when there was none
HOLIDAY_YEARS = range(2020, 2036)


def holiday_dates(years: range = HOLIDAY_YEARS) -> list[str]:
    """US public holidays (observed days included) as ISO dates, for the engines' rules."""
    return sorted(d.isoformat() for d in holidays.country_holidays("US", years=list(years)))


def facts(
    contact: Contact, history: Sequence[ContactRecord]
) -> tuple[dict[str, object] | None, tuple[str, ...]]:
    """The facts the engines decide on, or ``None`` and the fail-closed reason."""
    consumer = contact.consumer
    names = candidate_zones(consumer, contact.to)
    if not names:
        return None, (NO_ZONE,)
    zones = [_zone(name) for name in names]
    if None in zones:
        return None, (UNKNOWN_ZONE,)
    at = contact.at
    local = [at.astimezone(zone) for zone in zones]
    seconds = [t.hour * 3600 + t.minute * 60 + t.second for t in local]
    days = [t.date() for t in local]
    since = min(
        dt.datetime.combine(day - _BACK, _MIDNIGHT, tzinfo=zone)
        for day, zone in zip(days, zones, strict=True)
    ).astimezone(_UTC)
    at = at.astimezone(_UTC)
    debt_ids = contact.debt_ids
    counts = dict.fromkeys(debt_ids, 0)
    days_since_talk = NEVER
    for record in history:
        if record.channel is not _CALL or record.recipient is not _CONSUMER:
            continue
        when = record.at
        if when >= at:
            continue
        about = [d for d in record.debt_ids if d in counts]
        if not about:
            continue
        outcome = record.outcome
        if outcome in _TALKED:
            for day, zone in zip(days, zones, strict=True):
                ago = (day - when.astimezone(zone).date()).days
                if ago < days_since_talk:
                    days_since_talk = ago
        if when >= since and record.initiated_by is _COLLECTOR and outcome is not _NOT_CONNECTED:
            for d in about:
                counts[d] += 1
    flags = consumer.flags
    return {
        "local_seconds": seconds,
        "earliest_second": min(seconds),
        "latest_second": max(seconds),
        "local_dates": [day.isoformat() for day in days],
        "debt_ids": list(debt_ids),
        "cease_debt_ids": list(flags.cease_debt_ids),
        "attorney_debt_ids": list(flags.attorney_debt_ids),
        "max_calls_7d": max(counts.values()),
        "days_since_conversation": days_since_talk,
    }, ()
