"""A PostgreSQL ledger whose connection is killed gets it back, and never records twice.

Each test opens its ledger with its own ``application_name`` and kills exactly that ledger's
backend with ``pg_terminate_backend`` from another connection (what a server restart or a
failover does to every client), so no other test's connection is touched.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from ledger_support import WEDNESDAY, LedgerSpec, call, ledger_spec

from contactrules import Engine, Outcome
from contactrules.ledger import ConnectionLostError, PostgresLedger, Reconnect

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def spec(tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec("postgres", str(tmp_path)) as found:
        yield found


def _with_name(dsn: str, name: str) -> str:
    return f"{dsn}{'&' if '?' in dsn else '?'}application_name={name}"


def kill(dsn: str, name: str) -> int:
    """Terminate every backend of ``application_name`` ``name``; wait until they are gone."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
        for _ in range(200):
            left = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
            ).fetchone()
            if left is not None and left[0] == 0:
                break
            time.sleep(0.01)
    return int(row[0]) if row is not None else 0


def _open(spec: LedgerSpec, engine: Engine, name: str, **options: object) -> PostgresLedger:
    return PostgresLedger(
        _with_name(spec.target, name),
        engine,
        schema=spec.schema,
        **options,  # type: ignore[arg-type]
    )


def test_a_killed_connection_is_restored_between_calls(spec: LedgerSpec, engine: Engine) -> None:
    name = f"cr-test-{uuid.uuid4().hex[:8]}"
    with _open(spec, engine, name) as ledger:
        first = ledger.reserve(call(WEDNESDAY), idempotency_key="a")
        assert first.record_id is not None
        assert kill(spec.target, name) == 1
        ledger.record_outcome(first.record_id, Outcome.NO_ANSWER)
        assert kill(spec.target, name) == 1
        assert ledger.reserve(call(WEDNESDAY + HOUR)).allowed  # no key: failed before commit
        assert kill(spec.target, name) == 1
        assert [s.record.outcome for s in ledger.records("C-1")] == [
            Outcome.NO_ANSWER,
            Outcome.PENDING,
        ]
        assert ledger.verify_audit().intact


def test_a_transaction_killed_before_its_commit_runs_again_once(
    spec: LedgerSpec, engine: Engine
) -> None:
    """Killed after judging, before writing: the server rolled it back, so the ledger runs it
    again even without an idempotency key, and the contact is recorded once."""
    name = f"cr-test-{uuid.uuid4().hex[:8]}"
    kills: list[int] = []

    def clock() -> dt.datetime:  # read inside the reserve's transaction
        if not kills:
            kills.append(kill(spec.target, name))
        return WEDNESDAY

    with _open(spec, engine, name, clock=clock) as ledger:
        reservation = ledger.reserve(call(WEDNESDAY))
        assert kills == [1]
        assert reservation.allowed
        assert [s.id for s in ledger.records("C-1")] == [reservation.record_id]
        assert spec.query("SELECT count(*) FROM decisions") == [(1,)]


def _kill_at_commit(spec: LedgerSpec) -> None:
    """A deferred trigger that kills its own backend during the first COMMIT that logs a
    decision: the client cannot tell whether that commit happened (here it did not)."""
    spec.query("CREATE SEQUENCE commit_kills")
    spec.query(
        "CREATE FUNCTION kill_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF nextval('commit_kills') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); "
        "END IF; RETURN NULL; END $$"
    )
    spec.query(
        "CREATE CONSTRAINT TRIGGER kill_at_commit AFTER INSERT ON decisions "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kill_at_commit()"
    )


def test_a_commit_lost_without_a_key_says_the_outcome_is_unknown(
    spec: LedgerSpec, engine: Engine
) -> None:
    name = f"cr-test-{uuid.uuid4().hex[:8]}"
    with _open(spec, engine, name) as ledger:
        _kill_at_commit(spec)
        with pytest.raises(ConnectionLostError, match="whether it was recorded is unknown") as e:
            ledger.reserve(call(WEDNESDAY))
        assert e.value.outcome_unknown
        assert ledger.history("C-1") == []  # it was not, this time; and the ledger works on
        assert ledger.reserve(call(WEDNESDAY)).allowed


def test_a_commit_lost_with_a_key_is_retried_and_recorded_once(
    spec: LedgerSpec, engine: Engine
) -> None:
    name = f"cr-test-{uuid.uuid4().hex[:8]}"
    with _open(spec, engine, name) as ledger:
        _kill_at_commit(spec)
        reservation = ledger.reserve(call(WEDNESDAY), idempotency_key="letter-9")
        assert reservation.allowed and not reservation.replayed
        assert [s.id for s in ledger.records("C-1")] == [reservation.record_id]
        again = ledger.reserve(call(WEDNESDAY), idempotency_key="letter-9")
        assert again.replayed and again.decision_id == reservation.decision_id


def test_reconnecting_is_bounded_and_the_error_says_what_to_check(
    spec: LedgerSpec, engine: Engine
) -> None:
    name = f"cr-test-{uuid.uuid4().hex[:8]}"
    policy = Reconnect(attempts=3, first_delay=0.01, max_delay=0.02)
    with closing(_open(spec, engine, name, reconnect=policy, connect_timeout=2)) as ledger:
        ledger.reserve(call(WEDNESDAY))
        good = ledger._dsn
        ledger._dsn = re.sub(r"@([^@/:]+)(:\d+)?/", r"@\1:1/", good)  # port 1: nobody answers
        assert ledger._dsn != good
        kill(spec.target, name)
        with pytest.raises(ConnectionLostError) as caught:
            ledger.history("C-1")
        message = str(caught.value)
        assert "3 attempt(s) to reconnect" in message
        assert "check that the server is running and reachable" in message
        assert not caught.value.outcome_unknown
        ledger._dsn = good  # the server is back: the next call reconnects
        assert len(ledger.history("C-1")) == 1


def test_the_reconnect_pauses_double_up_to_a_bound() -> None:
    assert list(Reconnect(attempts=5, first_delay=0.1, max_delay=0.3).delays()) == [
        0.0,
        0.1,
        0.2,
        0.3,
        0.3,
    ]
    assert list(Reconnect(attempts=0).delays()) == []
    assert sum(Reconnect().delays()) < 10  # the default gives up within seconds
