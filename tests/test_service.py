"""The HTTP service, run as users run it: ``contactrules serve`` in its own process on a
loopback port, spoken to over HTTP (docs/service.md).

One server (two tenants with SQLite ledgers; ``beta`` stacks the example Acme policy on the law)
serves most tests; reload, the demo config and several workers start their own. PostgreSQL is
in tests/test_service_postgres.py.
"""

from __future__ import annotations

import json
import re
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from service_support import KEYS, ROOT, Client, Response, Server, running_server, write_config

from contactrules import Engine
from contactrules.loading.yamlsource import load_yaml_file
from contactrules.scenario import Scenario
from contactrules.service.openapi import openapi_document

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
ACME = str(ROOT / "rulesets" / "examples" / "acme-policy.yaml")
OPENAPI = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
DISCLOSURE = (
    "This is an attempt to collect a debt and any information obtained will be used for that "
    "purpose. Reply STOP to opt out."
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    config = write_config(
        folder,
        {"alpha": "sqlite:///alpha.db", "beta": "sqlite:///beta.db"},
        policies={"beta": [ACME]},
    )
    with running_server(config, folder) as running:
        yield running


@pytest.fixture
def alpha(server: Server) -> Iterator[Client]:
    client = server.client("alpha")
    yield client
    client.close()


@pytest.fixture
def beta(server: Server) -> Iterator[Client]:
    client = server.client("beta")
    yield client
    client.close()


def conforms(response: Response, schema: str) -> None:
    """The answer matches its schema in docs/openapi.json."""
    validator = Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": OPENAPI["components"]}
    )
    errors = [e.message for e in validator.iter_errors(response.json())]
    assert errors == [], errors


def chicago(**contact: Any) -> dict[str, Any]:
    """A scenario: a Chicago consumer with one mobile and debt D1, and one proposed contact."""
    base = {"channel": "call", "at": "2026-06-02T10:00:00-05:00", "debt_ids": ["D1"]}
    return {
        "consumer": {
            "id": "C-1",
            "addresses": [{"country": "US", "subdivision": "IL", "city": "Chicago"}],
            "phones": [{"number": "+13125550100", "type": "mobile"}],
            "debts": [{"id": "D1"}],
        },
        "history": [],
        "contacts": [{**base, "to": "+13125550100", "dial_method": "manual", **contact}],
    }


def early_text() -> dict[str, Any]:
    """A text at 09:59: federal law allows it, the Acme policy (tenant beta) does not."""
    return chicago(channel="sms", at="2026-06-02T09:59:00-05:00", template={"text": DISCLOSURE})


# --- decisions ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_decisions_are_exactly_what_the_engine_gives(
    alpha: Client, engine: Engine, path: Path
) -> None:
    """Each example scenario, sent as JSON, gets the decisions Engine.evaluate gives."""
    document = load_yaml_file(path).value
    answer = alpha.post("/v1/decisions", document)
    assert answer.status == 200, answer.body
    conforms(answer, "Decisions")
    scenario = Scenario.model_validate(document)
    expected = [
        engine.evaluate(proposed.for_consumer(scenario.consumer), scenario.history).as_dict()
        for proposed in scenario.contacts
    ]
    assert answer.json()["decisions"] == json.loads(json.dumps(expected))


def test_a_list_of_scenarios_gets_its_decisions_in_order(alpha: Client) -> None:
    early, late = chicago(at="2026-06-02T07:59:00-05:00"), chicago(at="2026-06-02T08:00:00-05:00")
    answer = alpha.post("/v1/decisions", [early, late, early])
    assert answer.status == 200
    conforms(answer, "DecisionsBatch")
    verdicts = [r["decisions"][0]["allowed"] for r in answer.json()["results"]]
    assert verdicts == [False, True, False]


def test_each_tenant_is_judged_by_its_own_policy_on_top_of_the_law(
    alpha: Client, beta: Client
) -> None:
    """Acme's policy (tenant beta): no texts before 10:00; the law alone allows 09:59."""
    plain = alpha.post("/v1/decisions", early_text()).json()["decisions"][0]
    policy = beta.post("/v1/decisions", early_text()).json()["decisions"][0]
    assert plain["allowed"] is True
    assert policy["allowed"] is False
    assert [r["rule_id"] for r in policy["reasons"]] == ["ACME-POLICY-SMS-NOT-BEFORE-10"]
    assert "acme-policy" in policy["rulesets"] and "acme-policy" not in plain["rulesets"]


