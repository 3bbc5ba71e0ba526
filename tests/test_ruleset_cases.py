"""Every officer-written case in rulesets/**/*.cases.yaml, one pytest id per case.

The expectations and their legal sources live in the YAML files; this module only runs them,
the same way ``contactrules test rulesets/`` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contactrules.casefile import LoadedCase, check_case, collect, describe_failure
from contactrules.engine import Engine

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"
ENGINE, CASES = collect([RULESETS])
_ENGINES: dict[tuple[str, ...], Engine] = {}


def _engine_for(case: LoadedCase) -> Engine:
    ids = case.rulesets or ()
    return _ENGINES.setdefault(ids, ENGINE.subset(ids))


@pytest.mark.parametrize("case", CASES, ids=[c.id.split("rulesets/")[-1] for c in CASES])
def test_case(case: LoadedCase) -> None:
    result = check_case(_engine_for(case), case)
    assert result.passed, describe_failure(result)


def test_every_bundled_rule_is_shown_failing_by_some_case() -> None:
    """Each deny rule denies in some case; each warn-only rule warns in some case."""
    denied: set[str] = set()
    warned: set[str] = set()
    for case in CASES:
        result = check_case(_engine_for(case), case)
        assert result.decision is not None
        denied.update(r.rule_id for r in result.decision.reasons)
        warned.update(r.rule_id for r in result.decision.warnings)
    rules = [rule for rs in ENGINE.rulesets for rule in rs.spec.rules]
    deny_rules = {r.id for r in rules if r.severity == "deny"}
    warn_rules = {r.id for r in rules if r.severity == "warn"}
    assert deny_rules - denied == set(), "deny rules with no denying case"
    assert warn_rules - warned == set(), "warn rules with no warning case"
