"""Cedar (cedarpy): the workload as forbid policies over a context computed by Python glue.

One ``permit`` for the call action and one ``forbid`` per rule of
bench/workload/us-federal-calls.yaml, each annotated with the rule id; Cedar denies when any
forbid is satisfied and reports the satisfied forbids as the reasons. The glue
(:mod:`peers.glue`) computes the earliest and latest local time over the zones (Cedar has no
quantifier over a set of numbers), the local dates, the largest call count and the days since
the last conversation; the policies decide the thresholds, intersect the debt lists and hold the
holiday dates.

Cedar is called as its documentation recommends for a hot path: policies parsed once into a
``PolicySet``, the (empty) entity set parsed once into an ``Entities`` handle, and entity uids
given as ``{"type", "id"}`` dicts (the string form costs a parse per call).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import cedarpy

from contactrules.models import Contact, ContactRecord

from .glue import facts, holiday_dates
from .handwritten import ATTORNEY, CALLS_7IN7, CEASE, COOLDOWN, HOLIDAY, HOURS

__all__ = ["CedarPeer", "build", "policies"]

_CALL = 'action == Action::"call"'


def policies() -> tuple[str, dict[str, str]]:
    """The Cedar policy text, and the rule id of each policy (Cedar numbers them in order)."""
    holidays = json.dumps(holiday_dates())
    forbids = [
        # 28800 s = 08:00, 75600 s = 21:00: [08:00, 21:00) in every zone
        (HOURS, "context.earliest_second < 28800 || context.latest_second >= 75600"),
        (CEASE, "context.cease_debt_ids.containsAny(context.debt_ids)"),
        (ATTORNEY, "context.attorney_debt_ids.containsAny(context.debt_ids)"),
        (CALLS_7IN7, "context.max_calls_7d >= 7"),
        (COOLDOWN, "context.days_since_conversation < 7"),
        (HOLIDAY, f"context.local_dates.containsAny({holidays})"),
    ]
    text = [f"permit(principal, {_CALL}, resource);"]
    ids = {}
    for number, (rule_id, condition) in enumerate(forbids, start=1):
        text.append(
            f'@id("{rule_id}")\nforbid(principal, {_CALL}, resource)\nwhen {{ {condition} }};'
        )
        ids[f"policy{number}"] = rule_id
    return "\n\n".join(text), ids


_ORDER = {
    rule_id: n for n, rule_id in enumerate((HOURS, CEASE, ATTORNEY, CALLS_7IN7, COOLDOWN, HOLIDAY))
}
_CONTEXT_KEYS = (
    "earliest_second",
    "latest_second",
    "local_dates",
    "debt_ids",
    "cease_debt_ids",
    "attorney_debt_ids",
    "max_calls_7d",
    "days_since_conversation",
)


class CedarPeer:
    name = "Cedar (cedarpy) + glue"

    def __init__(self) -> None:
        text, self._ids = policies()
        self._policies = cedarpy.PolicySet.from_str(text)
        self._entities = cedarpy.Entities.from_json_str("[]")
        self._principal = {"type": "Collector", "id": "bench"}
        self._action = {"type": "Action", "id": "call"}

    def decide(
        self, contact: Contact, history: Sequence[ContactRecord]
    ) -> tuple[bool, tuple[str, ...]]:
        found, problem = facts(contact, history)
        if found is None:
            return False, problem
        request = {
            "principal": self._principal,
            "action": self._action,
            "resource": {"type": "Consumer", "id": contact.consumer.id},
            "context": {k: found[k] for k in _CONTEXT_KEYS},
        }
        result = cedarpy.is_authorized(request, self._policies, self._entities)
        errors = result.diagnostics.errors
        if errors:  # Cedar skips a policy that errors; fail closed instead, as contactrules does
            return False, tuple(f"CEDAR-ERROR: {e}" for e in errors)
        if result.allowed:
            return True, ()
        ids = sorted((self._ids[p] for p in result.diagnostics.reasons), key=_ORDER.__getitem__)
        return False, tuple(ids)


def build() -> CedarPeer:
    return CedarPeer()
