"""The service's reservations through PostgreSQL ledgers, under concurrent clients that retry.

Skipped unless CONTACTRULES_TEST_POSTGRES names a server (CI sets it from .ci/postgres.sh;
tests/ledger_support.py says when a missing one fails instead). Two worker processes serve two
tenants, each with its own schema; sixteen client threads reserve calls for a few consumers,
send every request twice (a retry after a lost answer) and record outcomes. Afterwards the
ledger itself is read: no idempotency key made two records, every acknowledged reservation is
there, and the federal cap of 7 calls in 7 days was never exceeded (12 CFR 1006.14(b)(2)(i)(A)).
The restart of PostgreSQL under load is bench/bench_service.py's fault phase.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ledger_support import postgres_dsn
from service_support import Client, Server, running_server, write_config

from contactrules import Engine
from contactrules.ledger import open_ledger

CHICAGO = ZoneInfo("America/Chicago")
CONSUMERS = 2
CLIENTS = 16
ATTEMPTS = 10  # per client
CAP = 7


def _with_schema(dsn: str, schema: str) -> str:
    return f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


@pytest.fixture(scope="module")
def ledgers() -> Iterator[dict[str, str]]:
    dsn = postgres_dsn()
    suffix = uuid.uuid4().hex[:10]
    schemas = {"alpha": f"svc_alpha_{suffix}", "beta": f"svc_beta_{suffix}"}
    yield {tenant: _with_schema(dsn, schema) for tenant, schema in schemas.items()}
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        for schema in schemas.values():
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="module")
def server(ledgers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("service-postgres")
    config = write_config(folder, ledgers)
    with running_server(config, folder, workers=2) as running:
        running.wait_for_log("server.started", count=2)
        yield running


def _body(consumer: int, elapsed: float) -> dict[str, Any]:
    """A call to a consumer at 10:00 on 3 June 2026 plus the test's elapsed time: calls are
    proposed in about the order they are sent, as a dialer's are."""
    day = dt.datetime(2026, 6, 3, 10, 0, tzinfo=CHICAGO) + dt.timedelta(seconds=elapsed)
    number = f"+1312555{consumer:04d}"
    return {
        "consumer": {
            "id": f"C-{consumer}",
            "addresses": [{"country": "US", "subdivision": "IL", "city": "Chicago"}],
            "phones": [{"number": number, "type": "mobile"}],
            "debts": [{"id": "D1"}],
        },
        "contact": {
            "channel": "call",
            "at": day.isoformat(),
            "debt_ids": ["D1"],
            "to": number,
            "dial_method": "manual",
        },
    }


def test_concurrent_retried_reservations_make_no_duplicate_and_keep_the_cap(
    server: Server, ledgers: dict[str, str]
) -> None:
    acknowledged: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()

    def work(worker: int) -> None:
        client = server.client("alpha")
        try:
            for attempt in range(ATTEMPTS):
                body = _body((worker + attempt) % CONSUMERS, time.monotonic() - started)
                key = {"Idempotency-Key": f"w{worker}-a{attempt}-{uuid.uuid4()}"}
                first = client.post("/v1/reservations", body, headers=key)
                retry = client.post("/v1/reservations", body, headers=key)
                if first.status != 201 or retry.json() != first.json():
                    with lock:
                        failures.append(f"{first.status} {retry.status} {first.body[:200]!r}")
                    continue
                answer = first.json()
                if answer["allowed"]:
                    done = client.request(
                        "PATCH", f"/v1/reservations/{answer['id']}", {"outcome": "no_answer"}
                    )
                    if done.status != 200:
                        with lock:
                            failures.append(f"PATCH {done.status}")
                with lock:
                    acknowledged[answer["id"]] = {**answer, "consumer": body["consumer"]["id"]}
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert len(acknowledged) == CLIENTS * ATTEMPTS
    allowed = [a for a in acknowledged.values() if a["allowed"]]
    assert allowed, "no reservation was allowed at all"
    # The ledger itself: one record per allowed reservation, none per retry, cap never exceeded.
    engine = Engine.default()
    with open_ledger(ledgers["alpha"], engine, create=False) as ledger:
        per_consumer: dict[str, list[dt.datetime]] = defaultdict(list)
        for consumer in {a["consumer"] for a in acknowledged.values()}:
            for stored in ledger.records(consumer):
                per_consumer[consumer].append(stored.record.at.astimezone(CHICAGO))
        assert sum(len(v) for v in per_consumer.values()) == len(allowed)
        for rid, answer in acknowledged.items():
            found = ledger.reservation(int(rid.split("_")[1]))
            assert found is not None and found.allowed == answer["allowed"]
    busiest = 0
    for consumer, instants in per_consumer.items():
        days = sorted(i.date() for i in instants)
        for first in days:
            window = [d for d in days if first <= d < first + dt.timedelta(days=7)]
            assert len(window) <= CAP, (consumer, days)
            busiest = max(busiest, len(window))
    assert busiest == CAP  # the cap was reached, so the check above had something to check
    # The other tenant sees none of them.
    other = server.client("beta")
    some = next(iter(acknowledged))
    assert other.get(f"/v1/reservations/{some}").status == 404
    other.close()


def test_readiness_checks_each_postgres_ledger(server: Server) -> None:
    client: Client = server.client()
    ready = client.get("/readyz")
    assert ready.status == 200 and ready.json()["ledgers"] == "2 of 2 reachable"
    client.close()


def test_an_unreachable_ledger_is_503_and_not_ready(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, {"alpha": "postgresql://nobody:wrong@127.0.0.1:1/none?connect_timeout=1"}
    )
    with running_server(config, tmp_path) as running:
        client = running.client("alpha")
        body = _body(0, 0)
        answer = client.post("/v1/reservations", body, headers={"Idempotency-Key": "k-1"})
        assert answer.status == 503
        assert answer.headers["retry-after"] == "1"
        assert answer.json()["error"]["code"] == "service.ledger-unavailable"
        assert answer.json()["judged"] is False
        assert client.get("/readyz").status == 503
        # Decisions need no ledger: they go on being answered.
        decision = client.post(
            "/v1/decisions", {**body, "contacts": [body["contact"]], "contact": None}
        )
        assert decision.status == 422  # "contact" is not a scenario key
        scenario = {"consumer": body["consumer"], "contacts": [body["contact"]]}
        assert client.post("/v1/decisions", scenario).status == 200
        client.close()