# --- who may call -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer crk_not-a-key-of-anyone", "Basic " + KEYS["alpha"], "Bearer", KEYS["alpha"]],
    ids=["none", "wrong-key", "other-scheme", "empty", "no-scheme"],
)
def test_no_key_or_a_wrong_key_is_401_and_says_nothing_more(
    server: Server, authorization: str | None
) -> None:
    client = server.client()
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in [
        ("POST", "/v1/decisions"),
        ("POST", "/v1/reservations"),
        ("GET", "/v1/rulesets"),
        ("GET", "/v1/rules/US-FED-REGF-1006.6b1i-HOURS"),
        ("GET", "/v1/reservations/rsv_1_000000000000"),
    ]:
        answer = client.request(method, path, chicago(), headers=headers)
        assert answer.status == 401, (method, path)
        assert answer.headers["www-authenticate"].startswith("Bearer")
        body = answer.json()
        assert body["error"]["code"] == "service.unauthorized"
        assert (
            body["error"]["message"] == "a valid API key is required: Authorization: Bearer <key>"
        )
        assert "decisions" not in body and "allowed" not in json.dumps(body).replace("judged", "")
    client.close()


def test_rulesets_and_rules_are_the_tenants_own(alpha: Client, beta: Client) -> None:
    mine = alpha.get("/v1/rulesets")
    theirs = beta.get("/v1/rulesets")
    conforms(mine, "Rulesets")
    ids_alpha = {r["id"] for r in mine.json()["rulesets"]}
    ids_beta = {r["id"] for r in theirs.json()["rulesets"]}
    assert ids_beta - ids_alpha == {"acme-policy"}
    assert mine.json()["fingerprint"] == Engine.default().fingerprint
    assert mine.json()["fingerprint"] != theirs.json()["fingerprint"]
    law = alpha.get("/v1/rules/US-FED-REGF-1006.6b1i-HOURS")
    conforms(law, "Rule")
    assert law.json()["citation"].startswith("12 CFR 1006.6(b)(1)(i)")
    assert "Rule kind reference" in law.json()["explanation"]
    assert beta.get("/v1/rules/ACME-POLICY-SMS-NOT-BEFORE-10").status == 200
    hidden = alpha.get("/v1/rules/ACME-POLICY-SMS-NOT-BEFORE-10")  # another tenant's policy
    assert hidden.status == 404
    conforms(hidden, "Error")


# --- bad requests -------------------------------------------------------------------------------
def test_invalid_input_is_a_422_with_located_problems(alpha: Client) -> None:
    body = chicago(chanel="call", at="2026-06-02T10:30")
    body["history"] = [{"channel": "call", "at": 0, "outcome": "no"}]
    body["consumer"]["debts"].append({"id": "D2", "time_barred": "yes"})
    answer = alpha.post("/v1/decisions", body)
    assert answer.status == 422
    conforms(answer, "Error")
    data = answer.json()
    assert data["judged"] is False and data["error"]["code"] == "service.invalid-input"
    found = {(p["pointer"], p["code"]) for p in data["problems"]}
    assert ("/contacts/0/chanel", "input.unknown-key") in found
    assert ("/contacts/0/at", "input.invalid-value") in found
    assert ("/history/0/at", "input.invalid-value") in found
    assert ("/history/0/outcome", "input.unknown-value") in found
    assert ("/consumer/debts/1/time_barred", "input.invalid-value") in found
    hint = next(p for p in data["problems"] if p["pointer"] == "/contacts/0/chanel")
    assert 'did you mean "channel"' in hint["message"]
    assert "Traceback" not in answer.body.decode()


def test_a_history_record_about_an_unknown_debt_is_located(alpha: Client) -> None:
    body = chicago()
    body["history"] = [
        {"channel": "call", "at": "2026-06-01T10:00:00-05:00", "outcome": "no_answer"},
        {"channel": "call", "at": "2026-06-01T11:00:00-05:00", "outcome": "no_answer",
         "debt_ids": ["D1", "D-9"]},
    ]  # fmt: skip
    problems = alpha.post("/v1/decisions", body).json()["problems"]
    assert [(p["pointer"], p["code"]) for p in problems] == [
        ("/history/1/debt_ids/1", "input.invalid-value")
    ]
    assert '"D-9"' in problems[0]["message"]


