#!/usr/bin/env python3
"""contactrules against a hand-written floor and two rule engines, on the same workload.

    python bench/run_peers.py               # 2,000 generated calls, 5 timed rounds
    python bench/run_peers.py --n 500 --rounds 3
    python bench/run_peers.py --case 17     # one case, every implementation's answer
    python bench/run_peers.py --json results.json

Needs ``pip install -e '.[bench]'`` (zen-engine and cedarpy; a peer that is not installed is
left out with a note). What happens, in order:

1. bench/workload generates N proposed calls (seeded) and contactrules loads the workload
   ruleset ``Engine.from_path("bench/workload")``;
2. **agreement**: every implementation decides every case, and allowed/denied and the set of
   rule ids that deny must equal the floor's (also ``Engine.evaluate_many`` and ``screen``);
   any disagreement is printed with the command that reproduces it and the run exits 1 before
   anything is timed;
3. **timing**: for each round and implementation (interleaved, so drift in the machine's speed
   is shared), one pass over all cases with a clock around each call (p50/p99) and one pass
   without (decisions/s); plus ``evaluate_many``, ``screen`` at one instant, and the full
   bundled stack for a Boston consumer with 50 history records;
4. **fresh processes**: ``import contactrules`` + ``Engine.default()``; each implementation's
   import, build and peak RSS (``resource.getrusage``), median of 5 processes (after one
   warm-up that fills a scratch bytecode cache);
5. a Markdown report, with each target of the performance issue checked.

Inputs are validated contactrules objects built before timing; objects alive before timing
are frozen out of the garbage collector (``gc.freeze``), which stays enabled while timing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contactrules import Engine

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORKLOAD_DIR = BENCH / "workload"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

PROCESSES = 5  # fresh processes per import/memory measurement
SLOW_SUBSET = 300  # cases for zen's ZenDecision.evaluate path (an order of magnitude slower)
FULL_STACK_CALLS = 5000

# The targets of the performance issue.
TARGET_RATIO_FLOOR = 2.0
TARGET_PEER_SPEEDUP = 5.0
TARGET_FULL_STACK_P99_US = 100.0
TARGET_IMPORT_MS = 300.0
TARGET_RSS_MB = 60.0

Result = tuple[bool, tuple[str, ...]]


# --- fresh-process measurements ------------------------------------------------------------
def _child(mode: str) -> None:
    """Run in a fresh interpreter: import, build, decide once; print JSON with times and RSS."""
    out: dict[str, float | str] = {}
    t0 = time.perf_counter()
    if mode == "python":
        pass
    elif mode == "contactrules-default":
        import contactrules

        t1 = time.perf_counter()
        engine = contactrules.Engine.default()
        t2 = time.perf_counter()
        from workload import boston_case

        case = boston_case()
        t3 = time.perf_counter()
        engine.evaluate(case.contact, case.history)
        t4 = time.perf_counter()
        out.update(import_ms=(t1 - t0) * 1e3, build_ms=(t2 - t1) * 1e3, first_ms=(t4 - t3) * 1e3)
        out["rulesets"] = len(engine.rulesets)
    else:
        if mode == "contactrules":
            import contactrules

            t1 = time.perf_counter()
            engine = contactrules.Engine.from_path(WORKLOAD_DIR)
            decide: Callable[..., Any] = engine.evaluate
        else:
            module = {"floor": "peers.handwritten", "zen": "peers.zen", "cedar": "peers.cedar"}
            imported = __import__(module[mode], fromlist=["build"])
            t1 = time.perf_counter()
            decide = imported.build().decide
        t2 = time.perf_counter()
        from workload import generate

        case = generate(1)[0]
        t3 = time.perf_counter()
        decide(case.contact, case.history)
        t4 = time.perf_counter()
        out.update(import_ms=(t1 - t0) * 1e3, build_ms=(t2 - t1) * 1e3, first_ms=(t4 - t3) * 1e3)
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:  # Linux: the peak of this process image alone (a cross-check of ru_maxrss)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                out["vmhwm_mb"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    print(json.dumps(out))


def _child_env(cache: str) -> dict[str, str]:
    """Bytecode cached as after a normal install, in a scratch folder (never in the checkout)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


