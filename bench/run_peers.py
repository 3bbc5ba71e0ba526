#!/usr/bin/env python3
"""contactrules against two hand-written floors and two rule engines, on the same workload.

    python bench/run_peers.py               # 2,000 generated calls, 5 rounds, every measure
    python bench/run_peers.py --quick       # everything, small (under a minute)
    python bench/run_peers.py --n 500 --rounds 3
    python bench/run_peers.py --case 17     # one case, every implementation's answer
    python bench/run_peers.py --json results.json

Needs ``pip install -e '.[bench]'`` (zen-engine and cedarpy; a peer that is not installed is
left out with a note). What happens, in order:

1. bench/workload generates N proposed calls (seeded) and contactrules loads the workload
   ruleset ``Engine.from_path("bench/workload")``; the calls are also turned into the plain
   rows a dialer holds (bench/workload/rows.py: epoch seconds, text codes, zone names);
2. **agreement**: every implementation decides every case, and allowed/denied and the set of
   rule ids that deny must equal the object floor's (also ``Engine.evaluate_many`` and
   ``screen``); the plain-data floor must also give contactrules' ``next_allowed_at`` on every
   denied call. Any disagreement is printed with the command that reproduces it and the run
   exits 1 before anything is timed;
3. **timing**: for each round and implementation (interleaved, so drift in the machine's speed
   is shared), one pass over all cases with a clock around each call (p50/p99, also split by
   verdict) and one pass without (decisions/s);
4. **scaling** (bench/measures.py, each checked for agreement first): history length 0–5,000
   records, 1/2/4/7 candidate zones, the bundled US stacks, from plain rows through the public
   API, bytes per history record, the peak RSS of a screen (fresh processes, extrapolated to
   100,000 consumers), and ``screen``/``screen_parallel`` throughput;
5. **fresh processes**: ``import contactrules`` + ``Engine.default()``; each implementation's
   import, build and peak RSS (``resource.getrusage``), median of 5 processes (after one
   warm-up that fills a scratch bytecode cache);
6. a Markdown report, with each target of the performance issue checked.

Inputs are built before timing; objects alive before timing are frozen out of the garbage
collector (``gc.freeze``), which stays enabled while timing.
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
    from measures import Samples

    from contactrules import Engine

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORKLOAD_DIR = BENCH / "workload"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

SLOW_SUBSET = 300  # cases for zen's ZenDecision.evaluate path (an order of magnitude slower)
FULL_STACK_CALLS = 5000
SCREEN_TARGET = 100_000  # consumers in the screening memory estimate

# The targets of the performance issue.
TARGET_RATIO_FLOOR = 2.0
TARGET_PEER_SPEEDUP = 5.0
TARGET_FULL_STACK_P99_US = 100.0
TARGET_IMPORT_MS = 300.0
TARGET_RSS_MB = 60.0

Result = tuple[bool, tuple[str, ...]]


@dataclass(frozen=True)
class Sizes:
    """How much of each measure a run does (``--quick`` or the full run)."""

    n: int
    rounds: int
    processes: int  # fresh processes per start-up measurement
    scale_cases: int  # calls per history length and verdict
    scale_rounds: int
    zone_cases: int  # workload calls per zone count and per stack
    zone_rounds: int
    from_rows_rounds: int
    memory_sizes: tuple[int, int]  # consumers screened in the two memory processes
    traced_records: int
    parallel_accounts: int
    screen_rounds: int


FULL = Sizes(2000, 5, 5, 40, 3, 500, 3, 3, (5000, 20000), 20000, 10000, 3)
QUICK = Sizes(200, 1, 1, 3, 1, 60, 1, 1, (1000, 2000), 3000, 1000, 1)


# --- fresh-process measurements ------------------------------------------------------------
def _plain_sample() -> tuple[Any, list[Any]]:
    """A call and history as plain rows, without importing contactrules (for the child)."""
    from peers.plain import PlainCall

    at = 1_783_008_000  # 2026-07-02 16:00 UTC
    call = PlainCall(at, ("D1",), ("America/New_York",), (), ())
    rows = [(at - 3600 * k, "call", "consumer", "collector", "no_answer", ("D1",)) for k in (1, 30)]
    return call, rows


def _child(mode: str) -> None:
    """Run in a fresh interpreter: import, build, decide once; print JSON with times and RSS."""
    out: dict[str, float | str] = {}
    t0 = time.perf_counter()
    if mode.startswith("memory-"):
        from measures import memory_child

        kind, consumers = mode.removeprefix("memory-").split(":")
        print(json.dumps(memory_child(kind, int(consumers))))
        return
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
    elif mode == "plain":
        from peers import plain

        t1 = time.perf_counter()
        floor = plain.build()
        t2 = time.perf_counter()
        call, rows = _plain_sample()
        t3 = time.perf_counter()
        floor.decide(call, rows)
        t4 = time.perf_counter()
        out.update(import_ms=(t1 - t0) * 1e3, build_ms=(t2 - t1) * 1e3, first_ms=(t4 - t3) * 1e3)
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


def fresh(launcher: Launcher, mode: str, runs: int) -> dict[str, float]:
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
    inputs: str = "objects"  # which inputs it decides from: objects, plain or history
    subset: int | None = None  # time only the first cases (slow paths)
    info_only: bool = False  # shown, not checked against targets
    latency: Samples = field(default_factory=lambda: _samples())
    rounds_dps: list[float] = field(default_factory=list)  # decisions per wall-clock second
    rounds_cpu: list[float] = field(default_factory=list)  # decisions per CPU second


def _samples() -> Samples:
    from measures import Samples  # imported late: it loads contactrules

    return Samples()


def _same(result: Result) -> Result:
    return result


def _plain_result(result: Any) -> Result:
    return result[0], result[1]


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
    """The implementations, the plain-data floor first (the reference of every ratio)."""
    from peers import handwritten, plain

    from contactrules import Engine

    impls = []
    floor, ms = _median_build(plain.build)
    impls.append(Impl("plain", "plain rows, by hand (the floor)", floor.decide, _plain_result, ms,
                      inputs="plain"))  # fmt: skip
    verdict_only = plain.build(with_next=False)
    impls.append(
        Impl(
            "plain-verdict",
            "plain rows, by hand, no next allowed time ³",
            verdict_only.decide,
            _plain_result,
            0.0,
            inputs="plain",
            info_only=True,
        )
    )
    floor, ms = _median_build(handwritten.build)
    impls.append(Impl("floor", "contactrules objects, by hand (object floor)", floor.decide,
                      _same, ms))  # fmt: skip
    engine, ms = _median_build(lambda: Engine.from_path(WORKLOAD_DIR))
    impls.append(
        Impl("contactrules", "contactrules `Engine.evaluate`", engine.evaluate, _decision, ms)
    )
    impls.append(
        Impl(
            "contactrules-history",
            "contactrules `Engine.evaluate`, `History` built beforehand ⁴",
            engine.evaluate,
            _decision,
            0.0,
            inputs="history",
            info_only=True,
        )
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
                "zen-engine + glue, via `ZenDecision.evaluate` ¹",
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
            "object floor, history known sorted (bisect) ²",
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
    got: tuple[Any, ...]
    expected: tuple[Any, ...]


def _differs(got: Result, expected: Result) -> bool:
    return got[0] != expected[0] or sorted(got[1]) != sorted(expected[1])


def check_agreement(
    impls: list[Impl],
    cases: list[Any],
    inputs: dict[str, list[tuple[Any, Any]]],
    floor_results: list[Result],
    engine: Any,
) -> list[Disagreement]:
    from measures import compare
    from peers import plain

    found: list[Disagreement] = []
    for impl in impls:
        if impl.key == "floor":
            continue
        for index, (first, second) in enumerate(inputs[impl.inputs][: impl.subset]):
            got = impl.extract(impl.decide(first, second))
            if _differs(got, floor_results[index]):
                found.append(Disagreement(impl.key, index, got, floor_results[index]))
    if hasattr(engine, "evaluate_many"):
        for index, decision in enumerate(engine.evaluate_many(inputs["objects"])):
            got = _decision(decision)
            if _differs(got, floor_results[index]):
                found.append(Disagreement("evaluate_many", index, got, floor_results[index]))
    # the next allowed instant: contactrules against the plain floor, every case
    for index, ((contact, history), (call, rows)) in enumerate(
        zip(inputs["objects"], inputs["plain"], strict=True)
    ):
        for d in compare("next_allowed_at", index, engine.evaluate(contact, history),
                         plain.decide(call, rows)):  # fmt: skip
            found.append(Disagreement(d.what, d.index, d.got, d.expected))
    return found


def _print_disagreements(found: Sequence[Any], args: argparse.Namespace) -> None:
    print(f"\n{len(found)} DISAGREEMENT(S); no figures are reported.\n")
    for d in found[:20]:
        kind = "VERDICT" if d.got[0] != d.expected[0] else "rule ids or next time"
        print(f"- [{kind}] {d.what} case {d.index}: got {d.got}, expected {d.expected}")
        if isinstance(d, Disagreement):  # a workload case (the scaling runs have their own)
            print(
                f"  reproduce: python bench/run_peers.py --n {args.n} --seed {args.seed} "
                f"--case {d.index}"
            )
    if len(found) > 20:
        print(f"… and {len(found) - 20} more")


def show_case(index: int, n: int, seed: int) -> None:
    """Print one case and every implementation's answer (the reproduction of a disagreement)."""
    from workload import SCREEN_AT, generate
    from workload.rows import history_tuples, plain_call

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
    from contactrules import History

    inputs = {
        "objects": (contact, history),
        "plain": (plain_call(case), history_tuples(history)),
        "history": (contact, History(history)),
    }
    for impl in impls:
        first, second = inputs[impl.inputs]
        result = impl.decide(first, second)
        shown = f"{impl.key:>20}: {impl.extract(result)}"
        if impl.inputs == "plain" and result[2] is not None:
            shown += f"; next allowed {dt.datetime.fromtimestamp(result[2], dt.timezone.utc)}"
        print(shown)
    engine = _engine(impls)
    decision = engine.evaluate(contact, history)
    print("# contactrules reasons")
    for reason in decision.reasons:
        print(f"  {reason.rule_id}: {reason.message}")
    print(f"  zones {decision.zones}; next allowed {decision.next_allowed_at}")
    from peers import plain
    from peers.handwritten import decide_parts

    print(f"# at the screening instant {SCREEN_AT.isoformat()}")
    print(
        "  floor:", decide_parts(contact.consumer, contact.debt_ids, contact.to, SCREEN_AT, history)
    )
    print("  plain:", plain.decide(plain_call(case, SCREEN_AT), history_tuples(history)))
    for note in notes:
        print("note:", note)


