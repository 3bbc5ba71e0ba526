"""``contactrules.spark`` on a real local Spark session (``local[2]``): the decisions equal the
single-process screen's, row for row, bad rows included.

Needs the ``spark`` extra and a Java runtime (``.ci/run`` installs Java 17 when ``java`` is
missing); skipped without them. One session for the module: starting one costs 15–25 s here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
if shutil.which("java") is None:  # pragma: no cover - CI installs it
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

from contactrules import Engine  # noqa: E402
from contactrules.book import ScreenOptions, screen_files  # noqa: E402
from contactrules.book.sample import AT, write_book  # noqa: E402
from contactrules.spark import screen_dataframes  # noqa: E402

# pyspark's own warnings (its pandas check, resource clean-up of sockets) are not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
ORDER = [("consumer_id", "ascending"), ("channel", "ascending")]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("contactrules-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")  # batches split consumers
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated book of 150 consumers, with bad history rows mixed in."""
    folder = tmp_path_factory.mktemp("spark-book")
    accounts, history = folder / "accounts.parquet", folder / "history.parquet"
    write_book(str(accounts), str(folder / "clean.parquet"), 150, seed=11, records=(0, 20))
    table = pq.read_table(folder / "clean.parquet")
    bad = table.slice(0, 3).to_pylist()
    bad[0]["channel"] = "fax"  # an unknown channel: C00000000's history is partial
    bad[1]["debt_ids"] = ["D-NOPE"]  # a debt the account lacks: the engine's deny
    bad[2]["consumer_id"] = "C00000000x"  # no such account: reported only
    rows = table.to_pylist() + bad
    rows.sort(key=lambda r: r["consumer_id"])
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), history)
    return accounts, history


def test_spark_gives_the_single_process_decisions_row_for_row(
    spark: Any, book: tuple[Path, Path], tmp_path: Path
) -> None:
    accounts, history = book
    engine = Engine.default()
    out = tmp_path / "single.parquet"
    single = screen_files(
        engine,
        str(accounts),
        str(history),
        ScreenOptions(at=AT, channels=("call", "sms"), out=str(out), fmt="parquet"),
    )
    result = screen_dataframes(
        spark.read.parquet(str(accounts)),
        spark.read.parquet(str(history)),
        AT,
        ["call", "sms"],
        engine=engine,
    )
    result.raw.cache()
    decisions = result.decisions.toArrow().sort_by(ORDER)
    expected = pq.read_table(out).sort_by(ORDER)
    assert decisions.num_rows == 300
    assert decisions.to_pylist() == expected.to_pylist()
    denied = {r["consumer_id"]: r["rule_ids"] for r in decisions.to_pylist()}
    assert denied["C00000000"] == ["CONTACTRULES-INVALID-ROWS"]
    bad = {(r["code"], r["consumer_id"]) for r in result.bad_rows.toArrow().to_pylist()}
    assert bad == {(p.code, p.consumer_id) for p in single.problems}
    assert ("screen.unknown-consumer", "C00000000x") in bad


def test_a_dataframe_that_does_not_fit_the_schema_is_refused(spark: Any) -> None:
    frame = spark.createDataFrame([("C1", "call")], "consumer_id string, chanel string")
    with pytest.raises(ValueError, match="unknown columns \\['chanel'\\]"):
        screen_dataframes(
            frame,
            frame,
            AT,
            ["call"],
            engine=Engine.from_path(Path(__file__).resolve().parent.parent / "bench" / "workload"),
        )


def test_the_command_runs_on_spark_and_writes_the_same_file(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``contactrules screen --spark`` on the example book: the file the one-process command
    writes (the session of this module is reused, and left running)."""
    from contactrules.cli import main

    examples = Path(__file__).resolve().parent.parent / "examples" / "book"
    args = ["screen", "--accounts", str(examples / "accounts.csv")]
    args += ["--history", str(examples / "history.csv"), "--at", "2026-06-02T09:00-04:00"]
    args += ["--channel", "call", "--dial-method", "manual"]
    assert main([*args, "--out", str(tmp_path / "one.csv")]) == 0
    assert main([*args, "--out", str(tmp_path / "spark.csv"), "--spark", "local[2]"]) == 0
    assert (tmp_path / "spark.csv").read_text() == (tmp_path / "one.csv").read_text()
    assert "wrote 24 decisions" in capsys.readouterr().err
    assert spark.sparkContext._jsc is not None  # still running
