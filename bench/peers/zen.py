"""GoRules zen-engine: the workload as a JDM decision table, fed by Python glue.

The graph is Request → a decision table with hit policy ``collect`` (one row per rule of
bench/workload/us-federal-calls.yaml, the row's output is the rule id) → Response. The glue
(:mod:`peers.glue`) computes local times and dates per zone, call counts and days since the
last conversation; the table decides hours in every zone, cease and attorney (intersecting the
debt lists), the 7-call limit, the cooldown and the holidays (the dates are in the table).

Two ways of calling the same graph are offered, because their cost differs by an order of
magnitude in zen-engine 2.x's Python binding:

- :func:`build` (the peer in the results): ``ZenEngine({"loader": {"type": "static", ...}})``
  and ``engine.evaluate(key, input)``, the fastest call path found;
- :func:`build_decision_api`: ``engine.create_decision(content)`` then
  ``decision.evaluate(input)``, the usage shown in zen-engine's README.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import zen

from contactrules.models import Contact, ContactRecord

from .glue import facts, holiday_dates
from .handwritten import ATTORNEY, CALLS_7IN7, CEASE, COOLDOWN, HOLIDAY, HOURS

__all__ = ["ZenPeer", "build", "build_decision_api", "graph"]

KEY = "us-federal-calls"


def _column(column_id: str, field: str) -> dict[str, str]:
    return {"id": column_id, "type": "expression", "field": field, "name": field}


def _row(rule_id: str, **cells: str) -> dict[str, str]:
    row = {"_id": rule_id, "_description": rule_id, "rule": json.dumps(rule_id)}
    for column in ("seconds", "debts", "calls", "talk", "dates"):
        row[column] = cells.get(column, "")
    return row


def graph() -> dict[str, Any]:
    """The JDM graph (JSON-serialisable)."""
    holidays = json.dumps(holiday_dates())
    table = {
        "hitPolicy": "collect",
        "inputs": [
            _column("seconds", "local_seconds"),
            _column("debts", "debt_ids"),
            _column("calls", "max_calls_7d"),
            _column("talk", "days_since_conversation"),
            _column("dates", "local_dates"),
        ],
        "outputs": [{"id": "rule", "type": "expression", "field": "rule", "name": "rule"}],
        "rules": [
            # 28800 s = 08:00, 75600 s = 21:00: [08:00, 21:00) in every zone
            _row(HOURS, seconds="not all($, # >= 28800 and # < 75600)"),
            _row(CEASE, debts="some($, # in cease_debt_ids)"),
            _row(ATTORNEY, debts="some($, # in attorney_debt_ids)"),
            _row(CALLS_7IN7, calls=">= 7"),
            _row(COOLDOWN, talk="< 7"),
            _row(HOLIDAY, dates=f"some($, # in {holidays})"),
        ],
    }
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {
                "id": "rules",
                "type": "decisionTableNode",
                "name": "us-federal-calls",
                "position": {"x": 300, "y": 0},
                "content": table,
            },
            {
                "id": "response",
                "type": "outputNode",
                "name": "Response",
                "position": {"x": 600, "y": 0},
            },
        ],
        "edges": [
            {"id": "e1", "sourceId": "request", "targetId": "rules", "type": "edge"},
            {"id": "e2", "sourceId": "rules", "targetId": "response", "type": "edge"},
        ],
    }


_INPUT_KEYS = (
    "local_seconds",
    "local_dates",
    "debt_ids",
    "cease_debt_ids",
    "attorney_debt_ids",
    "max_calls_7d",
    "days_since_conversation",
)


class ZenPeer:
    def __init__(self, evaluate: Any, name: str) -> None:
        self._evaluate = evaluate
        self.name = name

    def decide(
        self, contact: Contact, history: Sequence[ContactRecord]
    ) -> tuple[bool, tuple[str, ...]]:
        found, problem = facts(contact, history)
        if found is None:
            return False, problem
        result = self._evaluate({k: found[k] for k in _INPUT_KEYS})["result"]
        ids = tuple(dict.fromkeys(row["rule"] for row in result))
        return not ids, ids


def build() -> ZenPeer:
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {KEY: graph()}}})

    def evaluate(context: dict[str, object]) -> Any:
        return engine.evaluate(KEY, context)

    peer = ZenPeer(evaluate, "zen-engine + glue")
    peer.decide_engine = engine  # type: ignore[attr-defined]  # keep the engine alive
    return peer


def build_decision_api() -> ZenPeer:
    engine = zen.ZenEngine()
    decision = engine.create_decision(json.dumps(graph()))
    peer = ZenPeer(decision.evaluate, "zen-engine + glue, ZenDecision.evaluate")
    peer.decide_engine = engine  # type: ignore[attr-defined]
    return peer
