"""The hash-chained audit log: every single-field edit, every deletion and insertions are found.

An exhaustive loop over a small ledger on both back-ends: for each logged decision (allowed,
denied, refused for clock skew, with and without an idempotency key, one erased) and each
column of its row, change that one field, as someone with a database client would, and
``verify_audit`` must report a problem located at that entry; then delete each entry, insert
rows, and rewrite the chain with recomputed hashes (found only through an anchor). A test keeps
the list of columns complete, so a column added to the decision log without being chained (and
tested here) fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ledger_support import WEDNESDAY, LedgerSpec, call, consumer, ledger_spec

from contactrules import Engine, Outcome
from contactrules.cli import main
from contactrules.ledger import ChainHead, Ledger, read_jsonl
from contactrules.ledger.chain import canonical_json, digest, instant_text
from contactrules.ledger.migrations import migrate_postgres, migrate_sqlite
from contactrules.ledger.session import DecisionRow

HOUR = dt.timedelta(hours=1)
COLUMNS = (
    "id",
    "consumer_id",
    "at",
    "allowed",
    "contact_allowed",
    "record_id",
    "fingerprint",
    "version",
    "inputs_hash",
    "reasons",
    "decision",
    "contact",
    "history",
    "decided_at",
    "chain_seq",
    "prev_hash",
    "entry_hash",
    "salt",
    "subject",
    "decision_hash",
    "consumer_version",
    "idempotency_key",
    "request_hash",
)
JSON_COLUMNS = {"reasons", "decision", "contact", "history"}


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec(request.param, str(tmp_path)) as found:
        yield found


@pytest.fixture
def ledger(spec: LedgerSpec, engine: Engine) -> Iterator[Ledger]:
    """Five decisions of four kinds, an outcome, and one consumer's data erased."""
    opened = spec.open(engine, clock=lambda: WEDNESDAY.replace(hour=21, minute=30))
    first = opened.reserve(call(WEDNESDAY), idempotency_key="k-1")  # allowed, with a key
    assert first.record_id is not None
    opened.record_outcome(first.record_id, Outcome.NO_ANSWER)
    assert opened.reserve(call(WEDNESDAY + HOUR)).allowed  # allowed, counts the first
    opened.reserve(call(WEDNESDAY.replace(hour=21, minute=15)))  # denied: hours
    opened.reserve(call(WEDNESDAY + 2 * HOUR, consumer("C-3")))  # allowed, then erased
    opened.reserve(call(WEDNESDAY + 2 * 24 * HOUR))  # refused: too far ahead of the clock
    assert opened.erase_consumer("C-3").entry is not None
    assert opened.verify_audit().intact
    yield opened
    opened.close()


def _rows(spec: LedgerSpec) -> list[dict[str, Any]]:
    rows = spec.query(f"SELECT {', '.join(COLUMNS)} FROM decisions ORDER BY id")
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def _param(spec: LedgerSpec, column: str, value: Any) -> Any:
    """A value as the back-end's column takes it."""
    if column in JSON_COLUMNS and spec.backend == "postgres":
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    if column in JSON_COLUMNS:
        return canonical_json(value)
    return value


def _json(spec: LedgerSpec, value: Any) -> Any:
    return json.loads(value) if spec.backend == "sqlite" and isinstance(value, str) else value


def _changed(spec: LedgerSpec, column: str, value: Any, record_ids: list[int]) -> Any:
    """Another plausible value for one field: what a tamperer would write."""
    if column in ("allowed", "contact_allowed"):
        return not bool(value)
    if column in ("at", "decided_at"):
        if isinstance(value, dt.datetime):
            return value + dt.timedelta(seconds=1)
        return instant_text(dt.datetime.fromisoformat(value) + dt.timedelta(seconds=1))
    if column in ("id", "chain_seq"):
        return int(value) + 1000
    if column == "record_id":
        return None if value is not None else record_ids[0]
    if column in JSON_COLUMNS:
        data = _json(spec, value)
        if column == "decision":
            data = {**data, "allowed": not data.get("allowed"), "reasons": []}
        elif column == "reasons":
            data = [] if data else [{"rule_id": "FORGED"}]
        elif column == "contact":
            data = {**data, "to": "+13125550199"}
        else:  # history: an outcome as it was then
            data = [[i, "conversation" if o != "conversation" else "no_answer"] for i, o in data]
            data = data or [[record_ids[0], "conversation"]]
        return _param(spec, column, data)
    if value is None:
        return "sha256:" + "1" * 64
    text = str(value)
    return text[:-1] + ("0" if text[-1] != "0" else "1")


