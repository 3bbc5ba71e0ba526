"""Worst-case milliseconds per ``Engine.evaluate()``: adversarial inputs, max and p99.

Run from a checkout after ``pip install -e .``::

    python bench/bench_worst_case.py             # 5 timed rounds per case
    python bench/bench_worst_case.py --rounds 20

The typical-case figures are in ``bench_evaluate.py`` and ``run_peers.py``; this script looks for
the slowest inputs the limits allow (docs/rulesets.md, "Limits"):

- the bundled rulesets with DST days (spring gap, autumn overlap) at night, so that
  ``next_allowed_at`` is searched; a consumer in the most candidate zones allowed (12) and one in
  every IANA zone (denied by the zone limit); 5,000 history records with same-instant ties; a
  cease flag with no zone; instants near year 1 and year 9999;
- generated rulesets at the limits: time windows with the most windows a rule may list (48
  one-second windows), two such rules whose windows never meet (the search for the next allowed
  time steps between them until its step limit), a blackout of 1,000 dates, a 9999-day cap
  counting 5,000 records, and a consumer with 200 overlapping inconvenient times;
- the ruleset of the report that led to the limits (1,800 one-second windows), which is now
  refused by the loader with a located error instead of taking seconds per evaluation.

Each case is evaluated once untimed (caches warm, as in a running dialer), then ``--rounds``
times with a clock around each call. Printed per case: the decision, the largest message, max
and p99 ms; then max and p99 over every call. Nothing here asserts a time: the figures are for
reading (the goal is under 50 ms per evaluation).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import tempfile
import time
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from contactrules import (
    Address,
    Consumer,
    ConsumerFlags,
    Contact,
    ContactRecord,
    Debt,
    Engine,
    InconvenientTime,
    Outcome,
    Phone,
    RulesetError,
)

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
TWELVE_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Indiana/Indianapolis",
    "America/Kentucky/Louisville",
    "America/Boise",
    "America/Detroit",
    "America/North_Dakota/Center",
]

Case = tuple[str, Engine, Contact, list[ContactRecord]]


def _consumer(**fields: object) -> Consumer:
    base: dict[str, object] = {
        "id": "C1",
        "addresses": [Address(country="US", subdivision="CA")],
        "phones": [Phone(number="+12125550143", type="mobile")],
        "debts": [Debt(id="D1"), Debt(id="D2")],
    }
    base.update(fields)
    return Consumer.model_validate(base)


def _call(at: dt.datetime, consumer: Consumer | None = None, channel: str = "call") -> Contact:
    consumer = consumer or _consumer()
    to = consumer.phones[0].number if consumer.phones and channel != "letter" else None
    return Contact(channel=channel, at=at, consumer=consumer, debt_ids=["D1"], to=to)


def _history(at: dt.datetime, n: int, ties: int = 5) -> list[ContactRecord]:
    """``n`` records over the previous 30 days, ``ties`` at each instant, mixed sides."""
    records = []
    outcomes = [Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CONNECTED, Outcome.CONVERSATION]
    for i in range(n):
        when = at - dt.timedelta(days=30) + dt.timedelta(minutes=(i // ties) * 43)
        records.append(
            ContactRecord(
                channel="call" if i % 4 else "sms",
                at=when,
                debt_ids=["D1" if i % 2 else "D2"],
                outcome=outcomes[i % 4] if i % 4 else Outcome.DELIVERED,
                initiated_by="consumer" if i % 7 == 0 else "collector",
                to="+12125550143",
            )
        )
    return records


def _bundled_cases(engine: Engine) -> Iterator[Case]:
    spring = dt.datetime(2026, 3, 8, 2, 30, tzinfo=dt.timezone.utc)  # night before the gap
    autumn = dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.timezone.utc)  # inside the overlap
    twelve = _consumer(zones=TWELVE_ZONES)
    every_zone = _consumer(zones=sorted(zoneinfo.available_timezones()))
    night = dt.datetime(2026, 6, 2, 22, 30, tzinfo=NY)
    yield "bundled: DST spring night, 2 zones", engine, _call(spring), []
    yield "bundled: DST autumn overlap, 2 zones", engine, _call(autumn), []
    yield "bundled: 12 zones at night", engine, _call(night, twelve), []
    yield "bundled: 12 zones, 5,000 records", engine, _call(night, twelve), _history(night, 5000)
    yield "bundled: every IANA zone (denied)", engine, _call(night, every_zone), []
    yield "bundled: 5,000 records with ties", engine, _call(night), _history(night, 5000)
    for label, region, number, at in (
        (
            "bundled: Ontario, Easter night",
            Address(country="CA", subdivision="ON"),
            "+14165550100",
            dt.datetime(2026, 4, 2, 22, tzinfo=ZoneInfo("America/Toronto")),
        ),
        (
            "bundled: NSW, Christmas Eve night",
            Address(country="AU", subdivision="NSW"),
            "+61255550100",
            dt.datetime(2026, 12, 24, 22, tzinfo=ZoneInfo("Australia/Sydney")),
        ),
    ):
        holiday = _consumer(addresses=[region], phones=[Phone(number=number)])
        yield label, engine, _call(at, holiday), _history(at, 200)
    cease = _consumer(
        addresses=[Address(country="US")],
        phones=[],
        flags=ConsumerFlags(cease_debt_ids=["D1"]),
    )
    yield "bundled: no zone, cease, letter", engine, _call(night, cease, "letter"), []
    for label, at in (
        ("9999-12-31 22:00 New York", dt.datetime(9999, 12, 31, 22, tzinfo=NY)),
        ("9999-12-31 06:00 Los Angeles", dt.datetime(9999, 12, 31, 6, tzinfo=LA)),
        ("9999-12-20 23:00 UTC", dt.datetime(9999, 12, 20, 23, tzinfo=dt.timezone.utc)),
        ("0001-01-01 03:00 UTC", dt.datetime(1, 1, 1, 3, tzinfo=dt.timezone.utc)),
    ):
        history = _history(at, 50) if at.year > 1 else []  # nothing before year 1
        yield f"bundled: {label}", engine, _call(at, twelve), history


def _seconds(n: int) -> str:
    return f"{n // 3600:02d}:{n % 3600 // 60:02d}:{n % 60:02d}"


def _windows(count: int, offset: int) -> str:
    """``count`` one-second windows spread over the day, starting ``offset`` seconds in."""
    step = 86400 // count
    return ", ".join(
        f'{{start: "{_seconds(offset + i * step)}", end: "{_seconds(offset + i * step + 1)}"}}'
        for i in range(count)
    )


HEADER = """ruleset: {name}
title: adversarial
jurisdiction: {{country: US}}
binds: [third_party_collector, original_creditor]
rules:
"""


def _adversarial_rules(windows: int) -> str:
    dates = ", ".join(
        f'"{(dt.date(2026, 7, 1) + dt.timedelta(days=i)).isoformat()}"' for i in range(1000)
    )
    return (
        HEADER.format(name="adversarial")
        + f"""  - id: MANY-WINDOWS-A
    kind: time_window
    channels: [call, sms]
    windows: [{_windows(windows, 0)}]
    citation: test
  - id: MANY-WINDOWS-B
    kind: time_window
    channels: [call]
    windows: [{_windows(windows, 600)}]
    citation: test
  - id: LONG-BLACKOUT
    kind: blackout
    channels: [sms]
    dates: [{dates}]
    citation: test
  - id: LONG-CAP
    kind: frequency_cap
    channels: [call, sms]
    max: 4000
    window: 9999d
    per: consumer
    counts: {{initiated_by: [collector, consumer]}}
    citation: test
  - id: INCONVENIENT
    kind: consumer_flag
    flag: inconvenient_time
    channels: [call, sms]
    citation: test
