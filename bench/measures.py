"""The measurements of bench/run_peers.py beyond the main workload table.

Each function builds its cases before timing, checks that contactrules and the plain-data
floor (:mod:`peers.plain`) agree on every case (verdict, denying rule ids and, when denied,
``next_allowed_at``), then times them interleaved (round by round, the order rotated, so drift
in the machine's speed is shared) and returns plain figures for the report:

- :func:`history_scaling`: histories of 0 to 5,000 records, allowed and denied;
- :func:`zone_scaling`: 1, 2, 4 and 7 candidate zones;
- :func:`stack_latency`: the bundled US stacks (federal; + Massachusetts; + New York and NYC);
- :func:`from_rows`: from a dialer's plain rows to a decision through the public API;
- :func:`bytes_per_record` and :func:`memory_child`: memory of history records, and the peak
  RSS of screening many consumers (in a fresh process);
- :func:`screening`: ``screen`` and ``screen_parallel`` against the floor doing the same.
"""

from __future__ import annotations

import datetime as dt
import gc
import pickle
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from peers import plain
from workload.generate import Case
from workload.rows import (
    PlainCall,
    epoch,
    history_dicts,
    history_tuples,
    plain_call,
)

__all__ = [
    "HISTORY_SIZES",
    "STACKS",
    "Disagreement",
    "Samples",
    "bytes_per_record",
    "from_rows",
    "history_scaling",
    "interleaved",
    "latency",
    "memory_child",
    "percentile",
    "run_timed",
    "screening",
    "stack_latency",
    "throughput",
    "zone_scaling",
]

UTC = dt.timezone.utc
WORKLOAD_DIR = Path(__file__).resolve().parent / "workload"
HISTORY_SIZES = (0, 10, 50, 200, 1000, 5000)
#: label, state, city, number: consumers whose bundled stacks are timed.
STACKS = (
    ("federal", "OH", "Columbus", "+16145550100"),
    ("federal + Massachusetts", "MA", "Boston", "+16175550100"),
    ("federal + New York + NYC", "NY", "New York", "+12125550100"),
)
#: The screening instant of the memory runs: Saturday 18 July 2026, 13:00 Eastern, after every
#: call of :func:`workload.variants.history_cases`.
MEMORY_SCREEN_AT = dt.datetime(2026, 7, 18, 13, 0, tzinfo=ZoneInfo("America/New_York"))
MEMORY_RECORDS = 30

Decide = Callable[..., Any]
Inputs = Sequence[tuple[Any, Any]]


# --- timing primitives ---------------------------------------------------------------------
@dataclass
class Samples:
    """Microseconds per call: wall-clock time, and the thread's CPU time around the same call.

    On a shared machine a call preempted by another process takes a scheduler slice longer
    on the wall clock (a few milliseconds) but no more CPU time; the CPU-time percentile shows
    what the code itself costs in the tail.
    """

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def extend(self, other: Samples) -> None:
        self.wall.extend(other.wall)
        self.cpu.extend(other.cpu)

    def split(self, verdicts: Sequence[bool]) -> tuple[Samples, Samples]:
        """The samples of allowed and of denied cases (samples repeat the cases round after
        round, in order)."""
        n = len(verdicts)
        allowed, denied = Samples(), Samples()
        for i, (wall, cpu) in enumerate(zip(self.wall, self.cpu, strict=True)):
            chosen = allowed if verdicts[i % n] else denied
            chosen.wall.append(wall)
            chosen.cpu.append(cpu)
        return allowed, denied

    def summary(self) -> dict[str, float]:
        return {
            "p50": percentile(self.wall, 50),
            "p99": percentile(self.wall, 99),
            "p50_cpu": percentile(self.cpu, 50),
            "p99_cpu": percentile(self.cpu, 99),
            "n": len(self.wall),
        }


def latency(decide: Decide, inputs: Inputs) -> Samples:
    """One wall-clock and one thread CPU-time reading around each call (the CPU clock's
    bracket holds the wall clock's, so only the CPU figure carries the readings' cost)."""
    wall_clock = time.perf_counter_ns
    cpu_clock = time.thread_time_ns
    wall: list[int] = []
    cpu: list[int] = []
    for first, second in inputs:
        cpu_start = cpu_clock()
        start = wall_clock()
        decide(first, second)
        end = wall_clock()
        cpu_end = cpu_clock()
        wall.append(end - start)
        cpu.append(cpu_end - cpu_start)
    return Samples([s / 1000 for s in wall], [s / 1000 for s in cpu])


