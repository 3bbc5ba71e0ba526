"""Every rule kind keeps one contract, checked here in one place for every entry of REGISTRY.

A kind that is registered but not wired everywhere fails in ways a compliance officer meets
first: a rule that will not load ("unknown rule kind"), an editor that flags valid YAML, an
``explain`` or reference page that says nothing, a denial that silently names no next time.
Each check below runs for every kind, so registering a kind without the rest fails here; the
last tests show that an unwired kind is caught, and docs/adding-a-rule-kind.md is the checklist.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import sys
import textwrap
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
import yaml
from jsonschema import Draft202012Validator

from contactrules.cli.explain import explain
from contactrules.context import Context
from contactrules.diagnostics import RulesetError
from contactrules.loading.loader import load_ruleset
from contactrules.rules import REGISTRY, RuleSpec
from contactrules.rules.base import NEXT_TIMES, Finding, NextTime, RuleBase
from contactrules.rules.reference import kind_reference

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "contactrules" / "schema" / "ruleset.schema.json"
KINDS_DOC = ROOT / "docs" / "rule-kinds.md"
HEADINGS = ("What it does", "Regulatory basis", "Options", "Example")
HEADER = "ruleset: contract-check\ntitle: Contract check\njurisdiction: {country: US}\nrules:\n"

Check = Callable[[str, type[RuleBase], Path], str | None]


# --- reading a kind's module docstring -------------------------------------------------------
def _doc(cls: type[RuleBase]) -> str:
    return inspect.cleandoc(sys.modules[cls.__module__].__doc__ or "")


def _example(cls: type[RuleBase]) -> str | None:
    """The YAML under ``.. code-block:: yaml`` in the Example section, dedented; None if absent."""
    parts = _doc(cls).split("\nExample\n", 1)
    if len(parts) < 2:
        return None
    lines = parts[1].splitlines()
    directive = [i for i, line in enumerate(lines) if line.strip() == ".. code-block:: yaml"]
    if not directive:
        return None
    start = directive[0]
    indent = len(lines[start]) - len(lines[start].lstrip())
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    text = textwrap.dedent("\n".join(block)).strip()
    return text or None


def _example_rules(cls: type[RuleBase]) -> list[dict[str, Any]] | None:
    text = _example(cls)
    if text is None:
        return None
    data = yaml.safe_load(text)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        return None
    return data


def _minimal(rule: dict[str, Any]) -> dict[str, Any]:
    """The example rule without the optional common keys (``when``, ``severity``, …): the kind's
    own options stay, since a kind may need one of several (a blackout: holidays or dates)."""
    common = RuleBase.model_fields
    return {k: v for k, v in rule.items() if k not in common or common[k].is_required()}


def _write(tmp_path: Path, name: str, rules: list[dict[str, Any]]) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEADER + textwrap.indent(yaml.safe_dump(rules, sort_keys=False), "  "))
    return path


def _load(path: Path, kind: str, cls: type[RuleBase]) -> str | None:
    try:
        rules = load_ruleset(path).spec.rules
    except RulesetError as exc:
        return f"{kind}: does not load: {exc}"
    if not all(type(rule) is cls for rule in rules):
        return f"{kind}: loads as {[type(r).__name__ for r in rules]}, not {cls.__name__}"
    return None


# --- the contract, one check per clause -------------------------------------------------------
def registered_under_its_own_name(kind: str, cls: type[RuleBase], _tmp: Path) -> str | None:
    literal = typing.get_args(cls.model_fields["kind"].annotation)
    if kind != cls.KIND or literal != (kind,):
        return f"{kind}: REGISTRY key, KIND ({cls.KIND!r}) and kind: Literal{literal} differ"
    return None


def in_the_yaml_union(kind: str, cls: type[RuleBase], tmp_path: Path) -> str | None:
    """A minimal rule of the kind loads as that kind (the union on ``kind`` knows it)."""
    rules = _example_rules(cls)
    if not rules:
        return f"{kind}: no example rule to cut down to a minimal one"
    return _load(_write(tmp_path, "minimal", [_minimal(rules[0])]), kind, cls)


def example_loads(kind: str, cls: type[RuleBase], tmp_path: Path) -> str | None:
    rules = _example_rules(cls)
    if not rules:
        return f"{kind}: the Example section has no YAML list of rules"
    return _load(_write(tmp_path, "example", rules), kind, cls)


def in_the_json_schema(kind: str, cls: type[RuleBase], _tmp: Path) -> str | None:
    """The shipped schema (what editors use) names the kind and accepts its example."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    items = schema["properties"]["rules"]["items"]
    ref = f"#/$defs/{cls.__name__}"
    if items["discriminator"]["mapping"].get(kind) != ref or {"$ref": ref} not in items["oneOf"]:
        return f"{kind}: not in {SCHEMA.name} (regenerate: contactrules schema ruleset)"
    if schema["$defs"][cls.__name__]["properties"]["kind"].get("const") != kind:
        return f"{kind}: {SCHEMA.name} defines {cls.__name__} for another kind"
    rules = _example_rules(cls) or []
    data = yaml.safe_load(HEADER + textwrap.indent(yaml.safe_dump(rules), "  "))
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(data)]
    return f"{kind}: {SCHEMA.name} refuses the example: {errors}" if errors else None