def _update(spec: LedgerSpec, decision_id: int, column: str, value: Any) -> None:
    spec.query(f"UPDATE decisions SET {column} = ? WHERE id = ?", (value, decision_id))


def _located(ledger: Ledger, decision_id: int, seq: int) -> bool:
    problems = ledger.verify_audit().problems
    assert problems, "the change went unnoticed"
    return any(
        p.decision_id in (decision_id, decision_id + 1000) or p.seq in (seq, seq + 1, seq + 1000)
        for p in problems
    )


def test_the_tamper_test_covers_every_column(spec: LedgerSpec, ledger: Ledger) -> None:
    if spec.backend == "sqlite":
        found = {r[1] for r in spec.query("PRAGMA table_info(decisions)")}
    else:
        found = {
            r[0]
            for r in spec.query(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = 'decisions'",
                (spec.schema,),
            )
        }
    assert found == set(COLUMNS)
    assert {f.name for f in dataclasses.fields(DecisionRow)} == set(COLUMNS)


def test_every_single_field_edit_is_detected(spec: LedgerSpec, ledger: Ledger) -> None:
    rows = _rows(spec)
    record_ids = [r[0] for r in spec.query("SELECT id FROM records ORDER BY id")]
    assert len(rows) == 5 and sum(r["consumer_id"] == "[erased]" for r in rows) == 1
    missed = []
    for row in rows:
        for column in COLUMNS:
            original = row[column]
            if column in JSON_COLUMNS:
                original = _param(spec, column, _json(spec, original))
            target = row["id"] + 1000 if column == "id" else row["id"]
            if column == "id":  # PostgreSQL refuses to UPDATE an identity: move the row instead
                spec.query("DELETE FROM decisions WHERE id = ?", (row["id"],))
                _insert_row(spec, {**row, "id": target})
            else:
                _update(spec, row["id"], column, _changed(spec, column, row[column], record_ids))
            try:
                if not _located(ledger, row["id"], row["chain_seq"]):
                    missed.append((row["id"], column, "not located"))
            except AssertionError:
                missed.append((row["id"], column, "not detected"))
            finally:
                if column == "id":
                    spec.query("DELETE FROM decisions WHERE id = ?", (target,))
                    _insert_row(spec, row)
                else:
                    _update(spec, target, column, original)
            assert ledger.verify_audit().intact, (row["id"], column, "not restored")
    assert missed == []


def _insert_row(spec: LedgerSpec, row: dict[str, Any]) -> None:
    values = {
        c: _param(spec, c, _json(spec, v)) if c in JSON_COLUMNS else v for c, v in row.items()
    }
    override = " OVERRIDING SYSTEM VALUE" if spec.backend == "postgres" else ""
    spec.query(
        f"INSERT INTO decisions ({', '.join(values)}){override} "
        f"VALUES ({', '.join('?' * len(values))})",
        tuple(values.values()),
    )


def test_every_deletion_is_detected(spec: LedgerSpec, ledger: Ledger) -> None:
    for row in _rows(spec):
        spec.query("DELETE FROM decisions WHERE id = ?", (row["id"],))
        problems = ledger.verify_audit().problems
        assert any(p.code == "audit.missing-entry" for p in problems), row["id"]
        _insert_row(spec, row)
        assert ledger.verify_audit().intact
    for seq, kind, body, entry_hash in spec.query(
        "SELECT seq, kind, body, entry_hash FROM audit_events"
    ):
        spec.query("DELETE FROM audit_events WHERE seq = ?", (seq,))
        assert not ledger.verify_audit().intact, kind
        spec.query(
            "INSERT INTO audit_events (seq, kind, body, entry_hash) VALUES (?, ?, ?, ?)",
            (seq, kind, _param(spec, "decision", _json(spec, body)), entry_hash),
        )
    [(seq, head)] = spec.query("SELECT seq, entry_hash FROM audit_head")
    spec.query("DELETE FROM audit_head")
    assert [p.code for p in ledger.verify_audit().problems] == ["audit.missing-entry"]
    spec.query("INSERT INTO audit_head (id, seq, entry_hash) VALUES (1, ?, ?)", (seq, head))
    assert ledger.verify_audit().intact