def throughput(decide: Decide, inputs: Inputs) -> tuple[float, float]:
    """Decisions per wall-clock second and per second of this thread's CPU time, over one pass
    without a clock around each call."""
    inputs = list(inputs)

    def run() -> None:
        for first, second in inputs:
            decide(first, second)

    return run_timed(run, len(inputs))


def run_timed(run: Callable[[], object], count: int) -> tuple[float, float]:
    """``count`` divided by the wall-clock and by the thread CPU time of ``run()``.

    On a shared machine the wall-clock rate moves with whatever else runs (a pass of a few
    milliseconds loses a scheduler slice or not); the CPU-time rate is what the code costs.
    For a process pool only the wall clock means anything: the work is in other processes.
    """
    gc.collect()
    cpu_start = time.thread_time_ns()
    start = time.perf_counter_ns()
    run()
    end = time.perf_counter_ns()
    cpu_end = time.thread_time_ns()
    return count / ((end - start) / 1e9), count / (max(1, cpu_end - cpu_start) / 1e9)


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = q / 100 * (len(ordered) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def interleaved(runs: dict[str, tuple[Decide, Inputs]], rounds: int) -> dict[str, Samples]:
    """Latency samples per implementation: each input once per round, after one untimed pass
    (caches warm, as in a running dialer); each round starts with a different implementation."""
    for decide, inputs in runs.values():
        for first, second in inputs:
            decide(first, second)
    keys = list(runs)
    samples = {k: Samples() for k in keys}
    for round_no in range(rounds):
        shift = round_no % len(keys)
        for key in keys[shift:] + keys[:shift]:
            decide, inputs = runs[key]
            gc.collect()
            samples[key].extend(latency(decide, inputs))
    return samples


# --- agreement -----------------------------------------------------------------------------
@dataclass
class Disagreement:
    what: str
    index: int
    got: tuple[bool, tuple[str, ...], int | None]
    expected: tuple[bool, tuple[str, ...], int | None]


def _epoch_or_none(when: dt.datetime | None) -> int | None:
    return None if when is None else int(when.timestamp())


def compare(
    what: str, index: int, decision: Any, expected: plain.PlainResult
) -> list[Disagreement]:
    """contactrules' decision against the plain floor's: verdict, rule ids and, when denied,
    the next allowed instant (to the second)."""
    got = (
        bool(decision.allowed),
        tuple(sorted(r.rule_id for r in decision.reasons)),
        _epoch_or_none(decision.next_allowed_at),
    )
    want = (expected[0], tuple(sorted(expected[1])), expected[2])
    if got[:2] != want[:2] or (not want[0] and got[2] != want[2]):
        return [Disagreement(what, index, got, want)]
    return []


def _check_cases(
    what: str, engine: Any, cases: Sequence[Case], plain_inputs: Inputs
) -> list[Disagreement]:
    found: list[Disagreement] = []
    for case, (call, rows) in zip(cases, plain_inputs, strict=True):
        decision = engine.evaluate(case.contact, case.history)
        found.extend(compare(what, case.index, decision, plain.decide(call, rows)))
    return found


# --- history length ------------------------------------------------------------------------
def history_scaling(
    engine: Any, count: int, rounds: int, sizes: Sequence[int] = HISTORY_SIZES
) -> tuple[dict[str, Any], list[Disagreement]]:
    """p50/p99 per history length, allowed and denied, for the plain floor, contactrules given
    ``ContactRecord`` objects, and contactrules given a ``History`` built beforehand."""
    from workload.variants import history_cases

    from contactrules import History

    rows: list[dict[str, Any]] = []
    found: list[Disagreement] = []
    for size in sizes:
        for denied in (False, True):
            cases = history_cases(size, count, denied=denied)
            plain_inputs = [(plain_call(c), history_tuples(c.history)) for c in cases]
            found.extend(_check_cases(f"history {size} records", engine, cases, plain_inputs))
            runs: dict[str, tuple[Decide, Inputs]] = {
                "plain": (plain.decide, plain_inputs),
                "contactrules": (engine.evaluate, [(c.contact, c.history) for c in cases]),
                "contactrules-history": (
                    engine.evaluate,
                    [(c.contact, History(c.history)) for c in cases],
                ),
            }
            samples = interleaved(runs, rounds)
            row: dict[str, Any] = {"records": size, "denied": denied, "cases": len(cases)}
            for key, values in samples.items():
                row[key] = values.summary()
            rows.append(row)
            print(f"  history {size:>5} records, {'denied' if denied else 'allowed'}", flush=True)
    slopes: dict[str, dict[str, float]] = {}
    first, last = min(sizes), max(sizes)
    for denied in (False, True):
        label = "denied" if denied else "allowed"
        at = {r["records"]: r for r in rows if r["denied"] is denied}
        slopes[label] = {
            key: (at[last][key]["p50"] - at[first][key]["p50"]) / (last - first) * 1000
            for key in ("plain", "contactrules", "contactrules-history")
        }
    return {"rows": rows, "ns_per_record": slopes, "from": first, "to": last}, found


# --- candidate zones -----------------------------------------------------------------------
def zone_scaling(
    engine: Any, base: Sequence[Case], rounds: int
) -> tuple[dict[str, Any], list[Disagreement]]:
    """The workload's calls with 1, 2, 4 and 7 candidate zones: p50/p99 by verdict."""
    from workload.variants import ZONE_SETS, with_zones

    rows: list[dict[str, Any]] = []
    found: list[Disagreement] = []
    for count, zones in ZONE_SETS.items():
        cases = with_zones(base, zones)
        plain_inputs = [(plain_call(c), history_tuples(c.history)) for c in cases]
        found.extend(_check_cases(f"{count} zones", engine, cases, plain_inputs))
        verdicts = [plain.decide(call, h)[0] for call, h in plain_inputs]
        samples = interleaved(
            {
                "plain": (plain.decide, plain_inputs),
                "contactrules": (engine.evaluate, [(c.contact, c.history) for c in cases]),
            },
            rounds,
        )
        row: dict[str, Any] = {
            "zones": count,
            "names": list(zones),
            "cases": len(cases),
            "allowed": sum(verdicts),
        }
        for key, values in samples.items():
            allowed, denied = values.split(verdicts)
            row[key] = {"allowed": allowed.summary(), "denied": denied.summary()}
        rows.append(row)
        print(f"  {count} zones", flush=True)
    return {"rows": rows}, found


# --- bundled stacks ------------------------------------------------------------------------
def stack_latency(full: Any, base: Sequence[Case], rounds: int) -> dict[str, Any]:
    """``Engine.default()`` on the workload's calls, the consumer moved to each city of
    :data:`STACKS` and called by hand: p50/p99 by verdict (no floor implements these stacks)."""
    from workload.variants import at_place

    rows: list[dict[str, Any]] = []
    for label, state, city, number in STACKS:
        cases = at_place(base, state, city, number)
        inputs = [(c.contact, c.history) for c in cases]
        decisions = [full.evaluate(c, h) for c, h in inputs]
        verdicts = [d.allowed for d in decisions]
        samples = interleaved({"contactrules": (full.evaluate, inputs)}, rounds)["contactrules"]
        allowed, denied = samples.split(verdicts)
        rows.append(
            {
                "label": label,
                "place": f"{city}, {state}",
                "rulesets": list(decisions[0].rulesets),
                "rules": sum(
                    len(rs.spec.rules) for rs in full.rulesets if rs.id in decisions[0].rulesets
                ),
                "cases": len(cases),
                "allowed": sum(verdicts),
                "allowed_us": allowed.summary(),
                "denied_us": denied.summary(),
                "with_next": sum(d.next_allowed_at is not None for d in decisions if not d.allowed),
            }
        )
        print(f"  stack {label}", flush=True)
    return {"rows": rows}


# --- from rows -----------------------------------------------------------------------------
@dataclass
class _Rows:
    """One call as a dialer holds it: the consumer's row, the call and the call-log rows."""

    consumer: dict[str, Any]
    call: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)


