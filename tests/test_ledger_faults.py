"""Sixteen clients retrying with idempotency keys while their connections are killed.

The fault a restart of PostgreSQL (or a failover) inflicts on every client, bounded and aimed:
a killer terminates all sixteen clients' backends again and again (by their
``application_name``, so nothing else on the server is touched) while each client reserves
calls for four shared consumers, retries a failed call with the same key, and now and then
pretends the answer was lost and asks again. At the end: no contact recorded twice (0
duplicates), every acknowledged reservation on record with the ids it was acknowledged with
(0 lost), every replay the same as the first answer, and the 7-in-7 cap held for every
consumer. ``bench/bench_ledger_faults.py`` runs the same workload through real restarts of a
server of its own.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from ledger_support import WEDNESDAY, LedgerSpec, call, consumer, ledger_spec

from contactrules import Engine, Outcome
from contactrules.ledger import ConnectionLostError, PostgresLedger, Reconnect, Reservation

CLIENTS = 16
ATTEMPTS = 10
CONSUMERS = 4
RETRIES = 40


@pytest.fixture
def spec(tmp_path: Path) -> Iterator[LedgerSpec]:
    with ledger_spec("postgres", str(tmp_path)) as found:
        yield found


@dataclass
class Client:
    """What one client was told, and what went wrong for it."""

    acknowledged: dict[str, Reservation] = field(default_factory=dict)
    mismatched_replays: list[str] = field(default_factory=list)
    errors_seen: int = 0
    failures: list[str] = field(default_factory=list)


def _retrying(client: Client, action: str, work: object) -> object:
    assert callable(work)
    for _ in range(RETRIES):
        try:
            return work()
        except ConnectionLostError:
            client.errors_seen += 1
            time.sleep(0.02)
    client.failures.append(action)
    return None


def _run_client(
    number: int, dsn: str, schema: str, engine: Engine, client: Client, ready: threading.Barrier
) -> None:
    people = [consumer(f"C-{n}") for n in range(CONSUMERS)]
    policy = Reconnect(attempts=6, first_delay=0.01, max_delay=0.2)
    with PostgresLedger(dsn, engine, schema=schema, reconnect=policy) as ledger:
        ready.wait()  # every client is connected before the first kill
        for attempt in range(ATTEMPTS):
            who = people[(number + attempt) % CONSUMERS]
            contact = call(WEDNESDAY + dt.timedelta(minutes=attempt * CLIENTS + number), who)
            key = f"client-{number}/attempt-{attempt}"
            found = _retrying(
                client, key, lambda c=contact, k=key: ledger.reserve(c, idempotency_key=k)
            )
            if not isinstance(found, Reservation):
                continue
            client.acknowledged[key] = found
            if attempt % 3 == 0:  # the answer was lost on its way: ask again
                again = _retrying(
                    client, key, lambda c=contact, k=key: ledger.reserve(c, idempotency_key=k)
                )
                if not isinstance(again, Reservation) or (
                    again.decision_id,
                    again.record_id,
                    again.allowed,
                ) != (found.decision_id, found.record_id, found.allowed):
                    client.mismatched_replays.append(key)
            record_id = found.record_id
            if record_id is not None:
                _retrying(
                    client,
                    f"{key}/outcome",
                    lambda r=record_id: ledger.record_outcome(r, "no_answer"),
                )


def test_sixteen_clients_retrying_through_killed_connections(
    spec: LedgerSpec, engine: Engine
) -> None:
    import psycopg

    name = f"cr-faults-{uuid.uuid4().hex[:8]}"
    dsn = f"{spec.target}{'&' if '?' in spec.target else '?'}application_name={name}"
    spec.open(engine).close()
    clients = [Client() for _ in range(CLIENTS)]
    ready = threading.Barrier(CLIENTS + 1)
    threads = [
        threading.Thread(target=_run_client, args=(n, dsn, spec.schema, engine, clients[n], ready))
        for n in range(CLIENTS)
    ]
    done = threading.Event()
    kills: list[int] = []

    def killer() -> None:
        with psycopg.connect(spec.target, autocommit=True) as admin:
            pause = 0
            while not done.is_set():
                time.sleep((0.05, 0.12, 0.2)[pause % 3])
                pause += 1
                row = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (name,),
                ).fetchone()
                kills.append(int(row[0]) if row else 0)

    chaos = threading.Thread(target=killer)
    for thread in threads:
        thread.start()
    ready.wait(timeout=60)
    chaos.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    chaos.join(timeout=10)
    assert not any(t.is_alive() for t in threads)

    acknowledged = {k: r for c in clients for k, r in c.acknowledged.items()}
    assert [f for c in clients for f in c.failures] == []
    assert len(acknowledged) == CLIENTS * ATTEMPTS
    assert [k for c in clients for k in c.mismatched_replays] == []
    assert sum(kills) >= 10, kills  # the faults did happen, many times over

    logged = {
        key: (decision_id, record_id)
        for key, decision_id, record_id in spec.query(
            "SELECT idempotency_key, id, record_id FROM decisions"
        )
    }
    # 0 lost: every acknowledged reservation is on record, with the ids it was acknowledged with.
    assert {k: (r.decision_id, r.record_id) for k, r in acknowledged.items()} == logged
    # 0 duplicates: each record was granted by exactly one logged decision.
    records = spec.query("SELECT id, consumer_id FROM records ORDER BY id")
    granted = sorted(r for _d, r in logged.values() if r is not None)
    assert [r for r, _c in records] == granted
    # The cap held for every consumer (all calls fall on one day).
    per_consumer = {c: sum(1 for _r, who in records if who == c) for _r, c in records}
    assert per_consumer and max(per_consumer.values()) <= 7, per_consumer
    assert 7 in per_consumer.values()  # the cap was reached, so it was what held
    with spec.open(engine) as ledger:
        assert ledger.verify_audit().intact
        outcomes = {s.record.outcome for n in range(CONSUMERS) for s in ledger.records(f"C-{n}")}
        assert outcomes <= {Outcome.NO_ANSWER, Outcome.PENDING}
