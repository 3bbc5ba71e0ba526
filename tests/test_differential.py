"""The fast path against the reference evaluator, and model history against plain rows.

The engine's shortcuts (shared history walks, counting by buckets, skipping rules that cannot
change in the next-allowed search) are only worth having if no decision can tell them apart from
the plain evaluation, so every drawn case is judged three ways and the whole decision compared:

- ``engine.evaluate(contact, history)`` with ``history`` as ``ContactRecord`` models;
- ``engine.as_reference().evaluate(contact, history)``: every shortcut off;
- ``engine.evaluate(contact, History.from_rows(rows))`` with the rows a JSON caller sends.

Cases come from tests/differential_cases.py (seeded, drawn per index). Environment:

- ``CONTACTRULES_DIFF_CASES`` (default 5000, about 15 s on two cores) and
  ``CONTACTRULES_DIFF_SEED``;
- ``CONTACTRULES_DIFF_START``: the first index, to re-run one reported case.

The long run (4 to 6 minutes on two cores)::

    CONTACTRULES_DIFF_CASES=100000 python3 -m pytest -q -s -p no:cacheprovider \
        tests/test_differential.py -k reference

A failure names the seed and index; ``python3 tests/differential_cases.py SEED INDEX`` prints the
case and both decisions. With ``-s`` the distribution of the run is printed (it is also recorded
as the ``distribution`` property for junit XML).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from differential_cases import COMPLIANT, STACKS, Case, decision_diff, draw_case, history_rows

from contactrules import (
    Address,
    Consumer,
    Contact,
    ContactRecord,
    Debt,
    DialMethod,
    Engine,
    Initiator,
    Outcome,
    Phone,
    Template,
)
from contactrules.decision import Decision
from contactrules.models import Channel, CollectorType
from contactrules.records import History

CASES = int(os.environ.get("CONTACTRULES_DIFF_CASES", "5000"))
SEED = int(os.environ.get("CONTACTRULES_DIFF_SEED", "20260308"))
START = int(os.environ.get("CONTACTRULES_DIFF_START", "0"))
#: Below this many cases (re-running one index, say) the distribution is reported, not asserted.
COVERAGE_MINIMUM = 1000
MAX_SHOWN = 10


class Tally:
    """What the run drew and decided, so a generator that stopped reaching a corner shows."""

    def __init__(self) -> None:
        self.drawn = 0
        self.skipped = 0
        self.verdicts: Counter[str] = Counter()
        self.stacks: Counter[str] = Counter()
        self.stack_allowed: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self.zones: Counter[int] = Counter()
        self.channels: Counter[str] = Counter()
        self.collectors: Counter[str] = Counter()
        self.history: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()

    def add(self, case: Case, decision: Decision) -> None:
        self.drawn += 1
        self.stacks[case.stack] += 1
        self.tags.update(case.tags)
        self.zones[len(decision.zones)] += 1
        self.channels[case.contact.channel.value] += 1
        self.collectors[case.contact.collector_type.value] += 1
        size = len(case.history)
        self.history[
            "0" if size == 0 else "1-10" if size <= 10 else "11-40" if size <= 40 else "41-80+"
        ] += 1
        if decision.allowed:
            self.verdicts["allowed"] += 1
            self.stack_allowed[case.stack] += 1
        elif decision.next_allowed_at is not None:
            self.verdicts["denied, next allowed known"] += 1
        else:
            self.verdicts["denied, no next allowed"] += 1
        self.rules.update(r.rule_id for r in decision.reasons)

    @property
    def allowed(self) -> int:
        return self.verdicts["allowed"]

    def multi_zone(self) -> int:
        return sum(n for zones, n in self.zones.items() if zones > 1)

    def report(self) -> dict[str, Any]:
        return {
            "cases": self.drawn,
            "skipped (models rejected the draw)": self.skipped,
            "verdicts": dict(self.verdicts),
            "stacks (allowed/all)": {
                s: f"{self.stack_allowed[s]}/{self.stacks[s]}" for s in sorted(self.stacks)
            },
            "tags": dict(self.tags.most_common()),
            "multi-zone": self.multi_zone(),
            "candidate zones": dict(sorted(self.zones.items())),
            "channels": dict(self.channels),
            "collector types": dict(self.collectors),
            "history sizes": dict(self.history),
            "deny reasons (top 25)": dict(self.rules.most_common(25)),
        }


def _mismatch(case: Case, name: str, expected: Decision, got: Decision) -> str | None:
    diff = decision_diff(expected, got)
    if not diff:
        return None
    shown = "\n    ".join(diff[:12])
    return (
        f"seed {case.seed} index {case.index} ({case.stack}, {len(case.history)} records): "
        f"fast path vs {name}:\n    {shown}\n"
        f"  reproduce: python3 tests/differential_cases.py {case.seed} {case.index}"
    )


def test_fast_path_reference_and_rows_decide_alike(
    engine: Engine, record_property: Callable[[str, object], None]
) -> None:
    reference = engine.as_reference()
    tally = Tally()
    mismatches: list[str] = []
    failed = 0
    started = time.perf_counter()
    for index in range(START, START + CASES):
        case = draw_case(SEED, index)
        if case is None:
            tally.skipped += 1
            continue
        fast = engine.evaluate(case.contact, case.history)
        slow = reference.evaluate(case.contact, case.history)
        rows = engine.evaluate(case.contact, History.from_rows(history_rows(case.history)))
        found = [
            _mismatch(case, "reference", fast, slow),
            _mismatch(case, "rows", fast, rows),
        ]
        problems = [m for m in found if m is not None]
        if problems:
            failed += 1
            mismatches.extend(problems[: max(0, MAX_SHOWN - len(mismatches))])
        tally.add(case, fast)
    elapsed = time.perf_counter() - started
    report = {**tally.report(), "mismatching cases": failed, "seconds": round(elapsed, 1)}
    record_property("distribution", json.dumps(report))
    print(f"\ndifferential run, seed {SEED}, indices {START}..{START + CASES - 1}:")
    print(json.dumps(report, indent=1))

    assert not mismatches, f"{failed} of {tally.drawn} cases decided differently:\n" + "\n".join(
        mismatches
    )
    if CASES < COVERAGE_MINIMUM:
        return
    # The generator must keep reaching what the comparison is for.
    drawn = tally.drawn
    assert tally.skipped <= 0.05 * CASES, report
    assert tally.allowed >= 0.05 * drawn, report
    assert drawn - tally.allowed >= 0.05 * drawn, report
    assert tally.verdicts["denied, next allowed known"] >= 0.05 * drawn, report
    assert tally.verdicts["denied, no next allowed"] >= 0.05 * drawn, report
    for stack in STACKS:
        assert tally.stacks[stack] >= 0.02 * drawn, (stack, report)
        assert tally.stack_allowed[stack] > 0, (stack, report)
    for tag in ("tie", "tie-offsets", "dst", "holiday", "future", "no-debt-record"):
        assert tally.tags[tag] >= 0.05 * drawn, (tag, report)
    for tag in ("stop", "at-instant", "bankruptcy", "deceased", "moratorium", "no-address"):
        assert tally.tags[tag] > 0, (tag, report)
    assert tally.multi_zone() >= 0.2 * drawn, report
    assert all(tally.zones[n] > 0 for n in range(1, 8)), report
    assert all(tally.channels[c] > 0 for c in ("call", "voicemail", "sms", "email", "letter"))
    assert all(tally.collectors[c.value] >= 0.1 * drawn for c in CollectorType), report
    assert tally.history["41-80+"] >= 0.05 * drawn, report


# --- the comparison itself -----------------------------------------------------------------
def _first_denied_with_next(engine: Engine) -> tuple[Case, Decision]:
    for index in range(500):
        case = draw_case(SEED, index)
        if case is None:
            continue
        decision = engine.evaluate(case.contact, case.history)
        if decision.next_allowed_at is not None and decision.reasons:
            return case, decision
    raise AssertionError("no denied case with a next allowed time among the first 500")


def test_a_changed_decision_is_reported(engine: Engine) -> None:
    """The comparison sees an instant written with another offset, and a changed fact."""
    _, decision = _first_denied_with_next(engine)
    assert decision_diff(decision, decision) == []
    assert decision.next_allowed_at is not None
    shifted = decision.next_allowed_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert shifted == decision.next_allowed_at
    other = dataclasses.replace(decision, next_allowed_at=shifted)
    assert [line.split(":")[0] for line in decision_diff(decision, other)] == ["next_allowed_at"]
    first = decision.reasons[0]
    changed = dataclasses.replace(first, facts={**first.facts, "extra": 1})
    other = dataclasses.replace(decision, reasons=(changed, *decision.reasons[1:]))
    assert [line.split(":")[0] for line in decision_diff(decision, other)] == ["reasons[0].facts"]


def test_cases_are_drawn_per_index_and_repeatably() -> None:
    """A reported seed and index rebuild the same case, without the cases before it."""
    for index in (0, 7, 4321):
        first, again = draw_case(SEED, index), draw_case(SEED, index)
        assert first is not None and again is not None
        assert first.contact.model_dump_json() == again.contact.model_dump_json()
        assert history_rows(first.history) == history_rows(again.history)
        assert first.tags == again.tags
    assert draw_case(SEED, 1) != draw_case(SEED + 1, 1)


# --- differences the long run found, fixed ---------------------------------------------------
def test_unknown_debt_reason_names_the_same_record_for_rows(engine: Engine) -> None:
    consumer = draw_case(SEED, 0)
    assert consumer is not None
    contact: Contact = consumer.contact
    at = contact.at.astimezone(dt.timezone.utc)
    history = [
        ContactRecord(
            channel=Channel.CALL,
            at=at - dt.timedelta(hours=1),
            debt_ids=["D9"],
            outcome=Outcome.NO_ANSWER,
        ),
        ContactRecord(
            channel=Channel.CALL,
            at=at - dt.timedelta(hours=2),
            debt_ids=["D1"],
            outcome=Outcome.NO_ANSWER,
        ),
    ]
    given = engine.evaluate(contact, history)
    rows = engine.evaluate(contact, History.from_rows(history_rows(history)))
    assert not given.allowed and not rows.allowed
    assert decision_diff(given, rows) == []


def test_days_since_use_is_the_same_for_rows(engine: Engine) -> None:
    """Seed 20260308 index 73957: elapsed days across the spring change were counted by wall
    clock when both instants carried one named zone (Python's rule for aware datetimes)."""
    boston = ZoneInfo("America/New_York")
    consumer = Consumer(
        id="C-1",
        addresses=[Address(country="US", subdivision="MA", city="Boston")],
        phones=[Phone(number="+16175550170")],
        debts=[Debt(id="D1")],
    )
    contact = Contact(
        channel=Channel.SMS,
        at=dt.datetime(2026, 3, 8, 20, 0, tzinfo=boston),  # the day clocks went forward
        consumer=consumer,
        debt_ids=["D1"],
        to="+16175550170",
        dial_method=DialMethod.MANUAL,
        template=Template(text=COMPLIANT),
    )
    texted = ContactRecord(
        channel=Channel.SMS,
        at=dt.datetime(2026, 1, 31, 20, 0, tzinfo=boston),  # 35 days and 23 hours before
        debt_ids=["D1"],
        outcome=Outcome.DELIVERED,
        initiated_by=Initiator.CONSUMER,
        to="+16175550170",
    )
    given = engine.evaluate(contact, [texted])
    rows = engine.evaluate(contact, History.from_rows(history_rows([texted])))
    assert given.allowed and rows.allowed
    assert decision_diff(given, rows) == []