def in_the_reference_doc(kind: str, cls: type[RuleBase], _tmp: Path) -> str | None:
    written = KINDS_DOC.read_text(encoding="utf-8")
    section = f"## `{kind}`\n\n```text\n{kind_reference(kind)}\n```\n"
    if section not in written:
        return f"{kind}: docs/rule-kinds.md lacks its section (contactrules explain --all)"
    return None


def explain_describes_a_rule(kind: str, cls: type[RuleBase], tmp_path: Path) -> str | None:
    """``contactrules explain RULE_ID`` finds a rule of the kind and prints its reference."""
    rules = _example_rules(cls)
    if not rules:
        return f"{kind}: no example rule to explain"
    path = _write(tmp_path, "explain", rules)
    try:
        text = explain(str(rules[0]["id"]), [str(path)])
    except RulesetError as exc:
        return f"{kind}: explain cannot load a rule of it: {exc}"
    if text is None or f"({kind})" not in text or kind_reference(kind) not in text:
        return f"{kind}: explain does not describe a rule of it"
    return None


def docstring_has_the_sections(kind: str, cls: type[RuleBase], _tmp: Path) -> str | None:
    doc = _doc(cls)
    missing = [h for h in HEADINGS if f"\n{h}\n" not in f"\n{doc}\n"]
    if missing:
        return f"{kind}: the module docstring lacks {missing}"
    if "PASS" not in doc or "FAIL" not in doc:
        return f"{kind}: the Example section lacks PASS/FAIL cases"
    return None


def next_time_is_declared(kind: str, cls: type[RuleBase], _tmp: Path) -> str | None:
    """Declared in the kind's own body (not inherited from the kind it extends), and true."""
    declared = vars(cls).get("NEXT_TIME")
    if declared not in NEXT_TIMES:
        return f"{kind}: {cls.__name__} does not declare NEXT_TIME itself"
    if (cls.next_ok is not RuleBase.next_ok) != (declared == "computed"):
        return f"{kind}: NEXT_TIME = {declared!r} disagrees with whether next_ok is overridden"
    if f"Next allowed time: {NEXT_TIMES[declared]}" not in kind_reference(kind):
        return f"{kind}: the reference does not say its next allowed time"
    return None


WIRING: tuple[Check, ...] = (
    in_the_yaml_union,
    example_loads,
    in_the_json_schema,
    in_the_reference_doc,
    explain_describes_a_rule,
    docstring_has_the_sections,
)
CONTRACT: tuple[Check, ...] = (registered_under_its_own_name, *WIRING, next_time_is_declared)


