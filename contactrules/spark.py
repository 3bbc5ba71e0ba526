"""Screening inside Apache Spark: accounts and history DataFrames in, a DataFrame of decisions
out, the same rows ``contactrules screen`` writes.

How (and why this way): the two DataFrames are brought to one shape (``consumer_id``, which
file, the account row as a struct or the history row as a struct) and unioned, hash-partitioned
by consumer id and sorted within partitions, so that each consumer's account and history rows
arrive together and in order at one executor. ``mapInArrow`` then hands each partition to
Python as Arrow record batches, which go straight into the same chunk judge as the
single-process screen (:func:`contactrules.book.judge.judge_chunk`): no pandas, no Python
object per row on the way, and a decision is the same whichever way it was computed. One
shuffle co-groups the two sides; grouped ``applyInArrow`` would call Python once per consumer.

The engine (the loaded rulesets) is broadcast once and unpickled once per Python worker
process, not per batch. Needs the ``spark`` extra (``pyspark``, ``pandas``, ``pyarrow``).

Bad rows come back as a second DataFrame (Spark rows have no file row numbers, so ``row`` is
null); as in the command, an account with a bad row is denied with
``CONTACTRULES-INVALID-ROWS``, never left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .engine import Engine
from .models import Channel, CollectorType, DialMethod

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SparkScreen", "screen_dataframes", "screen_files_on_spark"]

_CID = "__cid__"
_KIND = "__kind__"
_ACCOUNT = "__account__"
_RECORD = "__record__"
_BAD = (
    ("bad_path", "string"),
    ("bad_row", "long"),
    ("bad_column", "string"),
    ("bad_code", "string"),
    ("bad_message", "string"),
    ("bad_consumer_id", "string"),
)


class SparkScreen(NamedTuple):
    """The decisions, and the rows that could not be used. Both come from one Spark job over
    ``raw``: ``raw.cache()`` before reading both, or it runs twice."""

    decisions: Any
    bad_rows: Any
    raw: Any


def screen_dataframes(
    accounts: Any,
    history: Any,
    at: dt.datetime,
    channels: Sequence[Channel | str],
    *,
    engine: Engine | None = None,
    dial_method: DialMethod | str | None = None,
    collector_type: CollectorType | str = CollectorType.THIRD_PARTY_COLLECTOR,
    partitions: int | None = None,
    text_cells: bool | None = None,
) -> SparkScreen:
    """Screen Spark DataFrames of accounts and history (docs/screening.md for the columns).

    ``engine``: default :meth:`Engine.default`. ``partitions``: of the shuffle (default: the
    session's ``spark.sql.shuffle.partitions``). ``text_cells``: whether nested and boolean
    values are text, as in the CSV layout (default: when every column is a string column).
    ``dial_method`` as for ``contactrules screen``: not given, calls and texts count as
    possibly automated (TCPA, fail closed).
    """
    from pyspark.sql import functions as F

    from .book.judge import Settings
    from .book.problems import FileInfo

    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the screening instant must be timezone-aware")
    engine = engine or Engine.default()
    _check_columns(accounts, "accounts")
    _check_columns(history, "history")
    settings = Settings(
        at=at,
        channels=tuple(dict.fromkeys(Channel(c) for c in channels)),
        accounts=FileInfo("spark:accounts", _text(accounts, text_cells), tuple(accounts.columns)),
        history=FileInfo("spark:history", _text(history, text_cells), tuple(history.columns)),
        dial_method=None if dial_method is None else DialMethod(dial_method),
        collector_type=CollectorType(collector_type),
    )
    account_type = accounts.select(F.struct(*accounts.columns).alias("s")).schema["s"].dataType
    record_type = history.select(F.struct(*history.columns).alias("s")).schema["s"].dataType
    left = accounts.select(
        F.col("consumer_id").alias(_CID),
        F.lit(0).alias(_KIND),
        F.struct(*accounts.columns).alias(_ACCOUNT),
        F.lit(None).cast(record_type).alias(_RECORD),
    )
    right = history.select(
        F.col("consumer_id").alias(_CID),
        F.lit(1).alias(_KIND),
        F.lit(None).cast(account_type).alias(_ACCOUNT),
        F.struct(*history.columns).alias(_RECORD),
    )
    both = left.unionByName(right)
    spread = both.repartition(partitions, _CID) if partitions else both.repartition(_CID)
    ordered = spread.sortWithinPartitions(_CID, _KIND)
    session = accounts.sparkSession
    shipped = session.sparkContext.broadcast(engine)
    raw = ordered.mapInArrow(_partition_judge(shipped, settings), _output_ddl())
    decision_columns = [c for c in _decision_names()]
    decisions = raw.filter(F.col("kind") == "decision").select(*decision_columns)
    bad_rows = raw.filter(F.col("kind") == "bad_row").select(
        *(F.col(name).alias(name.removeprefix("bad_")) for name, _ in _BAD)
    )
    return SparkScreen(decisions, bad_rows, raw)


def _text(frame: Any, given: bool | None) -> bool:
    if given is not None:
        return given
    return all(field.dataType.typeName() == "string" for field in frame.schema.fields)


def _check_columns(frame: Any, kind: str) -> None:
    """The DataFrame's columns against the book's schema (unknown or missing: ValueError)."""
    from .book.schema import ACCOUNT_COLUMNS, ACCOUNT_REQUIRED, HISTORY_COLUMNS, HISTORY_REQUIRED

    known = ACCOUNT_COLUMNS if kind == "accounts" else HISTORY_COLUMNS
    required = ACCOUNT_REQUIRED if kind == "accounts" else HISTORY_REQUIRED
    unknown = [c for c in frame.columns if c not in known]
    missing = [c for c in required if c not in frame.columns]
    if unknown or missing:
        raise ValueError(
            f"the {kind} DataFrame does not fit the book's schema (docs/screening.md): "
            f"unknown columns {unknown}, missing required columns {missing}"
        )
    if frame.schema["consumer_id"].dataType.typeName() != "string":
        raise ValueError(f"consumer_id of the {kind} DataFrame must be a string column")


def _decision_names() -> list[str]:
    from .book.schema import DECISION_SCHEMA

    return list(DECISION_SCHEMA.names)


def _output_ddl() -> str:
    """The schema ``mapInArrow`` returns: a kind, the decision columns, the bad-row columns."""
    return ", ".join(
        [
            "kind string",
            "consumer_id string",
            "channel string",
            "allowed boolean",
            "next_allowed_at timestamp",
            "next_allowed_note string",
            "rule_ids array<string>",
            "citations array<string>",
            "binding_zone string",
            "zones array<string>",
            "fingerprint string",
            *(f"{name} {kind}" for name, kind in _BAD),
        ]
    )


def _partition_judge(shipped: Any, settings: Any) -> Any:
    """The function ``mapInArrow`` runs on each partition's batches.

    ``shipped.value`` is the broadcast engine: a Python worker unpickles it on first use and
    keeps it (Spark reuses its Python workers, and their broadcasts, across tasks)."""

    def judge(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _judge_partition(shipped.value, settings, batches)

    return judge


def _judge_partition(
    engine: Engine, settings: Any, batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """Rows sorted by consumer id → chunks of whole consumers → decision and bad-row rows."""
    import pyarrow as pa

    carry: pa.Table | None = None
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if carry is not None and carry.num_rows:
            table = pa.concat_tables([carry, table])
        ids = table.column(_CID)
        # The last consumer may go on in the next batch: keep its rows for then.
        last = ids[len(ids) - 1].as_py()
        cut = len(ids)
        while cut > 0 and ids[cut - 1].as_py() == last:
            cut -= 1
        carry = table.slice(cut)
        if cut:
            yield from _judge_rows(engine, settings, table.slice(0, cut))
    if carry is not None and carry.num_rows:
        yield from _judge_rows(engine, settings, carry)


def _judge_rows(engine: Engine, settings: Any, table: pa.Table) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from .book.judge import Chunk, judge_chunk
    from .book.problems import BadRow
    from .codes import SCREEN_MISSING_CONSUMER_ID

    problems: list[BadRow] = []
    missing = pc.is_null(table.column(_CID))
    if pc.any(missing).as_py():
        for kind in table.filter(missing).column(_KIND).to_pylist():
            info = settings.accounts if kind == 0 else settings.history
            problems.append(
                BadRow.at(
                    info,
                    None,
                    "consumer_id",
                    SCREEN_MISSING_CONSUMER_ID.code,
                    "the row has no consumer id, so it cannot be tied to an account; left out",
                )
            )
        table = table.filter(pc.invert(missing))
    is_account = pc.equal(table.column(_KIND), 0)
    chunk = Chunk(
        _flatten(table.filter(is_account).column(_ACCOUNT)),
        _flatten(table.filter(pc.invert(is_account)).column(_RECORD)),
        problems,
    )
    result = judge_chunk(engine, settings, chunk)
    decisions = result.decisions
    n = decisions.num_rows
    if n:
        columns = {"kind": pa.array(["decision"] * n, pa.string())}
        for name in decisions.schema.names:
            columns[name] = decisions.column(name)
        for name, kind in _BAD:
            columns[name] = pa.nulls(n, pa.int64() if kind == "long" else pa.string())
        yield pa.RecordBatch.from_pydict(columns)
    if result.problems:
        yield _bad_batch(result.problems)


def _flatten(column: Any) -> pa.Table:
    """A struct column's fields as a table, with a null row-number column."""
    import pyarrow as pa

    from .book.schema import ROW

    combined = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    kind = combined.type
    names = [kind.field(i).name for i in range(kind.num_fields)]
    arrays = combined.flatten()
    table = pa.Table.from_arrays(arrays, names=names)
    return table.append_column(ROW, pa.nulls(table.num_rows, pa.int64()))


def _bad_batch(problems: Sequence[Any]) -> pa.RecordBatch:
    import pyarrow as pa

    from .book.schema import DECISION_SCHEMA

    n = len(problems)
    columns: dict[str, Any] = {"kind": pa.array(["bad_row"] * n, pa.string())}
    for field in DECISION_SCHEMA:
        columns[field.name] = pa.nulls(n, field.type)
    columns["bad_path"] = pa.array([p.path for p in problems], pa.string())
    columns["bad_row"] = pa.array([p.row for p in problems], pa.int64())
    columns["bad_column"] = pa.array([p.column for p in problems], pa.string())
    columns["bad_code"] = pa.array([p.code for p in problems], pa.string())
    columns["bad_message"] = pa.array([p.message for p in problems], pa.string())
    columns["bad_consumer_id"] = pa.array([p.consumer_id for p in problems], pa.string())
    return pa.RecordBatch.from_pydict(columns)


def screen_files_on_spark(
    master: str,
    engine: Engine,
    accounts_path: str,
    history_path: str,
    options: Any,
) -> Any:
    """``contactrules screen --spark MASTER``: the same screen, run by Spark.

    The files are read by Spark (Parquet, or CSV in the book's CSV layout), judged on the
    executors, and the decisions collected to this process and written like the
    single-process screen's. Collecting suits a book the driver can hold; for larger ones,
    call :func:`screen_dataframes` and write ``decisions`` with Spark's own writers.
    """
    import time

    from pyspark.sql import SparkSession

    from .book.problems import BadRow
    from .book.progress import Summary
    from .book.read import detect_format
    from .book.run import Outcome
    from .book.write import DecisionWriter

    started = time.monotonic()
    existing = SparkSession.getActiveSession()  # a caller's session is used, and left running
    session = (
        SparkSession.builder.master(master)
        .appName("contactrules screen")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        frames = [
            _read(session, path, detect_format(path)) for path in (accounts_path, history_path)
        ]
        result = screen_dataframes(
            frames[0],
            frames[1],
            options.at,
            options.channels,
            engine=engine,
            dial_method=options.dial_method,
            collector_type=options.collector_type,
        )
        result.raw.cache()
        decisions = result.decisions.toArrow()
        problems = [
            BadRow(
                accounts_path if r["path"] == "spark:accounts" else history_path,
                r["row"],
                r["column"],
                r["code"],
                r["message"],
                r["consumer_id"],
            )
            for r in result.bad_rows.toArrow().to_pylist()
        ]
    finally:
        if existing is None:
            session.stop()
    decisions = decisions.sort_by([("consumer_id", "ascending"), ("channel", "ascending")])
    outcome = Outcome(Summary(), problems)
    keep = not (options.strict and problems)
    writer = DecisionWriter(options.out, options.fmt, options.at.tzinfo or dt.timezone.utc)
    try:
        for batch in decisions.to_batches():
            writer.write(batch)
            accounts = len(set(batch.column("consumer_id").to_pylist()))
            outcome.summary.add(batch, accounts)
    finally:
        writer.close(keep)
    outcome.summary.accounts = len(set(decisions.column("consumer_id").to_pylist()))
    for problem in problems:
        outcome.summary.bad_rows[problem.code] += 1
    outcome.written = keep
    outcome.summary.seconds = time.monotonic() - started
    return outcome


def _read(session: Any, path: str, fmt: str) -> Any:
    if fmt == "parquet":
        return session.read.parquet(path)
    if fmt == "csv":  # every column as text: the book's CSV layout is decoded per row
        return (
            session.read.option("header", "true")
            .option("inferSchema", "false")
            .option("escape", '"')  # the CSV layout doubles quotes inside cells (RFC 4180)
            .option("multiLine", "true")
            .csv(path)
        )
    raise ValueError(f"{path}: Spark reads Parquet and CSV books; convert Arrow IPC files first")