def _dialer_rows(case: Case) -> _Rows:
    contact = case.contact
    consumer = contact.consumer
    return _Rows(
        consumer={
            "id": consumer.id,
            "addresses": [
                {"country": a.country, "subdivision": a.subdivision, "city": a.city}
                for a in consumer.addresses
            ],
            "phones": [{"number": p.number, "type": p.type.value} for p in consumer.phones],
            "zones": list(plain_call(case).zones),
            "debts": [{"id": d.id} for d in consumer.debts],
            "flags": {
                "cease_debt_ids": list(consumer.flags.cease_debt_ids),
                "attorney_debt_ids": list(consumer.flags.attorney_debt_ids),
            },
        },
        call={"at": epoch(contact.at), "debt_ids": list(contact.debt_ids), "to": contact.to},
        history=history_dicts(case.history),
    )


def _plain_from_rows(rows: _Rows, _: object = None) -> plain.PlainResult:
    consumer, call = rows.consumer, rows.call
    flags = consumer["flags"]
    return plain.decide_dicts(
        PlainCall(
            call["at"],
            tuple(call["debt_ids"]),
            tuple(consumer["zones"]),
            tuple(flags["cease_debt_ids"]),
            tuple(flags["attorney_debt_ids"]),
        ),
        rows.history,
    )


