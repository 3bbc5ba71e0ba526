"""The contact ledger on both back-ends: reserve, outcomes, audit log, replay and migrations.

Every behaviour test runs on SQLite and on PostgreSQL (``CONTACTRULES_TEST_POSTGRES``; see
tests/ledger_support.py for when PostgreSQL tests skip and when they fail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_support import (
    CAP_RULE,
    COOLDOWN_RULE,
    HOURS_RULE,
    NUMBER,
    WEDNESDAY,
    LedgerSpec,
    call,
    consumer,
    ledger_spec,
)

from contactrules import (
    Address,
    Channel,
    Consent,
    Consumer,
    ContactRecord,
    Debt,
    DialMethod,
    Engine,
    Initiator,
    Outcome,
    Phone,
    PhoneType,
    Purpose,
    Recipient,
)
from contactrules.cli import main
from contactrules.engine import bundled_rulesets_dir
from contactrules.ledger import (
    SCHEMA_VERSION,
    AuditFileError,
    Ledger,
    LedgerError,
    PostgresLedger,
    SchemaTooNewError,
    SQLiteLedger,
    UnknownRecordError,
    inputs_hash,
    open_ledger,
    read_jsonl,
)
from contactrules.ledger.audit import canonical_json
from contactrules.ledger.migrations import migrate_postgres, migrate_sqlite
from contactrules.ledger.sql import RECORD_COLUMNS

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
WIRELESS_RULE = "US-TCPA-227b1Aiii-WIRELESS-CONSENT"
RESIDENTIAL_RULE = "US-TCPA-64.1200a3-RESIDENTIAL-PRERECORDED"
HOME = "+13125550122"


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec(request.param, str(tmp_path)) as found:
        yield found


@pytest.fixture
def ledger(spec: LedgerSpec, engine: Engine) -> Iterator[Ledger]:
    opened = spec.open(engine)
    yield opened
    opened.close()


# --- reserve -------------------------------------------------------------------------------


def test_reserve_allows_then_records_pending(ledger: Ledger) -> None:
    reservation = ledger.reserve(call(WEDNESDAY))
    assert reservation.allowed and reservation.record_id is not None
    [stored] = ledger.records("C-1")
    assert stored.id == reservation.record_id and stored.source == "reserved"
    assert stored.record.outcome is Outcome.PENDING
    assert stored.record.at == WEDNESDAY and stored.record.debt_ids == ["D1"]
    assert stored.record.to == NUMBER
    [entry] = ledger.audit()
    assert entry.id == reservation.decision_id and entry.record_id == reservation.record_id
    assert entry.allowed and entry.fingerprint == reservation.decision.fingerprint
    assert ledger.consumer("C-1") == consumer()


def test_denied_contact_is_logged_not_recorded(ledger: Ledger) -> None:
    late = WEDNESDAY.replace(hour=21, minute=30)
    reservation = ledger.reserve(call(late))
    assert not reservation.allowed and reservation.record_id is None
    assert [r.rule_id for r in reservation.decision.reasons] == [HOURS_RULE]
    assert ledger.history("C-1") == []
    [entry] = ledger.audit()
    assert not entry.allowed and entry.record_id is None
    assert [r["rule_id"] for r in entry.reasons] == [HOURS_RULE]
    next_at = reservation.decision.next_allowed_at
    assert next_at is not None and entry.decision["next_allowed_at"] == next_at.isoformat()


def test_pending_counts_as_a_conversation_until_the_outcome_is_known(ledger: Ledger) -> None:
    first = ledger.reserve(call(WEDNESDAY))
    assert first.record_id is not None
    blocked = ledger.reserve(call(WEDNESDAY + DAY))
    assert [r.rule_id for r in blocked.decision.reasons] == [COOLDOWN_RULE]
    ledger.record_outcome(first.record_id, Outcome.NO_ANSWER)
    assert ledger.reserve(call(WEDNESDAY + DAY)).allowed


def test_a_conversation_starts_the_seven_day_cooldown(ledger: Ledger) -> None:
    first = ledger.reserve(call(WEDNESDAY))
    assert first.record_id is not None
    ledger.record_outcome(first.record_id, "conversation")
    assert ledger.history("C-1")[0].outcome is Outcome.CONVERSATION
    tuesday = ledger.reserve(call(WEDNESDAY + 6 * DAY))
    assert [r.rule_id for r in tuesday.decision.reasons] == [COOLDOWN_RULE]
    assert tuesday.decision.next_allowed_at == (WEDNESDAY + 7 * DAY).replace(hour=8)
    assert ledger.reserve(call(WEDNESDAY + 7 * DAY)).allowed


def test_seven_calls_in_seven_days_then_the_cap_denies(ledger: Ledger) -> None:
    for n in range(7):
        reservation = ledger.reserve(call(WEDNESDAY + n * HOUR))
        assert reservation.record_id is not None, n
        ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
    eighth = ledger.reserve(call(WEDNESDAY + 7 * HOUR))
    assert [r.rule_id for r in eighth.decision.reasons] == [CAP_RULE]
    assert eighth.decision.reasons[0].facts["count"] == 7
    # A call about another debt has its own count (12 CFR 1006.14(b)(4)).
    two = consumer(debts=("D1", "D2"))
    assert ledger.reserve(call(WEDNESDAY + 7 * HOUR, two, debt="D2")).allowed


def test_not_connected_calls_leave_the_count(ledger: Ledger) -> None:
    for n in range(7):
        reservation = ledger.reserve(call(WEDNESDAY + n * HOUR))
        assert reservation.record_id is not None
        ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
    ledger.record_outcome(ledger.records("C-1")[0].id, Outcome.NOT_CONNECTED)
    assert ledger.reserve(call(WEDNESDAY + 7 * HOUR)).allowed


def test_external_records_count(ledger: Ledger) -> None:
    inbound = ContactRecord(
        channel="call",
        at=WEDNESDAY,
        debt_ids=["D1"],
        outcome=Outcome.CONVERSATION,
        initiated_by="consumer",
        to=NUMBER,
    )
    record_id = ledger.record("C-1", inbound)
    assert ledger.records("C-1")[0].id == record_id
    assert ledger.records("C-1")[0].source == "external"
    denied = ledger.reserve(call(WEDNESDAY + DAY))
    assert [r.rule_id for r in denied.decision.reasons] == [COOLDOWN_RULE]


def test_same_instant_is_judged_one_microsecond_later(ledger: Ledger) -> None:
    first = ledger.reserve(call(WEDNESDAY))
    second = ledger.reserve(call(WEDNESDAY))
    assert first.allowed and not second.allowed
    assert second.decision.at == WEDNESDAY + dt.timedelta(microseconds=1)
    assert [r.rule_id for r in second.decision.reasons] == [COOLDOWN_RULE]
    entries = list(ledger.audit())
    assert entries[1].history_ids == (first.record_id,)


def test_an_earlier_contact_cannot_break_a_later_reservation(ledger: Ledger) -> None:
    later = ledger.reserve(call(WEDNESDAY + 5 * HOUR))
    assert later.record_id is not None
    ledger.record_outcome(later.record_id, Outcome.NO_ANSWER)
    # A worker whose clock is behind proposes 10:00: allowed on its own history, but if it
    # became a conversation the 14:00 call would break the cooldown.
    earlier = ledger.reserve(call(WEDNESDAY + HOUR))
    assert not earlier.allowed and earlier.record_id is None
    [reason] = earlier.decision.reasons
    assert reason.rule_id == COOLDOWN_RULE
    assert reason.facts["reserved_record_id"] == later.record_id
    assert "already reserved" in reason.message
    entry = list(ledger.audit())[-1]
    assert entry.contact_allowed and not entry.allowed
    assert len(ledger.history("C-1")) == 1


def test_record_outcome_of_unknown_record(ledger: Ledger) -> None:
    with pytest.raises(UnknownRecordError, match="no contact record has id 999"):
        ledger.record_outcome(999, Outcome.NO_ANSWER)
    with pytest.raises(ValueError):
        ledger.record_outcome(1, "maybe")


def test_outcome_changes_are_logged(spec: LedgerSpec, ledger: Ledger) -> None:
    reservation = ledger.reserve(call(WEDNESDAY))
    assert reservation.record_id is not None
    ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
    ledger.record_outcome(reservation.record_id, Outcome.CONVERSATION)
    ledger.record_outcome(reservation.record_id, Outcome.CONVERSATION)  # no change, no row
    changes = _query(spec, "SELECT old_outcome, new_outcome FROM outcome_changes ORDER BY id")
    assert changes == [("pending", "no_answer"), ("no_answer", "conversation")]


# --- audit ---------------------------------------------------------------------------------


def test_audit_jsonl_round_trip(ledger: Ledger, tmp_path: Path) -> None:
    first = ledger.reserve(call(WEDNESDAY))
    assert first.record_id is not None
    ledger.reserve(call(WEDNESDAY + HOUR))  # denied: the first call is still pending
    ledger.record_outcome(first.record_id, Outcome.NO_ANSWER)
    ledger.reserve(call(WEDNESDAY + 2 * HOUR))
    ledger.reserve(call(WEDNESDAY.replace(hour=22)))
    path = tmp_path / "audit.jsonl"
    assert ledger.export_audit(path) == 4
    entries = list(ledger.audit())
    assert list(read_jsonl(path)) == entries
    assert [e.allowed for e in entries] == [True, False, True, False]
    # The history is as each decision saw it: pending then, no_answer later.
    assert entries[1].history[0].outcome is Outcome.PENDING
    assert entries[2].history[0].outcome is Outcome.NO_ANSWER
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    # The file is the whole chain: its genesis entry first and its head last (docs/ledger.md).
    assert "event" in lines[0] and "head" in lines[-1]
    for number, data in enumerate(lines[1:-1]):
        digest = hashlib.sha256(canonical_json(data["inputs"]).encode()).hexdigest()
        assert data["inputs_hash"] == "sha256:" + digest
        assert data["fingerprint"] == entries[number].fingerprint
        assert data["reasons"] == entries[number].reasons
        assert entries[number].intact()
    contact = entries[1].contact
    assert contact is not None  # None only once erased, or in a redacted export
    assert entries[1].inputs_hash == inputs_hash(contact, entries[1].history)
    stream = io.StringIO()
    assert ledger.export_audit(stream, consumer_id="nobody") == 0


def test_replay_reports_decisions_a_new_ruleset_changes(
    spec: LedgerSpec, ledger: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(5):
        reservation = ledger.reserve(call(WEDNESDAY + n * HOUR))
        assert reservation.record_id is not None
        ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
    ledger.close()
    assert main(["replay", spec.url]) == 0
    assert "replayed 5 decision(s)" in capsys.readouterr().out

    federal = (bundled_rulesets_dir() / "us" / "federal.yaml").read_text(encoding="utf-8")
    assert federal.count("    max: 7\n") == 1
    stricter = tmp_path / "federal.yaml"
    stricter.write_text(federal.replace("    max: 7\n", "    max: 3\n"), encoding="utf-8")
    assert main(["replay", spec.url, "--rulesets", str(stricter)]) == 1
    out = capsys.readouterr().out
    assert "decision 4:" in out and "decision 5:" in out and "decision 3:" not in out
    assert "was ALLOWED" in out and "now DENIED" in out and CAP_RULE in out
    assert "2 would change" in out


def test_replay_of_an_exported_file_detects_alteration(
    ledger: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ledger.reserve(call(WEDNESDAY))
    assert first.record_id is not None
    ledger.record_outcome(first.record_id, Outcome.CONVERSATION)
    ledger.reserve(call(WEDNESDAY + DAY))
    path = tmp_path / "audit.jsonl"
    ledger.export_audit(path)
    assert main(["replay", str(path)]) == 0
    capsys.readouterr()
    # Someone rewrites history: the conversation becomes a no-answer.
    lines = path.read_text(encoding="utf-8").splitlines()  # genesis, decisions 1 and 2, head
    data = json.loads(lines[2])
    data["inputs"]["history"][0]["outcome"] = "no_answer"
    lines[2] = json.dumps(data)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["replay", str(path)]) == 1
    out = capsys.readouterr().out
    assert "decision 2:" in out and "ALTERED" in out and "1 altered" in out


def test_replay_errors_are_diagnostics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.db"
    assert main(["replay", str(missing)]) == 2
    assert f"{missing}: error ledger.open no such ledger file" in capsys.readouterr().err
    assert not missing.exists()
    broken = tmp_path / "audit.jsonl"
    broken.write_text('{"id": 1}\n', encoding="utf-8")
    assert main(["replay", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:1:1: error audit.invalid-entry missing 'inputs'" in err
    assert "Traceback" not in err
    with pytest.raises(AuditFileError):
        list(read_jsonl(broken))


# --- every fact of a record is kept -----------------------------------------------------------

# Each ContactRecord field with a value other than its default. A record carrying all of them
# must come back equal; a field the model gains without a column and a value here fails
# test_the_ledger_has_a_column_for_every_record_field instead of being dropped unnoticed.
NON_DEFAULT: dict[str, object] = {
    "channel": Channel.SMS,
    "at": WEDNESDAY + dt.timedelta(microseconds=123457),
    "debt_ids": ["D1", "D2"],
    "outcome": Outcome.DELIVERED,
    "initiated_by": Initiator.CONSUMER,
    "to": NUMBER,
    "to_work": True,
    "recipient": Recipient.THIRD_PARTY,
    "third_party_id": "TP-1",
    "purpose": Purpose.PAYMENT_REMINDER,
    "dial_method": DialMethod.PRERECORDED,
    "text": "STOP, s'il vous plaît \u2014 \u2713",
    "requested_by_consumer": True,
}


def test_the_ledger_has_a_column_for_every_record_field() -> None:
    fields = set(ContactRecord.model_fields)
    assert set(NON_DEFAULT) == fields, "give the new ContactRecord field a column and a value"
    assert {field for field, _ in RECORD_COLUMNS} == fields
    assert len({column for _, column in RECORD_COLUMNS}) == len(RECORD_COLUMNS)
    for name, value in NON_DEFAULT.items():
        default = ContactRecord.model_fields[name].get_default(call_default_factory=True)
        assert value != default, name


def test_every_field_of_a_record_round_trips(ledger: Ledger) -> None:
    full = ContactRecord.model_validate(NON_DEFAULT)
    bare = ContactRecord(channel="call", at=WEDNESDAY + HOUR, outcome=Outcome.NO_ANSWER)
    ids = [ledger.record("C-1", full), ledger.record("C-1", bare)]
    stored = ledger.records("C-1")
    assert [s.id for s in stored] == ids
    for original, kept in zip((full, bare), stored, strict=True):
        assert kept.record == original
        for name in ContactRecord.model_fields:
            assert getattr(kept.record, name) == getattr(original, name), name


@settings(max_examples=50, deadline=None)
@given(
    text=st.none() | st.text(),
    method=st.sampled_from([None, *DialMethod]),
    requested=st.booleans(),
)
def test_message_text_and_dial_facts_come_back_exactly(
    engine: Engine, text: str | None, method: DialMethod | None, requested: bool
) -> None:
    record = ContactRecord(
        channel="sms",
        at=WEDNESDAY,
        outcome=Outcome.DELIVERED,
        initiated_by="consumer",
        text=text,
        dial_method=method,
        requested_by_consumer=requested,
    )
    with SQLiteLedger(":memory:", engine) as ledger:
        ledger.record("C-1", record)
        [kept] = ledger.history("C-1")
    assert (kept.text, kept.dial_method, kept.requested_by_consumer) == (text, method, requested)


def _with_consent(who: Consumer) -> Consumer:
    consent = Consent.model_validate(
        {"scope": "automated_calls", "address": NUMBER, "granted_at": "2025-01-10T12:00:00-06:00"}
    )
    return who.model_copy(update={"consents": [consent]})


def test_a_stop_recorded_through_the_ledger_revokes_consent(ledger: Ledger) -> None:
    """A consumer's STOP revokes consent to automated calls (47 CFR 64.1200(a)(10)); recorded
    with :meth:`Ledger.record`, the ledger must hand its text to the rules that read it."""
    who = _with_consent(consumer())
    robocall = call(WEDNESDAY, who, dial_method=DialMethod.AUTODIALER)
    first = ledger.reserve(robocall)
    assert first.allowed and first.record_id is not None  # the consent on record covers it
    ledger.record_outcome(first.record_id, Outcome.NO_ANSWER)
    stop = ContactRecord(
        channel="sms",
        at=WEDNESDAY + HOUR,
        debt_ids=["D1"],
        outcome=Outcome.DELIVERED,
        initiated_by="consumer",
        to=NUMBER,
        text="STOP",
    )
    ledger.record("C-1", stop)
    assert ledger.history("C-1")[-1].text == "STOP"
    again = ledger.reserve(call(WEDNESDAY + 2 * HOUR, who, dial_method=DialMethod.AUTODIALER))
    assert not again.allowed
    assert [r.rule_id for r in again.decision.reasons] == [WIRELESS_RULE]
    # The audit log keeps the STOP among the inputs of that decision, and replay sees it too.
    entry = list(ledger.audit())[-1]
    assert entry.history[-1].text == "STOP" and entry.intact() and entry.contact is not None
    assert not Engine.default().evaluate(entry.contact, entry.history).allowed


def test_a_reserved_contact_keeps_its_dial_method_and_who_asked(ledger: Ledger) -> None:
    """Only prerecorded calls (or calls of unstated method) count toward the three a collector
    may make to a residential line without consent (47 CFR 64.1200(a)(3), FCC 20-186): calls
    dialled by a person and reserved through the ledger must not use them up."""
    who = Consumer(
        id="C-1",
        addresses=[Address(country="US", subdivision="IL", city="Chicago")],
        phones=[Phone(number=HOME, type=PhoneType.HOME)],
        debts=[Debt(id="D1")],
    )

    def home_call(hour: int, method: DialMethod, requested: bool = False) -> int | None:
        contact = call(WEDNESDAY + hour * HOUR, who, dial_method=method).model_copy(
            update={"to": HOME, "requested_by_consumer": requested}
        )
        reservation = ledger.reserve(contact)
        if reservation.record_id is not None:
            ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
        else:
            assert [r.rule_id for r in reservation.decision.reasons] == [RESIDENTIAL_RULE]
        return reservation.record_id

    assert home_call(0, DialMethod.MANUAL, requested=True) is not None
    assert home_call(1, DialMethod.MANUAL) is not None
    assert home_call(2, DialMethod.MANUAL) is not None
    assert [home_call(h, DialMethod.PRERECORDED) is not None for h in (3, 4, 5, 6)] == [
        True,
        True,
        True,
        False,
    ]
    history = ledger.history("C-1")
    assert [r.dial_method for r in history] == [DialMethod.MANUAL] * 3 + [
        DialMethod.PRERECORDED
    ] * 3
    assert [r.requested_by_consumer for r in history] == [True] + [False] * 5


# --- opening, URLs and migrations ----------------------------------------------------------


def test_open_ledger_urls(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite://:memory:", "sqlite://", ":memory:"):
        with open_ledger(url, engine) as memory:
            assert isinstance(memory, SQLiteLedger) and memory.path == ":memory:"
    with open_ledger("sqlite:///relative.db", engine) as relative:
        assert relative.schema_version == SCHEMA_VERSION
    assert (tmp_path / "relative.db").is_file()
    absolute = tmp_path / "absolute.db"
    with open_ledger(f"sqlite:///{absolute}", engine):
        pass
    assert absolute.is_file()
    with open_ledger(absolute, engine, create=False) as again:
        assert again.schema_version == SCHEMA_VERSION
    with pytest.raises(LedgerError, match="unknown ledger URL scheme 'mysql'"):
        open_ledger("mysql://x", engine)
    with pytest.raises(LedgerError, match="no such ledger file"):
        open_ledger(tmp_path / "nope.db", engine, create=False)
    (tmp_path / "plain.db").write_bytes(b"")
    with pytest.raises(LedgerError, match="not a contactrules ledger"):
        open_ledger(tmp_path / "plain.db", engine, create=False)
    (tmp_path / "garbage.db").write_bytes(b"not a database" * 100)
    with pytest.raises(LedgerError, match="not a usable SQLite ledger"):
        open_ledger(tmp_path / "garbage.db", engine)


def test_open_ledger_postgres_url(engine: Engine, tmp_path: Path) -> None:
    with ledger_spec("postgres", str(tmp_path)) as spec:
        with pytest.raises(LedgerError, match="no contactrules ledger"):
            open_ledger(spec.url, engine, create=False)
        with open_ledger(spec.url, engine) as opened:
            assert isinstance(opened, PostgresLedger) and opened.schema == spec.schema
            assert opened.schema_version == SCHEMA_VERSION
        with open_ledger(spec.url, engine, create=False) as opened:
            assert isinstance(opened, PostgresLedger) and opened.schema == spec.schema
    with pytest.raises(LedgerError, match=r"postgresql://user:\*\*\*@localhost:1/x: cannot"):
        open_ledger("postgresql://user:secret@localhost:1/x", engine)


def test_migrations_from_empty_and_idempotent_reopen(spec: LedgerSpec, engine: Engine) -> None:
    with spec.open(engine) as first:
        assert first.schema_version == SCHEMA_VERSION
        reservation = first.reserve(call(WEDNESDAY))
    steps = _query(spec, "SELECT version, library_version FROM schema_version ORDER BY version")
    assert [v for v, _ in steps] == list(range(1, SCHEMA_VERSION + 1))
    for _ in range(2):
        with spec.open(engine) as again:
            assert again.schema_version == SCHEMA_VERSION
            assert [s.id for s in again.records("C-1")] == [reservation.record_id]
    assert _query(spec, "SELECT count(*) FROM schema_version") == [(SCHEMA_VERSION,)]


def test_upgrade_from_version_1_keeps_everything(spec: LedgerSpec, engine: Engine) -> None:
    _migrate_raw(spec, target=1)
    _execute(
        spec,
        "INSERT INTO records (consumer_id, channel, at, debt_ids, outcome, initiated_by, "
        "to_address, recipient, source, recorded_at) VALUES ('C-1', 'call', "
        "'2026-06-02T15:00:00.000000+00:00', '[\"D1\"]', 'conversation', 'consumer', "
        "'+13125550111', 'consumer', 'external', '2026-06-02T15:00:00.000000+00:00')",
    )
    with spec.open(engine) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        [kept] = upgraded.records("C-1")
        assert kept.record.outcome is Outcome.CONVERSATION
        assert kept.record.at == dt.datetime(2026, 6, 2, 15, tzinfo=dt.timezone.utc)
        denied = upgraded.reserve(call(WEDNESDAY))
        assert [r.rule_id for r in denied.decision.reasons] == [COOLDOWN_RULE]
        upgraded.record_outcome(kept.id, Outcome.NO_ANSWER)  # uses the version 2 table
        assert upgraded.reserve(call(WEDNESDAY)).allowed


def test_upgrade_from_version_2_adds_the_record_facts(spec: LedgerSpec, engine: Engine) -> None:
    """Rows and decisions written before version 3 read back as what they always meant: method
    not stated, no text, not requested; and the logged decisions still hash as logged."""
    _migrate_raw(spec, target=2)
    _execute(
        spec,
        "INSERT INTO records (consumer_id, channel, at, debt_ids, outcome, initiated_by, "
        "to_address, recipient, source, recorded_at) VALUES ('C-1', 'call', "
        "'2026-06-02T15:00:00.000000+00:00', '[\"D1\"]', 'no_answer', 'collector', "
        "'+13125550111', 'consumer', 'reserved', '2026-06-02T15:00:00.000000+00:00')",
    )
    old = ContactRecord(
        channel="call",
        at=dt.datetime(2026, 6, 2, 15, tzinfo=dt.timezone.utc),
        debt_ids=["D1"],
        outcome=Outcome.NO_ANSWER,
        to=NUMBER,
    )
    judged = call(WEDNESDAY)
    contact = canonical_json(judged.model_dump(mode="json")).replace("'", "''")
    _execute(
        spec,
        "INSERT INTO decisions (consumer_id, at, allowed, contact_allowed, record_id, "
        "fingerprint, version, inputs_hash, reasons, decision, contact, history, decided_at) "
        "VALUES ('C-1', '2026-06-03T14:00:00.000000+00:00', FALSE, FALSE, NULL, 'f', '0', "
        f"'{inputs_hash(judged, [old])}', '[]', '{{}}', '{contact}', '[[1, \"no_answer\"]]', "
        "'2026-06-03T14:00:00.000000+00:00')",
    )
    with spec.open(engine) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        [kept] = upgraded.records("C-1")
        assert kept.record == old
        assert kept.record.dial_method is None and kept.record.text is None
        assert kept.record.requested_by_consumer is False
        [entry] = upgraded.audit()
        assert entry.history == (old,) and entry.intact()
        stop = ContactRecord(
            channel="sms",
            at=WEDNESDAY,
            outcome=Outcome.DELIVERED,
            initiated_by="consumer",
            to=NUMBER,
            text="STOP",
            requested_by_consumer=True,
        )
        upgraded.record("C-1", stop)
        assert upgraded.history("C-1")[-1] == stop
    assert _query(
        spec, "SELECT dial_method, text, requested_by_consumer FROM records ORDER BY id"
    ) == [(None, None, False), (None, "STOP", True)]


def test_a_newer_schema_is_refused_clearly(spec: LedgerSpec, engine: Engine) -> None:
    with spec.open(engine) as ledger:
        ledger.reserve(call(WEDNESDAY))
    newer = SCHEMA_VERSION + 1
    _execute(
        spec,
        "INSERT INTO schema_version (version, description, library_version, applied_at) "
        f"VALUES ({newer}, 'from the future', '99.0', '2030-01-01T00:00:00+00:00')",
    )
    with pytest.raises(SchemaTooNewError) as caught:
        spec.open(engine)
    message = str(caught.value)
    assert f"version {newer}, newer than the version {SCHEMA_VERSION}" in message
    assert "upgrade contactrules" in message
    assert _query(spec, "SELECT count(*) FROM records") == [(1,)]


def test_sqlite_uses_wal_and_a_fresh_file_per_test(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "ledger.db"
    with SQLiteLedger(path, engine, synchronous="NORMAL") as ledger:
        ledger.reserve(call(WEDNESDAY))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    with pytest.raises(LedgerError, match="synchronous"):
        SQLiteLedger(path, engine, synchronous="SOMETIMES")  # type: ignore[arg-type]
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    with SQLiteLedger(copy, engine, create=False) as reopened:
        assert len(reopened.history("C-1")) == 1


# --- helpers -------------------------------------------------------------------------------


def _query(spec: LedgerSpec, sql: str) -> list[tuple[object, ...]]:
    if spec.backend == "sqlite":
        conn = sqlite3.connect(spec.target)
        try:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(spec.target, autocommit=True) as pg:
        pg.execute(f'SET search_path TO "{spec.schema}"')
        return [tuple(r) for r in pg.execute(sql).fetchall()]


def _execute(spec: LedgerSpec, sql: str) -> None:
    if spec.backend == "sqlite":
        conn = sqlite3.connect(spec.target)
        try:
            with conn:
                conn.execute(sql)
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(spec.target, autocommit=True) as pg:
        pg.execute(f'SET search_path TO "{spec.schema}"')
        pg.execute(sql)


def _migrate_raw(spec: LedgerSpec, target: int) -> None:
    if spec.backend == "sqlite":
        conn = sqlite3.connect(spec.target, isolation_level=None)
        try:
            assert migrate_sqlite(conn, target=target) == target
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(spec.target, autocommit=True) as pg:
        pg.execute(f'CREATE SCHEMA "{spec.schema}"')
        pg.execute(f'SET search_path TO "{spec.schema}"')
        assert migrate_postgres(pg, spec.schema or "", target=target) == target


def test_database_errors_are_ledger_errors(spec: LedgerSpec, engine: Engine) -> None:
    if spec.backend == "sqlite":
        with SQLiteLedger(spec.target, engine, busy_timeout=0.1) as ledger:
            blocker = sqlite3.connect(spec.target, isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock too long
            try:
                with pytest.raises(LedgerError, match="busy_timeout"):
                    ledger.reserve(call(WEDNESDAY))
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
            assert ledger.reserve(call(WEDNESDAY)).allowed  # and it recovers
        return
    with spec.open(engine) as ledger:
        _execute(spec, "DROP TABLE outcome_changes")
        reservation = ledger.reserve(call(WEDNESDAY))
        assert reservation.record_id is not None
        with pytest.raises(LedgerError, match="outcome_changes"):
            ledger.record_outcome(reservation.record_id, Outcome.NO_ANSWER)
        assert ledger.records("C-1")[0].record.outcome is Outcome.PENDING  # rolled back
