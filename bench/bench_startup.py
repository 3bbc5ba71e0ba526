"""Start-up time: ``import contactrules`` + ``Engine.default()`` in fresh interpreters.

Run from a checkout after ``pip install -e .``::

    python bench/bench_startup.py                 # 7 fresh processes after one warm-up
    python bench/bench_startup.py --runs 15
    python bench/bench_startup.py --check         # also `python -m contactrules check rulesets`
    python bench/bench_startup.py --cold          # also with no holiday answers on file
    python bench/bench_startup.py --importtime    # the slowest imports (``python -X importtime``)
    python bench/bench_startup.py --profile       # cProfile of one child, by cumulative time

A dialer or a serverless function pays start-up on every cold start, so it is measured as a
user meets it: a new interpreter each time. Inside the child, ``time.perf_counter`` brackets
the import and ``Engine.default()``; outside, the parent times the whole process (interpreter
start-up and exit included). The first run is discarded: it fills a scratch bytecode cache, as
after a normal install, so that what is timed is loading, not compiling (the checkout is never
written). The ``holidays`` package's answers to the load-time calendar check are kept in a
scratch folder too (``CONTACTRULES_CACHE_DIR``), so the timed runs find them on file, as every
start after the first does; ``--cold`` also times starts that find none (the first start after
installing a ``holidays`` release), which import the package. The machine may be shared:
the 1-minute load average is printed with the figures, and the median is the figure to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300.0  # the performance issue's target for import + Engine.default()
CHECK_TARGET_MS = 1000.0  # `contactrules check rulesets`, whole process
ANSWERS_ENV = "CONTACTRULES_CACHE_DIR"  # contactrules.calendar_cache

_CHILD = """
import json, time
t0 = time.perf_counter()
import contactrules
t1 = time.perf_counter()
engine = contactrules.Engine.default()
t2 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "default_ms": (t2 - t1) * 1e3,
                  "rulesets": len(engine.rulesets)}))
"""

_PROFILE = """
import cProfile, pstats, sys
profiler = cProfile.Profile()
profiler.enable()
import contactrules
contactrules.Engine.default()
profiler.disable()
pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(int(sys.argv[1]))
"""


def _env(scratch: str) -> dict[str, str]:
    """Bytecode and holiday answers cached in a scratch folder, never in the checkout or home."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pyc")
    env[ANSWERS_ENV] = str(Path(scratch) / "answers")
    return env


def _run(
    argv: Sequence[str], env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    wall = (time.perf_counter() - start) * 1e3
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return wall, done


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:  # not available on this platform
        return "n/a"


def _summary(name: str, values: Sequence[float]) -> str:
    return (
        f"  {name:<28} median {statistics.median(values):7.1f} ms   "
        f"min {min(values):7.1f} ms   max {max(values):7.1f} ms"
    )


def startup(runs: int, env: dict[str, str], cold: bool = False) -> dict[str, list[float]]:
    """Per-run figures of ``runs`` fresh children, after one discarded warm-up.

    ``cold``: each child finds no holiday answers on file (a new, empty folder each).
    """
    argv = [sys.executable, "-c", _CHILD]
    _run(argv, env)  # warm-up: fills the bytecode cache and the holiday answers
    found: dict[str, list[float]] = {"import": [], "default": [], "inside": [], "wall": []}
    for run in range(runs):
        child_env = {**env, ANSWERS_ENV: f"{env[ANSWERS_ENV]}-cold-{run}"} if cold else env
        wall, done = _run(argv, child_env)
        child = json.loads(done.stdout.strip().splitlines()[-1])
        found["import"].append(child["import_ms"])
        found["default"].append(child["default_ms"])
        found["inside"].append(child["import_ms"] + child["default_ms"])
        found["wall"].append(wall)
    return found


def check_command(runs: int, env: dict[str, str]) -> list[float]:
    """Whole-process wall times of ``python -m contactrules check rulesets``."""
    argv = [sys.executable, "-m", "contactrules", "check", "rulesets"]
    _run(argv, env)
    return [_run(argv, env)[0] for _ in range(runs)]


def importtime(env: dict[str, str], top: int) -> None:
    """The imports with the most self and cumulative time, from one child's ``-X importtime``."""
    _, done = _run([sys.executable, "-X", "importtime", "-c", _CHILD], env)
    rows: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, module = line[len("import time:") :].split("|", 2)
        rows.append((int(own), int(cumulative), module.rstrip()))
    total = sum(r[0] for r in rows)
    print(f"\n-X importtime: {len(rows)} modules, {total / 1e3:.1f} ms self time in all")
    print(f"  top {top} by self time (ms):")
    for self_us, _, name in sorted(rows, reverse=True)[:top]:
        print(f"    {self_us / 1e3:7.1f}  {name.strip()}")
    print(f"  top {top} by cumulative time (ms):")
    for _, cumulative_us, name in sorted(rows, key=lambda r: -r[1])[:top]:
        print(f"    {cumulative_us / 1e3:7.1f}  {name}")


def profile(env: dict[str, str], top: int) -> None:
    _, done = _run([sys.executable, "-c", _PROFILE, str(top)], env)
    print("\ncProfile of import + Engine.default() in one child, by cumulative time:")
    print(done.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="timed fresh processes (default 7)")
    parser.add_argument(
        "--check", action="store_true", help="also time `contactrules check rulesets`"
    )
    parser.add_argument(
        "--cold", action="store_true", help="also time starts with no holiday answers on file"
    )
    parser.add_argument("--importtime", action="store_true", help="list the slowest imports")
    parser.add_argument("--profile", action="store_true", help="cProfile one child")
    parser.add_argument("--top", type=int, default=20, help="rows for --importtime/--profile")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="contactrules-bench-startup-") as scratch:
        env = _env(scratch)
        load_before = _load()
        found = startup(args.runs, env)
        cold = startup(args.runs, env, cold=True) if args.cold else {}
        checks = check_command(args.runs, env) if args.check else []
        print(
            f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
            f"1-minute load {load_before} before, {_load()} after; "
            f"{args.runs} fresh processes after 1 warm-up"
        )
        print("import contactrules + Engine.default():")
        print(_summary("import (in child)", found["import"]))
        print(_summary("Engine.default() (in child)", found["default"]))
        print(_summary("both (in child)", found["inside"]))
        print(_summary("whole process (wall)", found["wall"]))
        inside = statistics.median(found["inside"])
        met = "met" if inside < TARGET_MS else "NOT met"
        print(f"  target < {TARGET_MS:.0f} ms (median, in child): {met}")
        if cold:
            print("the same, no holiday answers on file (first start after installing holidays):")
            print(_summary("Engine.default() (in child)", cold["default"]))
            print(_summary("both (in child)", cold["inside"]))
            print(_summary("whole process (wall)", cold["wall"]))
        if checks:
            print("python -m contactrules check rulesets:")
            print(_summary("whole process (wall)", checks))
            met = "met" if statistics.median(checks) < CHECK_TARGET_MS else "NOT met"
            print(f"  target < {CHECK_TARGET_MS:.0f} ms (median): {met}")
        if args.importtime:
            importtime(env, args.top)
        if args.profile:
            profile(env, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