@pytest.mark.parametrize(
    "raw, status, code",
    [
        (b'{"consumer": ', 400, "service.malformed-json"),
        (b"\xff\xfe not utf-8", 400, "service.malformed-json"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "service.malformed-json"),
        (b"[]", 422, "service.invalid-input"),
        (b"42", 422, "service.invalid-input"),
        (b'{"consumer": {"id": "C"}, "contacts": []}', 422, "service.invalid-input"),
    ],
    ids=["truncated", "not-utf8", "too-deep", "empty-list", "number", "no-contacts"],
)
def test_a_body_that_is_not_input_is_refused_with_its_code(
    alpha: Client, raw: bytes, status: int, code: str
) -> None:
    answer = alpha.request("POST", "/v1/decisions", raw=raw)
    assert (answer.status, answer.json()["error"]["code"]) == (status, code)
    assert answer.json()["judged"] is False


def test_malformed_json_is_located(alpha: Client) -> None:
    answer = alpha.request("POST", "/v1/decisions", raw=b'{\n  "consumer": ,\n}')
    problem = answer.json()["problems"][0]
    assert (problem["line"], problem["column"]) == (2, 15)


def test_a_body_over_the_limit_is_413_whether_declared_or_streamed(server: Server) -> None:
    big = b'{"pad": "' + b"x" * 1_100_000 + b'"}'
    client = server.client("alpha")
    assert client.request("POST", "/v1/decisions", raw=big).status == 413
    client.close()
    # Chunked, with no Content-Length: counted while read.
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    chunks = (big[i : i + 65536] for i in range(0, len(big), 65536))
    conn.request(
        "POST",
        "/v1/decisions",
        body=chunks,
        headers={"Authorization": f"Bearer {KEYS['alpha']}", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    answer = conn.getresponse()
    assert answer.status == 413
    assert json.loads(answer.read())["error"]["code"] == "service.body-too-large"
    conn.close()


def test_too_many_contacts_in_one_request_is_413(alpha: Client) -> None:
    body = chicago()
    body["contacts"] = body["contacts"] * 1001
    answer = alpha.post("/v1/decisions", body)
    assert (answer.status, answer.json()["error"]["code"]) == (413, "service.too-many-contacts")


def test_unknown_endpoints_and_methods_answer_json(server: Server) -> None:
    client = server.client("alpha")
    missing = client.get("/v1/nothing")
    assert (missing.status, missing.json()["error"]["code"]) == (404, "service.not-found")
    wrong = client.request("DELETE", "/v1/decisions")
    assert (wrong.status, wrong.json()["error"]["code"]) == (405, "service.method-not-allowed")
    client.close()


# --- reservations (SQLite ledgers; PostgreSQL in test_service_postgres.py) ----------------------
def test_a_retry_with_the_same_key_returns_the_same_reservation(alpha: Client) -> None:
    body = {"consumer": chicago()["consumer"], "contact": chicago()["contacts"][0]}
    body["consumer"]["id"] = f"C-{uuid.uuid4()}"
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = alpha.post("/v1/reservations", body, headers=key)
    assert first.status == 201, first.body
    conforms(first, "Reservation")
    again = alpha.post("/v1/reservations", body, headers=key)
    assert again.status == 201
    assert again.json() == first.json()
    assert (
        again.headers["idempotent-replayed"] == "true"
        and "idempotent-replayed" not in first.headers
    )
    assert first.json()["allowed"] is True and first.json()["recorded"] is True
    assert first.headers["location"] == f"/v1/reservations/{first.json()['id']}"
    # Another contact under the same key is a conflict, never a second record.
    other = {**body, "contact": {**body["contact"], "at": "2026-06-03T10:00:00-05:00"}}
    conflict = alpha.post("/v1/reservations", other, headers=key)
    assert (conflict.status, conflict.json()["error"]["code"]) == (
        409,
        "service.idempotency-conflict",
    )
    # A new key for the same consumer right after: the pending call's cooldown denies it.
    second = alpha.post(
        "/v1/reservations", other, headers={"Idempotency-Key": "k2-" + key["Idempotency-Key"]}
    )
    assert second.json()["allowed"] is False and second.json()["recorded"] is False


def test_reservations_are_read_and_completed_by_their_tenant_only(
    alpha: Client, beta: Client
) -> None:
    body = {"consumer": chicago()["consumer"], "contact": chicago()["contacts"][0]}
    body["consumer"]["id"] = f"C-{uuid.uuid4()}"
    made = alpha.post("/v1/reservations", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    rid = made.json()["id"]
    seen = alpha.get(f"/v1/reservations/{rid}")
    assert seen.status == 200 and seen.json()["decision"] == made.json()["decision"]
    done = alpha.request("PATCH", f"/v1/reservations/{rid}", {"outcome": "no_answer"})
    assert done.status == 200 and done.json()["outcome"] == "no_answer"
    conforms(done, "Reservation")
    for answer in (
        beta.get(f"/v1/reservations/{rid}"),
        beta.request("PATCH", f"/v1/reservations/{rid}", {"outcome": "conversation"}),
        alpha.get("/v1/reservations/rsv_999999_000000000000"),
        alpha.get("/v1/reservations/not-an-id"),
    ):
        assert answer.status == 404
        assert answer.json()["error"] == {
            "code": "service.not-found",
            "message": "no such reservation",
            "request_id": answer.headers["x-request-id"],
        }


def test_a_denied_reservation_has_no_outcome_to_record(alpha: Client) -> None:
    body = {
        "consumer": chicago()["consumer"],
        "contact": {**chicago()["contacts"][0], "at": "2026-06-02T06:00:00-05:00"},
    }
    made = alpha.post("/v1/reservations", body).json()
    assert made["allowed"] is False and made["idempotency_key"] is None
    answer = alpha.request("PATCH", f"/v1/reservations/{made['id']}", {"outcome": "no_answer"})
    assert (answer.status, answer.json()["error"]["code"]) == (409, "service.not-recorded")
    bad = alpha.request("PATCH", f"/v1/reservations/{made['id']}", {"outcome": "maybe"})
    assert bad.status == 422


def test_an_invalid_idempotency_key_is_400(alpha: Client) -> None:
    body = {"consumer": chicago()["consumer"], "contact": chicago()["contacts"][0]}
    answer = alpha.post("/v1/reservations", body, headers={"Idempotency-Key": "x" * 129})
    assert (answer.status, answer.json()["error"]["code"]) == (
        400,
        "service.invalid-idempotency-key",
    )


# --- operations ---------------------------------------------------------------------------------
def test_health_readiness_and_metrics(server: Server, alpha: Client) -> None:
    client = server.client()
    health = client.get("/healthz")
    assert health.status == 200
    conforms(health, "Health")
    ready = client.get("/readyz")
    assert ready.status == 200, ready.body
    conforms(ready, "Ready")
    alpha.post("/v1/decisions", chicago(at="2026-06-02T06:00:00-05:00"))
    text = client.get("/metrics").body.decode()
    assert re.search(r'contactrules_decisions_total\{tenant="alpha",verdict="denied"\} [1-9]', text)
    assert (
        'contactrules_denials_total{rule_id="US-FED-REGF-1006.6b1i-HOURS",tenant="alpha"}' in text
    )
    assert "contactrules_http_request_duration_seconds_bucket" in text
    assert "contactrules_evaluation_duration_seconds_count" in text
    assert 'contactrules_rulesets_fingerprint{fingerprint="sha256:' in text
    client.close()


def test_logs_are_json_with_the_request_id_and_no_personal_data(
    server: Server, alpha: Client
) -> None:
    body = chicago()
    body["consumer"]["id"] = "PERSON-7731"
    answer = alpha.post("/v1/decisions", body, headers={"X-Request-Id": "trace-42.a"})
    assert answer.headers["x-request-id"] == "trace-42.a"
    mine = server.wait_for_log("request", request_id="trace-42.a")
    assert mine[0]["route"] == "/v1/decisions" and mine[0]["tenant"] == "alpha"
    assert mine[0]["status"] == 200 and mine[0]["decisions"] == 1
    text = server.log.read_text(encoding="utf-8")
    assert "PERSON-7731" not in text and "+13125550100" not in text and "Chicago" not in text
    assert all(e["event"] != "not-json" for e in server.log_lines())
    generated = alpha.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)


def test_the_openapi_document_lists_every_route_and_is_served(server: Server) -> None:
    from contactrules.service.app import ROUTES

    assert openapi_document() == OPENAPI, "run: contactrules serve openapi > docs/openapi.json"
    routes = {(path, method.lower()) for method, path, _, _ in ROUTES}
    documented = {(path, method) for path, item in OPENAPI["paths"].items() for method in item}
    assert routes == documented
    served = server.client().get("/openapi.json")
    assert served.json() == OPENAPI


# --- reload -------------------------------------------------------------------------------------
def test_sighup_reloads_rulesets_atomically_and_keeps_them_when_broken(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    text = Path(ACME).read_text(encoding="utf-8")
    policy.write_text(text, encoding="utf-8")
    config = write_config(tmp_path, {"beta": "sqlite:///beta.db"}, policies={"beta": [str(policy)]})
    with running_server(config, tmp_path) as server:
        client = server.client("beta")
        before = client.get("/v1/rulesets").json()["fingerprint"]
        assert client.post("/v1/decisions", early_text()).json()["decisions"][0]["allowed"] is False
        # Acme moves its texts to 09:30: the same text is allowed after the reload.
        policy.write_text(text.replace('"10:00"', '"09:30"', 1), encoding="utf-8")
        server.signal(signal.SIGHUP)
        reloaded = server.wait_for_log("rulesets.reloaded")[0]
        after = client.get("/v1/rulesets").json()["fingerprint"]
        assert after != before and reloaded["fingerprints"] == {"beta": after}
        assert client.post("/v1/decisions", early_text()).json()["decisions"][0]["allowed"] is True
        # A broken file: logged with its location, and the last good rulesets keep serving.
        policy.write_text(
            text.replace("kind: time_window", "kind: time_windw", 1), encoding="utf-8"
        )
        server.signal(signal.SIGHUP)
        failed = server.wait_for_log("rulesets.reload_failed")[0]
        assert any("policy.yaml:" in p and "unknown-kind" in p for p in failed["problems"])
        assert client.get("/v1/rulesets").json()["fingerprint"] == after
        client.close()


def test_the_watched_folder_reloads_without_a_signal(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    text = Path(ACME).read_text(encoding="utf-8")
    policy.write_text(text, encoding="utf-8")
    config = write_config(tmp_path, {"beta": "sqlite:///beta.db"}, policies={"beta": [str(policy)]})
    with running_server(config, tmp_path, args=["--watch", "0.2"]) as server:
        client = server.client("beta")
        before = client.get("/v1/rulesets").json()["fingerprint"]
        policy.write_text(text.replace('"10:00"', '"09:30"', 1) + "\n", encoding="utf-8")
        event = server.wait_for_log("rulesets.reloaded")[0]
        assert event["fingerprints"]["beta"] != before
        assert client.get("/v1/rulesets").json()["fingerprint"] == event["fingerprints"]["beta"]
        client.close()


# --- as the README runs it ---------------------------------------------------------------------
def test_the_readme_demo_config_and_curl_body(tmp_path: Path, engine: Engine) -> None:
    config = ROOT / "examples" / "service" / "demo.yaml"
    body = json.loads((ROOT / "examples" / "service" / "decision.json").read_text("utf-8"))
    with running_server(config, tmp_path) as server:
        answer = server.client().post("/v1/decisions", body, key="demo-key-for-local-testing-only")
        decisions = answer.json()["decisions"]
        assert [d["allowed"] for d in decisions] == [False, True]
        assert decisions[0]["reasons"][0]["rule_id"] == "US-FED-REGF-1006.6b1i-HOURS"
        assert decisions[0]["next_allowed_at"] == "2026-06-02T11:00:00-04:00"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "contactrules serve --config examples/service/demo.yaml" in readme
    assert "-d @examples/service/decision.json" in readme
    assert "demo-key-for-local-testing-only" in readme


def test_two_worker_processes_share_the_port_metrics_and_stop_together(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"alpha": "sqlite:///alpha.db"})
    with running_server(config, tmp_path, workers=2) as server:
        server.wait_for_log("server.started", count=2)
        client = server.client("alpha")
        for _ in range(20):
            assert client.post("/v1/decisions", chicago()).status == 200
            client.close()  # a new connection each time: either worker may take it
        text = client.get("/metrics").body.decode()
        assert 'contactrules_decisions_total{tenant="alpha",verdict="allowed"} 20.0' in text
        client.close()
    assert server.process.returncode == 0
    stopped = [e for e in server.log_lines() if e.get("event") == "server.stopped"]
    assert len(stopped) == 3  # each worker, then the supervisor


def test_in_memory_ledgers_are_refused_with_several_workers(tmp_path: Path) -> None:
    import subprocess
    import sys

    config = write_config(tmp_path, {"alpha": "sqlite://:memory:"})
    done = subprocess.run(
        [sys.executable, "-m", "contactrules", "serve", "--config", str(config), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "config.invalid-value" in done.stderr and "keep their ledger in memory" in done.stderr