def test_insertions_are_detected(spec: LedgerSpec, ledger: Ledger) -> None:
    rows = _rows(spec)
    [(head_seq, head_hash)] = spec.query("SELECT seq, entry_hash FROM audit_head")
    # A copy of a decision, outside the chain.
    copy = {**rows[1], "id": 900, "chain_seq": None, "idempotency_key": None}
    _insert_row(spec, copy)
    assert [p.code for p in ledger.verify_audit().problems] == ["audit.unexpected-entry"]
    spec.query("DELETE FROM decisions WHERE id = 900")
    # A forged decision with a correctly computed link, appended after the head.
    forged = DecisionRow(
        **{
            **{c: v for c, v in rows[1].items() if c not in JSON_COLUMNS},
            **{c: _json(spec, rows[1][c]) for c in JSON_COLUMNS},
            "id": 901,
            "chain_seq": head_seq + 1,
            "prev_hash": head_hash,
            "idempotency_key": None,
            "at": _instant(rows[1]["at"]),
            "decided_at": _instant(rows[1]["decided_at"]),
            "allowed": bool(rows[1]["allowed"]),
            "contact_allowed": bool(rows[1]["contact_allowed"]),
        }
    )
    forged = dataclasses.replace(forged, entry_hash=digest(forged.link()))
    _insert_row(
        spec,
        {c: getattr(forged, c) for c in COLUMNS}
        | {"at": rows[1]["at"], "decided_at": rows[1]["decided_at"]},
    )
    assert [p.code for p in ledger.verify_audit().problems] == ["audit.unexpected-entry"]
    # Moving the head too makes the chain whole again: only an anchor kept outside finds it.
    spec.query("UPDATE audit_head SET seq = ?, entry_hash = ?", (head_seq + 1, forged.entry_hash))
    assert ledger.verify_audit().intact
    anchor = ChainHead(head_seq, head_hash)
    assert ledger.verify_audit([anchor]).intact  # the anchor is still in the chain: appended
    spec.query("UPDATE audit_head SET seq = ?, entry_hash = ?", (head_seq, head_hash))
    spec.query("DELETE FROM decisions WHERE id = 901")
    assert ledger.verify_audit([anchor]).intact


