"""Every minute of the DST change-over weeks, judged by the engine and by an independent clock.

For each zone below the engine judges a call at every UTC minute of the seven local days around
a 2026 DST change (from local midnight three days before the change day to local midnight four
days after it: 10,020 to 10,140 evaluations per week and zone, nothing sampled), and the answer
is compared with a computation that uses only ``zoneinfo`` and plain hour/minute comparisons:
``local = instant.astimezone(ZoneInfo(zone))``, allowed iff ``local``'s weekday and minute of
the day are inside a half-open window (K1).

- US: the federal hours rule US-FED-REGF-1006.6b1i-HOURS, [08:00, 21:00) every day, from the
  bundled federal ruleset alone (``Engine.default().subset(["us-federal"])``), around 8 March
  and 1 November, for America/New_York, America/Denver and America/Phoenix (no DST).
- AU: a one-rule ruleset written here, weekdays [07:30, 21:00) and weekends [09:00, 21:00),
  around 5 April and 4 October (both Sundays), for Australia/Melbourne, Australia/Sydney and
  Australia/Brisbane (no DST).
- GB: a one-rule ruleset written here, [08:00, 21:00) every day, around 29 March and 25
  October, for Europe/London.

At every instant the test asserts the decision's zones are exactly the one zone (so the test
cannot pass by judging somewhere else), ``allowed`` equals the expectation, a denial names the
hours rule only, and a denied decision's ``next_allowed_at`` is the first minute of the scan at
which the expectation becomes true (windows open on the minute; the scan runs on two days past
the week so that minute is always inside it). An allowed decision's ``next_allowed_at`` is the
instant itself. A last test checks that a ``pytz`` aware datetime gives the same decision as
the ``zoneinfo`` one for the same instant, around both US changes.

The whole file runs in 10 to 25 seconds (about 10 s of CPU): every minute is evaluated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytz

from contactrules import Address, Channel, Consumer, Contact, Debt, Decision, Engine

UTC = dt.timezone.utc
MINUTE = dt.timedelta(minutes=1)
US_HOURS = "US-FED-REGF-1006.6b1i-HOURS"
AU_HOURS = "TEST-AU-DST-HOURS"
GB_HOURS = "TEST-GB-DST-HOURS"
DAYS_BEFORE = 3  # local days scanned before the change day
DAYS_AFTER = 4  # local days scanned from the change day on (the change day included)
LOOKAHEAD_DAYS = 2  # expectation computed this far past the week, for next_allowed_at

AU_RULESET = f"""\
ruleset: test-au-dst
title: Test - Australian hours for the DST tests
jurisdiction: {{country: AU}}
rules:
  - id: {AU_HOURS}
    kind: time_window
    channels: [call]
    windows:
      - {{days: weekdays, start: "07:30", end: "21:00"}}
      - {{days: weekends, start: "09:00", end: "21:00"}}
    citation: test only
"""

GB_RULESET = f"""\
ruleset: test-gb-dst
title: Test - UK hours for the DST tests
jurisdiction: {{country: GB}}
rules:
  - id: {GB_HOURS}
    kind: time_window
    channels: [call]
    windows:
      - {{days: all, start: "08:00", end: "21:00"}}
    citation: test only
