"""Median and p99 microseconds per ``Engine.evaluate()`` for US federal phone-call decisions.

Run from a checkout after ``pip install -e .``::

    python bench/bench_evaluate.py            # default: 2,000 timed calls per scenario
    python bench/bench_evaluate.py --calls 20000

Each scenario is a call to a consumer with a mobile number and a home address, with 0, 10 or
50 history records spread over the previous 10 days: a Pennsylvania consumer (federal rules
only) and a Massachusetts one (federal + Massachusetts stack).
"Allowed" calls take the fast path; "denied" ones also compute ``next_allowed_at``.
The Contact and history objects are built once, outside the timed loop, as a dialer holding
validated objects would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
from zoneinfo import ZoneInfo

from contactrules import (
    Address,
    Consumer,
    Contact,
    ContactRecord,
    Debt,
    Engine,
    Outcome,
    Phone,
)

NY = ZoneInfo("America/New_York")


def _history(n: int, at: dt.datetime) -> list[ContactRecord]:
    outcomes = [Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CONNECTED, Outcome.DELIVERED]
    records = []
    for i in range(n):
        when = at - dt.timedelta(days=10) + dt.timedelta(minutes=283 * i)
        channel = "call" if i % 3 else "sms"
        debt = "D1" if i % 2 else "D2"
        outcome = Outcome.DELIVERED if channel == "sms" else outcomes[i % 3]
        records.append(ContactRecord(channel=channel, at=when, debt_ids=[debt], outcome=outcome))
    return records


def _contact(at: dt.datetime, state: str = "PA", number: str = "+12155550100") -> Contact:
    consumer = Consumer(
        id="C1",
        addresses=[Address(country="US", subdivision=state)],
        phones=[Phone(number=number, type="mobile")],
        debts=[Debt(id="D1"), Debt(id="D2")],
    )
    return Contact(channel="call", at=at, consumer=consumer, debt_ids=["D1"], to=number)


def measure(
    engine: Engine, contact: Contact, history: list[ContactRecord], calls: int
) -> list[float]:
    for _ in range(min(200, calls)):
        engine.evaluate(contact, history)
    samples = []
    gc.disable()
    try:
        for _ in range(calls):
            start = time.perf_counter_ns()
            engine.evaluate(contact, history)
            samples.append((time.perf_counter_ns() - start) / 1000)
    finally:
        gc.enable()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()

    started = time.perf_counter()
    engine = Engine.default()
    build_ms = (time.perf_counter() - started) * 1000
    print(f"Engine.default() built in {build_ms:.1f} ms; {args.calls} timed calls per row")
    print(f"{'scenario':<44} {'history':>7} {'p50 µs':>9} {'p99 µs':>9} {'decisions/s':>12}")
    allowed_at = dt.datetime(2026, 6, 3, 14, 0, tzinfo=NY)
    denied_at = dt.datetime(2026, 6, 3, 21, 30, tzinfo=NY)
    rows = (
        ("federal: allowed call (14:00)", allowed_at, "PA", "+12155550100"),
        ("federal: denied call (21:30) + next", denied_at, "PA", "+12155550100"),
        ("federal+MA: call (14:00)", allowed_at, "MA", "+16175550100"),
    )
    for label, at, state, number in rows:
        for n in (0, 10, 50):
            contact = _contact(at, state, number)
            history = _history(n, at)
            decision = engine.evaluate(contact, history)
            samples = measure(engine, contact, history, args.calls)
            p50 = statistics.median(samples)
            p99 = statistics.quantiles(samples, n=100)[98]
            verdict = "allow" if decision.allowed else "deny"
            print(
                f"{label + ' [' + verdict + ']':<44} {n:>7} {p50:>9.1f} {p99:>9.1f} "
                f"{1e6 / p50:>12,.0f}"
            )


if __name__ == "__main__":
    main()