# On Linux a process's ru_maxrss starts from the RSS of the process that forked it, so children
# forked by this (large, once the workload is built) process would all report its size. A small
# launcher, started before anything is imported, forks them instead.
_LAUNCHER = """
import json, subprocess, sys
for line in sys.stdin:
    job = json.loads(line)
    done = subprocess.run(job["argv"], capture_output=True, text=True, env=job["env"],
                          cwd=job["cwd"], check=False)
    print(json.dumps([done.returncode, done.stdout, done.stderr]), flush=True)
"""


class Launcher:
    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._cache = tempfile.TemporaryDirectory(prefix="contactrules-bench-pyc-")

    def run(self, mode: str) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        job = {
            "argv": [sys.executable, str(Path(__file__).resolve()), "--child", mode],
            "env": _child_env(self._cache.name),
            "cwd": str(ROOT),
        }
        self._proc.stdin.write(json.dumps(job) + "\n")
        self._proc.stdin.flush()
        code, out, err = json.loads(self._proc.stdout.readline())
        if code != 0:
            raise RuntimeError(f"child {mode} failed:\n{err}")
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait()
        self._cache.cleanup()


def fresh(launcher: Launcher, mode: str, runs: int = PROCESSES) -> dict[str, float]:
    """Median of each measurement over ``runs`` fresh interpreters, after one discarded run
    that fills the bytecode cache."""
    samples = [launcher.run(mode) for _ in range(runs + 1)][1:]
    keys = [k for k, v in samples[0].items() if isinstance(v, (int, float))]
    return {k: statistics.median(s[k] for s in samples) for k in keys}


# --- implementations -----------------------------------------------------------------------
@dataclass
class Impl:
    key: str
    label: str
    decide: Callable[..., Any]
    extract: Callable[[Any], Result]
    build_ms: float
    subset: int | None = None  # time only the first cases (slow paths)
    info_only: bool = False  # shown, not checked against targets
    latency: list[float] = field(default_factory=list)  # µs
    rounds_dps: list[float] = field(default_factory=list)


def _same(result: Result) -> Result:
    return result


def _decision(decision: Any) -> Result:
    return decision.allowed, tuple(r.rule_id for r in decision.reasons)


def _engine(impls: list[Impl]) -> Engine:
    """The Engine behind contactrules' Impl: its ``decide`` is that engine's bound ``evaluate``."""
    from contactrules import Engine

    engine = getattr(next(i for i in impls if i.key == "contactrules").decide, "__self__", None)
    assert isinstance(engine, Engine)
    return engine


def _median_build(build: Callable[[], Any], times: int = 5) -> tuple[Any, float]:
    samples = []
    built = None
    for _ in range(times):
        start = time.perf_counter()
        built = build()
        samples.append((time.perf_counter() - start) * 1e3)
    return built, statistics.median(samples)