def _contact_from_rows(rows: _Rows) -> Any:
    from contactrules import Consumer, Contact

    call = rows.call
    return Contact(
        channel="call",
        at=dt.datetime.fromtimestamp(call["at"], UTC),
        consumer=Consumer.model_validate(rows.consumer),
        debt_ids=call["debt_ids"],
        to=call["to"],
    )


def from_rows(
    engine: Any, cases: Sequence[Case], rounds: int
) -> tuple[dict[str, Any], list[Disagreement]]:
    """From plain rows to a decision: the plain floor on the rows, against the public API
    (``Consumer``/``Contact`` models from the rows, then the history as ``ContactRecord``
    models, or as ``History.from_rows``, then ``evaluate``)."""
    from contactrules import ContactRecord, History

    fromtimestamp = dt.datetime.fromtimestamp

    def via_models(rows: _Rows, _: object = None) -> Any:
        records = [
            ContactRecord.model_validate({**row, "at": fromtimestamp(row["at"], UTC)})
            for row in rows.history
        ]
        return engine.evaluate(_contact_from_rows(rows), records)

    def via_history(rows: _Rows, _: object = None) -> Any:
        history = History.from_rows(
            [{**row, "at": fromtimestamp(row["at"], UTC)} for row in rows.history]
        )
        return engine.evaluate(_contact_from_rows(rows), history)

    dialer = [_dialer_rows(c) for c in cases]
    found: list[Disagreement] = []
    for case, rows in zip(cases, dialer, strict=True):
        expected = _plain_from_rows(rows)
        found.extend(compare("from rows (models)", case.index, via_models(rows), expected))
        found.extend(compare("from rows (History)", case.index, via_history(rows), expected))
    inputs = [(r, None) for r in dialer]
    verdicts = [_plain_from_rows(r)[0] for r in dialer]
    samples = interleaved(
        {
            "plain": (_plain_from_rows, inputs),
            "contactrules-models": (via_models, inputs),
            "contactrules-history": (via_history, inputs),
        },
        rounds,
    )
    out: dict[str, Any] = {
        "cases": len(cases),
        "records_mean": statistics.mean(len(c.history) for c in cases) if cases else 0.0,
    }
    for key, values in samples.items():
        allowed, denied = values.split(verdicts)
        out[key] = {
            "all": values.summary(),
            "allowed": allowed.summary(),
            "denied": denied.summary(),
        }
    return out, found


