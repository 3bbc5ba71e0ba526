#!/usr/bin/env python3
"""Screening a synthetic book from Parquet: consumers/s and peak RSS, against the plain floor.

    python bench/bench_screen.py                      # 1,000,000 consumers (long: see docs)
    python bench/bench_screen.py --consumers 20000    # a smaller book, same measures
    python bench/bench_screen.py --no-spark           # without the Spark run

The book (``contactrules.book.sample``: consumers in twelve US states, one or two zones, 1–3
debts, 0–60 call and text records each over the ten days before the instant) is generated once
into ``bench/results/`` and reused. Each measure runs in a fresh process, started by a small
launcher that reports the peak RSS of its children (``RUSAGE_CHILDREN``):

- **floor**: the same six checks by hand (``bench/peers/plain.py``) over the same Parquet
  files, read with pyarrow into plain tuples, joined by consumer id, the results written to
  Parquet: the I/O of a screen with the checks at their cheapest;
- **screen, 1 process** and **2 processes**: ``contactrules screen --rulesets bench/workload``
  (the same six rules), Parquet in, Parquet out;
- **screen, bundled US stacks**: ``Engine.default()`` (federal, TCPA, bankruptcy and each
  state's rules), one process;
- **Spark local[2]**: ``contactrules.spark.screen_dataframes`` over ``spark.read.parquet``,
  decisions written by Spark as Parquet; the session's start is timed apart. Its decisions
  are then compared with the one-process screen's, row for row.

Rates are consumers per wall-clock second of the whole process (start-up included; the Spark
rate excludes the session start). Verdicts and deny rule ids of the floor and the one-process
screen are compared and disagreements counted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
WORKLOAD = BENCH / "workload"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

AT_TEXT = "2026-06-02T09:00-04:00"
US_ONLY = ("US",)


def _book(consumers: int, seed: int) -> tuple[Path, Path]:
    from contactrules.book.sample import write_book

    folder = RESULTS / f"book-{consumers}-{seed}"
    accounts, history = folder / "accounts.parquet", folder / "history.parquet"
    if not history.exists():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        counts = write_book(
            str(accounts), str(history) + ".tmp", consumers, seed=seed, countries=US_ONLY
        )
        os.replace(str(history) + ".tmp", history)
        print(
            f"generated {counts[0]:,} accounts, {counts[1]:,} history rows in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return accounts, history


# --- children: each measure in its own process ------------------------------------------------
def _floor(accounts: str, history: str, out: str) -> int:
    """The six checks by hand over the book's rows; returns consumers decided."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from peers.plain import PlainCall, decide

    at = int(_at().timestamp())
    zones = _ZoneCache()
    left = pq.ParquetFile(accounts).iter_batches(batch_size=65_536)
    right = pq.ParquetFile(history).iter_batches(batch_size=65_536)
    pending: list[tuple[Any, ...]] = []
    out_ids: list[str] = []
    out_allowed: list[bool] = []
    out_rules: list[list[str]] = []
    out_next: list[int | None] = []
    writer = pq.ParquetWriter(
        out,
        pa.schema(
            [
                ("consumer_id", pa.string()),
                ("allowed", pa.bool_()),
                ("rule_ids", pa.list_(pa.string())),
                ("next_allowed_at", pa.int64()),
            ]
        ),
    )

    def history_rows() -> Any:
        for batch in right:
            seconds = pc.divide(pc.cast(batch.column("at"), pa.int64()), 1_000_000).to_pylist()
            yield from zip(
                batch.column("consumer_id").to_pylist(),
                seconds,
                batch.column("channel").to_pylist(),
                batch.column("recipient").to_pylist(),
                batch.column("initiated_by").to_pylist(),
                batch.column("outcome").to_pylist(),
                batch.column("debt_ids").to_pylist(),
                strict=True,
            )

    rows = history_rows()
    carry = next(rows, None)
    count = 0
    for batch in left:
        ids = batch.column("consumer_id").to_pylist()
        addresses = batch.column("addresses").to_pylist()
        phones = batch.column("phones").to_pylist()
        debts = batch.column("debts").to_pylist()
        flags = batch.column("flags").to_pylist()
        for cid, address, phone, debt, flag in zip(
            ids, addresses, phones, debts, flags, strict=True
        ):
            pending.clear()
            while carry is not None and carry[0] <= cid:
                if carry[0] == cid:
                    _, when, channel, recipient, initiated_by, outcome, about = carry
                    pending.append(
                        (
                            when,
                            channel,
                            recipient or "consumer",
                            initiated_by or "collector",
                            outcome,
                            tuple(about or ()),
                        )
                    )
                carry = next(rows, None)
            flag = flag or {}
            call = PlainCall(
                at,
                tuple(d["id"] for d in debt),
                zones.of(address, phone),
                tuple(flag.get("cease_debt_ids") or ()),
                tuple(flag.get("attorney_debt_ids") or ()),
            )
            allowed, rule_ids, nxt = decide(call, pending)
            out_ids.append(cid)
            out_allowed.append(allowed)
            out_rules.append(list(rule_ids))
            out_next.append(nxt)
            count += 1
        writer.write_table(
            pa.table(
                {
                    "consumer_id": out_ids,
                    "allowed": out_allowed,
                    "rule_ids": out_rules,
                    "next_allowed_at": out_next,
                }
            )
        )
        out_ids, out_allowed, out_rules, out_next = [], [], [], []
    writer.close()
    return count