# --- timing --------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()
    launcher = Launcher()  # before this process grows
    try:
        return _run(args, launcher, load_before)
    finally:
        launcher.close()


def _run(args: argparse.Namespace, launcher: Launcher, load_before: tuple[float, ...]) -> int:
    import measures
    from measures import latency, run_timed, throughput
    from workload import SCREEN_AT, boston_case, generate, summary
    from workload.rows import history_tuples, plain_call

    from contactrules import Engine, History

    sizes: Sizes = args.sizes
    notes: list[str] = []
    started = time.perf_counter()
    cases = generate(args.n, args.seed)
    generated_s = time.perf_counter() - started
    inputs: dict[str, list[tuple[Any, Any]]] = {
        "objects": [(c.contact, c.history) for c in cases],
        "plain": [(plain_call(c), history_tuples(c.history)) for c in cases],
        "history": [(c.contact, History(c.history)) for c in cases],
    }
    impls = load_impls(notes)
    floor = next(i for i in impls if i.key == "floor")
    engine = _engine(impls)
    floor_results = [floor.decide(c, h) for c, h in inputs["objects"]]
    verdicts = [r[0] for r in floor_results]
    workload_info = summary(cases)
    workload_info["allowed"] = sum(verdicts)
    print(f"workload: {workload_info} (generated in {generated_s:.1f} s)", flush=True)

    disagreements = check_agreement(impls, cases, inputs, floor_results, engine)
    if disagreements:
        _print_disagreements(disagreements, args)
        return 1
    checked = ", ".join(i.key for i in impls if i.key != "floor")
    print(
        f"agreement: {checked} and evaluate_many agree with the object floor on every case; "
        "contactrules' next_allowed_at equals the plain floor's on every denied case"
    )

    # --- in-process timing ----------------------------------------------------------------
    has_many = hasattr(engine, "evaluate_many")
    pairs = inputs["objects"]
    extra_dps: dict[str, list[float]] = {"evaluate_many": [], "evaluate_many_cpu": []}
    full = Engine.default()
    boston = {"denied": boston_case(), "allowed": boston_case(busy_only=True)}
    boston_decisions = {k: full.evaluate(c.contact, c.history) for k, c in boston.items()}

    gc.collect()
    gc.freeze()
    print(f"timing: {args.rounds} rounds × {args.n} cases per implementation …", flush=True)
    for round_no in range(args.rounds):
        order = impls[round_no % len(impls) :] + impls[: round_no % len(impls)]
        for impl in order:
            if impl.subset is not None and round_no > 0:
                continue
            gc.collect()
            impl.latency.extend(latency(impl.decide, inputs[impl.inputs][: impl.subset]))
        for impl in order:
            if impl.subset is not None and round_no > 0:
                continue
            gc.collect()
            wall, cpu = throughput(impl.decide, inputs[impl.inputs][: impl.subset])
            impl.rounds_dps.append(wall)
            impl.rounds_cpu.append(cpu)
        if has_many:
            gc.collect()
            wall, cpu = run_timed(lambda: engine.evaluate_many(pairs), len(pairs))
            extra_dps["evaluate_many"].append(wall)
            extra_dps["evaluate_many_cpu"].append(cpu)

    full_stack: dict[str, dict[str, float]] = {}
    for label, case in boston.items():
        for _ in range(200):
            full.evaluate(case.contact, case.history)
        gc.collect()
        samples = latency(full.evaluate, [(case.contact, case.history)] * FULL_STACK_CALLS)
        full_stack[label] = samples.summary()

    # --- scaling --------------------------------------------------------------------------
    print("scaling …", flush=True)
    found: list[Any] = []
    history_scaling, more = measures.history_scaling(engine, sizes.scale_cases, sizes.scale_rounds)
    found.extend(more)
    base = cases[: sizes.zone_cases]
    zones, more = measures.zone_scaling(engine, base, sizes.zone_rounds)
    found.extend(more)
    stacks = measures.stack_latency(full, base, sizes.zone_rounds)
    print("  from rows", flush=True)
    from_rows, more = measures.from_rows(engine, cases, sizes.from_rows_rounds)
    found.extend(more)
    print("  screening", flush=True)
    screening, more = measures.screening(
        engine, cases, SCREEN_AT, sizes.screen_rounds, sizes.parallel_accounts
    )
    found.extend(more)
    gc.unfreeze()
    if found:
        _print_disagreements(found, args)
        return 1
    print("  bytes per record", flush=True)
    per_record = measures.bytes_per_record(sizes.traced_records)

    # --- fresh processes ------------------------------------------------------------------
    print(f"fresh processes: {sizes.processes} (+1 warm-up) per measurement …", flush=True)
    default_proc = fresh(launcher, "contactrules-default", sizes.processes)
    python_proc = fresh(launcher, "python", sizes.processes)
    per_impl_proc = {}
    for key, module in (
        ("plain", None),
        ("floor", None),
        ("contactrules", None),
        ("zen", "zen"),
        ("cedar", "cedarpy"),
    ):
        if module is None or importlib.util.find_spec(module) is not None:
            per_impl_proc[key] = fresh(launcher, key, sizes.processes)
    # after the runs above, which filled the bytecode cache (compiling would raise the peaks)
    print(f"memory: screening {' and '.join(map(str, sizes.memory_sizes))} consumers …", flush=True)
    memory: dict[str, Any] = {}
    for kind in ("contactrules", "plain"):
        measured = [launcher.run(f"memory-{kind}:{n}") for n in sizes.memory_sizes]
        memory[kind] = {
            "measured": measured,
            "estimate": measures.extrapolate(measured[0], measured[1], SCREEN_TARGET),
        }

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
        verdicts,
        (load_before, os.getloadavg()),
        {
            "history": history_scaling,
            "zones": zones,
            "stacks": stacks,
            "from_rows": from_rows,
            "screening": screening,
            "bytes_per_record": per_record,
            "memory": memory,
        },
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