# --- memory --------------------------------------------------------------------------------
def bytes_per_record(count: int) -> dict[str, float]:
    """Traced bytes per history record held in a list, by representation.

    Each record's instant and debt list are created while tracing (a database driver creates
    them per row); the codes and the number called are shared between records, as interned
    text and enum members are.
    """
    from contactrules import ContactRecord, Record
    from contactrules.models import Channel, Initiator, Outcome

    base = 1_780_000_000
    offsets = list(range(count))
    number = "+16175550123"
    fromtimestamp = dt.datetime.fromtimestamp
    outcomes = ("no_answer", "voicemail", "not_connected")

    def models() -> list[Any]:
        return [
            ContactRecord(
                channel="call",
                at=fromtimestamp(base + k, UTC),
                debt_ids=["D1"],
                outcome=outcomes[k % 3],
                initiated_by="collector",
                to=number,
            )
            for k in offsets
        ]

    def records() -> list[Any]:
        return [
            Record(
                channel=Channel.CALL,
                at=fromtimestamp(base + k, UTC),
                debt_ids=("D1",),
                outcome=Outcome(outcomes[k % 3]),
                initiated_by=Initiator.COLLECTOR,
                to=number,
            )
            for k in offsets
        ]

    def tuples() -> list[Any]:
        return [
            (base + k, "call", "consumer", "collector", outcomes[k % 3], ("D1",)) for k in offsets
        ]

    def dicts() -> list[Any]:
        return [
            {
                "at": base + k,
                "channel": "call",
                "recipient": "consumer",
                "initiated_by": "collector",
                "outcome": outcomes[k % 3],
                "debt_ids": ["D1"],
                "to": number,
            }
            for k in offsets
        ]

    models()  # validators built, caches filled, before tracing
    records()
    out: dict[str, float] = {}
    for key, build in (
        ("ContactRecord", models),
        ("Record", records),
        ("tuple row", tuples),
        ("dict row", dicts),
    ):
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        built = build()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        out[key] = (after - before) / count
        del built
    return out