class _ZoneCache:
    """The consumer's candidate zones as IANA names, derived once per place by the library's
    tables (as a dialer stores a consumer's zone), so the floor judges the same zones."""

    def __init__(self) -> None:
        self.known: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def of(self, addresses: list[dict[str, Any]], phones: list[dict[str, Any]]) -> tuple[str, ...]:
        key = (
            tuple(tuple(sorted((k, v) for k, v in a.items() if v is not None)) for a in addresses),
            tuple(p["number"][:-4] for p in phones),
        )
        found = self.known.get(key)
        if found is None:
            from contactrules import Address, Consumer, Contact, Debt, Phone
            from contactrules.location.candidates import candidate_zones

            consumer = Consumer(
                id="zones",
                addresses=[
                    Address(**{k: v for k, v in a.items() if v is not None}) for a in addresses
                ],
                phones=[Phone(number=p["number"], type=p["type"]) for p in phones],
                debts=[Debt(id="D")],
            )
            contact = Contact(
                channel="call", at=_at(), consumer=consumer, debt_ids=["D"], to=phones[0]["number"]
            )
            found = self.known[key] = tuple(sorted(name for name, _ in candidate_zones(contact)[0]))
        return found


def _at() -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(AT_TEXT)


def _spark(accounts: str, history: str, out: str) -> dict[str, float]:
    from pyspark.sql import SparkSession

    from contactrules import Engine
    from contactrules.spark import screen_dataframes

    started = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    session = time.perf_counter() - started
    started = time.perf_counter()
    result = screen_dataframes(
        spark.read.parquet(accounts),
        spark.read.parquet(history),
        _at(),
        ["call"],
        engine=Engine.from_path(WORKLOAD),
        dial_method="manual",
    )
    result.decisions.write.mode("overwrite").parquet(out)
    job = time.perf_counter() - started
    spark.stop()
    return {"session_s": session, "job_s": job}


