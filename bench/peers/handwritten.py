"""The object floor: exactly the workload's checks, hand-written over contactrules' objects.

What a careful developer would write for this one decision and nothing else: no reasons, no
messages, no earliest-allowed time, no rule files. It takes the same validated contactrules
objects as the engine and returns ``(allowed, rule_ids)`` with the ids of
bench/workload/us-federal-calls.yaml, in that file's order.

The checks, as the workload ruleset and contactrules define them:

- candidate zones: every address's zones (its exact zone, else its ZIP code's, else its city's
  within its state: ``contactrules.location.zones``) and every phone's zones
  (``zones_for_phone``), plus the called number and the consumer's extra zones; none, or an
  unknown one, denies (fail closed), as the engine does;
- hours: 08:00:00 ≤ local time < 21:00:00 in **every** candidate zone;
- cease / attorney: the call is about a debt in the consumer's flag list;
- 7-in-7: per debt of the call, calls to the consumer started by the collector and not
  ``not_connected`` (``pending`` counts), over the local calendar days D-6 … D (D = the call's
  local date), up to but excluding the call's instant; 7 or more denies;
- cooldown: a call (either side) about a debt of the call with outcome ``conversation`` or
  ``pending`` in the same seven local days denies;
- holidays: the call's local date, in any candidate zone, is a US public holiday of the
  ``holidays`` package (observed days included).

With several zones each window starts at a different instant; the earliest start gives the
largest count, so one pass from the earliest local midnight decides for every zone at once.
Instants are compared in UTC (comparing datetimes with different ``tzinfo`` objects asks both
for their offsets, which costs more than the rest of the comparison).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from operator import attrgetter
from zoneinfo import ZoneInfo

import holidays

from contactrules.location.zones import (
    zones_for_city,
    zones_for_phone,
    zones_for_postal_code,
    zones_for_subdivision,
)
from contactrules.models import (
    Channel,
    Consumer,
    Contact,
    ContactRecord,
    Initiator,
    Outcome,
    Recipient,
)

__all__ = ["RULE_IDS", "Floor", "SortedFloor", "build", "build_sorted", "candidate_zones"]

HOURS = "US-FED-REGF-1006.6b1i-HOURS"
CEASE = "US-FED-REGF-1006.6c-CEASE"
ATTORNEY = "US-FED-REGF-1006.6b2-ATTORNEY"
CALLS_7IN7 = "US-FED-REGF-1006.14b2iA-CALL-7IN7"
COOLDOWN = "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN"
HOLIDAY = "BENCH-US-FEDERAL-HOLIDAYS"
RULE_IDS = (HOURS, CEASE, ATTORNEY, CALLS_7IN7, COOLDOWN, HOLIDAY)
NO_ZONE = "CONTACTRULES-NO-ZONE"
UNKNOWN_ZONE = "CONTACTRULES-UNKNOWN-ZONE"

OPENS = 8 * 3600
CLOSES = 21 * 3600
MAX_CALLS = 7
WINDOW_DAYS = 7
_BACK = dt.timedelta(days=WINDOW_DAYS - 1)
_MIDNIGHT = dt.time(0)
_UTC = dt.timezone.utc
_AT = attrgetter("at")

_CALL = Channel.CALL
_CONSUMER = Recipient.CONSUMER
_COLLECTOR = Initiator.COLLECTOR
_NOT_CONNECTED = Outcome.NOT_CONNECTED
_TALKED = (Outcome.CONVERSATION, Outcome.PENDING)

_subdivision_zones = lru_cache(maxsize=4096)(zones_for_subdivision)
_phone_zones = lru_cache(maxsize=65536)(zones_for_phone)
_city_zones = lru_cache(maxsize=4096)(zones_for_city)


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("US", years=year))


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except Exception:
        return None


def candidate_zones(consumer: Consumer, to: str | None) -> list[str]:
    """Every zone the consumer may be in, sorted by name (convention K4, as the library reads
    an address: its exact zone, else its ZIP code's zones, else its city's within its state)."""
    names = set(consumer.zones)
    for address in consumer.addresses:
        if address.zone:
            names.add(address.zone)
            continue
        by_code: tuple[str, ...] = ()
        code_state = None
        if address.postal_code:
            by_code, code_state = zones_for_postal_code(address.country, address.postal_code)
        names.update(by_code)
        if not by_code:
            names.update(_city_zones(address.country, address.subdivision, address.city))
        elif address.subdivision is not None and code_state != address.subdivision.upper():
            names.update(_subdivision_zones(address.country, address.subdivision))
    numbers = {p.number: p.zone for p in consumer.phones}
    if to:
        numbers.setdefault(to, None)
    for number, zone in numbers.items():
        if zone:
            names.add(zone)
        else:
            names.update(_phone_zones(number))
    return sorted(names)


def decide_parts(
    consumer: Consumer,
    debt_ids: Sequence[str],
    to: str | None,
    at: dt.datetime,
    history: Sequence[ContactRecord],
    presorted: bool = False,
) -> tuple[bool, tuple[str, ...]]:
    names = candidate_zones(consumer, to)
    if not names:
        return False, (NO_ZONE,)
    zones = [_zone(name) for name in names]
    if None in zones:
        return False, (UNKNOWN_ZONE,)
    local = [at.astimezone(zone) for zone in zones]
    denied: list[str] = []

    for t in local:
        seconds = t.hour * 3600 + t.minute * 60 + t.second
        if not OPENS <= seconds < CLOSES:
            denied.append(HOURS)
            break

    flags = consumer.flags
    if flags.cease_debt_ids and any(d in flags.cease_debt_ids for d in debt_ids):
        denied.append(CEASE)
    if flags.attorney_debt_ids and any(d in flags.attorney_debt_ids for d in debt_ids):
        denied.append(ATTORNEY)

    # Instants compared in UTC: comparing datetimes whose tzinfo differ asks each for its
    # offset, and the records are usually stored in UTC.
    since = min(
        dt.datetime.combine(t.date() - _BACK, _MIDNIGHT, tzinfo=zone)
        for t, zone in zip(local, zones, strict=True)
    ).astimezone(_UTC)
    at = at.astimezone(_UTC)
    if presorted:  # the caller guarantees oldest-first order: look at the window only
        history = history[bisect_left(history, since, key=_AT) : bisect_left(history, at, key=_AT)]
    counts = dict.fromkeys(debt_ids, 0)
    talked = False
    for record in history:
        when = record.at
        if when < since or when >= at:
            continue
        if record.channel is not _CALL or record.recipient is not _CONSUMER:
            continue
        about = [d for d in record.debt_ids if d in counts]
        if not about:
            continue
        outcome = record.outcome
        if record.initiated_by is _COLLECTOR and outcome is not _NOT_CONNECTED:
            for d in about:
                counts[d] += 1
        if outcome in _TALKED:
            talked = True
    if max(counts.values()) >= MAX_CALLS:
        denied.append(CALLS_7IN7)
    if talked:
        denied.append(COOLDOWN)

    for t in local:
        day = t.date()
        if day in _holidays(day.year):
            denied.append(HOLIDAY)
            break

    return not denied, tuple(denied)


class Floor:
    """Nothing to build: the rules are the code. History in any order, as contactrules takes it."""

    name = "hand-written Python (floor)"
    presorted = False

    def decide(
        self, contact: Contact, history: Sequence[ContactRecord]
    ) -> tuple[bool, tuple[str, ...]]:
        return decide_parts(
            contact.consumer, contact.debt_ids, contact.to, contact.at, history, self.presorted
        )

    def decide_account(
        self,
        consumer: Consumer,
        debt_ids: Sequence[str],
        to: str | None,
        at: dt.datetime,
        history: Sequence[ContactRecord],
    ) -> tuple[bool, tuple[str, ...]]:
        return decide_parts(consumer, debt_ids, to, at, history, self.presorted)


class SortedFloor(Floor):
    """The floor when the caller guarantees the history is oldest first (two bisections find
    the seven-day window, and only its records are read). Not the contract contactrules
    offers (it accepts any order), so shown for information only."""

    name = "hand-written Python, history known sorted"
    presorted = True


def build() -> Floor:
    return Floor()


def build_sorted() -> SortedFloor:
    return SortedFloor()
