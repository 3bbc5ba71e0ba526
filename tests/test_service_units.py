"""The service's parts in-process: the config file, keys, the body shortcut, fail-closed answers.

What needs a running server (HTTP, processes, signals) is in tests/test_service.py; here the
pieces whose every branch is cheaper to reach directly: located config errors, the key table,
the equivalence of the fast body path with the library's own validation (Hypothesis), and a 500
that says "not judged" when the engine raises, with nothing personal in the log.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from service_support import KEYS, write_config

from contactrules import Engine
from contactrules.cli import main
from contactrules.diagnostics import RulesetError
from contactrules.scenario import ProposedContact, Scenario
from contactrules.service import build_snapshot, create_app, load_config, openapi_document
from contactrules.service.app import reservation_id
from contactrules.service.auth import KeyTable, hash_key, new_key
from contactrules.service.inputs import ScenarioInput, scenarios
from contactrules.service.logs import JsonFormatter
from contactrules.service.problems import ApiError

BASE: dict[str, Any] = {
    "consumer": {
        "id": "C-1",
        "addresses": [{"country": "US", "subdivision": "OH", "city": "Columbus"}],
        "phones": [{"number": "+16145550100", "type": "mobile"}],
        "debts": [{"id": "D1"}, {"id": "D2"}],
    },
    "history": [
        {"channel": "call", "at": "2026-06-01T10:00:00-04:00", "debt_ids": ["D1"],
         "outcome": "no_answer", "dial_method": "manual"},
        {"channel": "sms", "at": "2026-06-01T11:00:00-04:00", "outcome": "delivered",
         "initiated_by": "consumer", "text": "STOP"},
    ],
    "contacts": [
        {"label": "a", "channel": "call", "at": "2026-06-02T10:00:00-04:00",
         "debt_ids": ["D1"], "to": "+16145550100", "dial_method": "manual"},
        {"channel": "sms", "at": "2026-06-02T07:00:00-04:00", "debt_ids": ["D2"]},
    ],
}  # fmt: skip


# --- the config file ----------------------------------------------------------------------------
def _config_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "service.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_config(path)
    return [str(d) for d in info.value.diagnostics]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- id: a\n", "service.yaml:1:1: error config.not-a-mapping"),
        ("tenants:\n  - id: a\n    keys: [x]\n    ledger: l.db\n", "config.invalid-value"),
        ("tenants:\n  - id: a\n    kys: []\n    ledger: l.db\n", "config.unknown-key"),
        ("tenants:\n  - id: a\n    ledger: l.db\n", "config.missing-key"),
        ("tenants:\n  - id: A B\n    keys: [x]\n    ledger: l.db\n", "config.invalid-value"),
        ("tenants: []\n", "config.invalid-value"),
        ("tenants:\n  - id: a\n    keys: [{k}]\n    ledger: ${{NO_SUCH_VARIABLE_X}}\n",
         "config.missing-variable"),
        ("tenants:\n  - id: a\n    keys: [{k}]\n    ledger: x.db\n"
         "  - id: b\n    keys: [{k2}]\n    ledger: x.db\n", "config.invalid-value"),
        ("tenants:\n  - id: a\n    keys: [{k}]\n    ledger: x.db\n"
         "  - id: b\n    keys: [{k}]\n    ledger: y.db\n", "config.invalid-value"),
    ],
    ids=["list", "clear-key", "misspelt", "no-keys", "bad-id", "no-tenant", "no-variable",
         "shared-ledger", "shared-key"],
)  # fmt: skip
def test_config_problems_are_located_with_their_code(
    tmp_path: Path, text: str, expected: str
) -> None:
    text = text.format(k=hash_key("one"), k2=hash_key("two"))
    problems = _config_problems(tmp_path, text)
    assert any(expected in p for p in problems), problems
    assert all(":" in p.split(" error ")[0] for p in problems)


def test_config_paths_are_read_from_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_LEDGER", "postgresql://u:p@db/x?schema=acme")
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "service.yaml"
    path.write_text(
        f"tenants:\n  - id: a\n    keys: [{hash_key('k')}]\n    ledger: sqlite:///a.db\n"
        f"    policies: [policy.yaml]\n  - id: b\n    keys: [{hash_key('k2')}]\n"
        "    ledger: ${ACME_LEDGER}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    config = load_config("conf/service.yaml")
    a, b = config.tenants
    assert config.ledger_url(a) == f"sqlite:///{tmp_path / 'conf' / 'a.db'}"
    assert config.policy_paths(a) == (tmp_path / "conf" / "policy.yaml",)
    assert config.ledger_url(b) == "postgresql://u:p@db/x?schema=acme"


# --- keys ---------------------------------------------------------------------------------------
def test_keys_are_random_and_only_their_hash_selects_a_tenant() -> None:
    key, other = new_key(), new_key()
    assert key != other and key.startswith("crk_") and len(key) >= 40
    table = KeyTable({"acme": [hash_key(key)]})
    assert table.tenant_for(f"Bearer {key}") == "acme"
    assert table.tenant_for(f"bearer  {key} ") == "acme"
    for header in [None, "", f"Bearer {other}", f"Basic {key}", key, "Bearer " + "x" * 600]:
        assert table.tenant_for(header) is None
    assert table.tenant_for(f"Bearer {hash_key(key)}") is None  # the hash is not the key


def test_hash_key_prints_a_key_and_its_hash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "hash-key"]) == 0
    out = capsys.readouterr().out.split("\n")
    key, digest = out[0].removeprefix("key:  "), out[1].removeprefix("hash: ")
    assert hash_key(key) == digest


def test_serve_needs_a_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["serve"]) == 2
    assert "--config" in capsys.readouterr().err
    assert main(["serve", "--config", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml: error file.not-found" in capsys.readouterr().err
    (tmp_path / "bad.yaml").write_text("tenants:\n  - id: a\n    kys: []\n", encoding="utf-8")
    assert main(["serve", "--config", str(tmp_path / "bad.yaml")]) == 1
    assert 'bad.yaml:3:5: error config.unknown-key unknown key "kys"' in capsys.readouterr().err


def test_serve_openapi_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "openapi"]) == 0
    assert json.loads(capsys.readouterr().out) == openapi_document()


def test_reservation_ids_are_tagged_for_their_tenant() -> None:
    assert reservation_id("alpha", 7) != reservation_id("beta", 7)
    assert reservation_id("alpha", 7).startswith("rsv_7_")


# --- the body shortcut is the library's validation ------------------------------------------------
def _reference(doc: Any) -> list[tuple[Any, Any]] | None:
    """What ``contactrules evaluate`` accepts: the scenario, then each contact for its consumer."""
    try:
        scenario = Scenario.model_validate(doc)
        return [(p.for_consumer(scenario.consumer), scenario.history) for p in scenario.contacts]
    except ValidationError:
        return None


def _fast(doc: Any) -> ScenarioInput | None:
    try:
        return scenarios(doc, 1000)[0][0]
    except ApiError as exc:
        assert exc.status == 422 and exc.problems, exc.message
        return None


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(
        ["", " ", "call", "sms", "D1", "D9", "no", "manual", "2026-06-02T09:00:00-04:00",
         "2026-06-02T09:00", "consumer", "no_answer", "+16145550100", "X"]
    ),
    st.just([]),
    st.just({}),
)  # fmt: skip


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here] if here else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*here, index))
    return found


@st.composite
def _mutated(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["set", "delete", "extra"]))
        if action == "set":
            parent[path[-1]] = draw(_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["labl", "consumer", "name", "zone", "extra"]))] = draw(
                _VALUES
            )
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_the_fast_path_accepts_exactly_what_the_library_accepts(doc: Any) -> None:
    """A shortcut must never accept what ``contactrules evaluate`` refuses, nor the reverse,
    and what both accept is judged identically."""
    engine = _engine()
    reference, fast = _reference(doc), _fast(doc)
    assert (reference is None) == (fast is None), json.dumps(doc)
    if reference is not None and fast is not None:
        mine = [engine.evaluate(c, fast.history).as_dict() for c in fast.contacts]
        theirs = [engine.evaluate(c, h).as_dict() for c, h in reference]
        assert mine == theirs


def test_contact_and_proposed_contact_have_the_same_fields() -> None:
    """The shortcut validates a proposed contact as a ``Contact`` with its consumer."""
    from contactrules.models import Contact

    proposed = set(ProposedContact.model_fields) - {"label"}
    assert proposed == set(Contact.model_fields) - {"consumer"}


_ENGINE: list[Engine] = []


def _engine() -> Engine:
    if not _ENGINE:
        _ENGINE.append(Engine.default())
    return _ENGINE[0]


# --- fail closed --------------------------------------------------------------------------------
def _call(
    app: Any,
    method: str,
    path: str,
    body: bytes = b"",
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request through the ASGI application, in-process (JSON answers decoded)."""
    sent_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if key is not None:
        sent_headers.append((b"authorization", f"Bearer {key}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": sent_headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = sent[0]["status"]
    payload = b"".join(m.get("body", b"") for m in sent[1:])
    answer_headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    if answer_headers.get("content-type", "").startswith("application/json"):
        return status, json.loads(payload)
    return status, payload.decode()


def test_an_exception_while_judging_is_a_500_that_says_not_judged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(write_config(tmp_path, {"alpha": "sqlite:///a.db"}))
    snapshot = build_snapshot(config)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("consumer C-SECRET-42 at +16145550100 broke a rule")

    monkeypatch.setattr(snapshot.tenants["alpha"].engine, "evaluate", broken)
    app = create_app(snapshot)
    doc = copy.deepcopy(BASE)
    doc["consumer"]["id"] = "C-SECRET-42"
    with caplog.at_level(logging.INFO, logger="contactrules.service"):
        status, body = _call(app, "POST", "/v1/decisions", json.dumps(doc).encode(), KEYS["alpha"])
    assert status == 500
    assert body["judged"] is False and body["error"]["code"] == "service.not-judged"
    assert "NOT judged" in body["error"]["message"]
    assert set(body) == {"error", "problems", "judged"}  # no decision, no "allowed"
    lines = [JsonFormatter().format(r) for r in caplog.records]
    failed = [json.loads(line) for line in lines if '"request.failed"' in line]
    assert failed and failed[0]["error_type"] == "RuntimeError" and failed[0]["traceback"]
    assert not any("C-SECRET-42" in line or "+16145550100" in line for line in lines)


def test_every_endpoint_in_process(tmp_path: Path) -> None:
    """The same routes as over HTTP, without a server: what the process tests reach, here
    where coverage sees it."""
    config = load_config(write_config(tmp_path, {"alpha": "sqlite:///a.db"}))
    app = create_app(build_snapshot(config))
    key = KEYS["alpha"]
    status, body = _call(app, "POST", "/v1/decisions", json.dumps(BASE).encode(), key)
    assert status == 200 and [d["allowed"] for d in body["decisions"]] == [True, False]
    status, body = _call(app, "POST", "/v1/decisions", json.dumps([BASE] * 5).encode(), key)
    assert status == 200 and len(body["results"]) == 5  # 10 contacts: judged in a thread
    doc = {"consumer": BASE["consumer"], "contact": BASE["contacts"][0]}
    idem = {"Idempotency-Key": "k-1"}
    status, made = _call(app, "POST", "/v1/reservations", json.dumps(doc).encode(), key, idem)
    assert status == 201 and made["allowed"] is True and made["idempotency_key"] == "k-1"
    status, again = _call(app, "POST", "/v1/reservations", json.dumps(doc).encode(), key, idem)
    assert (status, again) == (201, made)
    rid = made["id"]
    assert _call(app, "GET", f"/v1/reservations/{rid}", key=key)[1]["id"] == rid
    outcome = json.dumps({"outcome": "conversation"}).encode()
    status, done = _call(app, "PATCH", f"/v1/reservations/{rid}", outcome, key)
    assert status == 200 and done["outcome"] == "conversation"
    assert _call(app, "GET", "/v1/reservations/rsv_1_ffffffffffff", key=key)[0] == 404
    assert _call(app, "GET", "/v1/rulesets", key=key)[0] == 200
    assert _call(app, "GET", "/v1/rules/US-FED-REGF-1006.6b1i-HOURS", key=key)[0] == 200
    assert _call(app, "GET", "/v1/rules/NO-SUCH-RULE", key=key)[0] == 404
    assert _call(app, "GET", "/healthz")[0] == 200
    assert _call(app, "GET", "/readyz")[1]["status"] == "ready"
    assert "contactrules_reservations_total" in _call(app, "GET", "/metrics")[1]
    assert _call(app, "GET", "/openapi.json")[1] == openapi_document()
    assert _call(app, "GET", "/nowhere")[0] == 404
    assert _call(app, "PUT", "/v1/decisions", key=key)[0] == 405
    assert _call(app, "POST", "/v1/decisions", b"{", key)[0] == 400
    too_big = {"Content-Length": str(10**9)}
    assert _call(app, "POST", "/v1/decisions", b"{}", key, too_big)[0] == 413
    bad = {**doc, "contact": {**doc["contact"], "debt_ids": ["D9"]}}
    status, body = _call(app, "POST", "/v1/reservations", json.dumps(bad).encode(), key)
    assert status == 422 and body["problems"][0]["pointer"] == "/contact/debt_ids/0"
    assert _call(app, "POST", "/v1/reservations", b"[]", key)[0] == 422


def test_a_reload_swaps_the_snapshot_whole_or_not_at_all(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    acme = Path(__file__).resolve().parent.parent / "rulesets" / "examples" / "acme-policy.yaml"
    policy.write_text(acme.read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(
        write_config(tmp_path, {"alpha": "sqlite:///a.db"}, policies={"alpha": [str(policy)]})
    )
    from contactrules.service.reload import Reloader

    changes: list[tuple[str, str]] = []
    failures: list[Exception] = []
    reloader = Reloader(
        build_snapshot(config),
        on_change=lambda old, new: changes.append(
            (old.fingerprints()["alpha"], new.fingerprints()["alpha"])
        ),
        on_failure=failures.append,
    )
    first = reloader.current
    assert not reloader.stale()
    policy.write_text(acme.read_text(encoding="utf-8").replace('"10:00"', '"09:30"', 1))
    assert reloader.stale()
    assert reloader.reload() is True
    assert reloader.current is not first and changes[0][0] != changes[0][1]
    policy.write_text("ruleset: [", encoding="utf-8")
    kept = reloader.current
    assert reloader.reload() is False
    assert reloader.current is kept and isinstance(failures[0], RulesetError)
