"""``contactrules screen``: a book from Parquet, Arrow IPC or CSV → one decision per account and
channel, the same decision ``Engine.evaluate`` gives the account built as models.

Also: bad rows are located and deny their account (never an allow on a partial history),
``--strict`` writes nothing, unsorted input is refused or sorted (``--sort``), the chunking
and the worker processes never change a decision, and ``import contactrules`` stays free of
pyarrow. The example book is ``examples/book/`` (docs/screening.md).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pacsv = pytest.importorskip("pyarrow.csv")

from contactrules import Consumer, Contact, ContactRecord, Engine  # noqa: E402
from contactrules.book import BookError, ScreenOptions, screen_files  # noqa: E402
from contactrules.book.progress import Progress  # noqa: E402
from contactrules.book.sample import AT, book_batches, write_book, write_csv  # noqa: E402
from contactrules.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "book"
WORKLOAD = ROOT / "bench" / "workload"
AT_TEXT = "2026-06-02T09:00-04:00"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


def _screen(
    engine: Engine,
    accounts: Path | str,
    history: Path | str,
    out: Path,
    channels: tuple[str, ...] = ("call",),
    **options: Any,
) -> tuple[list[dict[str, Any]], Any]:
    fmt = options.pop("fmt", "parquet")
    outcome = screen_files(
        engine,
        str(accounts),
        str(history),
        ScreenOptions(
            at=AT, channels=channels, out=str(out), fmt=fmt, dial_method="manual", **options
        ),
    )
    rows = pq.read_table(out).to_pylist() if outcome.written and fmt == "parquet" else []
    return rows, outcome


def _omit_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _omit_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_omit_nulls(v) for v in value]
    return value


def _by_models(engine: Engine, accounts: Path, history: Path, channel: str) -> list[dict[str, Any]]:
    """The reference: each account as validated models, judged by ``Engine.evaluate``."""
    records: dict[str, list[ContactRecord]] = {}
    for row in pq.read_table(history).to_pylist():
        cid = row.pop("consumer_id")
        records.setdefault(cid, []).append(ContactRecord.model_validate(_omit_nulls(row)))
    out = []
    for row in pq.read_table(accounts).to_pylist():
        data = _omit_nulls(row)
        cid = data.pop("consumer_id")
        to = data.pop("to_phone", None)
        data.pop("to_email", None)
        consumer = Consumer.model_validate({"id": cid, **data})
        contact = Contact(
            channel=channel,
            at=AT,
            consumer=consumer,
            debt_ids=[d.id for d in consumer.debts],
            to=to,
            dial_method="manual",
        )
        decision = engine.evaluate(contact, records.get(cid, []))
        nxt = decision.next_allowed_at
        out.append(
            {
                "consumer_id": cid,
                "channel": channel,
                "allowed": decision.allowed,
                "next_allowed_at": None if nxt is None else nxt.astimezone(dt.timezone.utc),
                "next_allowed_note": decision.next_allowed_note,
                "rule_ids": [r.rule_id for r in decision.reasons],
                "citations": [r.citation for r in decision.reasons],
                "binding_zone": decision.binding_zone,
                "zones": list(decision.zones),
                "fingerprint": decision.fingerprint,
            }
        )
    return out


# --- the example book ------------------------------------------------------------------------
def test_the_example_book_gives_what_evaluate_gives_account_by_account(
    engine: Engine, tmp_path: Path
) -> None:
    rows, outcome = _screen(
        engine, EXAMPLES / "accounts.parquet", EXAMPLES / "history.parquet", tmp_path / "d.pq"
    )
    assert outcome.problems == []
    assert rows == _by_models(
        engine, EXAMPLES / "accounts.parquet", EXAMPLES / "history.parquet", "call"
    )
    assert {r["allowed"] for r in rows} == {True, False}  # the example shows both answers


def test_the_csv_example_is_the_same_book(engine: Engine, tmp_path: Path) -> None:
    parquet, _ = _screen(
        engine, EXAMPLES / "accounts.parquet", EXAMPLES / "history.parquet", tmp_path / "a.pq"
    )
    csv, outcome = _screen(
        engine, EXAMPLES / "accounts.csv", EXAMPLES / "history.csv", tmp_path / "b.pq"
    )
    assert outcome.problems == []
    assert csv == parquet


def test_the_shipped_example_files_are_the_documented_sample(tmp_path: Path) -> None:
    """examples/book/ is write_book(…, 24, seed=2026, records=(0, 12)) and its CSV form."""
    write_book(
        str(tmp_path / "a.parquet"), str(tmp_path / "h.parquet"), 24, seed=2026, records=(0, 12)
    )
    for name in ("a", "h"):
        shipped = "accounts" if name == "a" else "history"
        assert pq.read_table(tmp_path / f"{name}.parquet").equals(
            pq.read_table(EXAMPLES / f"{shipped}.parquet")
        )
        write_csv(pq.read_table(tmp_path / f"{name}.parquet"), str(tmp_path / f"{name}.csv"))
        assert (tmp_path / f"{name}.csv").read_bytes() == (EXAMPLES / f"{shipped}.csv").read_bytes()


def test_the_command_writes_every_format_with_the_same_rows(tmp_path: Path) -> None:
    base = [
        "screen",
        "--accounts",
        str(EXAMPLES / "accounts.parquet"),
        "--history",
        str(EXAMPLES / "history.parquet"),
        "--at",
        AT_TEXT,
        "--channel",
        "call",
        "--channel",
        "sms",
        "--dial-method",
        "manual",
    ]
    assert main([*base, "--out", str(tmp_path / "d.parquet")]) == 0
    assert main([*base, "--out", str(tmp_path / "d.csv")]) == 0
    assert main([*base, "--out", str(tmp_path / "d.jsonl")]) == 0
    parquet = pq.read_table(tmp_path / "d.parquet").to_pylist()
    assert len(parquet) == 2 * 24 and {r["channel"] for r in parquet} == {"call", "sms"}
    lines = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text().splitlines()]
    table = pacsv.read_csv(
        tmp_path / "d.csv", convert_options=pacsv.ConvertOptions(strings_can_be_null=True)
    ).to_pylist()
    for want, jsonl, csv in zip(parquet, lines, table, strict=True):
        nxt = want["next_allowed_at"]
        text = None if nxt is None else nxt.astimezone(AT.tzinfo).isoformat()
        assert jsonl["next_allowed_at"] == text
        assert jsonl["rule_ids"] == want["rule_ids"] == json.loads(csv["rule_ids"])
        assert (jsonl["consumer_id"], jsonl["allowed"]) == (want["consumer_id"], want["allowed"])
        assert csv["allowed"] == want["allowed"]
    assert not list(tmp_path.glob("*.partial"))


def test_arrow_ipc_files_are_read_too(engine: Engine, tmp_path: Path) -> None:
    for name in ("accounts", "history"):
        table = pq.read_table(EXAMPLES / f"{name}.parquet")
        with pa.ipc.new_file(str(tmp_path / f"{name}.arrow"), table.schema) as writer:
            writer.write_table(table, max_chunksize=7)  # batches that split consumers
    ipc, _ = _screen(
        engine, tmp_path / "accounts.arrow", tmp_path / "history.arrow", tmp_path / "d.pq"
    )
    parquet, _ = _screen(
        engine, EXAMPLES / "accounts.parquet", EXAMPLES / "history.parquet", tmp_path / "e.pq"
    )
    assert ipc == parquet


# --- bad rows: located, and their account denied ----------------------------------------------
ACCOUNTS_CSV = """consumer_id,addresses,debts,to_phone
A1,"[{""country"": ""US"", ""subdivision"": ""OH""}]","[{""id"": ""D1""}]",+16145550100
A2,"[{""country"": ""US"", ""subdivision"": ""OH""}]","[{""id"": ""D1""}]",
A3,"[{""country"": ""US"", ""subdivision"": ""OH""}]","[{""id"": ""D1""}]",
A4,,"[{""id"": ""D1""}]",
A5,"[{""country"": ""US"", ""subdivision"": ""ZZ""}]","[{""id"": ""D1""}]",
A6,"[{""country"": ""US"", ""subdivision"": ""OH""}]",[],
A7,"[{""country"": ""US"", ""subdivision"": ""OH""}]","[{""id"": ""D1""}]",
A7,"[{""country"": ""US"", ""subdivision"": ""OH""}]","[{""id"": ""D1""}]",
A8,"[{""country"": ""US"", ""subdivision"": ""OH""}",,
"""
HISTORY_CSV = """consumer_id,channel,at,debt_ids,outcome,requested_by_consumer
A1,call,2026-06-01T10:00:00-04:00,"[""D1""]",no_answer,false
A2,call,2026-06-01 10:00,"[""D1""]",no_answer,false
A3,call,2026-06-01T10:00:00-04:00,"[""D9""]",no_answer,false
A3,fax,2026-06-01T11:00:00-04:00,,no_answer,maybe
A35,call,2026-06-01T10:00:00-04:00,,no_answer,
,call,2026-06-01T10:00:00-04:00,,no_answer,
"""


def _bad_book(tmp_path: Path) -> tuple[Path, Path]:
    accounts, history = tmp_path / "accounts.csv", tmp_path / "history.csv"
    accounts.write_text(ACCOUNTS_CSV, encoding="utf-8")
    history.write_text(HISTORY_CSV, encoding="utf-8")
    return accounts, history


def test_bad_rows_are_located_and_never_allow_their_account(engine: Engine, tmp_path: Path) -> None:
    accounts, history = _bad_book(tmp_path)
    rows, outcome = _screen(engine, accounts, history, tmp_path / "d.pq")
    decided = {r["consumer_id"]: r for r in rows}
    assert sorted(decided) == ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"]
    assert decided["A1"]["allowed"] is True  # a good account beside bad ones is still judged
    assert decided["A2"]["rule_ids"] == ["CONTACTRULES-INVALID-ROWS"]  # instant without offset
    assert decided["A3"]["rule_ids"] == ["CONTACTRULES-INVALID-ROWS"]  # partial history
    assert decided["A4"]["rule_ids"] == ["CONTACTRULES-NO-ZONE"]  # no location: the engine's deny
    assert decided["A5"]["rule_ids"] == ["CONTACTRULES-INVALID-ROWS"]  # unknown subdivision
    assert decided["A6"]["rule_ids"] == ["CONTACTRULES-INVALID-ROWS"]  # no debts
    assert decided["A7"]["rule_ids"] == ["CONTACTRULES-INVALID-ROWS"]  # listed twice
    assert decided["A8"]["rule_ids"] == ["CONTACTRULES-INVALID-ROWS"]  # cell not JSON
    assert not any(r["allowed"] for r in rows if r["consumer_id"] != "A1")
    found = {(Path(p.path).name, p.line, p.column, p.code) for p in outcome.problems}
    assert found == {
        ("history.csv", 3, "at", "screen.invalid-value"),
        ("history.csv", 5, "channel", "screen.invalid-value"),
        ("history.csv", 5, "requested_by_consumer", "screen.invalid-value"),
        ("history.csv", 6, "consumer_id", "screen.unknown-consumer"),
        ("history.csv", 7, "consumer_id", "screen.missing-consumer-id"),
        ("accounts.csv", 6, "addresses[0].subdivision", "screen.invalid-value"),
        ("accounts.csv", 7, "debts", "screen.no-debts"),
        ("accounts.csv", 8, "consumer_id", "screen.duplicate-account"),
        ("accounts.csv", 9, "consumer_id", "screen.duplicate-account"),
        ("accounts.csv", 10, "addresses", "screen.invalid-value"),
    }
    # A3's unknown debt is not reported apart: its other row already makes the history partial.
    diagnostic = str(next(p for p in outcome.problems if p.column == "at").diagnostic())
    assert diagnostic.startswith(f"{history}:3:3: warning screen.invalid-value row 2 (consumer A2)")


def test_an_unknown_debt_alone_is_the_engines_invalid_input(engine: Engine, tmp_path: Path) -> None:
    accounts, history = _bad_book(tmp_path)
    history.write_text(HISTORY_CSV.splitlines()[0] + "\n" + HISTORY_CSV.splitlines()[3] + "\n")
    rows, outcome = _screen(engine, accounts, history, tmp_path / "d.pq")
    a3 = next(r for r in rows if r["consumer_id"] == "A3")
    assert a3["rule_ids"] == ["CONTACTRULES-INVALID-INPUT"] and not a3["allowed"]
    assert ("screen.unknown-debt", 2) in {(p.code, p.line) for p in outcome.problems}


def test_strict_writes_nothing_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts, history = _bad_book(tmp_path)
    out = tmp_path / "d.parquet"
    args = ["screen", "--accounts", str(accounts), "--history", str(history), "--at", AT_TEXT]
    args += ["--channel", "call", "--out", str(out), "--bad-rows", str(tmp_path / "bad.jsonl")]
    assert main([*args, "--strict"]) == 1
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    err = capsys.readouterr().err
    assert "screen.invalid-value" in err and "was not written" in err
    assert len((tmp_path / "bad.jsonl").read_text().splitlines()) == 10
    assert main(args) == 0 and out.exists()  # without --strict the run completes


# --- order: refused, or sorted on request --------------------------------------------------
def _shuffled(tmp_path: Path, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    paths = []
    for name in ("accounts", "history"):
        table = pq.read_table(EXAMPLES / f"{name}.parquet")
        order = list(range(table.num_rows))
        rng.shuffle(order)
        path = tmp_path / f"{name}-shuffled.parquet"
        pq.write_table(table.take(order), path)
        paths.append(path)
    return paths[0], paths[1]


def test_unsorted_input_is_refused_with_a_located_error(engine: Engine, tmp_path: Path) -> None:
    _, history = _shuffled(tmp_path, 1)
    with pytest.raises(BookError) as caught:
        _screen(engine, EXAMPLES / "accounts.parquet", history, tmp_path / "d.pq")
    (problem,) = caught.value.diagnostics
    assert problem.code == "screen.unsorted" and "--sort" in problem.message
    assert problem.location.path == str(history) and problem.location.line > 1
    assert not (tmp_path / "d.pq").exists() and not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("partition_bytes", [None, 4096])
def test_sort_gives_the_sorted_books_decisions(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, partition_bytes: int | None
) -> None:
    """One partition, or several (spilled, each sorted on its own): the same decisions."""
    if partition_bytes is not None:
        import contactrules.book.sort

        monkeypatch.setattr(contactrules.book.sort, "PARTITION_BYTES", partition_bytes)
    accounts, history = _shuffled(tmp_path, 2)
    sorted_rows, _ = _screen(
        engine, EXAMPLES / "accounts.parquet", EXAMPLES / "history.parquet", tmp_path / "a.pq"
    )
    rows, _ = _screen(engine, accounts, history, tmp_path / "b.pq", sort=True)
    assert sorted(rows, key=lambda r: r["consumer_id"]) == sorted_rows


def test_a_file_whose_columns_do_not_fit_stops_the_run(tmp_path: Path) -> None:
    history = pq.read_table(EXAMPLES / "history.parquet")
    naive = history.set_column(2, "at", history.column("at").cast(pa.timestamp("us")))
    pq.write_table(naive.append_column("chanel", history.column("channel")), tmp_path / "h.parquet")
    engine = Engine.from_path(WORKLOAD)
    with pytest.raises(BookError) as caught:
        _screen(engine, EXAMPLES / "accounts.parquet", tmp_path / "h.parquet", tmp_path / "d.pq")
    messages = [d.message for d in caught.value.diagnostics]
    assert {d.code for d in caught.value.diagnostics} == {"screen.bad-schema"}
    assert any("unknown column 'chanel'" in m for m in messages)
    assert any("without a time zone" in m for m in messages)


# --- the pipeline never changes a decision --------------------------------------------------
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    chunk=st.integers(1, 9),
    batch=st.integers(1, 40),
)
def test_chunks_and_batches_never_change_a_decision(
    tmp_path_factory: pytest.TempPathFactory, seed: int, chunk: int, batch: int
) -> None:
    """However the book is cut (batches read, chunks judged), every account gets the decision
    it gets judged alone (a chunk of one, whole files)."""
    folder = tmp_path_factory.mktemp("book")
    accounts, history = next(book_batches(15, seed=seed, records=(0, 25)))
    pq.write_table(accounts, folder / "a.parquet", row_group_size=batch)
    pq.write_table(history, folder / "h.parquet", row_group_size=batch)
    engine = _workload_engine()
    alone, _ = _screen(
        engine, folder / "a.parquet", folder / "h.parquet", folder / "1.pq", chunk_accounts=1
    )
    cut, _ = _screen(
        engine, folder / "a.parquet", folder / "h.parquet", folder / "2.pq", chunk_accounts=chunk
    )
    assert cut == alone


_ENGINE: list[Engine] = []


def _workload_engine() -> Engine:
    if not _ENGINE:
        _ENGINE.append(Engine.from_path(WORKLOAD))
    return _ENGINE[0]


def test_worker_processes_give_the_same_file(tmp_path: Path) -> None:
    engine = _workload_engine()
    accounts, history = tmp_path / "a.parquet", tmp_path / "h.parquet"
    write_book(str(accounts), str(history), 60, seed=5, records=(0, 20))
    one, _ = _screen(engine, accounts, history, tmp_path / "1.pq", chunk_accounts=7)
    two, outcome = _screen(
        engine, accounts, history, tmp_path / "2.pq", chunk_accounts=7, processes=2
    )
    assert two == one and outcome.summary.accounts == 60


# --- what the person running it sees ------------------------------------------------------
def test_progress_shows_rate_and_time_left_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, total=1000, enabled=True)
    progress.started -= 2.0  # two seconds in
    progress.update(250)
    line = stream.getvalue()
    assert line.startswith("\rscreening: 250/1,000 accounts,") and "25%, ETA 6s" in line
    quiet = io.StringIO()
    Progress(quiet, total=1000).update(250)  # not a terminal: nothing drawn
    assert quiet.getvalue() == ""


def test_the_summary_counts_channels_and_top_reasons(tmp_path: Path) -> None:
    _, outcome = _screen(
        _workload_engine(),
        EXAMPLES / "accounts.parquet",
        EXAMPLES / "history.parquet",
        tmp_path / "d.pq",
        ("call", "letter"),
    )
    lines = outcome.summary.lines()
    assert lines[0].startswith("screened 24 accounts, 48 decisions")
    assert any(line.startswith("  call: ") for line in lines)
    assert "top deny reasons (decisions denied by each):" in lines


def test_import_contactrules_does_not_import_pyarrow() -> None:
    code = (
        "import sys, contactrules; contactrules.Engine.default(); print('pyarrow' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "False"


def test_docs_list_every_column_of_the_schemas() -> None:
    """docs/screening.md documents each column of the accounts, history and decisions files."""
    from contactrules.book.schema import ACCOUNT_SCHEMA, DECISION_SCHEMA, HISTORY_SCHEMA

    text = (ROOT / "docs" / "screening.md").read_text(encoding="utf-8")
    sections = {
        "### Accounts (Arrow schema)": ACCOUNT_SCHEMA,
        "### History (Arrow schema)": HISTORY_SCHEMA,
        "### The decisions file": DECISION_SCHEMA,
    }
    for heading, schema in sections.items():
        section = text.split(heading, 1)[1].split("\n#", 1)[0]
        rows = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
        assert rows == schema.names, heading