def _x(value: float, reference: float) -> str:
    return f"{value / reference:.1f}×" if reference > 0 else "–"


def _command(args: argparse.Namespace) -> str:
    if args.quick:
        return "python bench/run_peers.py --quick"
    return f"python bench/run_peers.py --n {args.n} --seed {args.seed} --rounds {args.rounds}"


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
    scaling: dict[str, Any],
) -> dict[str, Any]:

    plain_impl = impls[0]
    object_floor = next(i for i in impls if i.key == "floor")
    # Ratios of time per decision use CPU time (see measures.run_timed); decisions/s is wall.
    plain_cpu = _cpu_us(plain_impl)
    floor_cpu = _cpu_us(object_floor)
    lines: list[str] = []
    add = lines.append
    today = dt.date.today().isoformat()
    add(
        f"Run {today}: `{_command(args)}` — Python {platform.python_version()}, {_cpu()}, "
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

    # --- main table
    add("### The workload, every implementation")
    add("")
    add(
        "| implementation | decisions/s | CPU µs per decision | p50 µs | p99 µs | p99 CPU µs "
        "| time × plain floor | time × object floor | build ms | import ms | peak RSS MB |"
    )
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    data_rows = []
    for impl in impls:
        dps = statistics.median(impl.rounds_dps)
        cpu_us = _cpu_us(impl)
        summary = impl.latency.summary()
        proc = per_impl_proc.get(impl.key, {})
        label = impl.label + (f" ({impl.subset} cases, 1 round)" if impl.subset else "")
        add(
            f"| {label} | {dps:,.0f} | {cpu_us:.1f} | {summary['p50']:.1f} | "
            f"{summary['p99']:.0f} | {summary['p99_cpu']:.0f} | {cpu_us / plain_cpu:.2f} "
            f"| {cpu_us / floor_cpu:.2f} | {impl.build_ms:.2f} | "
            + (f"{proc['import_ms']:.0f} | {proc['maxrss_mb']:.0f} |" if proc else "– | – |")
        )
        data_rows.append(
            {
                "key": impl.key,
                "label": impl.label,
                "decisions_per_s": dps,
                "decisions_per_s_rounds": impl.rounds_dps,
                "decisions_per_cpu_s_rounds": impl.rounds_cpu,
                "cpu_us_per_decision": cpu_us,
                **summary,
                "time_x_plain_floor": cpu_us / plain_cpu,
                "time_x_object_floor": cpu_us / floor_cpu,
                "build_ms": impl.build_ms,
                "process": proc,
            }
        )
    add("")
    add(
        "¹ Same graph and glue as the zen-engine row, called through `engine.create_decision(...)` "
        "then `decision.evaluate(...)`; the row above uses `ZenEngine` with a static loader and "
        "`engine.evaluate(key, ...)`, the fastest path found. ² Not the same contract: assumes "
        "the history is ordered oldest first (contactrules and the floors accept any order). "
        "³ The plain floor without the search for the next allowed time (the object floor "
        "does not search either). ⁴ `evaluate(contact, History(records))` with the `History` "
        "built once before timing, as for a consumer asked about again and again; the other "
        "contactrules rows pass the list of `ContactRecord`, converted on each call. Import ms "
        "and peak RSS: a fresh interpreter importing the implementation (the object floor and "
        "the glue import contactrules for its input models and zone tables; the plain floor "
        "imports only `holidays`), building it and deciding one call; median of "
        f"{args.sizes.processes} processes. The harness alone (a fresh interpreter that imports "
        f"nothing else) peaks at {python_proc['maxrss_mb']:.0f} MB."
    )
    add("")

    # --- allowed / denied
    add("### Allowed and denied calls")
    add("")
    add(
        "Split by the floors' verdict. Denied includes the next allowed time for the plain floor "
        "and contactrules (the object floor and the peers do not compute it)."
    )
    add("")
    add(
        "| implementation | allowed p50 µs | p99 (CPU) µs | × plain p50 / CPU p99 "
        "| denied p50 µs | p99 (CPU) µs | × plain p50 / CPU p99 |"
    )
    add("|---|---:|---:|---:|---:|---:|---:|")
    split: dict[str, dict[str, dict[str, float]]] = {}
    for impl in impls:
        split[impl.key] = _split(impl, verdicts)
    ref = split["plain"]
    for impl in impls:
        cells = [impl.label]
        for verdict in ("allowed", "denied"):
            s, r = split[impl.key][verdict], ref[verdict]
            cells.append(f"{s['p50']:.1f}")
            cells.append(f"{s['p99']:.0f} ({s['p99_cpu']:.0f})")
            cells.append(f"{_x(s['p50'], r['p50'])} / {_x(s['p99_cpu'], r['p99_cpu'])}")
        add("| " + " | ".join(cells) + " |")
    add("")

    _report_history(add, scaling["history"])
    _report_zones(add, scaling["zones"])
    _report_stacks(add, scaling["stacks"], full_stack, boston_decisions)
    _report_from_rows(add, scaling["from_rows"])
    _report_memory(add, scaling["bytes_per_record"], scaling["memory"])
    _report_screening(add, scaling["screening"])

    # --- other measures
    cr = next(i for i in impls if i.key == "contactrules")
    cr_cpu = _cpu_us(cr)
    many_cpu = 1e6 / statistics.median(extra_dps["evaluate_many_cpu"]) if has_many else None
    add("### Other measures")
    add("")
    add("| measure | value |")
    add("|---|---:|")
    if many_cpu is not None:
        add(
            f"| `evaluate_many` over the {args.n} (contact, history) pairs, CPU µs per decision "
            f"({_x(many_cpu, plain_cpu)} the plain floor's) | {many_cpu:.1f} |"
        )
    add(f"| `import contactrules`, fresh process, ms | {default_proc['import_ms']:.0f} |")
    add(
        f"| `Engine.default()` ({default_proc['rulesets']:.0f} rulesets), fresh process, ms | "
        f"{default_proc['build_ms']:.0f} |"
    )
    add(f"| first `evaluate` after that, ms | {default_proc['first_ms']:.1f} |")
    add(
        f"| peak RSS: import + `Engine.default()` + one decision, MB | "
        f"{default_proc['maxrss_mb']:.0f} |"
    )
    add(f"| `Engine.from_path('bench/workload')` build, ms | {cr.build_ms:.1f} |")
    add("")

    # --- targets (times compared as CPU time per decision)
    screen_cpu = scaling["screening"]["decisions_per_cpu_s"]
    checks: list[tuple[str, str, bool | None]] = []  # met: None when the peer is not installed
    ratio = cr_cpu / plain_cpu
    checks.append(
        (
            "`evaluate()` ≤ 2× the floor's time (plain floor)",
            f"{ratio:.2f}×",
            ratio <= TARGET_RATIO_FLOOR,
        )
    )
    ratio_objects = cr_cpu / floor_cpu
    checks.append(
        (
            "`evaluate()` ≤ 2× the floor's time (object floor)",
            f"{ratio_objects:.2f}×",
            ratio_objects <= TARGET_RATIO_FLOOR,
        )
    )
    for key in ("zen", "cedar"):
        peer = next((i for i in impls if i.key == key), None)
        if peer is None:
            checks.append((f"≥ 5× faster than {key}", "not installed", None))
            continue
        speedup = _cpu_us(peer) / cr_cpu
        checks.append(
            (f"≥ 5× faster than {peer.label}", f"{speedup:.2f}×", speedup >= TARGET_PEER_SPEEDUP)
        )
    worst_p99 = max(full_stack[k]["p99"] for k in full_stack)
    worst_cpu = max(full_stack[k]["p99_cpu"] for k in full_stack)
    checks.append(
        (
            "full US federal + MA stack, 50 records: p99 ≤ 100 µs",
            f"{worst_p99:.0f} µs (CPU {worst_cpu:.0f} µs)",
            worst_p99 <= TARGET_FULL_STACK_P99_US,
        )
    )
    if many_cpu is not None:
        checks.append(
            (
                "`evaluate_many` ≥ the floor's decisions/s (plain floor)",
                f"{plain_cpu / many_cpu:.2f}× the floor",
                many_cpu <= plain_cpu,
            )
        )
    checks.append(
        (
            "`screen` ≥ the floor's decisions/s (plain floor, same instant)",
            f"{screen_cpu['screen'] / screen_cpu['plain']:.2f}× the floor",
            screen_cpu["screen"] >= screen_cpu["plain"],
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
    add("### Targets")
    add("")
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
            "args": {k: v for k, v in vars(args).items() if k != "sizes"},
            "sizes": vars(args.sizes),
            "versions": _versions(),
            "cpu": _cpu(),
            "workload": workload_info,
            "rows": data_rows,
            "by_verdict": split,
            "extra_decisions_per_s": extra_dps,
            "full_stack": full_stack,
            "fresh_default": default_proc,
            "fresh_python": python_proc,
            "checks": [{"target": n, "measured": m, "met": ok} for n, m, ok in checks],
            "notes": notes,
            "load_average": {"before": load[0], "after": load[1]},
            "fresh_per_impl": per_impl_proc,
            "scaling": scaling,
        },
    }


def _cpu_us(impl: Impl) -> float:
    """Mean CPU microseconds per decision: the median over the rounds of the untimed passes."""
    return 1e6 / statistics.median(impl.rounds_cpu)


def _split(impl: Impl, verdicts: list[bool]) -> dict[str, dict[str, float]]:
    """p50/p99 over the cases the floors allow, and over those they deny."""
    n = len(verdicts) if impl.subset is None else min(impl.subset, len(verdicts))
    allowed, denied = impl.latency.split(verdicts[:n])
    return {"allowed": allowed.summary(), "denied": denied.summary()}


Add = Callable[[str], None]


def _report_history(add: Add, found: dict[str, Any]) -> None:
    rows = found["rows"]
    add("### History length")
    add("")
    add(
        f"{rows[0]['cases']} calls per length and verdict (one Boston consumer, one zone); p50 µs, "
        "and contactrules' time as a multiple of the plain floor's. *objects*: "
        "`evaluate(contact, [ContactRecord, …])`; *History*: `evaluate(contact, History(…))` "
        "with the `History` built beforehand."
    )
    add("")
    add(
        "| records | allowed: plain | objects | × | History | × "
        "| denied: plain | objects | × | History | × |"
    )
    add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    by = {(r["records"], r["denied"]): r for r in rows}
    for size in sorted({r["records"] for r in rows}):
        cells = [f"{size:,}"]
        for denied in (False, True):
            r = by[(size, denied)]
            ref = r["plain"]["p50"]
            cells.append(f"{ref:.1f}")
            for key in ("contactrules", "contactrules-history"):
                cells.append(f"{r[key]['p50']:.1f}")
                cells.append(_x(r[key]["p50"], ref))
        add("| " + " | ".join(cells) + " |")
    add("")
    slopes = found["ns_per_record"]
    add(
        f"Per extra record ((p50 at {found['to']:,} − p50 at {found['from']}) / "
        f"{found['to'] - found['from']:,}), ns:"
    )
    add("")
    add("| | plain floor | contactrules, objects | × | contactrules, History | × |")
    add("|---|---:|---:|---:|---:|---:|")
    for label in ("allowed", "denied"):
        s = slopes[label]
        add(
            f"| {label} | {s['plain']:.0f} | {s['contactrules']:.0f} | "
            f"{_x(s['contactrules'], s['plain'])} | {s['contactrules-history']:.0f} | "
            f"{_x(s['contactrules-history'], s['plain'])} |"
        )
    add("")


def _report_zones(add: Add, found: dict[str, Any]) -> None:
    rows = found["rows"]
    one = rows[0]
    add("### Candidate zones")
    add("")
    add(
        f"The first {one['cases']} workload calls, the consumer given exactly these zones; "
        "p50 (CPU-time p99) µs; *vs 1 zone*: contactrules' p50 against its own with one zone."
    )
    add("")
    add(
        "| zones | allowed | allowed: plain | contactrules | × | vs 1 zone "
        "| denied: plain | contactrules | × | vs 1 zone |"
    )
    add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cells = [str(r["zones"]), f"{r['allowed']}/{r['cases']}"]
        for verdict in ("allowed", "denied"):
            ref = r["plain"][verdict]
            cr = r["contactrules"][verdict]
            cells.append(f"{ref['p50']:.1f} ({ref['p99_cpu']:.0f})")
            cells.append(f"{cr['p50']:.1f} ({cr['p99_cpu']:.0f})")
            cells.append(_x(cr["p50"], ref["p50"]))
            cells.append(_x(cr["p50"], one["contactrules"][verdict]["p50"]))
        add("| " + " | ".join(cells) + " |")
    add("")
    add("Zones: " + "; ".join(f"{r['zones']}: {', '.join(r['names'])}" for r in rows) + ".")
    add("")


def _report_stacks(
    add: Add,
    found: dict[str, Any],
    full_stack: dict[str, dict[str, float]],
    boston_decisions: dict[str, Any],
) -> None:
    rows = found["rows"]
    add("### Bundled stacks")
    add("")
    add(
        f"`Engine.default()`, the first {rows[0]['cases']} workload calls with the consumer moved "
        'to the city and called by hand (`dial_method="manual"`); no floor implements these '
        "stacks, so the figures are absolute."
    )
    add("")
    add(
        "| stack | consumer | rulesets (rules) | allowed "
        "| allowed p50 / p99 (CPU p99) µs | denied p50 / p99 (CPU p99) µs |"
    )
    add("|---|---|---|---:|---:|---:|")
    for r in rows:
        a, d = r["allowed_us"], r["denied_us"]
        add(
            f"| {r['label']} | {r['place']} | {', '.join(r['rulesets'])} ({r['rules']}) | "
            f"{r['allowed']}/{r['cases']} | {_pp(a)} | {_pp(d)} |"
        )
    for label in ("allowed", "denied"):
        fs = full_stack[label]
        decision = boston_decisions[label]
        verdict = "allowed" if decision.allowed else "denied"
        add(
            f"| one call repeated, {label} variant (`boston_case`, 50 records) | Boston, MA | "
            f"{', '.join(decision.rulesets)} | {verdict} | "
            + (f"{_pp(fs)} | – |" if decision.allowed else f"– | {_pp(fs)} |")
        )
    add("")


def _p99(summary: dict[str, float]) -> str:
    return f"{summary['p99']:.0f} ({summary['p99_cpu']:.0f})"


def _pp(summary: dict[str, float]) -> str:
    return f"{summary['p50']:.0f} / {summary['p99']:.0f} ({summary['p99_cpu']:.0f})"


def _report_from_rows(add: Add, found: dict[str, Any]) -> None:
    add("### From a dialer's rows")
    add("")
    add(
        f"The {found['cases']} workload calls as rows (history as dicts with epoch seconds, mean "
        f"{found['records_mean']:.1f} records; the consumer as a dict with address, phones, "
        "zones, debts and flags): the plain floor reads them directly; contactrules builds "
        "`Consumer`/`Contact` from the dicts, the history as `ContactRecord` models (or "
        "`History.from_rows`), each instant made an aware `datetime`, then `evaluate`."
    )
    add("")
    add("| path | p50 µs | p99 µs | × plain p50 | allowed p50 µs | × | denied p50 µs | × |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|")
    ref = found["plain"]
    for key, label in (
        ("plain", "plain floor on the rows"),
        ("contactrules-models", "contactrules: models from dicts + `evaluate`"),
        ("contactrules-history", "contactrules: `History.from_rows` + `evaluate`"),
    ):
        r = found[key]
        add(
            f"| {label} | {r['all']['p50']:.1f} | {_p99(r['all'])} | "
            f"{_x(r['all']['p50'], ref['all']['p50'])} | {r['allowed']['p50']:.1f} | "
            f"{_x(r['allowed']['p50'], ref['allowed']['p50'])} | {r['denied']['p50']:.1f} | "
            f"{_x(r['denied']['p50'], ref['denied']['p50'])} |"
        )
    add("")


def _report_memory(add: Add, per_record: dict[str, float], memory: dict[str, Any]) -> None:
    add("### Memory")
    add("")
    add(
        "Bytes per history record held in a list (tracemalloc; each record's instant and debt "
        "list counted, the shared code strings and number not):"
    )
    add("")
    add("| representation | bytes per record | × tuple row |")
    add("|---|---:|---:|")
    ref = per_record["tuple row"]
    for key, label in (
        ("ContactRecord", "`ContactRecord` (pydantic model)"),
        ("Record", "`contactrules.Record` (inside a `History`)"),
        ("dict row", "dict row, epoch seconds"),
        ("tuple row", "tuple row, epoch seconds"),
    ):
        add(f"| {label} | {per_record[key]:,.0f} | {_x(per_record[key], ref)} |")
    add("")
    cr, pl = memory["contactrules"], memory["plain"]
    small, large = cr["measured"]
    add(
        f"Screening consumers with {large['records']:.0f} records each at one instant, in a "
        "fresh process: peak RSS (VmHWM) measured at "
        f"{small['consumers']:,.0f} and {large['consumers']:,.0f} consumers, and extrapolated "
        f"on that line to {SCREEN_TARGET:,} (not run: that many `ContactRecord` objects would "
        "take the memory shown):"
    )
    add("")
    add(
        f"| holding | peak MB at {small['consumers']:,.0f} | at {large['consumers']:,.0f} "
        f"| KB per consumer | {SCREEN_TARGET:,} consumers, MB (estimate) "
        "| screening time, s (estimate) |"
    )
    add("|---|---:|---:|---:|---:|---:|")
    for label, m in (
        ("contactrules: `Account` + `ContactRecord`, `screen`", cr),
        ("plain floor: tuple rows", pl),
    ):
        s, g = m["measured"]
        e = m["estimate"]
        add(
            f"| {label} | {s['peak_mb']:.0f} | {g['peak_mb']:.0f} | {e['per_consumer_kb']:.1f} | "
            f"{e['peak_mb']:,.0f} | {e['screen_s']:.1f} |"
        )
    add("")


def _report_screening(add: Add, found: dict[str, Any]) -> None:
    rates = found["decisions_per_s"]
    cpu = found["decisions_per_cpu_s"]
    pickled = found["pickle_us_per_account"]
    add("### Screening throughput")
    add("")
    add(
        f"The workload's {found['accounts']:,} consumers at one instant; the parallel rows over "
        f"{found['parallel_accounts']:,} (the same consumers repeated) with "
        f"{found['processes']} processes, pool start-up included (their CPU time is in the "
        "workers, so only their wall-clock rate is shown). Sending one account to a worker "
        f"(pickle and unpickle) costs {pickled['screen_parallel']:.0f} µs for an `Account` of "
        f"contactrules models and {pickled['plain-parallel']:.0f} µs for the plain rows."
    )
    add("")
    add("| | decisions/s | × plain floor | decisions per CPU second | × plain floor |")
    add("|---|---:|---:|---:|---:|")
    for key, label in (
        ("plain", "plain floor, one process"),
        ("plain-parallel", f"plain floor, {found['processes']} processes"),
        ("floor", "object floor, one process"),
        ("screen", "`screen`"),
        ("screen_parallel", f"`screen_parallel(processes={found['processes']})`"),
    ):
        cells = f"| {label} | {rates[key]:,.0f} | {rates[key] / rates['plain']:.2f} | "
        if key.endswith("parallel"):
            cells += "– | – |"
        else:
            cells += f"{cpu[key]:,.0f} | {cpu[key] / cpu['plain']:.2f} |"
        add(cells)
    add("")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="generated calls (default 2000; --quick 200)")
    parser.add_argument("--seed", type=int, default=20260701, help="workload seed")
    parser.add_argument("--rounds", type=int, help="timed passes per implementation (default 5)")
    parser.add_argument("--quick", action="store_true", help="every measure, small (< 1 min)")
    parser.add_argument("--case", type=int, help="show one case and every answer, then stop")
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    sizes = QUICK if args.quick else FULL
    args.n = sizes.n if args.n is None else args.n
    args.rounds = sizes.rounds if args.rounds is None else args.rounds
    args.sizes = sizes
    if args.case is not None:
        show_case(args.case, args.n, args.seed)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
