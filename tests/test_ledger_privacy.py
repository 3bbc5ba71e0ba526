"""Personal data in the ledger: each consumer version stored once, identifiers keyed-hashed with
the operator's key (never stored), a redacted export, and erasure that keeps the chain green."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_support import CAP_RULE, NUMBER, WEDNESDAY, LedgerSpec, call, consumer, ledger_spec

from contactrules import Contact, ContactRecord, Engine, Outcome, Recipient
from contactrules.cli import main
from contactrules.ledger import (
    IDENTIFIER_KEY_ENV,
    IdentifierKeyError,
    Ledger,
    SQLiteLedger,
    read_jsonl,
)

HOUR = dt.timedelta(hours=1)
KEY = "k" * 32 + "-the-operator's-secret"
OTHER_KEY = "o" * 40


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec(request.param, str(tmp_path)) as found:
        yield found


def _dump(spec: LedgerSpec) -> str:
    """Every value of every ledger table, as one text to search for personal data."""
    tables = [
        "consumers",
        "consumer_versions",
        "records",
        "decisions",
        "outcome_changes",
        "audit_events",
        "audit_head",
        "ledger_settings",
    ]
    return "\n".join(repr(spec.query(f"SELECT * FROM {table}")) for table in tables)


def _third_party_call(at: dt.datetime) -> Contact:
    return call(at).model_copy(
        update={"recipient": Recipient.THIRD_PARTY, "third_party_id": "NEIGHBOUR-7"}
    )


def test_the_consumer_is_stored_once_per_version(spec: LedgerSpec, engine: Engine) -> None:
    with spec.open(engine) as ledger:
        for n in range(3):
            reservation = ledger.reserve(call(WEDNESDAY + n * HOUR))
            if reservation.record_id is not None:
                ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
        ledger.reserve(call(WEDNESDAY + 4 * HOUR, consumer(debts=("D1", "D2"))))
        assert spec.query("SELECT count(*) FROM consumer_versions") == [(2,)]
        for (contact,) in spec.query("SELECT contact FROM decisions"):
            data = json.loads(contact) if isinstance(contact, str) else contact
            assert "consumer" not in data  # not in every decision row any more
        assert all(e.intact() and e.contact is not None for e in ledger.audit())
        assert ledger.verify_audit().intact


def test_keyed_identifiers_keep_counts_and_hide_ids(spec: LedgerSpec, engine: Engine) -> None:
    with spec.open(engine, identifier_key=KEY) as ledger:
        for n in range(7):
            reservation = ledger.reserve(call(WEDNESDAY + n * HOUR))
            assert reservation.record_id is not None, reservation.decision.reasons
            ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
        eighth = ledger.reserve(call(WEDNESDAY + 7 * HOUR))
        assert [r.rule_id for r in eighth.decision.reasons] == [CAP_RULE]
        # A third party is named by pseudonym too, the same one each time (rules compare them).
        ledger.reserve(_third_party_call(WEDNESDAY + 8 * HOUR))
        neighbour = ContactRecord(
            channel="call",
            at=WEDNESDAY + 9 * HOUR,
            outcome=Outcome.CONVERSATION,
            recipient=Recipient.THIRD_PARTY,
            third_party_id="NEIGHBOUR-7",
        )
        ledger.record("C-1", neighbour)
        ledger.record("C-1", neighbour.model_copy(update={"at": WEDNESDAY + 10 * HOUR}))
        pseudonym = ledger.pseudonym("C-1")
        stored = ledger.records("C-1")
        assert pseudonym.startswith("hmac-sha256:") and len(stored) == 9
        assert ledger.consumer("C-1") is not None
        third = {s.record.third_party_id for s in stored[-2:]}
        assert len(third) == 1 and third != {"NEIGHBOUR-7"}
        assert ledger.verify_audit().intact
    dump = _dump(spec)
    assert "C-1" not in dump and "NEIGHBOUR-7" not in dump and KEY not in dump
    assert pseudonym in dump


def test_the_key_must_be_the_ledgers_own(spec: LedgerSpec, engine: Engine) -> None:
    with spec.open(engine, identifier_key=KEY) as ledger:
        ledger.reserve(call(WEDNESDAY))
    for wrong, why in [(OTHER_KEY, "another identifier key"), (None, "give it its identifier key")]:
        with pytest.raises(IdentifierKeyError, match=why):
            spec.open(engine, identifier_key=wrong)
    with pytest.raises(IdentifierKeyError, match="at least 32"):
        spec.open(engine, identifier_key="short")
    # Without the key, a read-only audit still works; looking a consumer up by id does not.
    with spec.open(engine, read_only=True) as auditor:
        assert auditor.verify_audit().intact and len(list(auditor.audit())) == 1
        with pytest.raises(IdentifierKeyError, match="give its identifier key"):
            auditor.records("C-1")


def test_a_ledger_of_plain_ids_takes_no_key(spec: LedgerSpec, engine: Engine) -> None:
    with spec.open(engine) as ledger:
        ledger.reserve(call(WEDNESDAY))
    with pytest.raises(IdentifierKeyError, match="stores consumer ids as given"):
        spec.open(engine, identifier_key=KEY)


def _personal_data(spec: LedgerSpec, ledger: Ledger) -> None:
    """Consumer C-2's contacts: a call (allowed), its outcome, a STOP text, a denied call."""
    who = consumer("C-2")
    first = ledger.reserve(call(WEDNESDAY, who), idempotency_key="c2-1")
    assert first.record_id is not None
    ledger.record_outcome(first.record_id, Outcome.NO_ANSWER)
    stop = ContactRecord(
        channel="sms",
        at=WEDNESDAY + HOUR,
        debt_ids=["D1"],
        outcome=Outcome.DELIVERED,
        initiated_by="consumer",
        to=NUMBER,
        text="STOP texting me, this is Jane",
    )
    ledger.record("C-2", stop)
    ledger.reserve(call(WEDNESDAY.replace(hour=22), who))