def child(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    extra: dict[str, float] = {}
    if args.child == "floor":
        _floor(args.accounts, args.history, args.out)
    elif args.child == "spark":
        extra = _spark(args.accounts, args.history, args.out)
    print(json.dumps({"seconds": time.perf_counter() - started, **extra}))


def launcher(command: list[str]) -> None:
    """Run ``command``; print its wall time and its peak RSS (the largest process) as JSON."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(done.returncode)
    inner: dict[str, Any] = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            inner = json.loads(line)
    print(json.dumps({"wall_s": seconds, "peak_mb": peak_kb / 1024, **inner}))


def _measure(command: list[str]) -> dict[str, Any]:
    """``command`` in a fresh launcher (so RUSAGE_CHILDREN is this measure's alone)."""
    out = subprocess.run(
        [sys.executable, __file__, "--launch", "--", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _screen_command(
    accounts: Path, history: Path, out: Path, processes: int, rulesets: bool = True
) -> list[str]:
    command = [sys.executable, "-m", "contactrules", "screen", "--accounts", str(accounts)]
    command += ["--history", str(history), "--at", AT_TEXT, "--channel", "call"]
    command += ["--dial-method", "manual", "--out", str(out), "--progress", "never"]
    command += ["--processes", str(processes)]
    if rulesets:
        command += ["--rulesets", str(WORKLOAD)]
    return command


def _agreement(floor: Path, screen: Path) -> tuple[int, int]:
    """(consumers compared, disagreements on verdict or deny rule ids)."""
    import pyarrow.parquet as pq

    mine = pq.read_table(screen, columns=["consumer_id", "allowed", "rule_ids"]).to_pylist()
    plain = pq.read_table(floor, columns=["consumer_id", "allowed", "rule_ids"]).to_pylist()
    wrong = sum(
        1
        for a, b in zip(mine, plain, strict=True)
        if a["consumer_id"] != b["consumer_id"]
        or a["allowed"] != b["allowed"]
        or sorted(a["rule_ids"]) != sorted(b["rule_ids"])
    )
    return len(mine), wrong


def _same_decisions(single: Path, spark: Path) -> tuple[int, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    order = [("consumer_id", "ascending"), ("channel", "ascending")]

    def read(path: Path) -> list[dict[str, Any]]:
        table = pq.read_table(path).sort_by(order)
        at = table.column("next_allowed_at")
        if at.type.tz is None:  # Spark's writer: UTC instants without the zone
            at = at.cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
        index = table.schema.get_field_index("next_allowed_at")
        rows: list[dict[str, Any]] = table.set_column(index, "next_allowed_at", at).to_pylist()
        return rows

    a, b = read(single), read(spark)
    return len(a), sum(1 for x, y in zip(a, b, strict=False) if x != y) + abs(len(a) - len(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consumers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--no-stacks", action="store_true", help="skip the bundled-stacks run")
    parser.add_argument("--json", default=None, metavar="FILE")
    parser.add_argument("--child", choices=["floor", "spark"], default=None)
    parser.add_argument("--accounts")
    parser.add_argument("--history")
    parser.add_argument("--out")
    parser.add_argument("--launch", action="store_true")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args()
    if args.launch:
        launcher(args.command)
        return
    if args.child:
        child(args)
        return
    accounts, history = _book(args.consumers, args.seed)
    import pyarrow.parquet as pq

    records = pq.ParquetFile(history).metadata.num_rows
    folder = accounts.parent
    n = args.consumers
    rows: list[tuple[str, dict[str, Any]]] = []
    me = [sys.executable, __file__]
    floor = _measure(
        [
            *me,
            "--child",
            "floor",
            "--accounts",
            str(accounts),
            "--history",
            str(history),
            "--out",
            str(folder / "floor.parquet"),
        ]
    )
    rows.append(("plain floor (six checks by hand), 1 process", floor))
    one = _measure(_screen_command(accounts, history, folder / "screen-1.parquet", 1))
    rows.append(("`contactrules screen`, workload rules, 1 process", one))
    two = _measure(_screen_command(accounts, history, folder / "screen-2.parquet", 2))
    rows.append(("`contactrules screen`, workload rules, 2 processes", two))
    if not args.no_stacks:
        stacks = _measure(
            _screen_command(accounts, history, folder / "stacks.parquet", 1, rulesets=False)
        )
        rows.append(("`contactrules screen`, bundled US stacks, 1 process", stacks))
    spark: dict[str, Any] | None = None
    if not args.no_spark:
        spark = _measure(
            [
                *me,
                "--child",
                "spark",
                "--accounts",
                str(accounts),
                "--history",
                str(history),
                "--out",
                str(folder / "spark"),
            ]
        )
    compared, wrong = _agreement(folder / "floor.parquet", folder / "screen-1.parquet")
    _, differ = _agreement(folder / "screen-1.parquet", folder / "screen-2.parquet")
    report = [
        f"Book: {n:,} consumers, {records:,} history records ({records / n:.1f} per consumer), "
        f"screened for a call at {AT_TEXT}.",
        "",
        "| run | consumers/s | × floor | peak RSS MB | wall s |",
        "|---|---:|---:|---:|---:|",
    ]
    base = n / floor["wall_s"]
    for name, figures in rows:
        rate = n / figures["wall_s"]
        report.append(
            f"| {name} | {rate:,.0f} | {rate / base:.3f} | {figures['peak_mb']:.0f} | "
            f"{figures['wall_s']:.1f} |"
        )
    if spark is not None:
        rate = n / spark["job_s"]
        report.append(
            f"| Spark `local[2]` (`screen_dataframes`, session start {spark['session_s']:.0f} s "
            f"not counted; driver RSS) | {rate:,.0f} | {rate / base:.3f} | "
            f"{spark['peak_mb']:.0f} | {spark['job_s']:.1f} |"
        )
    report.append("")
    report.append(
        f"Floor and one-process screen: {compared:,} consumers compared, {wrong:,} differ in "
        f"verdict or deny rule ids; 1 and 2 processes: {differ:,} differ."
    )
    rate_one = n / one["wall_s"]
    report.append(f"2 processes ÷ 1 process: {(n / two['wall_s']) / rate_one:.2f}×.")
    if spark is not None:
        same, spark_differ = _same_decisions(
            folder / "screen-1.parquet", _spark_file(folder / "spark")
        )
        per_core = n / spark["job_s"] / 2
        report.append(
            f"Spark local[2] against the one-process screen: {same:,} decisions, "
            f"{spark_differ:,} differ; per core {per_core:,.0f} consumers/s = "
            f"{per_core / rate_one:.2f}× one process (overhead {rate_one / per_core:.2f}×)."
        )
    print("\n".join(report))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"rows": rows, "spark": spark, "consumers": n}, indent=2), "utf-8"
        )


def _spark_file(folder: Path) -> Path:
    """Spark writes a folder of part files; pyarrow reads the folder as one table."""
    return folder


if __name__ == "__main__":
    main()
