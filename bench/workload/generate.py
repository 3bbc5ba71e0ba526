"""A deterministic generator of proposed phone calls and their histories.

``generate(n, seed)`` returns ``n`` cases, each a validated :class:`contactrules.Contact` (a
collection call to the consumer) and a tuple of past :class:`contactrules.ContactRecord`, built
once before anything is timed, as a dialer holding validated objects would.

What varies, all from one seeded ``random.Random`` (no set or hash order is ever used, so the
same ``n`` and ``seed`` give the same cases on every machine and Python run):

- **where the consumer may be**: a home address in one of twelve US states, including
  states with two zones (Texas, Florida) and non-US-mainland ones (Alaska, Hawaii) and Arizona
  (no daylight saving time); one consumer in five has a mobile number from another state
  (moved, kept the number), one in three a second (home) number, so many consumers have
  several candidate zones (the run prints how many). The decisions use the library's zone tables
  (``contactrules.location.zones``); the generator uses its own fixed table only to place instants;
- **debts and flags**: 1–3 debts, the call about one (sometimes two) of them; about 4 % of
  consumers asked in writing to cease about a debt and 4 % have an attorney for one;
- **history**: 0–60 call records over the ten days before the proposed call, about random
  debts of the consumer, with outcomes not connected / no answer / voicemail / conversation /
  pending, some started by the consumer;
- **when**: instants over the week of Wednesday 1 July 2026 (US Eastern) to Tuesday 7 July,
  which holds Independence Day (Saturday 4 July) and its observed day (Friday 3 July):
  60 % between 07:00 and 22:00 Central time, 28 % anywhere (nights included) and 12 % exactly
  on an edge of the 08:00–21:00 window (07:59:59, 08:00:00, 20:59:59, 21:00:00) in one of the
  consumer's zones; the instant carries UTC, US Eastern or the consumer's own zone.

With the default seed about a quarter of the 2,000 calls are allowed; the others are denied by
the 7-in-7 limit, hours, the holidays, the cooldown, cease and attorney, often several at once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from contactrules import (
    Account,
    Address,
    Consumer,
    ConsumerFlags,
    Contact,
    ContactRecord,
    Debt,
    DialMethod,
    Phone,
)
from contactrules.location.zones import zones_for_phone, zones_for_subdivision
from contactrules.models import Channel, Initiator, Outcome, PhoneType

__all__ = [
    "SCREEN_AT",
    "WEEK_START",
    "Case",
    "boston_case",
    "generate",
    "screening_accounts",
    "summary",
]

UTC = dt.timezone.utc
EASTERN = ZoneInfo("America/New_York")
CENTRAL = ZoneInfo("America/Chicago")
WEEK_START = dt.datetime(2026, 7, 1, 0, 0, tzinfo=EASTERN)  # Wednesday
WEEK_DAYS = 7
HISTORY_DAYS = 10
MAX_HISTORY = 60
# The screening instant: the Wednesday after the week, 13:00 Eastern (07:00 in Hawaii).
SCREEN_AT = dt.datetime(2026, 7, 8, 13, 0, tzinfo=EASTERN)

# state, city, area codes of numbers in that state
STATES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("MA", "Boston", ("617", "508")),
    ("NY", "Albany", ("518", "212")),
    ("CA", "Los Angeles", ("213", "415")),
    ("IL", "Chicago", ("312", "217")),
    ("TX", "Houston", ("713", "915")),
    ("FL", "Miami", ("305", "850")),
    ("PA", "Philadelphia", ("215",)),
    ("AZ", "Phoenix", ("602",)),
    ("AK", "Anchorage", ("907",)),
    ("HI", "Honolulu", ("808",)),
    ("CO", "Denver", ("720",)),
    ("WA", "Seattle", ("206",)),
)
# Where the generator puts edge-of-window instants: a fixed table of its own, so that the cases
# stay the same when the library's zone tables change (the deciding is done with the library's).
_NY, _CHI, _DEN, _PHX, _LA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)
STATE_ZONES = {
    "MA": (_NY,),
    "NY": (_NY,),
    "CA": (_LA,),
    "IL": (_CHI,),
    "TX": (_CHI, _DEN),
    "FL": (_NY, _CHI),
    "PA": (_NY,),
    "AZ": (_PHX,),
    "AK": ("America/Anchorage",),
    "HI": ("Pacific/Honolulu",),
    "CO": (_DEN,),
    "WA": (_LA,),
}
AREA_ZONES = {
    "617": _NY, "508": _NY, "518": _NY, "212": _NY, "213": _LA, "415": _LA, "312": _CHI,
    "217": _CHI, "713": _CHI, "915": _DEN, "305": _NY, "850": _CHI, "215": _NY, "602": _PHX,
    "907": "America/Anchorage", "808": "Pacific/Honolulu", "720": _DEN, "206": _LA,
}  # fmt: skip
STATE_WEIGHTS = (10, 10, 12, 8, 12, 12, 8, 5, 3, 3, 5, 5)

OUTCOMES = (
    Outcome.NOT_CONNECTED,
    Outcome.NO_ANSWER,
    Outcome.VOICEMAIL,
    Outcome.CONVERSATION,
    Outcome.PENDING,
)
OUTCOME_WEIGHTS = (50, 30, 18, 1.0, 0.5)
EDGE_TIMES = ((7, 59, 59), (8, 0, 0), (20, 59, 59), (21, 0, 0))


@dataclass(frozen=True)
class Case:
    """One proposed call and the records before it."""

    index: int
    contact: Contact
    history: tuple[ContactRecord, ...]


def _number(rng: random.Random, area: str) -> str:
    # 555-01XX numbers are reserved for fiction.
    return f"+1{area}55501{rng.randrange(100):02d}"


def _edge_zones(consumer: Consumer) -> list[str]:
    """Zones to put edge-of-window instants in (the generator's own table, see STATE_ZONES)."""
    names = {z for a in consumer.addresses for z in STATE_ZONES[a.subdivision or ""]}
    names.update(AREA_ZONES[p.number[2:5]] for p in consumer.phones)
    return sorted(names)


def _library_zones(consumer: Consumer) -> list[str]:
    """The candidate zones by the library's tables (what the decisions use; for the summary)."""
    names: list[str] = []
    for address in consumer.addresses:
        names.extend(zones_for_subdivision(address.country, address.subdivision))
    for phone in consumer.phones:
        names.extend(zones_for_phone(phone.number))
    return sorted(dict.fromkeys(names))


def _consumer(rng: random.Random, index: int) -> Consumer:
    state, city, areas = rng.choices(STATES, weights=STATE_WEIGHTS)[0]
    home_areas = areas
    if rng.random() < 0.2:  # moved, kept the mobile number of another state
        home_areas = rng.choice(STATES)[2]
    phones = [Phone(number=_number(rng, rng.choice(home_areas)), type=PhoneType.MOBILE)]
    if rng.random() < 0.33:
        phones.append(Phone(number=_number(rng, rng.choice(areas)), type=PhoneType.HOME))
    debts = [Debt(id=f"D{k}") for k in range(1, rng.randint(1, 3) + 1)]
    cease = [rng.choice(debts).id] if rng.random() < 0.04 else []
    attorney = [rng.choice(debts).id] if rng.random() < 0.04 else []
    return Consumer(
        id=f"C-{index:06d}",
        addresses=[Address(country="US", subdivision=state, city=city)],
        phones=phones,
        debts=debts,
        flags=ConsumerFlags(cease_debt_ids=cease, attorney_debt_ids=attorney),
    )


def _instant(rng: random.Random, zones: list[str]) -> dt.datetime:
    day = WEEK_START.date() + dt.timedelta(days=rng.randrange(WEEK_DAYS))
    roll = rng.random()
    if roll < 0.6:  # daytime-ish, Central time
        seconds = rng.randrange(7 * 3600, 22 * 3600)
        local = dt.datetime.combine(day, dt.time(0), tzinfo=CENTRAL) + dt.timedelta(seconds=seconds)
    elif roll < 0.88:  # anywhere in the week, nights included
        local = WEEK_START + dt.timedelta(seconds=rng.randrange(WEEK_DAYS * 86400))
    else:  # exactly on an edge of the window in one of the consumer's zones
        hour, minute, second = rng.choice(EDGE_TIMES)
        local = dt.datetime.combine(
            day, dt.time(hour, minute, second), tzinfo=ZoneInfo(rng.choice(zones))
        )
    shown = rng.choice((UTC, EASTERN, ZoneInfo(zones[0])))
    return local.astimezone(shown)


def _history(
    rng: random.Random,
    consumer: Consumer,
    at: dt.datetime,
    to: str,
    size: int,
    only: Outcome | None = None,
) -> tuple[ContactRecord, ...]:
    debt_ids = [d.id for d in consumer.debts]
    records = []
    for _ in range(size):
        when = at - dt.timedelta(seconds=rng.randrange(1, HISTORY_DAYS * 86400))
        about = [rng.choice(debt_ids)]
        if len(debt_ids) > 1 and rng.random() < 0.1:
            about = sorted(rng.sample(debt_ids, 2))
        if rng.random() < 0.05:  # the consumer called in
            initiator = Initiator.CONSUMER
            outcome = Outcome.CONVERSATION if rng.random() < 0.2 else Outcome.NO_ANSWER
        else:
            initiator = Initiator.COLLECTOR
            outcome = rng.choices(OUTCOMES, weights=OUTCOME_WEIGHTS)[0]
        if only is not None:
            initiator, outcome = Initiator.COLLECTOR, only
        records.append(
            ContactRecord(
                channel=Channel.CALL,
                at=when.astimezone(UTC),
                debt_ids=about,
                outcome=outcome,
                initiated_by=initiator,
                to=to,
            )
        )
    records.sort(key=lambda r: r.at)
    return tuple(records)


def generate(n: int = 2000, seed: int = 20260701) -> list[Case]:
    """``n`` cases, the same for the same ``n`` and ``seed``."""
    rng = random.Random(seed)
    cases = []
    for index in range(n):
        consumer = _consumer(rng, index)
        at = _instant(rng, _edge_zones(consumer))
        to = consumer.phones[0].number if rng.random() < 0.85 else consumer.phones[-1].number
        about = [rng.choice(consumer.debts).id]
        if len(consumer.debts) > 1 and rng.random() < 0.15:
            about = sorted(rng.sample([d.id for d in consumer.debts], 2))
        contact = Contact(channel=Channel.CALL, at=at, consumer=consumer, debt_ids=about, to=to)
        history = _history(rng, consumer, at, to, rng.randint(0, MAX_HISTORY))
        cases.append(Case(index=index, contact=contact, history=history))
    return cases


def screening_accounts(cases: list[Case]) -> list[Account]:
    """The same consumers as screening accounts, for one instant (:data:`SCREEN_AT`)."""
    return [
        Account(
            consumer=c.contact.consumer,
            debt_ids=tuple(c.contact.debt_ids),
            history=c.history,
            to=c.contact.to,
        )
        for c in cases
    ]


def boston_case(records: int = 50, seed: int = 2, *, busy_only: bool = False) -> Case:
    """A Boston, Massachusetts consumer (federal + Massachusetts stack) with ``records`` calls
    over the previous ten days, called by hand (``dial_method="manual"``: the bundled TCPA
    ruleset denies a call whose dialer is not stated) on Thursday 2 July 2026 at 14:00 Eastern.

    With the default mix of outcomes the call is denied (call limits, cooldown); with
    ``busy_only`` every record is a busy signal (``not_connected``, never counted) and the
    call is allowed."""
    rng = random.Random(seed)
    consumer = Consumer(
        id="C-BOSTON",
        addresses=[Address(country="US", subdivision="MA", city="Boston")],
        phones=[Phone(number="+16175550123", type=PhoneType.MOBILE)],
        debts=[Debt(id="D1"), Debt(id="D2")],
    )
    at = dt.datetime(2026, 7, 2, 14, 0, tzinfo=EASTERN)
    contact = Contact(
        channel=Channel.CALL,
        at=at,
        consumer=consumer,
        debt_ids=["D1"],
        to="+16175550123",
        dial_method=DialMethod.MANUAL,
    )
    only = Outcome.NOT_CONNECTED if busy_only else None
    return Case(-1, contact, _history(rng, consumer, at, "+16175550123", records, only))


def summary(cases: list[Case]) -> dict[str, object]:
    """What the generated workload contains (printed with the results)."""
    zones = Counter(len(_library_zones(c.contact.consumer)) for c in cases)
    holiday_days = {dt.date(2026, 7, 3), dt.date(2026, 7, 4)}
    on_holiday = sum(c.contact.at.astimezone(EASTERN).date() in holiday_days for c in cases)
    sizes = [len(c.history) for c in cases]
    return {
        "cases": len(cases),
        "multi_zone": sum(v for k, v in zones.items() if k > 1),
        "on_holiday_eastern": on_holiday,
        "history_mean": round(sum(sizes) / max(1, len(sizes)), 1),
        "history_max": max(sizes, default=0),
        "cease": sum(bool(c.contact.consumer.flags.cease_debt_ids) for c in cases),
        "attorney": sum(bool(c.contact.consumer.flags.attorney_debt_ids) for c in cases),
    }
