"""Seeded (contact, history) cases for the differential test (tests/test_differential.py).

Plain ``random.Random`` rather than hypothesis: a hundred thousand cases must be cheap to draw,
and a failure must be reproducible from two numbers. Case ``index`` of ``seed`` is drawn from its
own generator, seeded with the text ``"{seed}:{index}"`` (Python hashes a text seed with SHA-512,
the same on every machine and run), so any single case is rebuilt without drawing the ones before
it: ``python3 tests/differential_cases.py SEED INDEX`` prints it and both decisions.

The draws aim at what a shortcut could get wrong, not at realistic books: many candidate zones,
instants on DST-change days and public holidays, histories with records at one instant written
with different offsets, records that name no debt, inbound texts saying STOP, consents that
start, expire or are revoked around the proposed instant. Inputs are built with the library's
models and are mostly valid; a draw the models reject is returned as ``None`` and counted.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from contactrules import (
    Address,
    Bankruptcy,
    Channel,
    CollectorType,
    Consent,
    ConsentScope,
    ConsentSource,
    Consumer,
    ConsumerFlags,
    Contact,
    ContactRecord,
    Debt,
    DialMethod,
    EmailAddress,
    Engine,
    InconvenientTime,
    Initiator,
    Moratorium,
    OptOut,
    Outcome,
    Phone,
    PhoneType,
    Template,
)
from contactrules.decision import Decision
from contactrules.models import (
    EmailAddressSource,
    MoratoriumKind,
    Place,
    Purpose,
    Recipient,
    StayEndReason,
    Weekday,
)

__all__ = [
    "STACKS",
    "Case",
    "canonical",
    "decision_diff",
    "draw_case",
    "history_rows",
]

T = TypeVar("T")
UTC = dt.timezone.utc
YEAR = 2026


@dataclass(frozen=True)
class Region:
    """Where a consumer lives: the stack of rulesets the engine will pick, and its calendar."""

    stack: str
    country: str
    #: (subdivision, city) an address may name; a None city leaves every zone of the state.
    places: tuple[tuple[str, str | None], ...]
    #: Country code and area of landlines (and US/Canadian mobiles): "+1215", "+612".
    areas: tuple[str, ...]
    #: Prefixes of mobile numbers the phone tables cannot place (AU 04, GB 07); empty: none.
    mobiles: tuple[str, ...]
    #: The zones instants are placed in (the generator's own; the decisions use the library's).
    zones: tuple[str, ...]
    holidays: tuple[dt.date, ...]


def _days(*month_days: tuple[int, int]) -> tuple[dt.date, ...]:
    return tuple(dt.date(YEAR, m, d) for m, d in month_days)


# 2026 public holidays. US: 5 U.S.C. 6103 (Independence Day falls on a Saturday, observed Friday
# 3 July). Ontario: Legislation Act, 2006, s. 88 (Easter is 5 April; Boxing Day falls on a
# Saturday). Australia: the days that are holidays in every state and territory. England and
# Wales: the bank holidays (Boxing Day substitute on Monday 28 December).
US_HOLIDAYS = _days(
    (1, 1), (1, 19), (2, 16), (5, 25), (6, 19), (7, 3), (7, 4), (9, 7), (10, 12), (11, 11),
    (11, 26), (12, 25),
)  # fmt: skip
ON_HOLIDAYS = _days(
    (1, 1), (2, 16), (4, 3), (4, 6), (5, 18), (7, 1), (8, 3), (9, 7), (10, 12), (11, 11),
    (12, 25), (12, 26), (12, 28),
)  # fmt: skip
AU_HOLIDAYS = _days((1, 1), (1, 26), (4, 3), (4, 4), (4, 6), (4, 25), (12, 25), (12, 26), (12, 28))
GB_HOLIDAYS = _days((1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28))

_NY, _CHI, _DEN, _LA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)

REGIONS: tuple[Region, ...] = (
    Region("us-pa", "US", (("PA", "Philadelphia"), ("PA", "Pittsburgh")), ("+1215", "+1412"), (),
           (_NY,), US_HOLIDAYS),
    Region("us-ma-boston", "US", (("MA", "Boston"),), ("+1617", "+1857"), (), (_NY,), US_HOLIDAYS),
    Region("us-ny-nyc", "US", (("NY", "New York"), ("NY", "Brooklyn"), ("NY", "Queens")),
           ("+1212", "+1718", "+1347"), (), (_NY,), US_HOLIDAYS),
    Region("us-ca", "US", (("CA", "Los Angeles"), ("CA", "San Francisco")), ("+1213", "+1415"),
           (), (_LA,), US_HOLIDAYS),
    Region("us-tx", "US", (("TX", "Houston"), ("TX", "El Paso"), ("TX", None)),
           ("+1713", "+1915"), (), (_CHI, _DEN), US_HOLIDAYS),
    Region("us-fl", "US", (("FL", "Miami"), ("FL", "Pensacola"), ("FL", None)),
           ("+1305", "+1850"), (), (_NY, _CHI), US_HOLIDAYS),
    Region("us-wa", "US", (("WA", "Seattle"),), ("+1206",), (), (_LA,), US_HOLIDAYS),
    Region("us-co", "US", (("CO", "Denver"),), ("+1720", "+1303"), (), (_DEN,), US_HOLIDAYS),
    Region("ca-on", "CA", (("ON", "Toronto"), ("ON", "Ottawa"), ("ON", None)),
           ("+1416", "+1613", "+1807"), (), ("America/Toronto", "America/Winnipeg"), ON_HOLIDAYS),
    Region("au", "AU", (("NSW", "Sydney"), ("VIC", "Melbourne"), ("QLD", "Brisbane"),
                        ("WA", "Perth"), ("SA", "Adelaide")),
           ("+612", "+613", "+617", "+618"), ("+614",),
           ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth",
            "Australia/Adelaide"), AU_HOLIDAYS),
    Region("gb", "GB", (("ENG", "London"), ("WLS", "Cardiff"), ("SCT", "Edinburgh")),
           ("+4420", "+4429", "+44131"), ("+447",), ("Europe/London",), GB_HOLIDAYS),
)  # fmt: skip
STACKS = tuple(r.stack for r in REGIONS)
REGION_WEIGHTS = (9, 10, 11, 9, 10, 10, 8, 8, 9, 8, 8)

# Explicit zones a consumer or a phone may carry, the odd ones included (half-hour offsets, a
# zone with no DST, one whose DST shifts by 30 minutes).
EXPLICIT_ZONES = (
    _NY, _CHI, _DEN, _LA, "America/Phoenix", "America/Anchorage", "Pacific/Honolulu",
    "America/St_Johns", "America/Halifax", "America/Toronto", "Europe/London", "Europe/Dublin",
    "Australia/Sydney", "Australia/Lord_Howe", "Australia/Adelaide", "Asia/Kolkata", "UTC",
)  # fmt: skip
# How an instant is written: the zone it was placed in, UTC, a fixed offset, or another zone.
SHOWN_ZONES = (_NY, _LA, "Europe/London", "Australia/Sydney", "Asia/Kolkata")
DEBT_IDS = ("D1", "D2", "D3")
THIRD_PARTIES = ("TP-1", "TP-2")
EDGE_TIMES = (
    (7, 59, 59), (8, 0, 0), (8, 0, 1), (20, 59, 59), (21, 0, 0), (9, 0, 0), (17, 0, 0),
    (19, 59, 59), (20, 0, 0), (12, 0, 0), (13, 0, 0), (0, 0, 0), (23, 59, 59),
)  # fmt: skip
# Local times around a DST change (02:00 is skipped in spring and repeated in autumn in the US).
DST_TIMES = ((0, 30, 0), (1, 0, 0), (1, 30, 0), (1, 59, 59), (2, 0, 0), (2, 30, 0), (3, 0, 0))

MIRANDA = (
    "This is Jordan from Acme Recovery. This is an attempt to collect a debt and any information "
    "obtained will be used for that purpose. This communication is from a debt collector."
)
COMPLIANT = MIRANDA + " This call may be recorded. Reply STOP to opt out."
TEMPLATE_TEXTS = (
    "",
    MIRANDA,
    COMPLIANT,
    MIRANDA + " This call may be recorded for quality. To stop emails, reply unsubscribe.",
    "Hello, this is Jordan. Please call us back at 800-555-0199. Reply STOP to opt out.",
    "This is Jordan calling for Sam. Please return my call at 8005550199.",
    "Pay now or we will sue you and garnish your wages. " + MIRANDA,
    "Your payment of $50 is due on Friday. Text STOP to opt out. " + MIRANDA,
    "You have a right to dispute this debt. Call 800-555-0199. Reply STOP to opt out.",
)
INBOUND_TEXTS = ("STOP", "stop", "Stop please", "UNSUBSCRIBE", "yes", "call me tomorrow", "")


@dataclass(frozen=True)
class Case:
    """One drawn contact and its history, with what the draw aimed at (for the distribution)."""

    seed: int
    index: int
    stack: str
    contact: Contact
    history: tuple[ContactRecord, ...]
    #: e.g. "dst", "holiday", "tie", "tie-offsets", "at-instant", "future", "no-debt-record",
    #: "stop", "no-address", "bankruptcy", "deceased", "moratorium", "invalid-history".
    tags: frozenset[str]


def draw_case(seed: int, index: int) -> Case | None:
    """Case ``index`` of ``seed``, or None when the models reject the draw (counted as skipped)."""
    rng = random.Random(f"{seed}:{index}")
    try:
        return _Draw(rng, seed, index).case()
    except ValidationError:
        return None


def history_rows(history: Sequence[ContactRecord]) -> list[dict[str, Any]]:
    """The history as plain rows, the way a caller reading JSON would hand it over."""
    rows: list[dict[str, Any]] = [json.loads(r.model_dump_json()) for r in history]
    return rows


# --- comparing decisions -------------------------------------------------------------------
def _plain(value: object) -> object:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return repr(value)


def canonical(decision: Decision) -> dict[str, Any]:
    """The whole decision as JSON values: instants keep their written offset, so two decisions
    naming the same instant in different offsets differ (a caller would see the difference)."""
    shown: dict[str, Any] = json.loads(json.dumps(decision.as_dict(), default=_plain))
    return shown


def _short(value: object, limit: int = 400) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decision_diff(expected: Decision, got: Decision) -> list[str]:
    """One line per field that differs (per entry for reasons, warnings and grounds)."""
    left, right = canonical(expected), canonical(got)
    lines: list[str] = []
    for key in left.keys() | right.keys():
        a, b = left.get(key), right.get(key)
        if a == b:
            continue
        if (
            isinstance(a, list)
            and isinstance(b, list)
            and key in ("reasons", "warnings", "grounds")
        ):
            if len(a) != len(b):
                lines.append(
                    f"{key}: {len(a)} vs {len(b)} entries: "
                    f"{[e.get('rule_id') for e in a]} vs {[e.get('rule_id') for e in b]}"
                )
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                for field in sorted(x.keys() | y.keys()):
                    if x.get(field) != y.get(field):
                        lines.append(
                            f"{key}[{i}].{field}: {_short(x.get(field))} vs {_short(y.get(field))}"
                        )
        else:
            lines.append(f"{key}: {_short(a)} vs {_short(b)}")
    return sorted(lines)


# --- drawing -------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=64)
def dst_days(zone_name: str) -> tuple[dt.date, ...]:
    """The days of the year on which the zone's offset changes (none for a zone without DST)."""
    tz = _zone(zone_name)
    found = []
    day = dt.date(YEAR, 1, 1)
    while day.year == YEAR:
        start = dt.datetime.combine(day, dt.time(0), tzinfo=tz).utcoffset()
        end = dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz).utcoffset()
        if start != end:
            found.append(day)
        day += dt.timedelta(days=1)
    return tuple(found)