@pytest.mark.parametrize("check", CONTRACT, ids=lambda c: c.__name__)
@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_kind_keeps_the_contract(kind: str, check: Check, tmp_path: Path) -> None:
    assert check(kind, REGISTRY[kind], tmp_path) is None


def test_the_yaml_union_is_the_registry() -> None:
    """One list: the union's members are REGISTRY's classes, in REGISTRY's order (the order of
    the schema's ``oneOf``)."""
    union, discriminator = typing.get_args(RuleSpec)
    assert typing.get_args(union) == tuple(REGISTRY.values())
    assert discriminator.discriminator == "kind"


def test_kind_classes_have_distinct_names() -> None:
    """The JSON Schema keys each kind's definition by class name; two alike would merge."""
    names = [cls.__name__ for cls in REGISTRY.values()]
    assert len(names) == len(set(names))


# --- an unwired kind is caught --------------------------------------------------------------
class Unwired(RuleBase):
    """A kind as a first draft leaves it: a class and a REGISTRY entry, nothing else."""

    KIND: ClassVar[str] = "unwired"
    NEXT_TIME: ClassVar[NextTime] = "never"

    kind: Literal["unwired"]

    def check(self, ctx: Context) -> Finding | None:
        return Finding("never passes")


def test_a_kind_only_added_to_the_registry_fails_every_wiring_check(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(REGISTRY, "unwired", Unwired)
    for check in WIRING:
        assert check("unwired", Unwired, tmp_path) is not None, check.__name__


def test_a_registered_kind_outside_the_union_does_not_load(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The failure the union built by hand allowed: registered, yet refused when written."""
    monkeypatch.setitem(REGISTRY, "unwired", Unwired)
    rule = {"id": "X-1", "kind": "unwired", "channels": ["call"], "citation": "none"}
    problem = _load(_write(tmp_path, "unwired", [rule]), "unwired", Unwired)
    assert problem is not None and "unknown rule kind" in problem


# --- the base class enforces what it can when a kind is defined -------------------------------
def test_a_kind_must_declare_its_next_time() -> None:
    with pytest.raises(TypeError, match="must declare NEXT_TIME"):

        class Undeclared(RuleBase):
            KIND: ClassVar[str] = "undeclared"
            kind: Literal["undeclared"]

            def check(self, ctx: Context) -> Finding | None:
                return None


def test_a_kind_that_extends_another_declares_its_own_next_time() -> None:
    with pytest.raises(TypeError, match="must declare NEXT_TIME"):

        class Inherits(Unwired):
            KIND: ClassVar[str] = "inherits"
            kind: Literal["inherits"]  # type: ignore[assignment]


def test_a_never_kind_may_not_compute_a_time() -> None:
    with pytest.raises(TypeError, match="overrides next_ok"):

        class Contradicts(RuleBase):
            KIND: ClassVar[str] = "contradicts"
            NEXT_TIME: ClassVar[NextTime] = "never"
            kind: Literal["contradicts"]

            def check(self, ctx: Context) -> Finding | None:
                return None

            def next_ok(self, ctx: Context) -> dt.datetime | None:
                return ctx.at


def test_a_computed_kind_must_compute() -> None:
    with pytest.raises(TypeError, match="does not override next_ok"):

        class Claims(RuleBase):
            KIND: ClassVar[str] = "claims"
            NEXT_TIME: ClassVar[NextTime] = "computed"
            kind: Literal["claims"]

            def check(self, ctx: Context) -> Finding | None:
                return None


def test_a_kind_without_check_cannot_be_used() -> None:
    """No default ``check``: a kind that forgot it must not pass every contact."""

    class Unchecked(RuleBase):
        KIND: ClassVar[str] = "unchecked"
        NEXT_TIME: ClassVar[NextTime] = "never"
        kind: Literal["unchecked"]

    with pytest.raises(TypeError, match="abstract"):
        Unchecked(id="X-1", kind="unchecked", channels=["call"], citation="none")  # type: ignore[abstract]
