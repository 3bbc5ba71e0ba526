"""Never allow by accident: a malformed scenario is a located error or still a deny.

Hypothesis takes scenarios that the bundled rulesets deny and damages them the ways real input is
damaged — a field dropped, retyped, emptied; a debt renamed; a word's case changed; whitespace
added — and judges the result the way ``contactrules evaluate`` does. Each outcome must be either
a validation error that says where the problem is, or a deny. An allow means that malformed input
passed as a different, valid contact: the hole this test exists to keep closed.

Mutations that legitimately change what a scenario *means* (removing the cease request itself,
a history record, the state of the address) are excluded per scenario through ``protected``
paths; every other part of the input is fair game.

CI runs a small budget; set ``CONTACTRULES_FUZZ_EXAMPLES`` (e.g. 50000) for a long run.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contactrules import Engine
from contactrules.scenario import Scenario

Path = tuple[str | int, ...]

EXAMPLES = int(os.environ.get("CONTACTRULES_FUZZ_EXAMPLES", "300"))


@dataclass(frozen=True)
class Base:
    """A scenario whose single contact the bundled rulesets deny, and what not to mutate."""

    name: str
    data: dict[str, Any]
    rule: str  # a rule id the unmutated contact is denied by (checked once, below)
    protected: tuple[Path, ...] = field(default=())


def _consumer(**extra: Any) -> dict[str, Any]:
    consumer: dict[str, Any] = {
        "id": "C-1",
        "language": "en",
        "addresses": [{"country": "US", "subdivision": "TX", "city": "Houston"}],
        "phones": [{"number": "+17135550188", "type": "mobile"}],
        "debts": [{"id": "CARD-1"}, {"id": "MED-2"}],
    }
    consumer.update(extra)
    return consumer


def _calls(days: range, debt: str = "CARD-1", hour: int = 9) -> list[dict[str, Any]]:
    return [
        {
            "channel": "call",
            "at": f"2026-06-{day:02d}T{hour:02d}:00:00-05:00",
            "debt_ids": [debt],
            "outcome": "no_answer",
        }
        for day in days
    ]


def _call(at: str = "2026-06-08T10:00:00-05:00", debt: str = "CARD-1") -> dict[str, Any]:
    return {"channel": "call", "at": at, "to": "+17135550188", "debt_ids": [debt]}


BASES = [
    # 12 CFR 1006.14(b)(2)(i): an eighth call in seven days about one debt.
    Base(
        "eighth call in seven days",
        {"consumer": _consumer(), "history": _calls(range(2, 9)), "contacts": [_call()]},
        "US-FED-REGF-1006.14b2iA-CALL-7IN7",
        protected=(("history",),),
    ),
    # 12 CFR 1006.14(b)(2)(ii): seven days after a telephone conversation.
    Base(
        "call within seven days of a conversation",
        {
            "consumer": _consumer(),
            "history": [
                {
                    "channel": "call",
                    "at": "2026-06-05T11:00:00-05:00",
                    "debt_ids": ["CARD-1"],
                    "outcome": "conversation",
                }
            ],
            "contacts": [_call()],
        },
        "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN",
        protected=(("history",),),
    ),
    # 12 CFR 1006.6(b)(1)(i): 9:30 pm in Houston.
    Base(
        "call after 9 pm local time",
        {"consumer": _consumer(), "contacts": [_call("2026-06-08T21:30:00-05:00")]},
        "US-FED-REGF-1006.6b1i-HOURS",
    ),
    # 12 CFR 1006.6(c)(1): a written request to cease communication.
    Base(
        "call after a cease request",
        {
            "consumer": _consumer(flags={"cease_debt_ids": ["CARD-1"]}),
            "contacts": [_call()],
        },
        "US-FED-REGF-1006.6c-CEASE",
        protected=(("consumer", "flags"),),
    ),
    # 12 CFR 1006.6(b)(2): the consumer is represented by an attorney.
    Base(
        "call about a debt with an attorney",
        {
            "consumer": _consumer(flags={"attorney_debt_ids": ["MED-2"]}),
            "contacts": [_call(debt="MED-2")],
        },
        "US-FED-REGF-1006.6b2-ATTORNEY",
        protected=(("consumer", "flags"),),
    ),
    # 12 CFR 1006.6(b)(1): a time the consumer said is inconvenient.
    Base(
        "call at a time the consumer said is inconvenient",
        {
            "consumer": _consumer(
                flags={
                    "inconvenient_times": [
                        {"days": ["mon", "tue", "wed"], "start": "09:00", "end": "12:00"}
                    ]
                }
            ),
            "contacts": [_call("2026-06-08T10:00:00-05:00")],  # a Monday
        },
        "US-FED-REGF-1006.6b1-KNOWN-INCONVENIENT",
        protected=(("consumer", "flags"),),
    ),
    # 940 CMR 7.04(1)(f): a third call in seven days to a Massachusetts residence.
    Base(
        "third call in seven days in Massachusetts",
        {
            "consumer": _consumer(
                addresses=[{"country": "US", "subdivision": "MA", "city": "Boston"}],
                phones=[{"number": "+16175550100", "type": "home"}],
            ),
            "history": [
                {**record, "at": record["at"].replace("-05:00", "-04:00"), "to": "+16175550100"}
                for record in _calls(range(5, 7))
            ],
            "contacts": [
                {
                    "channel": "call",
                    "at": "2026-06-08T10:00:00-04:00",
                    "to": "+16175550100",
                    "debt_ids": ["CARD-1"],
                }
            ],
        },
        "US-MA-940CMR-7.04-1f-CALLS-2IN7",
        protected=(("history",), ("consumer", "addresses", 0, "subdivision")),
    ),
]


def _paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _get(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _is_protected(path: Path, protected: tuple[Path, ...]) -> bool:
    """Inside or equal to a protected path, or a container that holds one."""
    return any(path[: len(p)] == p or p[: len(path)] == path for p in protected)


RETYPES: tuple[Any, ...] = (0, 1, -1, 2026.0602, "00", "0", "", " ", True, False, None, [], {})
SCALAR_RETYPES: tuple[Any, ...] = (0, 1, 2026.0602, "00", True)


def _mutate(draw: st.DrawFn, base: Base, data: dict[str, Any]) -> str:
    """Damage one place of ``data`` in place; return what was done, for the failure message."""
    paths = [p for p in _paths(data) if p]
    if not paths:
        return "nothing left to damage"
    path = draw(st.sampled_from(paths))
    parent = _get(data, path[:-1])
    last = path[-1]
    value = parent[last]
    protected = _is_protected(path, base.protected)
    kinds = ["retype"]
    if not protected:
        kinds.append("drop")
        if isinstance(value, (list, str, dict)):
            kinds.append("empty")
    if isinstance(value, str):
        kinds += ["case", "whitespace"]
        if value in {"CARD-1", "MED-2"}:
            kinds.append("rename-debt")
    kind = draw(st.sampled_from(kinds))
    if kind == "drop":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    elif kind == "empty":
        parent[last] = type(value)()
    elif kind == "retype" and protected:
        parent[last] = draw(st.sampled_from([c for c in SCALAR_RETYPES if c != value]))
    elif kind == "retype":
        parent[last] = draw(
            st.one_of(
                st.sampled_from([c for c in RETYPES if c != value]),
                st.integers(min_value=-(2**40), max_value=2**40),
                st.floats(allow_nan=True, allow_infinity=True),
                st.text(max_size=8),
            )
        )
    elif kind == "case":
        parent[last] = draw(st.sampled_from([value.upper(), value.lower(), value.swapcase()]))
    elif kind == "whitespace":
        parent[last] = draw(st.sampled_from([f" {value}", f"{value} ", f"{value}\t", f"\n{value}"]))
    else:  # rename-debt
        parent[last] = f"{value}-X"
    return f"{kind} at {'.'.join(map(str, path))}"


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, list[str], dict[str, Any]]:
    """A base scenario with one to three places damaged."""
    base = draw(st.sampled_from(BASES))
    data = copy.deepcopy(base.data)
    done = [_mutate(draw, base, data) for _ in range(draw(st.integers(1, 3)))]
    return base.name, done, data


def _judge(engine: Engine, data: dict[str, Any]) -> list[bool] | ValidationError:
    """What ``contactrules evaluate`` does with a scenario document: validate, then judge."""
    try:
        scenario = Scenario.model_validate(data)
        contacts = [c.for_consumer(scenario.consumer) for c in scenario.contacts]
    except ValidationError as exc:
        return exc
    return [engine.evaluate(c, scenario.history).allowed for c in contacts]


@pytest.mark.parametrize("base", BASES, ids=lambda b: b.name)
def test_each_base_scenario_is_denied_by_its_rule(engine: Engine, base: Base) -> None:
    scenario = Scenario.model_validate(base.data)
    contact = scenario.contacts[0].for_consumer(scenario.consumer)
    decision = engine.evaluate(contact, scenario.history)
    assert not decision.allowed
    assert base.rule in {r.rule_id for r in decision.reasons}, decision.reasons


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mutated())
def test_malformed_input_never_flips_a_deny_into_an_allow(
    engine: Engine, case: tuple[str, list[str], dict[str, Any]]
) -> None:
    name, done, data = case
    outcome = _judge(engine, data)
    where = f"{name}: {'; '.join(done)}"
    if isinstance(outcome, ValidationError):
        assert all(error["loc"] for error in outcome.errors()), f"{where}: error without location"
    else:
        assert not any(outcome), f"{where}: a malformed scenario was allowed\n{data}"