def test_erasure_removes_personal_data_and_keeps_the_chain_verifiable(
    spec: LedgerSpec, engine: Engine, tmp_path: Path
) -> None:
    with spec.open(engine) as ledger:
        ledger.reserve(call(WEDNESDAY))  # C-1 stays
        _personal_data(spec, ledger)
        before = ledger.verify_audit()
        done = ledger.erase_consumer("C-2")
        assert (done.decisions, done.records) == (2, 2) and done.entry == before.decisions + 1
        after = ledger.verify_audit()
        assert after.intact and after.erased == 2 and after.events == 2
        assert ledger.erase_consumer("C-2").entry is None  # nothing left: idempotent
        assert ledger.records("C-2") == [] and ledger.consumer("C-2") is None
        erased = [e for e in ledger.audit() if e.erased]
        assert len(erased) == 2 and all(e.contact is None and e.intact() for e in erased)
        assert [e.allowed for e in erased] == [True, False]  # the verdicts stay
        assert all(
            r["message"] == "[erased]" and r["facts"] == {} for e in erased for r in e.reasons
        )
        assert ledger.reservation_by_key("c2-1") is not None  # the key names no person
        # C-1 is untouched and still judged against its history.
        assert len(ledger.history("C-1")) == 1
        export = tmp_path / "audit.jsonl"
        ledger.export_audit(export)
    dump = _dump(spec)
    for datum in ("C-2", "STOP texting me", "Jane"):
        assert datum not in dump, datum
    assert main(["audit", "verify", str(export)]) == 0
    assert main(["replay", str(export)]) == 0  # erased entries are checked, not re-judged


def test_erasure_through_the_command_line(
    spec: LedgerSpec,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(IDENTIFIER_KEY_ENV, KEY)
    with spec.open(engine, identifier_key=KEY) as ledger:
        _personal_data(spec, ledger)
        pseudonym = ledger.pseudonym("C-2")
    assert main(["audit", "erase", spec.url, "C-2"]) == 0
    out = capsys.readouterr().out
    assert "erased consumer C-2: 2 decision(s) and 2 record(s)" in out
    assert main(["audit", "erase", spec.url, "C-2"]) == 1
    assert "error ledger.unknown-consumer no personal data of consumer 'C-2'" in (
        capsys.readouterr().err
    )
    assert main(["audit", "verify", spec.url]) == 0
    monkeypatch.delenv(IDENTIFIER_KEY_ENV)
    assert main(["audit", "erase", spec.url, "C-2"]) == 2  # a keyed ledger needs its key
    assert "error ledger.open" in capsys.readouterr().err
    assert pseudonym not in _dump(spec)


def test_a_redacted_export_holds_no_personal_data_and_verifies(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ledger.db"
    with SQLiteLedger(path, engine) as ledger:
        ledger.reserve(call(WEDNESDAY))
        ledger.reserve(_third_party_call(WEDNESDAY + HOUR))
        ledger.reserve(call(WEDNESDAY.replace(hour=22)))
    out = tmp_path / "redacted.jsonl"
    assert main(["audit", "export", str(path), "--redact", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for datum in ("C-1", NUMBER, "NEIGHBOUR-7", '"city"', '"debt_ids"'):
        assert datum not in text, datum
    assert main(["audit", "verify", str(out)]) == 0
    entries = list(read_jsonl(out))
    assert [e.allowed for e in entries] == [True, False, False]
    assert all(e.redacted and e.contact is None and e.rule_ids is not None for e in entries)
    assert "redacted" in capsys.readouterr().err
    full = tmp_path / "full.jsonl"
    assert main(["audit", "export", f"sqlite:///{path}", "-o", str(full), "--consumer", "C-1"]) == 0
    assert len(full.read_text(encoding="utf-8").splitlines()) == 3  # entries only, no chain
