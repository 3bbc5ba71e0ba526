"""Cases for the scaling runs: longer histories, more candidate zones, bundled stacks.

Each function is deterministic (seeded ``random.Random``, no set or hash order) and returns
validated :class:`~workload.Case` objects built before any timing, as :func:`workload.generate`
does.

- :func:`history_cases`: one Boston consumer (one zone, two debts), ``records`` calls over the
  previous 30 days, one in ten at exactly the instant of an earlier one (ties). *Allowed*: a
  weekday between 09:00 and 20:00, the records about the call's debt all busy signals (never
  counted), those about the other debt with any outcome; *denied*: the same consumer called at
  night (07:00–07:59 or 21:00–22:59) with the mixed outcomes of the workload, so that longer
  histories also trip the 7-in-7 limit and the cooldown and ``next_allowed_at`` has more to
  look at.
- :func:`with_zones`: the workload's cases with the consumer given exactly these candidate zones
  (``Consumer.zones`` and the called number's ``Phone.zone``), as for a consumer with phones
  from several area codes.
- :func:`at_place`: the workload's cases with the consumer living in a given city (address and
  local number), the calls placed by hand (``dial_method="manual"``: the TCPA ruleset in the
  bundled US stack denies a call whose dialer is not stated).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from contactrules import (
    Address,
    Consumer,
    Contact,
    ContactRecord,
    Debt,
    DialMethod,
    Phone,
)
from contactrules.models import Channel, Initiator, Outcome, PhoneType

from .generate import OUTCOME_WEIGHTS, OUTCOMES, Case

__all__ = ["ZONE_SETS", "at_place", "history_cases", "iter_history_cases", "with_zones"]

UTC = dt.timezone.utc
EASTERN = ZoneInfo("America/New_York")
BOSTON_NUMBER = "+16175550123"
#: Tuesday 14 July 2026 to Friday 17 July: no holiday, no change of clocks.
SCALING_DAYS = tuple(dt.date(2026, 7, 14) + dt.timedelta(days=k) for k in range(4))
HISTORY_SPAN_DAYS = 30
TIE_SHARE = 0.1

#: Candidate zones of 1, 2, 4 and 7: a consumer with numbers from several area codes.
ZONE_SETS: dict[int, tuple[str, ...]] = {
    1: ("America/New_York",),
    2: ("America/Chicago", "America/New_York"),
    4: ("America/Chicago", "America/Denver", "America/Los_Angeles", "America/New_York"),
    7: (
        "America/Anchorage",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/New_York",
        "America/Phoenix",
        "Pacific/Honolulu",
    ),
}


def _boston(index: int) -> Consumer:
    return Consumer(
        id=f"C-SCALE-{index:04d}",
        addresses=[Address(country="US", subdivision="MA", city="Boston")],
        phones=[Phone(number=BOSTON_NUMBER, type=PhoneType.MOBILE)],
        debts=[Debt(id="D1"), Debt(id="D2")],
    )


def history_cases(records: int, count: int, *, denied: bool, seed: int = 5) -> list[Case]:
    """``count`` calls to one-zone consumers with ``records`` history records each."""
    return list(iter_history_cases(records, count, denied=denied, seed=seed))


def iter_history_cases(records: int, count: int, *, denied: bool, seed: int = 5) -> Iterator[Case]:
    """:func:`history_cases` one at a time (a memory run keeps only what it converts)."""
    rng = random.Random(seed * 1_000_003 + records * 2 + int(denied))
    for index in range(count):
        day = SCALING_DAYS[index % len(SCALING_DAYS)]
        hour = rng.choice((7, 21, 22)) if denied else rng.randrange(9, 20)
        local = dt.datetime.combine(
            day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=EASTERN
        )
        consumer = _boston(index)
        contact = Contact(
            channel=Channel.CALL,
            at=local,
            consumer=consumer,
            debt_ids=["D1"],
            to=BOSTON_NUMBER,
        )
        history: list[ContactRecord] = []
        instants: list[dt.datetime] = []
        for _ in range(records):
            if instants and rng.random() < TIE_SHARE:
                when = rng.choice(instants)
            else:
                when = local - dt.timedelta(seconds=rng.randrange(1, HISTORY_SPAN_DAYS * 86400))
                when = when.astimezone(UTC)
                instants.append(when)
            debt = rng.choice(("D1", "D2"))
            outcome = rng.choices(OUTCOMES, weights=OUTCOME_WEIGHTS)[0]
            if not denied and debt == "D1":
                outcome = Outcome.NOT_CONNECTED
            history.append(
                ContactRecord(
                    channel=Channel.CALL,
                    at=when,
                    debt_ids=[debt],
                    outcome=outcome,
                    initiated_by=Initiator.COLLECTOR,
                    to=BOSTON_NUMBER,
                )
            )
        history.sort(key=lambda r: r.at)
        yield Case(index=index, contact=contact, history=tuple(history))


def with_zones(cases: Sequence[Case], zones: Sequence[str]) -> list[Case]:
    """The cases with each consumer's candidate zones replaced by exactly ``zones``."""
    out = []
    for case in cases:
        contact = case.contact
        old = contact.consumer
        to = contact.to or old.phones[0].number
        consumer = Consumer(
            id=old.id,
            phones=[Phone(number=to, type=PhoneType.MOBILE, zone=zones[0])],
            zones=list(zones),
            debts=old.debts,
            flags=old.flags,
        )
        out.append(
            Case(case.index, contact.model_copy(update={"consumer": consumer}), case.history)
        )
    return out


def at_place(cases: Sequence[Case], subdivision: str, city: str, number: str) -> list[Case]:
    """The cases with each consumer living in ``city`` and called, by hand, on ``number``."""
    out = []
    for case in cases:
        contact = case.contact
        old = contact.consumer
        consumer = Consumer(
            id=old.id,
            addresses=[Address(country="US", subdivision=subdivision, city=city)],
            phones=[Phone(number=number, type=PhoneType.MOBILE)],
            debts=old.debts,
            flags=old.flags,
        )
        placed = Contact(
            channel=Channel.CALL,
            at=contact.at,
            consumer=consumer,
            debt_ids=contact.debt_ids,
            to=number,
            dial_method=DialMethod.MANUAL,
        )
        history = tuple(r.model_copy(update={"to": number}) for r in case.history)
        out.append(Case(case.index, placed, history))
    return out