"""
    )


def _adversarial_cases(folder: Path) -> Iterator[Case]:
    (folder / "adversarial.yaml").write_text(_adversarial_rules(48), encoding="utf-8")
    engine = Engine.from_path(folder)
    at = dt.datetime(2026, 6, 2, 12, 0, 0, 500000, tzinfo=NY)
    two_zones = _consumer()
    twelve = _consumer(zones=TWELVE_ZONES)
    busy = _consumer(
        flags=ConsumerFlags(
            inconvenient_times=[
                InconvenientTime(start=_seconds(i * 60)[:5], end=_seconds(i * 60 + 7200)[:5])
                for i in range(200)
            ]
        )
    )
    yield "adversarial: 2x48 windows, 2 zones", engine, _call(at, two_zones), []
    yield "adversarial: 2x48 windows, 12 zones", engine, _call(at, twelve), []
    yield "adversarial: + 5,000 records", engine, _call(at, twelve), _history(at, 5000)
    yield "adversarial: 200 inconvenient times", engine, _call(at, busy), []
    yield (
        "adversarial: sms, 1,000-day blackout",
        engine,
        _call(dt.datetime(2026, 7, 2, 12, tzinfo=NY), twelve, "sms"),
        [],
    )


def _refused_ruleset(folder: Path) -> str:
    path = folder / "report.yaml"
    text = HEADER.format(name="report") + (
        "  - id: R\n    kind: time_window\n    channels: [call]\n"
        f"    windows: [{_windows(1800, 0)}]\n    citation: test\n"
    )
    path.write_text(text, encoding="utf-8")
    try:
        Engine.from_path(path)
    except RulesetError as exc:
        first = str(exc).splitlines()[0]
        return f"{len(text) // 1024} KB ruleset of 1,800 windows refused: {first}"
    return "1,800 windows were NOT refused"


def _time(
    engine: Engine, contact: Contact, history: list[ContactRecord], rounds: int
) -> list[float]:
    engine.evaluate(contact, history)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        engine.evaluate(contact, history)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    bundled = Engine.default()
    everything: list[float] = []
    print(f"{'case':<42} {'decision':<34} {'msg':>6} {'max ms':>8} {'p99 ms':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [*_bundled_cases(bundled), *_adversarial_cases(folder)]
        gc.collect()
        for label, engine, contact, history in cases:
            decision = engine.evaluate(contact, history)
            ids = ",".join(r.rule_id.rsplit("-", 1)[-1] for r in decision.reasons[:3]) or "-"
            verdict = ("allow" if decision.allowed else "deny " + ids)[:34]
            longest = max((len(r.message) for r in decision.reasons), default=0)
            samples = _time(engine, contact, history, args.rounds)
            everything.extend(samples)
            print(
                f"{label:<42} {verdict:<34} {longest:>6} {max(samples):>8.2f} {_p99(samples):>8.2f}"
            )
        print(_refused_ruleset(folder))
    print(
        f"all {len(everything)} timed evaluations: max {max(everything):.2f} ms, "
        f"p99 {_p99(everything):.2f} ms, median {statistics.median(everything):.2f} ms"
    )


if __name__ == "__main__":
    main()