def load_impls(notes: list[str]) -> list[Impl]:
    from peers import handwritten

    from contactrules import Engine

    impls = []
    floor, ms = _median_build(handwritten.build)
    impls.append(Impl("floor", "hand-written Python (the floor)", floor.decide, _same, ms))
    engine, ms = _median_build(lambda: Engine.from_path(WORKLOAD_DIR))
    impls.append(
        Impl("contactrules", "contactrules `Engine.evaluate`", engine.evaluate, _decision, ms)
    )
    try:
        from peers import zen as zen_peer
    except ImportError as exc:
        notes.append(f"zen-engine is not installed ({exc}); left out. `pip install -e '.[bench]'`")
    else:
        peer, ms = _median_build(zen_peer.build)
        impls.append(Impl("zen", "zen-engine (JDM table) + glue", peer.decide, _same, ms))
        peer, ms = _median_build(zen_peer.build_decision_api)
        impls.append(
            Impl(
                "zen-decision",
                "zen-engine + glue, via `ZenDecision.evaluate`",
                peer.decide,
                _same,
                ms,
                subset=SLOW_SUBSET,
                info_only=True,
            )
        )
    try:
        from peers import cedar as cedar_peer
    except ImportError as exc:
        notes.append(f"cedarpy is not installed ({exc}); left out. `pip install -e '.[bench]'`")
    else:
        peer, ms = _median_build(cedar_peer.build)
        impls.append(Impl("cedar", "Cedar (cedarpy) + glue", peer.decide, _same, ms))
    sorted_floor = handwritten.build_sorted()
    impls.append(
        Impl(
            "floor-sorted",
            "hand-written, history known sorted (bisect)",
            sorted_floor.decide,
            _same,
            0.0,
            info_only=True,
        )
    )
    return impls


# --- agreement -----------------------------------------------------------------------------
@dataclass
class Disagreement:
    what: str
    index: int
    got: Result
    expected: Result


def _differs(got: Result, expected: Result) -> bool:
    return got[0] != expected[0] or sorted(got[1]) != sorted(expected[1])


def check_agreement(
    impls: list[Impl], cases: list[Any], floor_results: list[Result], engine: Any
) -> list[Disagreement]:
    from workload import SCREEN_AT, screening_accounts

    from contactrules import screen

    found: list[Disagreement] = []
    pairs = [(c.contact, c.history) for c in cases]
    for impl in impls:
        if impl.key == "floor":
            continue
        for index, (contact, history) in enumerate(pairs[: impl.subset]):
            got = impl.extract(impl.decide(contact, history))
            if _differs(got, floor_results[index]):
                found.append(Disagreement(impl.key, index, got, floor_results[index]))
    if hasattr(engine, "evaluate_many"):
        for index, decision in enumerate(engine.evaluate_many(pairs)):
            got = _decision(decision)
            if _differs(got, floor_results[index]):
                found.append(Disagreement("evaluate_many", index, got, floor_results[index]))
    from peers.handwritten import decide_parts

    accounts = screening_accounts(cases)
    for index, (account, result) in enumerate(
        zip(accounts, screen(engine, accounts, "call", SCREEN_AT), strict=True)
    ):
        expected = decide_parts(
            account.consumer, account.debt_ids, account.to, SCREEN_AT, account.history
        )
        got = (result.allowed, result.rule_ids)
        if _differs(got, expected):
            found.append(Disagreement("screen@" + SCREEN_AT.isoformat(), index, got, expected))
    return found


def show_case(index: int, n: int, seed: int) -> None:
    """Print one case and every implementation's answer (the reproduction of a disagreement)."""
    from workload import SCREEN_AT, generate

    cases = generate(n, seed)
    case = cases[index]
    contact, history = case.contact, case.history
    print(f"# case {index} of generate(n={n}, seed={seed})")
    print(contact.model_dump_json(indent=2))
    print(f"# history: {len(history)} records")
    for record in history:
        print("  " + record.model_dump_json(exclude_defaults=True))
    notes: list[str] = []
    impls = load_impls(notes)
    for impl in impls:
        print(f"{impl.key:>14}: {impl.extract(impl.decide(contact, history))}")
    engine = _engine(impls)
    decision = engine.evaluate(contact, history)
    print("# contactrules reasons")
    for reason in decision.reasons:
        print(f"  {reason.rule_id}: {reason.message}")
    print(f"  zones {decision.zones}; next allowed {decision.next_allowed_at}")
    from peers.handwritten import decide_parts

    print(f"# at the screening instant {SCREEN_AT.isoformat()}")
    print(
        "  floor:", decide_parts(contact.consumer, contact.debt_ids, contact.to, SCREEN_AT, history)
    )
    for note in notes:
        print("note:", note)


