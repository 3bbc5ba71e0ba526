"""What narrowing candidate zones by city costs: start-up, first use per state, and warm calls.

Run from a checkout after ``pip install -e .``::

    python bench/bench_city_zones.py              # 5 fresh processes per measure
    python bench/bench_city_zones.py --runs 11

Each cold figure is measured in a fresh Python process, so nothing is cached:

- ``import + Engine.default()``: must not grow, because the city index is built lazily;
- ``first city, FL``: the first ``zones_for_city`` call, which reads the ``zipcodes`` data and
  builds Florida's index (later states only build their own index);
- ``next state, TX``: a second state's index, in the same process after Florida's;
- ``Canadian province``: the cited table only, no ZIP data.

The warm figure is the cached lookup an evaluation pays once the index exists.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

_COLD = {
    "import + Engine.default()": (
        "import time; t = time.perf_counter(); from contactrules import Engine; "
        "Engine.default(); print(time.perf_counter() - t)"
    ),
    "first city, FL (ZIP data read)": (
        "from contactrules.location.zones import zones_for_city; import time; "
        "t = time.perf_counter(); zones_for_city('US', 'FL', 'Pensacola'); "
        "print(time.perf_counter() - t)"
    ),
    "next state, TX": (
        "from contactrules.location.zones import zones_for_city; import time; "
        "zones_for_city('US', 'FL', 'Pensacola'); t = time.perf_counter(); "
        "zones_for_city('US', 'TX', 'El Paso'); print(time.perf_counter() - t)"
    ),
    "Canadian province, ON": (
        "from contactrules.location.zones import zones_for_city; import time; "
        "t = time.perf_counter(); zones_for_city('CA', 'ON', 'Kenora'); "
        "print(time.perf_counter() - t)"
    ),
}


def _cold(code: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        out.append(float(done.stdout.strip()) * 1000)
    return out


def _warm(calls: int) -> float:
    from contactrules.location.zones import zones_for_city

    zones_for_city("US", "FL", "Pensacola")
    names = [f"City {i}" for i in range(calls)]  # distinct names: past the call cache
    start = time.perf_counter()
    for name in names:
        zones_for_city("US", "FL", name)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per measure")
    args = parser.parse_args()
    for label, code in _COLD.items():
        ms = _cold(code, args.runs)
        print(f"{label:32} median {statistics.median(ms):7.1f} ms  (min {min(ms):.1f})")
    print(f"{'warm lookup, uncached name':32} {_warm(2000):7.1f} µs per call")


if __name__ == "__main__":
    main()