class _Draw:
    """Draws one case; every choice comes from ``rng`` in a fixed order."""

    def __init__(self, rng: random.Random, seed: int, index: int) -> None:
        self.rng = rng
        self.seed = seed
        self.index = index
        self.tags: set[str] = set()
        #: A well-formed contact (compliant script, no disputes or flags, mostly dialled by
        #: hand): denied mostly by hours, caps and cooldowns, so the next allowed time is
        #: searched for, which is where shortcuts skip the most.
        self.clean = False

    # small helpers
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def some(self, options: Sequence[T], most: int) -> list[T]:
        return self.rng.sample(list(options), self.rng.randint(1, min(most, len(options))))

    def number(self, prefix: str) -> str:
        if prefix.startswith("+1"):
            return f"{prefix}55501{self.rng.randrange(100):02d}"
        if prefix == "+614":
            return f"+614915701{self.rng.randrange(100):02d}"
        if prefix == "+447":
            return f"+4477009001{self.rng.randrange(100):02d}"
        if prefix.startswith("+61"):
            return f"{prefix}55501{self.rng.randrange(100):03d}"
        tails = {"+4420": "79460", "+4429": "20180", "+44131": "4960"}
        return f"{prefix}{tails[prefix]}{self.rng.randrange(1000):03d}"

    # --- when ------------------------------------------------------------------------------
    def day(self, region: Region, zone: str) -> dt.date:
        roll = self.rng.random()
        changes = dst_days(zone)
        if roll < 0.3 and changes:
            day = self.pick(changes)
            if self.chance(0.2):
                day += dt.timedelta(days=self.pick((-1, 1)))
            else:
                self.tags.add("dst")
            return day
        if roll < 0.5:
            day = self.pick(region.holidays)
            if self.chance(0.2):
                day += dt.timedelta(days=self.pick((-1, 1)))
            else:
                self.tags.add("holiday")
            return day
        return dt.date(YEAR, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def local_time(self) -> dt.time:
        roll = self.rng.random()
        if roll < 0.45:
            s = self.rng.randrange(8 * 3600, 21 * 3600)
        elif roll < 0.65:
            return dt.time(*self.pick(EDGE_TIMES))
        elif roll < 0.75 and "dst" in self.tags:
            return dt.time(*self.pick(DST_TIMES))
        elif roll < 0.85:
            s = self.rng.randrange(24) * 3600 + self.pick((0, 0, 1800))
        else:
            s = self.rng.randrange(86400)
        return dt.time(s // 3600, s // 60 % 60, s % 60)

    def shown(self, instant: dt.datetime, placed: str) -> dt.datetime:
        """The same instant written in one of several zones or offsets."""
        roll = self.rng.random()
        if roll < 0.35:
            return instant.astimezone(_zone(placed))
        if roll < 0.55:
            return instant.astimezone(UTC)
        if roll < 0.75:
            offset = instant.astimezone(_zone(placed)).utcoffset() or dt.timedelta(0)
            return instant.astimezone(dt.timezone(offset))
        return instant.astimezone(_zone(self.pick(SHOWN_ZONES)))

    def instant(self, region: Region, zones: Sequence[str]) -> dt.datetime:
        placed = self.pick(zones)
        day = self.day(region, placed)
        local = dt.datetime.combine(day, self.local_time(), tzinfo=_zone(placed))
        local = local.replace(fold=self.rng.randrange(2))
        return self.shown(local.astimezone(UTC), placed)

    # --- who -------------------------------------------------------------------------------
    def debts(self, at: dt.datetime) -> list[Debt]:
        out = []
        for debt_id in DEBT_IDS[: self.rng.randint(1, 3)]:
            fields: dict[str, Any] = {"id": debt_id}
            if self.clean:
                out.append(Debt(**fields))
                continue
            if self.chance(0.1):
                fields["time_barred"] = True
            if self.chance(0.05):
                fields["dispute_pending_verification"] = True
            if self.chance(0.3):
                fields["incurred_on"] = at.date() - dt.timedelta(days=self.rng.randrange(30, 2000))
            if self.chance(0.3):
                fields["creditor"] = self.pick(("Bank A", "Bank B"))
            if self.chance(0.05):
                fields["particular_debt"] = "LOAN-1"
            if self.chance(0.05):
                fields["payment_arrangement_kept"] = True
            if self.chance(0.15):
                fields["validation_notice_at"] = self.around(at, 60)
            if self.chance(0.1):
                fields["initial_communication_at"] = self.around(at, 60)
            if self.chance(0.06):
                fields["disputed_at"] = self.around(at, 40)
                fields["dispute_in_writing"] = self.chance(0.7)
                if self.chance(0.5):
                    fields["verification_sent_at"] = self.around(at, 20)
            out.append(Debt(**fields))
        return out

    def around(self, at: dt.datetime, days: int) -> dt.datetime:
        """An instant within ``days`` days of ``at``, mostly before it, on the hour sometimes."""
        seconds = self.rng.randrange(-days * 86400, days * 86400 // 4)
        if self.chance(0.4):
            seconds -= seconds % 3600
        return (at + dt.timedelta(seconds=seconds)).astimezone(UTC)

    def flags(self, debts: list[str], phones: list[str], emails: list[str]) -> ConsumerFlags:
        if self.chance(0.9 if self.clean else 0.6):
            return ConsumerFlags()
        fields: dict[str, Any] = {}
        if self.chance(0.2):
            fields["cease_debt_ids"] = self.some(debts, 2)
        if self.chance(0.2):
            fields["attorney_debt_ids"] = self.some(debts, 2)
        if self.chance(0.4):
            opt_outs = []
            for _ in range(self.rng.randint(1, 2)):
                channel = self.pick((Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.VOICEMAIL))
                address = None
                if channel is Channel.EMAIL and emails and self.chance(0.5):
                    address = self.pick(emails)
                elif channel is not Channel.EMAIL and phones and self.chance(0.5):
                    address = self.pick(phones)
                opt_outs.append(OptOut(channel=channel, address=address))
            fields["opt_outs"] = opt_outs
        if self.chance(0.35):
            fields["inconvenient_times"] = [
                InconvenientTime(
                    days=self.some(list(Weekday), 7),
                    start=self.pick(("08:00", "09:30", "12:00", "17:00", "18:00")),
                    end=self.pick(("10:00", "13:00", "19:45", "20:00", "24:00")),
                    channels=self.some((Channel.CALL, Channel.SMS, Channel.EMAIL), 2)
                    if self.chance(0.3)
                    else None,
                )
                for _ in range(self.rng.randint(1, 2))
            ]
        if self.chance(0.15):
            fields["inconvenient_places"] = self.some((Place.WORK, Place.HOME), 1)
        if self.chance(0.1):
            fields["employer_prohibits_contact"] = True
        return ConsumerFlags(**fields)

    def consents(
        self, at: dt.datetime, debts: list[str], phones: list[str], emails: list[str]
    ) -> list[Consent]:
        out: list[Consent] = []
        for number in phones:
            if self.chance(0.45):
                out.append(self.consent(at, ConsentScope.AUTOMATED_CALLS, debts, address=number))
        if self.chance(0.15):
            out.append(
                self.consent(
                    at,
                    ConsentScope.TIME,
                    debts,
                    start=self.pick(("06:00", "07:00", "21:00")),
                    end=self.pick(("08:00", "22:00", "23:00")),
                )
            )
        if self.chance(0.08):
            out.append(self.consent(at, ConsentScope.PLACE, debts, place=self.pick(list(Place))))
        if self.chance(0.1):
            out.append(self.consent(at, ConsentScope.CALL_FREQUENCY, debts))
        if emails and self.chance(0.2):
            out.append(
                self.consent(
                    at,
                    ConsentScope.CHANNEL,
                    debts,
                    channel=Channel.EMAIL,
                    address=self.pick(emails),
                )
            )
        return out

    def consent(
        self, at: dt.datetime, scope: ConsentScope, debts: list[str], **fields: Any
    ) -> Consent:
        granted = self.around(at, 30) if self.chance(0.3) else at - dt.timedelta(days=400)
        if self.chance(0.15):
            fields["revoked_at"] = self.around(at, 10)
        if self.chance(0.1):
            fields["expires_at"] = self.around(at, 5) + dt.timedelta(days=3)
        if self.chance(0.2):
            fields["source"] = self.pick(list(ConsentSource))
        if self.chance(0.15):
            fields["debt_ids"] = self.some(debts, 2)
        return Consent(scope=scope, granted_at=granted, **fields)

    def consumer(self, region: Region, at_day: dt.date) -> tuple[Consumer, list[str]]:
        """The consumer, and the zones to place instants in (the region's, plus explicit ones)."""
        rng = self.rng
        subdivision, city = self.pick(region.places)
        addresses = []
        if self.chance(0.04):
            self.tags.add("no-address")
        else:
            addresses.append(
                Address(
                    country=region.country,
                    subdivision=subdivision,
                    city=city,
                    zone=self.pick(EXPLICIT_ZONES) if self.chance(0.04) else None,
                )
            )
            if self.chance(0.05):  # a second address in the same state, say a work address
                other_sub, other_city = self.pick([p for p in region.places if p[0] == subdivision])
                addresses.append(
                    Address(country=region.country, subdivision=other_sub, city=other_city)
                )
        phones: list[Phone] = []
        for k in range(rng.randint(0 if addresses else 1, 3)):
            prefixes = region.areas + region.mobiles
            if self.chance(0.2):  # moved and kept a number from elsewhere
                prefixes = self.pick(REGIONS).areas
            phones.append(
                Phone(
                    number=self.number(self.pick(prefixes)),
                    type=self.pick((PhoneType.MOBILE, PhoneType.MOBILE, PhoneType.HOME))
                    if k == 0
                    else self.pick(list(PhoneType)),
                    zone=self.pick(EXPLICIT_ZONES) if self.chance(0.06) else None,
                )
            )
        zones = list(region.zones)
        extra = rng.choices((0, 1, 2, 3, 4, 5), weights=(70, 12, 7, 5, 3, 3))[0]
        explicit = rng.sample(EXPLICIT_ZONES, extra)
        zones.extend(explicit)
        if self.chance(0.003):
            explicit.append("Mars/Olympus_Mons")  # an unknown zone: denied in both modes
        zones.extend(p.zone for p in phones if p.zone)
        zones.extend(a.zone for a in addresses if a.zone)
        numbers = list(dict.fromkeys(p.number for p in phones))
        emails = [
            EmailAddress(
                address=f"c{self.index}-{k}@example.{'com' if k == 0 else 'org'}",
                employer_provided=self.chance(0.15),
                source=self.pick(list(EmailAddressSource)),
                notice_sent_at=dt.datetime.combine(at_day, dt.time(12), tzinfo=UTC)
                - dt.timedelta(days=rng.randrange(0, 60))
                if self.chance(0.2)
                else None,
            )
            for k in range(rng.choices((0, 1, 2), weights=(30, 55, 15))[0])
        ]
        email_addresses = [e.address for e in emails]
        noon = dt.datetime.combine(at_day, dt.time(12), tzinfo=UTC)
        debts = self.debts(noon)
        debt_ids = [d.id for d in debts]
        bankruptcies = []
        if region.country == "US" and not self.clean and self.chance(0.04):
            self.tags.add("bankruptcy")
            filed = at_day - dt.timedelta(days=rng.randrange(-10, 200))
            fields: dict[str, Any] = {"filed_on": filed, "chapter": self.pick((7, 13, None))}
            if self.chance(0.3):
                fields["debt_ids"] = self.some(debt_ids, 2)
            if self.chance(0.4):
                fields["stay_ended_on"] = filed + dt.timedelta(days=rng.randrange(-5, 200))
                fields["stay_end_reason"] = self.pick(list(StayEndReason))
            bankruptcies.append(Bankruptcy(**fields))
        moratoria = []
        if not self.clean and self.chance(0.15 if region.country == "GB" else 0.01):
            self.tags.add("moratorium")
            started = at_day - dt.timedelta(days=rng.randrange(-10, 90))
            moratoria.append(
                Moratorium(
                    kind=self.pick(list(MoratoriumKind)),
                    started_on=started,
                    ended_on=started + dt.timedelta(days=rng.randrange(-3, 70))
                    if self.chance(0.4)
                    else None,
                    debt_ids=self.some(debt_ids, 2) if self.chance(0.3) else None,
                )
            )
        deceased = None
        if not self.clean and self.chance(0.02):
            self.tags.add("deceased")
            deceased = at_day - dt.timedelta(days=rng.randrange(-5, 60))
        consumer = Consumer(
            id=f"C-{self.seed}-{self.index}",
            addresses=addresses,
            phones=phones,
            emails=emails,
            zones=explicit,
            language="en" if self.clean else self.pick(("en", "en", "es", "fr", None)),
            debts=debts,
            flags=self.flags(debt_ids, numbers, email_addresses),
            consents=self.consents(noon, debt_ids, numbers, email_addresses),
            bankruptcies=bankruptcies,
            deceased_on=deceased,
            moratoria=moratoria,
        )
        return consumer, zones

    # --- what ------------------------------------------------------------------------------
    def target(self, channel: Channel, consumer: Consumer) -> str | None:
        if self.chance(0.04):
            return None
        if channel in (Channel.CALL, Channel.VOICEMAIL, Channel.SMS):
            if consumer.phones and not self.chance(0.03):
                return self.pick(consumer.phones).number
            return "+12025550100"  # a number that is not the consumer's
        if channel is Channel.EMAIL:
            if consumer.emails and not self.chance(0.05):
                return self.pick(consumer.emails).address
            return "someone@example.net"
        return None

    def template(self, channel: Channel) -> Template | None:
        if self.clean and channel in (Channel.VOICEMAIL, Channel.SMS, Channel.EMAIL):
            return Template(text=COMPLIANT)  # their words must be known (and carry an opt-out)
        if self.chance(0.4):
            return None
        if self.clean:
            return Template(text=COMPLIANT)
        purpose = Purpose.COLLECTION if self.chance(0.6) else self.pick(list(Purpose))
        return Template(
            id=self.pick((None, "T-1", "T-2")),
            language=self.pick(("en", "en", "es")),
            purpose=purpose,
            text=self.pick(TEMPLATE_TEXTS),
        )

    def contact(self, consumer: Consumer, at: dt.datetime) -> Contact:
        channel = self.rng.choices(
            (Channel.CALL, Channel.VOICEMAIL, Channel.SMS, Channel.EMAIL, Channel.LETTER),
            weights=(50, 10, 15, 15, 10),
        )[0]
        recipient = Recipient.CONSUMER
        third_party = None
        roll = 1.0 if self.clean else self.rng.random()
        if roll < 0.04:
            recipient, third_party = Recipient.THIRD_PARTY, self.pick(THIRD_PARTIES)
        elif roll < 0.07 or (consumer.deceased_on is not None and roll < 0.5):
            recipient = Recipient.ESTATE_REPRESENTATIVE
        elif roll < 0.08:
            recipient = Recipient.CONSUMER_ATTORNEY
        debt_ids = sorted(self.some([d.id for d in consumer.debts], 2))
        dial = None
        if channel in (Channel.CALL, Channel.VOICEMAIL, Channel.SMS) or self.chance(0.05):
            dial = self.rng.choices(
                (DialMethod.MANUAL, None, DialMethod.AUTODIALER, DialMethod.PRERECORDED),
                weights=(90, 4, 4, 2) if self.clean else (60, 18, 14, 8),
            )[0]
        return Contact(
            channel=channel,
            at=at,
            consumer=consumer,
            debt_ids=debt_ids,
            to=self.target(channel, consumer),
            to_work=self.pick((True, False)) if self.chance(0.05) else None,
            recipient=recipient,
            third_party_id=third_party,
            collector_type=CollectorType.THIRD_PARTY_COLLECTOR
            if self.chance(0.7)
            else CollectorType.ORIGINAL_CREDITOR,
            dial_method=dial,
            requested_by_consumer=self.chance(0.05),
            template=self.template(channel),
            recorded=self.pick((None, None, True, False, False)),
        )

    # --- history ---------------------------------------------------------------------------
    def history(self, contact: Contact, zones: list[str]) -> tuple[ContactRecord, ...]:
        rng = self.rng
        size = rng.choices(
            (0, rng.randint(1, 10), rng.randint(11, 40), rng.randint(41, 80)),
            weights=(12, 38, 35, 15),
        )[0]
        # A style narrows the records so that caps and cooldowns are reached often.
        channels = self.pick(
            (
                (Channel.CALL,),
                (Channel.CALL, Channel.VOICEMAIL),
                (Channel.CALL, Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.LETTER),
                (contact.channel,),
            )
        )
        span_days = self.pick((2, 7, 8, 14, 31, 45))
        on_grid = self.pick((0.0, 0.3, 0.8))
        consumer = contact.consumer
        debt_ids = [d.id for d in consumer.debts]
        numbers = [p.number for p in consumer.phones]
        emails = [e.address for e in consumer.emails]
        records: list[ContactRecord] = []
        for _ in range(size):
            if records and self.chance(0.12):  # the same instant as an earlier record
                at = self.pick(records).at
                if self.chance(0.6):
                    at = self.shown(at, self.pick(zones))
            else:
                seconds = rng.randrange(1, span_days * 86400)
                if self.chance(on_grid):
                    seconds = max(1800, seconds - seconds % 1800)
                if self.chance(0.03):
                    seconds = -rng.randrange(60, 10 * 86400)  # after the proposed instant
                    self.tags.add("future")
                at = self.shown(contact.at - dt.timedelta(seconds=seconds), self.pick(zones))
            records.append(self.record(self.pick(channels), at, debt_ids, numbers, emails))
        if self.chance(0.05):  # the contact's own reservation, at its instant
            self.tags.add("at-instant")
            records.append(
                self.record(contact.channel, contact.at, debt_ids, numbers, emails, reserve=True)
            )
        if self.chance(0.004):  # a record about a debt the consumer lacks: denied in both modes
            self.tags.add("invalid-history")
            records.append(
                ContactRecord(
                    channel=Channel.CALL, at=contact.at, debt_ids=["D9"], outcome=Outcome.NO_ANSWER
                )
            )
        rng.shuffle(records)
        offsets: dict[dt.datetime, set[dt.timedelta | None]] = {}
        for r in records:
            offsets.setdefault(r.at.astimezone(UTC), set()).add(r.at.utcoffset())
            if not r.debt_ids:
                self.tags.add("no-debt-record")
            if r.text and "stop" in r.text.lower():
                self.tags.add("stop")
        if len(offsets) < len(records):
            self.tags.add("tie")
        if any(len(written) > 1 for written in offsets.values()):
            self.tags.add("tie-offsets")
        return tuple(records)

    def record(
        self,
        channel: Channel,
        at: dt.datetime,
        debt_ids: list[str],
        numbers: list[str],
        emails: list[str],
        *,
        reserve: bool = False,
    ) -> ContactRecord:
        rng = self.rng
        inbound = self.chance(0.15) and not reserve
        if reserve:
            outcome = Outcome.PENDING
        elif self.chance(0.08):
            outcome = self.pick(list(Outcome))
        elif channel is Channel.CALL:
            outcome = rng.choices(
                (
                    Outcome.NOT_CONNECTED,
                    Outcome.NO_ANSWER,
                    Outcome.VOICEMAIL,
                    Outcome.CONVERSATION,
                    Outcome.PENDING,
                ),
                weights=(20, 35, 20, 20, 5),
            )[0]
        elif channel is Channel.VOICEMAIL:
            outcome = self.pick((Outcome.VOICEMAIL, Outcome.DELIVERED, Outcome.PENDING))
        else:
            outcome = self.pick((Outcome.DELIVERED, Outcome.DELIVERED, Outcome.UNDELIVERABLE))
        about = rng.choices(
            ([], [self.pick(debt_ids)], sorted(self.some(debt_ids, 2))), weights=(15, 70, 15)
        )[0]
        to: str | None = None
        if channel in (Channel.CALL, Channel.VOICEMAIL, Channel.SMS) and numbers:
            to = self.pick(numbers) if self.chance(0.85) else None
        elif channel is Channel.EMAIL and emails:
            to = self.pick(emails) if self.chance(0.85) else None
        recipient = Recipient.CONSUMER
        third_party = None
        roll = rng.random()
        if roll < 0.05:
            recipient, third_party = Recipient.THIRD_PARTY, self.pick(THIRD_PARTIES)
        elif roll < 0.07:
            recipient = Recipient.ESTATE_REPRESENTATIVE
        elif roll < 0.08:
            recipient = Recipient.CONSUMER_ATTORNEY
        text = None
        if inbound and channel in (Channel.SMS, Channel.EMAIL) and self.chance(0.6):
            text = self.pick(INBOUND_TEXTS)
        dial = None
        if channel in (Channel.CALL, Channel.VOICEMAIL, Channel.SMS):
            dial = self.pick((None, *DialMethod))
        return ContactRecord(
            channel=channel,
            at=at,
            debt_ids=about,
            outcome=outcome,
            initiated_by=Initiator.CONSUMER if inbound else Initiator.COLLECTOR,
            to=to,
            to_work=True if self.chance(0.03) else None,
            recipient=recipient,
            third_party_id=third_party,
            purpose=self.pick(list(Purpose)) if self.chance(0.25) else None,
            dial_method=dial,
            text=text,
            requested_by_consumer=self.chance(0.05),
        )

    def case(self) -> Case:
        region = self.rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
        self.clean = self.chance(0.35)
        if self.clean:
            self.tags.add("clean")
        # The instant is drawn first (in a zone of the region) so that consents, debts and
        # bankruptcies can be placed around it; sometimes its time of day is then drawn again
        # in one of the consumer's explicit zones, on the same day, to put it on their edges.
        at = self.instant(region, region.zones)
        consumer, zones = self.consumer(region, at.astimezone(UTC).date())
        if len(zones) > len(region.zones) and self.chance(0.3):
            placed = self.pick(zones[len(region.zones) :])
            day = at.astimezone(_zone(placed)).date()
            local = dt.datetime.combine(day, self.local_time(), tzinfo=_zone(placed))
            at = self.shown(local.astimezone(UTC), placed)
        contact = self.contact(consumer, at)
        history = self.history(contact, zones)
        return Case(self.seed, self.index, region.stack, contact, history, frozenset(self.tags))


def _main(argv: Sequence[str]) -> int:
    """Print one case and its decisions by the fast path, the reference and from rows."""
    from contactrules.records import History

    seed, index = int(argv[0]), int(argv[1])
    case = draw_case(seed, index)
    if case is None:
        print(f"seed {seed} index {index}: the models reject this draw (skipped)")
        return 0
    engine = Engine.default()
    fast = engine.evaluate(case.contact, case.history)
    reference = engine.as_reference().evaluate(case.contact, case.history)
    rows = engine.evaluate(case.contact, History.from_rows(history_rows(case.history)))
    print(
        json.dumps(
            {
                "contact": case.contact.model_dump(mode="json"),
                "history": history_rows(case.history),
            },
            indent=1,
        )
    )
    print("fast:", json.dumps(canonical(fast), indent=1))
    for name, other in (("reference", reference), ("rows", rows)):
        diff = decision_diff(fast, other)
        print(f"{name}: " + ("identical" if not diff else "\n  ".join(["DIFFERS", *diff])))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