# --- timing --------------------------------------------------------------------------------
def _latency(decide: Callable[..., Any], pairs: Sequence[tuple[Any, Any]]) -> list[float]:
    clock = time.perf_counter_ns
    samples: list[int] = []
    append = samples.append
    for contact, history in pairs:
        start = clock()
        decide(contact, history)
        append(clock() - start)
    return [s / 1000 for s in samples]


def _throughput(decide: Callable[..., Any], pairs: Sequence[tuple[Any, Any]]) -> float:
    start = time.perf_counter_ns()
    for contact, history in pairs:
        decide(contact, history)
    return len(pairs) / ((time.perf_counter_ns() - start) / 1e9)


def _timed(run: Callable[[], Any], count: int) -> float:
    start = time.perf_counter_ns()
    run()
    return count / ((time.perf_counter_ns() - start) / 1e9)


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = q / 100 * (len(ordered) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def run(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()
    launcher = Launcher()  # before this process grows
    try:
        return _run(args, launcher, load_before)
    finally:
        launcher.close()


def _run(args: argparse.Namespace, launcher: Launcher, load_before: tuple[float, ...]) -> int:
    from workload import SCREEN_AT, boston_case, generate, screening_accounts, summary

    from contactrules import Engine, screen

    notes: list[str] = []
    started = time.perf_counter()
    cases = generate(args.n, args.seed)
    generated_s = time.perf_counter() - started
    pairs = [(c.contact, c.history) for c in cases]
    impls = load_impls(notes)
    floor = impls[0]
    engine = _engine(impls)
    floor_results = [floor.decide(c, h) for c, h in pairs]
    workload_info = summary(cases)
    workload_info["allowed"] = sum(r[0] for r in floor_results)
    print(f"workload: {workload_info} (generated in {generated_s:.1f} s)", flush=True)

    disagreements = check_agreement(impls, cases, floor_results, engine)
    if disagreements:
        print(f"\n{len(disagreements)} DISAGREEMENT(S) with the floor; nothing is timed.\n")
        for d in disagreements[:20]:
            kind = "VERDICT" if d.got[0] != d.expected[0] else "rule ids"
            print(
                f"- [{kind}] {d.what} case {d.index}: got allowed={d.got[0]} {sorted(d.got[1])}, "
                f"floor allowed={d.expected[0]} {sorted(d.expected[1])}\n"
                f"  reproduce: python bench/run_peers.py --n {args.n} --seed {args.seed} "
                f"--case {d.index}"
            )
        if len(disagreements) > 20:
            print(f"… and {len(disagreements) - 20} more")
        return 1
    checked = ", ".join(i.key for i in impls[1:])
    print(f"agreement: {checked}, evaluate_many and screen agree with the floor on every case")

    # --- in-process timing ----------------------------------------------------------------
    accounts = screening_accounts(cases)
    from peers.handwritten import decide_parts

    def floor_screen() -> None:
        for a in accounts:
            decide_parts(a.consumer, a.debt_ids, a.to, SCREEN_AT, a.history)

    has_many = hasattr(engine, "evaluate_many")
    extra_dps: dict[str, list[float]] = {"evaluate_many": [], "screen": [], "floor_screen": []}
    full = Engine.default()
    boston = {"denied": boston_case(), "allowed": boston_case(busy_only=True)}
    boston_decisions = {k: full.evaluate(c.contact, c.history) for k, c in boston.items()}

    gc.collect()
    gc.freeze()
    print(f"timing: {args.rounds} rounds × {len(pairs)} cases per implementation …", flush=True)
    for round_no in range(args.rounds):
        order = impls[round_no % len(impls) :] + impls[: round_no % len(impls)]
        for impl in order:
            if impl.subset is not None and round_no > 0:
                continue
            subset = pairs[: impl.subset]
            gc.collect()
            impl.latency.extend(_latency(impl.decide, subset))
        for impl in order:
            if impl.subset is not None and round_no > 0:
                continue
            subset = pairs[: impl.subset]
            gc.collect()
            impl.rounds_dps.append(_throughput(impl.decide, subset))
        if has_many:
            gc.collect()
            extra_dps["evaluate_many"].append(
                _timed(lambda: engine.evaluate_many(pairs), len(pairs))
            )
        gc.collect()
        extra_dps["screen"].append(
            _timed(lambda: screen(engine, accounts, "call", SCREEN_AT), len(accounts))
        )
        gc.collect()
        extra_dps["floor_screen"].append(_timed(floor_screen, len(accounts)))

    full_stack: dict[str, dict[str, float]] = {}
    for label, case in boston.items():
        for _ in range(200):
            full.evaluate(case.contact, case.history)
        gc.collect()
        samples = _latency(full.evaluate, [(case.contact, case.history)] * FULL_STACK_CALLS)
        full_stack[label] = {
            "p50": percentile(samples, 50),
            "p99": percentile(samples, 99),
            "allowed": boston_decisions[label].allowed,
        }
    gc.unfreeze()

    # --- fresh processes ------------------------------------------------------------------
    print(f"fresh processes: {PROCESSES} (+1 warm-up) per measurement …", flush=True)
    default_proc = fresh(launcher, "contactrules-default")
    python_proc = fresh(launcher, "python")
    per_impl_proc = {}
    for key, module in (
        ("floor", None),
        ("contactrules", None),
        ("zen", "zen"),
        ("cedar", "cedarpy"),
    ):
        if module is None or importlib.util.find_spec(module) is not None:
            per_impl_proc[key] = fresh(launcher, key)

    report = build_report(
        args,
        impls,
        workload_info,
        extra_dps,
        has_many,
        full_stack,
        boston_decisions,
        default_proc,
        python_proc,
        per_impl_proc,
        notes,
        [r[0] for r in floor_results],
        (load_before, os.getloadavg()),
    )
    print()
    print(report["markdown"])
    if args.json:
        Path(args.json).write_text(json.dumps(report["data"], indent=2, default=str) + "\n")
        print(f"\n(raw figures written to {args.json})")
    return 0


# --- report --------------------------------------------------------------------------------
def _versions() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for name in ("contactrules", "pydantic", "holidays", "phonenumbers", "zen-engine", "cedarpy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def build_report(
    args: argparse.Namespace,
    impls: list[Impl],
    workload_info: dict[str, object],
    extra_dps: dict[str, list[float]],
    has_many: bool,
    full_stack: dict[str, dict[str, float]],
    boston_decisions: dict[str, Any],
    default_proc: dict[str, float],
    python_proc: dict[str, float],
    per_impl_proc: dict[str, dict[str, float]],
    notes: list[str],
    verdicts: list[bool],
    load: tuple[tuple[float, ...], tuple[float, ...]],
) -> dict[str, Any]:
    floor = impls[0]
    floor_dps = statistics.median(floor.rounds_dps)
    lines: list[str] = []
    add = lines.append
    today = dt.date.today().isoformat()
    add(
        f"Run {today}: `python bench/run_peers.py --n {args.n} --seed {args.seed} "
        f"--rounds {args.rounds}` — Python {platform.python_version()}, {_cpu()}, "
        f"{os.cpu_count()} logical CPUs; "
        + ", ".join(f"{k} {v}" for k, v in _versions().items())
        + f"; 1-minute load average {load[0][0]:.2f} before, {load[1][0]:.2f} after."
    )
    add("")
    add(
        f"Workload: {workload_info['cases']} calls ({workload_info['allowed']} allowed), "
        f"{workload_info['multi_zone']} with several candidate zones, "
        f"{workload_info['on_holiday_eastern']} on 3–4 July (Eastern), histories of 0–"
        f"{workload_info['history_max']} records (mean {workload_info['history_mean']})."
    )
    add("")
    add(
        "| implementation | decisions/s | p50 µs | p99 µs | time × floor | build ms "
        "| import ms | peak RSS MB |"
    )
    add("|---|---:|---:|---:|---:|---:|---:|---:|")
    data_rows = []
    for impl in impls:
        dps = statistics.median(impl.rounds_dps)
        p50, p99 = percentile(impl.latency, 50), percentile(impl.latency, 99)
        proc = per_impl_proc.get(impl.key, {})
        label = impl.label + (f" ¹ ({impl.subset} cases, 1 round)" if impl.subset else "")
        label += " ²" if impl.key == "floor-sorted" else ""
        add(
            f"| {label} | {dps:,.0f} | {p50:.1f} | {p99:.1f} | {floor_dps / dps:.2f} "
            f"| {impl.build_ms:.2f} | "
            + (f"{proc['import_ms']:.0f} | {proc['maxrss_mb']:.0f} |" if proc else "– | – |")
        )
        data_rows.append(
            {
                "key": impl.key,
                "label": impl.label,
                "decisions_per_s": dps,
                "decisions_per_s_rounds": impl.rounds_dps,
                "p50_us": p50,
                "p99_us": p99,
                "time_x_floor": floor_dps / dps,
                "build_ms": impl.build_ms,
                "process": proc,
                "samples": len(impl.latency),
            }
        )
    add("")
    add(
        "¹ Same graph and glue as the zen-engine row, called through `engine.create_decision(...)` "
        "then `decision.evaluate(...)`; the row above uses `ZenEngine` with a static loader and "
        "`engine.evaluate(key, ...)`, the fastest path found; its time × floor compares its "
        f"{SLOW_SUBSET} cases with the floor's {args.n}. ² Not the same contract: assumes the "
        "history is ordered oldest first (contactrules and the floor accept any order). "
        "Import ms and peak RSS: a fresh interpreter importing the implementation (the floor "
        "and the glue import contactrules for its input models and zone tables), building it and "
        "deciding one call; median of 5 processes. The harness alone (a fresh interpreter "
        f"that imports nothing else) peaks at {python_proc['maxrss_mb']:.0f} MB."
    )
    add("")

    # allowed / denied split
    add("p50 µs by the floor's verdict (contactrules also computes `next_allowed_at` when denied):")
    add("")
    add("| implementation | allowed p50 µs | denied p50 µs |")
    add("|---|---:|---:|")
    for impl in impls:
        allowed, denied = _split(impl, verdicts)
        add(f"| {impl.label} | {allowed:.1f} | {denied:.1f} |")
    add("")

    # extras
    cr = next(i for i in impls if i.key == "contactrules")
    cr_dps = statistics.median(cr.rounds_dps)
    many = statistics.median(extra_dps["evaluate_many"]) if has_many else None
    screen_dps = statistics.median(extra_dps["screen"])
    floor_screen = statistics.median(extra_dps["floor_screen"])
    add("| contactrules, other measures | value | floor, same work |")
    add("|---|---:|---:|")
    if many is not None:
        add(
            f"| `evaluate_many` over the {args.n} (contact, history) pairs, decisions/s | "
            f"{many:,.0f} | {floor_dps:,.0f} |"
        )
    add(
        f"| `screen(engine, accounts, 'call', at)` at one instant, decisions/s | "
        f"{screen_dps:,.0f} | {floor_screen:,.0f} |"
    )
    for label in ("allowed", "denied"):
        fs = full_stack[label]
        decision = boston_decisions[label]
        add(
            f"| full bundled stack (`Engine.default()`: {' + '.join(decision.rulesets)}), "
            f"Boston MA, 50 records, {label}: p50 / p99 µs | {fs['p50']:.1f} / {fs['p99']:.1f} "
            "| – |"
        )
    add(f"| `import contactrules`, fresh process, ms | {default_proc['import_ms']:.0f} | – |")
    add(
        f"| `Engine.default()` ({default_proc['rulesets']:.0f} rulesets), fresh process, ms | "
        f"{default_proc['build_ms']:.0f} | – |"
    )
    add(f"| first `evaluate` after that, ms | {default_proc['first_ms']:.1f} | – |")
    add(
        f"| peak RSS: import + `Engine.default()` + one decision, MB | "
        f"{default_proc['maxrss_mb']:.0f} | – |"
    )
    add(f"| `Engine.from_path('bench/workload')` build, ms | {cr.build_ms:.1f} | – |")
    add("")

    # targets
    checks: list[tuple[str, str, bool | None]] = []  # met: None when the peer is not installed
    ratio = floor_dps / cr_dps
    checks.append(
        ("`evaluate()` ≤ 2× the floor's time", f"{ratio:.2f}×", ratio <= TARGET_RATIO_FLOOR)
    )
    for key in ("zen", "cedar"):
        peer = next((i for i in impls if i.key == key), None)
        if peer is None:
            checks.append((f"≥ 5× faster than {key}", "not installed", None))
            continue
        speedup = cr_dps / statistics.median(peer.rounds_dps)
        checks.append(
            (f"≥ 5× faster than {peer.label}", f"{speedup:.2f}×", speedup >= TARGET_PEER_SPEEDUP)
        )
    worst_p99 = max(full_stack[k]["p99"] for k in full_stack)
    checks.append(
        (
            "full US federal + MA stack, 50 records: p99 ≤ 100 µs",
            f"{worst_p99:.0f} µs",
            worst_p99 <= TARGET_FULL_STACK_P99_US,
        )
    )
    if many is not None:
        checks.append(
            (
                "`evaluate_many` ≥ the floor's decisions/s",
                f"{many / floor_dps:.2f}× the floor",
                many >= floor_dps,
            )
        )
    checks.append(
        (
            "`screen` ≥ the floor's decisions/s (same instant)",
            f"{screen_dps / floor_screen:.2f}× the floor",
            screen_dps >= floor_screen,
        )
    )
    startup = default_proc["import_ms"] + default_proc["build_ms"]
    checks.append(
        (
            "`import contactrules` + `Engine.default()` < 300 ms",
            f"{startup:.0f} ms",
            startup < TARGET_IMPORT_MS,
        )
    )
    checks.append(
        (
            "all bundled rulesets loaded: peak RSS < 60 MB",
            f"{default_proc['maxrss_mb']:.0f} MB",
            default_proc["maxrss_mb"] < TARGET_RSS_MB,
        )
    )
    add("| target | measured | met |")
    add("|---|---:|:---:|")
    for name, measured, met in checks:
        add(f"| {name} | {measured} | {'–' if met is None else ('yes' if met else '**no**')} |")
    for note in notes:
        add("")
        add(f"Note: {note}")
    return {
        "markdown": "\n".join(lines),
        "data": {
            "date": today,
            "args": vars(args),
            "versions": _versions(),
            "cpu": _cpu(),
            "workload": workload_info,
            "rows": data_rows,
            "extra_decisions_per_s": extra_dps,
            "full_stack": full_stack,
            "fresh_default": default_proc,
            "fresh_python": python_proc,
            "checks": [{"target": n, "measured": m, "met": ok} for n, m, ok in checks],
            "notes": notes,
            "load_average": {"before": load[0], "after": load[1]},
            "fresh_per_impl": per_impl_proc,
        },
    }


def _split(impl: Impl, verdicts: list[bool]) -> tuple[float, float]:
    """Median latency over the cases the floor allows, and over those it denies."""
    n = len(verdicts) if impl.subset is None else min(impl.subset, len(verdicts))
    allowed = [t for i, t in enumerate(impl.latency) if verdicts[i % n]]
    denied = [t for i, t in enumerate(impl.latency) if not verdicts[i % n]]
    return percentile(allowed, 50), percentile(denied, 50)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="generated calls (default 2000)")
    parser.add_argument("--seed", type=int, default=20260701, help="workload seed")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes per implementation")
    parser.add_argument("--case", type=int, help="show one case and every answer, then stop")
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    if args.case is not None:
        show_case(args.case, args.n, args.seed)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