def _instant(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def test_a_rewritten_chain_is_found_by_an_anchor(spec: LedgerSpec, ledger: Ledger) -> None:
    """Someone who can recompute every hash flips a verdict and re-chains everything after it;
    the chain is whole again, but the head printed before no longer matches."""
    before = ledger.verify_audit()
    assert before.head is not None
    anchor = before.head
    rows = _rows(spec)
    target = rows[2]  # the denied call
    _update(spec, target["id"], "allowed", True)
    # Re-chain from the changed entry on, as a forger with the published rules would.
    events = {
        int(s): (k, _json(spec, b))
        for s, k, b, _h in spec.query("SELECT seq, kind, body, entry_hash FROM audit_events")
    }
    prev = None
    for seq in range(0, anchor.seq + 1):
        if seq in events:
            _kind, body = events[seq]
            if prev is not None:
                body = {**body, "prev": prev}
            prev = digest(body)
            spec.query(
                "UPDATE audit_events SET body = ?, entry_hash = ? WHERE seq = ?",
                (_param(spec, "decision", body), prev, seq),
            )
            continue
        [row] = [r for r in _rows(spec) if r["chain_seq"] == seq]
        decision = _json(spec, row["decision"])
        if row["id"] == target["id"]:
            decision = {**decision, "allowed": True}
            _update(spec, row["id"], "decision", _param(spec, "decision", decision))
            from contactrules.ledger.chain import salted_hash

            _update(
                spec, row["id"], "decision_hash", salted_hash(row["salt"], "decision", decision)
            )
            row = next(r for r in _rows(spec) if r["chain_seq"] == seq)
        fields = {c: _json(spec, v) if c in JSON_COLUMNS else v for c, v in row.items()}
        fields.update(
            prev_hash=prev,
            at=_instant(row["at"]),
            decided_at=_instant(row["decided_at"]),
            allowed=bool(row["allowed"]),
            contact_allowed=bool(row["contact_allowed"]),
        )
        prev = digest(DecisionRow(**fields).link())
        spec.query(
            "UPDATE decisions SET prev_hash = ?, entry_hash = ? WHERE id = ?",
            (fields["prev_hash"], prev, row["id"]),
        )
    spec.query("UPDATE audit_head SET entry_hash = ?", (prev,))
    assert ledger.verify_audit().intact  # a perfect forgery, inside the database
    problems = ledger.verify_audit([anchor]).problems
    assert [p.code for p in problems] == ["audit.anchor-mismatch"]


def test_verify_command_exit_status_and_located_lines(
    spec: LedgerSpec, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    url = spec.url
    assert main(["audit", "verify", url]) == 0
    out = capsys.readouterr().out
    assert "audit chain intact: 5 decision(s) and 2 other entr(ies), 1 erased" in out
    head = out.rsplit("head: ", 1)[1].strip()
    assert main(["audit", "verify", url, "--anchor", head]) == 0
    capsys.readouterr()
    [row] = [r for r in _rows(spec) if r["id"] == 3]
    _update(spec, 3, "allowed", True)
    assert main(["audit", "verify", url]) == 1
    captured = capsys.readouterr()
    assert f"error audit.altered-entry decision 3 (entry {row['chain_seq']}): " in captured.err
    assert "allowed is true but the logged decision says false" in captured.err
    assert "TAMPERED" in captured.out
    _update(spec, 3, "allowed", False)
    spec.query("DELETE FROM decisions WHERE id = 2")
    assert main(["audit", "verify", url]) == 1
    assert f"error audit.missing-entry decision 3 (entry {row['chain_seq']}): entry " in (
        capsys.readouterr().err
    )
    assert (
        main(
            [
                "audit",
                "verify",
                url + "x" if spec.backend == "sqlite" else url.replace("schema=", "schema=x"),
            ]
        )
        == 2
    )
    assert "error ledger.open" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["audit", "verify", url, "--anchor", "not-a-head"])


def test_an_export_verifies_alone_and_every_line_edit_is_found(
    ledger: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.jsonl"
    ledger.export_audit(path)
    assert main(["audit", "verify", str(path)]) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 + 2 + 1  # decisions, genesis and erasure, head

    def verdict(changed: list[str]) -> int:
        path.write_text("\n".join(changed) + "\n", encoding="utf-8")
        status = main(["audit", "verify", str(path)])
        capsys.readouterr()
        return status

    skipped = {"history_ids", "history_outcomes", "salt"}  # read back through the link
    for number, line in enumerate(lines):
        data = json.loads(line)
        body = data.get("event", data.get("head", data))
        for key, value in body.items():
            if key in skipped or (isinstance(value, dict) and key == "link"):
                continue
            edited = json.loads(line)
            target = edited.get("event", edited.get("head", edited))
            target[key] = _other(value)
            changed = [*lines[:number], json.dumps(edited), *lines[number + 1 :]]
            assert verdict(changed) in (1, 2), (number, key)
        assert verdict([*lines[:number], *lines[number + 1 :]]) == 1, ("deleted", number)
        assert verdict([*lines[: number + 1], line, *lines[number + 1 :]]) == 1, ("copied", number)
    assert list(read_jsonl(path))  # the file itself stays readable after the loop


def _other(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"
    if isinstance(value, list):
        return [*value, 1] if not value else value[:-1]
    if isinstance(value, dict) and value:
        first = sorted(value)[0]
        return {**value, first: _other(value[first])}
    return "x"


def test_upgrade_from_version_3_chains_what_was_logged_before(
    spec: LedgerSpec, engine: Engine
) -> None:
    """Decisions logged before version 4 are chained by the upgrade, after a genesis entry that
    counts them; later decisions follow, and the whole chain verifies."""
    if spec.backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(spec.target, isolation_level=None)
        migrate_sqlite(conn, target=3)
        conn.close()
    else:
        import psycopg

        with psycopg.connect(spec.target, autocommit=True) as pg:
            pg.execute(f'CREATE SCHEMA "{spec.schema}"')
            pg.execute(f'SET search_path TO "{spec.schema}"')
            migrate_postgres(pg, spec.schema or "", target=3)
    old = call(WEDNESDAY)
    from contactrules.ledger import inputs_hash

    spec.query(
        "INSERT INTO records (consumer_id, channel, at, debt_ids, outcome, initiated_by, "
        "to_address, recipient, source, recorded_at, requested_by_consumer) VALUES ('C-1', "
        "'call', '2026-06-03T14:00:00.000000+00:00', '[\"D1\"]', 'no_answer', 'collector', "
        "'+13125550111', 'consumer', 'reserved', '2026-06-03T14:00:00.000000+00:00', ?)",
        (False,),
    )
    decision = {"allowed": True, "reasons": [], "at": WEDNESDAY.isoformat()}
    spec.query(
        "INSERT INTO decisions (consumer_id, at, allowed, contact_allowed, record_id, "
        "fingerprint, version, inputs_hash, reasons, decision, contact, history, decided_at) "
        "VALUES ('C-1', '2026-06-03T14:00:00.000000+00:00', ?, ?, 1, 'f', '0', ?, ?, ?, ?, ?, "
        "'2026-06-03T14:00:00.000000+00:00')",
        (
            True,
            True,
            inputs_hash(old, []),
            _param(spec, "reasons", []),
            _param(spec, "decision", decision),
            _param(spec, "contact", old.model_dump(mode="json")),
            _param(spec, "history", []),
        ),
    )
    with spec.open(engine) as upgraded:
        result = upgraded.verify_audit()
        assert result.intact and (result.decisions, result.events) == (1, 1)
        [genesis] = [
            json.loads(b) if isinstance(b, str) else b
            for (b,) in spec.query("SELECT body FROM audit_events")
        ]
        assert genesis["kind"] == "genesis" and genesis["earlier_entries"] == 1
        [entry] = upgraded.audit()
        assert entry.seq == 1 and entry.intact() and entry.contact == old
        later = upgraded.reserve(call(WEDNESDAY + HOUR))
        assert [e.seq for e in upgraded.audit()] == [1, 2] and later.decision_id == 2
        assert upgraded.verify_audit().intact
        [(version,)] = spec.query("SELECT max(version) FROM schema_version")
        assert version == upgraded.schema_version == 4


def _auditor_script() -> str:
    """The script docs/ledger.md gives auditors to check an export without contactrules."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "ledger.md").read_text("utf-8")
    section = doc.split("### Checking an export without contactrules", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_documented_auditor_script_checks_an_export(ledger: Ledger, tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "check_chain.py"
    script.write_text(_auditor_script(), encoding="utf-8")
    export = tmp_path / "audit.jsonl"
    ledger.export_audit(export)

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-I", str(script), str(export)], capture_output=True, text=True
        )

    intact = check()
    assert intact.returncode == 0, intact.stdout + intact.stderr
    head = ledger.verify_audit().head
    assert f"intact: 7 entries; head {head}" in intact.stdout  # genesis, 5 decisions, erasure
    lines = export.read_text(encoding="utf-8").splitlines()
    flipped = json.loads(lines[3])
    flipped["allowed"] = not flipped["allowed"]
    cut = [*lines[:3], json.dumps(flipped), *lines[4:]]
    for changed, found in [
        (cut, "line 4: allowed differs from the chained value"),
        ([*lines[:2], *lines[3:]], "line 3: the chain is broken here"),
        (lines[:-2], "the file does not end with the chain's head"),
    ]:
        export.write_text("\n".join(changed) + "\n", encoding="utf-8")
        result = check()
        assert result.returncode == 1 and found in result.stdout, result.stdout


def test_replay_sees_a_flipped_verdict_with_its_reasons_emptied(
    spec: LedgerSpec, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    """The edit an unkeyed hash of the inputs alone let through: the inputs are untouched."""
    denied = next(r for r in _rows(spec) if r["id"] == 3)
    _update(spec, 3, "allowed", True)
    _update(spec, 3, "reasons", _param(spec, "reasons", []))
    entry = next(e for e in ledger.audit() if e.id == 3)
    assert entry.computed_hash() == entry.inputs_hash  # what intact() used to check
    assert not entry.intact()
    assert main(["replay", spec.url]) == 1
    out = capsys.readouterr().out
    assert "decision 3:" in out and "ALTERED" in out and "1 altered" in out
    _update(spec, 3, "allowed", denied["allowed"])


def test_an_export_from_before_the_chain_still_reads_and_replays(
    ledger: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "new.jsonl"
    ledger.export_audit(new)
    old = tmp_path / "old.jsonl"
    lines = []
    for line in new.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        if "link" in data and not data.get("erased"):
            for key in ("link", "entry_hash", "salt", "history_outcomes"):
                data.pop(key, None)
            lines.append(json.dumps(data))
    old.write_text("\n".join(lines) + "\n", encoding="utf-8")
    entries = list(read_jsonl(old))
    assert len(entries) == 4 and all(e.intact() and not e.chained for e in entries)
    assert main(["replay", str(old)]) == 0
    assert main(["audit", "verify", str(old)]) == 1  # nothing in it is chained
    assert "error audit.unexpected-entry" in capsys.readouterr().err