def _status_mb() -> dict[str, float]:
    found: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(line.split()[1]) / 1024
    except OSError:
        import resource

        found["VmHWM"] = found["VmRSS"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return found


def memory_child(kind: str, consumers: int) -> dict[str, float]:
    """In a fresh process: RSS once everything is imported, after building ``consumers``
    accounts with 30 records each, and the peak after screening them all at one instant.

    Both kinds generate their cases with the workload generator (contactrules models, turned
    into rows one case at a time for the plain floor), so both import contactrules before the
    first figure; what differs is what is held and how it is decided.
    """
    from workload.variants import iter_history_cases

    from contactrules import Account, Engine, screen

    out: dict[str, float] = {"consumers": consumers, "records": MEMORY_RECORDS}
    cases = iter_history_cases(MEMORY_RECORDS, consumers, denied=True)
    if kind == "contactrules":
        engine = Engine.from_path(WORKLOAD_DIR)
        gc.collect()
        out["loaded_mb"] = _status_mb()["VmRSS"]
        accounts = [
            Account(
                consumer=c.contact.consumer,
                debt_ids=tuple(c.contact.debt_ids),
                history=c.history,
                to=c.contact.to,
            )
            for c in cases
        ]
        gc.collect()
        out["built_mb"] = _status_mb()["VmRSS"]
        start = time.perf_counter()
        results = screen(engine, accounts, "call", MEMORY_SCREEN_AT)
        out["screen_s"] = time.perf_counter() - start
        out["allowed"] = sum(r.allowed for r in results)
    else:
        gc.collect()
        out["loaded_mb"] = _status_mb()["VmRSS"]
        calls = [(plain_call(c, MEMORY_SCREEN_AT), history_tuples(c.history)) for c in cases]
        gc.collect()
        out["built_mb"] = _status_mb()["VmRSS"]
        start = time.perf_counter()
        found = [plain.decide(call, rows) for call, rows in calls]
        out["screen_s"] = time.perf_counter() - start
        out["allowed"] = sum(r[0] for r in found)
    out["peak_mb"] = _status_mb()["VmHWM"]
    return out


def extrapolate(small: dict[str, float], large: dict[str, float], target: int) -> dict[str, float]:
    """Peak RSS at ``target`` consumers, on the line through two measured sizes."""
    span = large["consumers"] - small["consumers"]
    per_consumer = (large["peak_mb"] - small["peak_mb"]) / span
    built_per = (large["built_mb"] - small["built_mb"]) / span
    return {
        "per_consumer_kb": per_consumer * 1024,
        "built_per_consumer_kb": built_per * 1024,
        "peak_mb": large["peak_mb"] + per_consumer * (target - large["consumers"]),
        "screen_s": large["screen_s"] / large["consumers"] * target,
    }


# --- screening throughput ------------------------------------------------------------------
def _plain_chunk(chunk: list[tuple[PlainCall, list[Any]]]) -> list[plain.PlainResult]:
    return [plain.decide(call, rows) for call, rows in chunk]


def _plain_parallel(
    items: Sequence[tuple[PlainCall, list[Any]]], processes: int, chunk_size: int
) -> list[plain.PlainResult]:
    chunks = [list(items[i : i + chunk_size]) for i in range(0, len(items), chunk_size)]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        return [r for part in pool.map(_plain_chunk, chunks) for r in part]


def screening(
    engine: Any,
    cases: Sequence[Case],
    at: dt.datetime,
    rounds: int,
    parallel_accounts: int,
    processes: int = 2,
) -> tuple[dict[str, Any], list[Disagreement]]:
    """Decisions/s of ``screen`` (one process) and ``screen_parallel`` over the workload's
    consumers at one instant, against the plain floor serially and in a process pool, and the
    object floor serially."""
    from peers.handwritten import decide_parts
    from workload import screening_accounts

    from contactrules import screen, screen_parallel

    accounts = screening_accounts(list(cases))
    plain_items = [(plain_call(c, at), history_tuples(c.history)) for c in cases]
    found: list[Disagreement] = []
    for index, (result, (call, rows)) in enumerate(
        zip(screen(engine, accounts, "call", at), plain_items, strict=True)
    ):
        expected = plain.decide(call, rows)
        got = (
            result.allowed,
            tuple(sorted(result.rule_ids)),
            _epoch_or_none(result.next_allowed_at),
        )
        want = (expected[0], tuple(sorted(expected[1])), expected[2])
        if got[:2] != want[:2] or (not want[0] and got[2] != want[2]):
            found.append(Disagreement("screen@" + at.isoformat(), index, got, want))
    repeat = max(1, parallel_accounts // max(1, len(accounts)))
    many_accounts = accounts * repeat
    many_plain = plain_items * repeat
    parallel = screen_parallel(engine, many_accounts, "call", at, processes=processes)
    if [(r.allowed, r.rule_ids) for r in parallel[: len(accounts)]] != [
        (r.allowed, r.rule_ids) for r in screen(engine, accounts, "call", at)
    ]:
        found.append(Disagreement("screen_parallel", 0, (False, (), None), (False, (), None)))

    runs: dict[str, tuple[Callable[[], object], int]] = {
        "plain": (lambda: [plain.decide(c, r) for c, r in plain_items], len(plain_items)),
        "floor": (
            lambda: [decide_parts(a.consumer, a.debt_ids, a.to, at, a.history) for a in accounts],
            len(accounts),
        ),
        "screen": (lambda: screen(engine, accounts, "call", at), len(accounts)),
        "plain-parallel": (
            lambda: _plain_parallel(many_plain, processes, 2000),
            len(many_plain),
        ),
        "screen_parallel": (
            lambda: screen_parallel(engine, many_accounts, "call", at, processes=processes),
            len(many_accounts),
        ),
    }
    rates: dict[str, list[float]] = {k: [] for k in runs}
    cpu_rates: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(rounds):
        for key, (run, count) in runs.items():
            wall, cpu = run_timed(run, count)
            rates[key].append(wall)
            cpu_rates[key].append(cpu)
    return {
        "accounts": len(accounts),
        "parallel_accounts": len(many_accounts),
        "processes": processes,
        "decisions_per_s": {k: statistics.median(v) for k, v in rates.items()},
        "decisions_per_cpu_s": {k: statistics.median(v) for k, v in cpu_rates.items()},
        "rounds": rates,
        "pickle_us_per_account": _pickle_cost(accounts, plain_items),
    }, found


def _pickle_cost(accounts: Sequence[Any], plain_items: Sequence[Any]) -> dict[str, float]:
    """Microseconds to pickle and unpickle one account: what a process pool pays to send it."""
    out: dict[str, float] = {}
    for key, items in (("screen_parallel", accounts), ("plain-parallel", plain_items)):
        start = time.perf_counter_ns()
        pickle.loads(pickle.dumps(list(items), protocol=pickle.HIGHEST_PROTOCOL))
        out[key] = (time.perf_counter_ns() - start) / 1000 / max(1, len(items))
    return out