"""

# The independent side: for each weekday (Monday = 0), half-open windows in minutes of the day.
Windows = dict[int, tuple[tuple[int, int], ...]]
EVERY_DAY_8_TO_21: Windows = {day: ((8 * 60, 21 * 60),) for day in range(7)}
AU_WINDOWS: Windows = {
    **{day: ((7 * 60 + 30, 21 * 60),) for day in range(5)},
    **{day: ((9 * 60, 21 * 60),) for day in (5, 6)},
}
WINDOWS = {"US": EVERY_DAY_8_TO_21, "AU": AU_WINDOWS, "GB": EVERY_DAY_8_TO_21}
RULE_IDS = {"US": US_HOURS, "AU": AU_HOURS, "GB": GB_HOURS}


@dataclass(frozen=True)
class Week:
    country: str
    zone: str
    address: Address
    change_day: dt.date
    observes_dst: bool

    @property
    def id(self) -> str:
        return f"{self.zone}-{self.change_day.isoformat()}"


def _weeks(
    country: str, days: tuple[dt.date, ...], zones: tuple[tuple[str, Address, bool], ...]
) -> list[Week]:
    return [Week(country, z, a, d, dst) for z, a, dst in zones for d in days]


US_ZONES = (
    ("America/New_York", Address(country="US", subdivision="NY"), True),
    ("America/Denver", Address(country="US", subdivision="CO"), True),
    # Arizona lists Denver too (the Navajo Nation keeps DST): the address names the zone.
    ("America/Phoenix", Address(country="US", subdivision="AZ", zone="America/Phoenix"), False),
)
AU_ZONES = (
    ("Australia/Melbourne", Address(country="AU", subdivision="VIC"), True),
    # New South Wales lists Broken Hill too: the address names the zone.
    ("Australia/Sydney", Address(country="AU", subdivision="NSW", zone="Australia/Sydney"), True),
    ("Australia/Brisbane", Address(country="AU", subdivision="QLD"), False),
)
GB_ZONES = (("Europe/London", Address(country="GB"), True),)

WEEKS = [
    *_weeks("US", (dt.date(2026, 3, 8), dt.date(2026, 11, 1)), US_ZONES),
    *_weeks("AU", (dt.date(2026, 4, 5), dt.date(2026, 10, 4)), AU_ZONES),
    *_weeks("GB", (dt.date(2026, 3, 29), dt.date(2026, 10, 25)), GB_ZONES),
]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Engine]:
    def write(name: str, text: str) -> Path:
        path = tmp_path_factory.mktemp(f"dst-{name}") / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return {
        "US": Engine.default().subset(["us-federal"]),
        "AU": Engine.from_path(write("au", AU_RULESET)),
        "GB": Engine.from_path(write("gb", GB_RULESET)),
    }


def _consumer(week: Week) -> Consumer:
    return Consumer(
        id=f"C-{week.zone}",
        zones=[week.zone],
        addresses=[week.address],
        debts=[Debt(id="D1")],
    )


def _call(consumer: Consumer, at: dt.datetime) -> Contact:
    return Contact(channel=Channel.CALL, at=at, consumer=consumer, debt_ids=["D1"])


def _local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    # No zone tested here changes its clocks at midnight, so local midnight exists and is unique.
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(UTC)


def _expected(instant: dt.datetime, zone: ZoneInfo, windows: Windows) -> bool:
    """Allowed iff the local wall clock is inside a window of its weekday: no contactrules code."""
    local = instant.astimezone(zone)
    assert local.second == 0 and local.microsecond == 0
    minute = local.hour * 60 + local.minute
    return any(lo <= minute < hi for lo, hi in windows[local.weekday()])


def _first_allowed_from(expected: list[bool]) -> list[int | None]:
    """For each scan index, the index of the first allowed minute at or after it (or None)."""
    out: list[int | None] = [None] * len(expected)
    following: int | None = None
    for i in range(len(expected) - 1, -1, -1):
        if expected[i]:
            following = i
        out[i] = following
    return out


def _check_week_setup(week: Week, zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> None:
    """Guard the scan itself: it spans the change (or its absence) and the days we think."""
    before, after = start.astimezone(zone).utcoffset(), end.astimezone(zone).utcoffset()
    assert (before != after) is week.observes_dst, (week.id, before, after)
    assert week.change_day.weekday() == 6  # every change tested here is on a Sunday
    if week.observes_dst:
        # The offset changes on the change day itself, not on a neighbouring day.
        day_start = _local_midnight(week.change_day, zone).astimezone(zone).utcoffset()
        next_day = week.change_day + dt.timedelta(days=1)
        day_end = _local_midnight(next_day, zone).astimezone(zone).utcoffset()
        assert day_start == before and day_end == after, week.id


@pytest.mark.parametrize("week", WEEKS, ids=lambda w: w.id)
def test_every_minute_of_the_change_week(engines: dict[str, Engine], week: Week) -> None:
    engine = engines[week.country]
    zone = ZoneInfo(week.zone)
    windows = WINDOWS[week.country]
    rule_id = RULE_IDS[week.country]
    assert engine.rule(rule_id) is not None, f"{rule_id} is not loaded"

    first_day = week.change_day - dt.timedelta(days=DAYS_BEFORE)
    last_day = week.change_day + dt.timedelta(days=DAYS_AFTER)
    start = _local_midnight(first_day, zone)
    end = _local_midnight(last_day, zone)
    scan_end = end + dt.timedelta(days=LOOKAHEAD_DAYS)
    _check_week_setup(week, zone, start, end)

    count = int((end - start) / MINUTE)
    scan = [start + i * MINUTE for i in range(int((scan_end - start) / MINUTE))]
    expected = [_expected(instant, zone, windows) for instant in scan]
    first_allowed = _first_allowed_from(expected)

    # The expectation itself, checked another way: no window straddles a clock change here, so
    # the allowed minutes of the week are the sum of the window lengths of its seven local days.
    days = [first_day + dt.timedelta(days=n) for n in range(DAYS_BEFORE + DAYS_AFTER)]
    window_minutes = sum(hi - lo for d in days for lo, hi in windows[d.weekday()])
    assert sum(expected[:count]) == window_minutes, week.id
    assert 0 < sum(expected[:count]) < count

    consumer = _consumer(week)
    mismatches: list[str] = []
    for i in range(count):
        instant = scan[i]
        decision = engine.evaluate(_call(consumer, instant))
        problem = _problem(
            decision, instant, week.zone, rule_id, expected[i], first_allowed[i], scan
        )
        if problem:
            local = instant.astimezone(zone)
            mismatches.append(f"{instant:%Y-%m-%d %H:%M}Z ({local:%a %H:%M %Z}): {problem}")
            if len(mismatches) >= 20:
                break
    assert not mismatches, f"{week.id}: {len(mismatches)} mismatches (first 20):\n" + "\n".join(
        mismatches
    )


def _problem(
    decision: Decision,
    instant: dt.datetime,
    zone: str,
    rule_id: str,
    allowed: bool,
    first_allowed: int | None,
    scan: list[dt.datetime],
) -> str | None:
    """What is wrong with one decision, or None."""
    if decision.zones != (zone,):
        return f"judged in zones {decision.zones}, expected exactly ({zone},)"
    if decision.allowed is not allowed:
        return f"allowed={decision.allowed}, expected {allowed}: {decision.reasons}"
    if allowed:
        if decision.next_allowed_at != instant:
            return f"allowed but next_allowed_at={decision.next_allowed_at}"
        return None
    rules = {r.rule_id for r in decision.reasons}
    if rules != {rule_id}:
        return f"denied by {sorted(rules)}, expected {rule_id} alone"
    assert first_allowed is not None, "the scan is too short to find the next allowed minute"
    want = scan[first_allowed]
    if decision.next_allowed_at is None or decision.next_allowed_at != want:
        got = decision.next_allowed_at
        shown = got.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if got else None
        return (
            f"next_allowed_at={shown} ({decision.next_allowed_note}), "
            f"expected {want:%Y-%m-%d %H:%M}Z"
        )
    return None


# --- pytz -------------------------------------------------------------------------------------
# Naive New York wall times around both changes, with pytz's is_dst for the ambiguous and the
# missing ones (2:30 on 8 March does not exist; 1:30 on 1 November happens twice).
PYTZ_WALL_TIMES = [
    (dt.datetime(2026, 3, 7, 20, 59), False),
    (dt.datetime(2026, 3, 7, 21, 0), False),
    (dt.datetime(2026, 3, 8, 1, 59), False),
    (dt.datetime(2026, 3, 8, 2, 30), False),
    (dt.datetime(2026, 3, 8, 2, 30), True),
    (dt.datetime(2026, 3, 8, 3, 0), True),
    (dt.datetime(2026, 3, 8, 7, 59), True),
    (dt.datetime(2026, 3, 8, 8, 0), True),
    (dt.datetime(2026, 3, 8, 20, 59), True),
    (dt.datetime(2026, 3, 8, 21, 0), True),
    (dt.datetime(2026, 10, 31, 21, 0), True),
    (dt.datetime(2026, 11, 1, 1, 30), True),
    (dt.datetime(2026, 11, 1, 1, 30), False),
    (dt.datetime(2026, 11, 1, 7, 59), False),
    (dt.datetime(2026, 11, 1, 8, 0), False),
    (dt.datetime(2026, 11, 1, 21, 0), False),
]


@pytest.mark.parametrize("zone_name", ["America/New_York", "America/Denver"])
def test_pytz_datetime_gives_the_zoneinfo_decision(
    engines: dict[str, Engine], zone_name: str
) -> None:
    engine = engines["US"]
    tz = pytz.timezone(zone_name)
    zone = ZoneInfo(zone_name)
    week = next(w for w in WEEKS if w.zone == zone_name)
    consumer = _consumer(week)
    for naive, is_dst in PYTZ_WALL_TIMES:
        with_pytz = tz.localize(naive, is_dst=is_dst)
        with_zoneinfo = with_pytz.astimezone(UTC).astimezone(zone)
        # Compared in UTC: across tzinfos, PEP 495 makes an ambiguous wall time unequal to all.
        assert with_zoneinfo.astimezone(UTC) == with_pytz.astimezone(UTC)
        label = f"{zone_name} {with_pytz.isoformat()}"

        by_pytz = engine.evaluate(_call(consumer, with_pytz))
        by_zoneinfo = engine.evaluate(_call(consumer, with_zoneinfo))

        assert by_pytz.allowed is by_zoneinfo.allowed, label
        assert by_pytz.allowed is _expected(with_zoneinfo, zone, EVERY_DAY_8_TO_21), label
        assert by_pytz.zones == by_zoneinfo.zones == (zone_name,), label
        assert [r.rule_id for r in by_pytz.reasons] == [r.rule_id for r in by_zoneinfo.reasons]
        assert [r.message for r in by_pytz.reasons] == [r.message for r in by_zoneinfo.reasons]
        got, want = by_pytz.next_allowed_at, by_zoneinfo.next_allowed_at
        assert got is not None and want is not None, label
        assert got.astimezone(UTC) == want.astimezone(UTC), label
        # Shown in the contact's own zone, with the offset in force at that instant.
        assert got.utcoffset() == want.utcoffset() == want.astimezone(zone).utcoffset(), label
        assert got.replace(tzinfo=None) == want.replace(tzinfo=None), label
