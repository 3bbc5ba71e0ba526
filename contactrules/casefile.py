"""Ruleset test cases written by compliance officers (``*.cases.yaml``): found, loaded, checked.

The shape follows ``opa test``: cases live beside the rulesets, each gives a consumer, a history
and one proposed contact, and says what must come out. The same runner backs
``contactrules test`` and the pytest suite (one pytest id per case).

.. code-block:: yaml

    consumers:                       # optional, named consumers reused by cases
      boston: {id: C1, addresses: [{country: US, subdivision: MA}], debts: [{id: D1}]}
    cases:
      - name: 21:00:00 is outside the window
        source: 12 CFR 1006.6(b)(1)(i); K1          # required: where the expectation comes from
        consumer: boston                              # a name above, or an inline consumer
        history: []
        contact: {channel: call, at: "2026-06-02T21:00:00-04:00", debt_ids: [D1]}
        expect:
          allowed: false
          reasons: [US-FED-REGF-1006.6b1i-HOURS]      # must all be among the deny reasons
          next_allowed_at: "2026-06-03T08:00:00-04:00"  # or null for "no time will do"
"""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from .decision import Decision
from .diagnostics import Diagnostic, Location, RulesetError
from .engine import DEFAULT_SKIP_DIRS, Engine
from .loading.files import find_files, path_status
from .loading.loader import lint_paths
from .loading.validation import validation_diagnostics
from .loading.yamlsource import SourceDocument, load_yaml_file
from .models import Consumer, ContactRecord, Instant
from .rules.ruleset import Ruleset
from .scenario import ProposedContact
from .templates.registry import Registry, find_registry_files, load_registry

__all__ = [
    "Case",
    "CaseFile",
    "CaseResult",
    "LoadedCase",
    "check_case",
    "collect",
    "describe_failure",
    "discover_cases",
    "find_case_files",
    "load_cases",
    "run_cases",
]

CASES_SUFFIXES = (".cases.yaml", ".cases.yml")


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed: StrictBool
    reasons: list[str] = Field(default_factory=list, description="Rule ids that must deny.")
    only_reasons: StrictBool = Field(
        default=False, description="The deny reasons must be exactly `reasons`."
    )
    next_allowed_at: Instant | None = Field(
        default=None, description='An instant, or null for "no time will do"; omit to skip.'
    )
    warnings: list[str] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    source: str = Field(min_length=1, description="The legal source of the expectation.")
    consumer: str | Consumer
    history: list[ContactRecord] = Field(default_factory=list)
    contact: ProposedContact
    expect: Expectation


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rulesets: list[str] | None = Field(
        default=None,
        description="Ruleset ids to stack for these cases; default: every loaded ruleset "
        "outside examples/ folders.",
    )
    consumers: dict[str, Consumer] = Field(default_factory=dict)
    cases: list[Case] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedCase:
    case: Case
    consumer: Consumer
    location: Location
    rulesets: tuple[str, ...] | None = None

    @property
    def id(self) -> str:
        return f"{self.location.path}::{self.case.name}"


@dataclass
class CaseResult:
    loaded: LoadedCase
    decision: Decision | None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _is_case_name(name: str) -> bool:
    return name.endswith(CASES_SUFFIXES)


def find_case_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[Diagnostic]]:
    """``*.cases.yaml`` files under the given files/folders, and every folder that cannot be read.

    A named path that does not exist or cannot be searched is left to the ruleset loader, which
    reports it for the same paths.
    """
    return find_files(paths, _is_case_name, _is_case_name, report_unusable_paths=False)


def discover_cases(paths: Iterable[Path | str]) -> list[Path]:
    """``*.cases.yaml`` files under the given files/folders (unreadable folders left out)."""
    return find_case_files(paths)[0]


def load_cases(path: Path | str) -> list[LoadedCase]:
    """Load one case file or raise :class:`RulesetError` with located problems."""
    doc: SourceDocument = load_yaml_file(path)
    try:
        parsed = CaseFile.model_validate(doc.value)
    except ValidationError as exc:
        raise RulesetError(
            Diagnostic(d.location, d.code.replace("ruleset.", "cases."), d.message)
            for d in validation_diagnostics(exc, doc, CaseFile)
        ) from None
    loaded: list[LoadedCase] = []
    problems: list[Diagnostic] = []
    for index, case in enumerate(parsed.cases):
        where = doc.locate(("cases", index))
        if isinstance(case.consumer, str):
            consumer = parsed.consumers.get(case.consumer)
            if consumer is None:
                problems.append(
                    Diagnostic(
                        doc.locate(("cases", index, "consumer")),
                        "cases.unknown-consumer",
                        f'no consumer named "{case.consumer}" under consumers:',
                    )
                )
                continue
        else:
            consumer = case.consumer
        try:
            case.contact.for_consumer(consumer)
        except ValidationError as exc:
            problems.append(
                Diagnostic(
                    doc.locate(("cases", index, "contact")),
                    "cases.invalid-contact",
                    exc.errors()[0]["msg"],
                )
            )
            continue
        chosen = tuple(parsed.rulesets) if parsed.rulesets is not None else None
        loaded.append(LoadedCase(case, consumer, where, chosen))
    if problems:
        raise RulesetError(problems)
    return loaded


def _fmt(value: dt.datetime | None) -> str:
    return "none" if value is None else value.isoformat()


def check_case(engine: Engine, loaded: LoadedCase) -> CaseResult:
    """Judge the case's contact and list every way the decision differs from ``expect``."""
    case = loaded.case
    contact = case.contact.for_consumer(loaded.consumer)
    decision = engine.evaluate(contact, case.history)
    expect = case.expect
    failures = [
        *_verdict_failures(expect, decision),
        *_reason_failures(expect, decision),
        *_warning_failures(expect, decision),
        *_next_allowed_failures(expect, decision),
    ]
    return CaseResult(loaded, decision, failures)


def _verdict_failures(expect: Expectation, decision: Decision) -> list[str]:
    if decision.allowed == expect.allowed:
        return []
    wanted = "allowed" if expect.allowed else "denied"
    got = "allowed" if decision.allowed else "denied"
    return [f"expected {wanted}, got {got}"]


def _reason_failures(expect: Expectation, decision: Decision) -> list[str]:
    """The deny reasons expected but absent; with ``only_reasons``, any other one too."""
    failures: list[str] = []
    denied_by = [r.rule_id for r in decision.reasons]
    missing = [r for r in expect.reasons if r not in denied_by]
    if missing:
        failures.append(f"expected deny reasons {missing}, got {denied_by or 'none'}")
    if expect.only_reasons and sorted(set(denied_by)) != sorted(set(expect.reasons)):
        failures.append(f"expected exactly {expect.reasons}, got {denied_by}")
    return failures


def _warning_failures(expect: Expectation, decision: Decision) -> list[str]:
    warned = [r.rule_id for r in decision.warnings]
    missing = [w for w in expect.warnings if w not in warned]
    return [f"expected warnings {missing}, got {warned or 'none'}"] if missing else []


def _next_allowed_failures(expect: Expectation, decision: Decision) -> list[str]:
    """Checked only when the case gives ``next_allowed_at`` (``null``: no time will do)."""
    if "next_allowed_at" not in expect.model_fields_set:
        return []
    wanted = expect.next_allowed_at
    got = decision.next_allowed_at
    if wanted == got:  # both none, or the same instant (in whatever zone each is written)
        return []
    note = f" ({decision.next_allowed_note})" if decision.next_allowed_note else ""
    return [f"expected next_allowed_at {_fmt(wanted)}, got {_fmt(got)}{note}"]


def run_cases(engine: Engine, cases: Iterable[LoadedCase]) -> list[CaseResult]:
    return [check_case(engine, c) for c in cases]


def describe_failure(result: CaseResult) -> str:
    """Expected vs actual, with the reasons, as a compliance officer reads it."""
    lines = [
        f"{result.loaded.location}: FAIL {result.loaded.case.name}",
        f"    source: {result.loaded.case.source}",
    ]
    lines += [f"    {f}" for f in result.failures]
    decision = result.decision
    if decision is not None:
        for reason in decision.reasons:
            lines.append(f"    reason {reason.rule_id}: {reason.message}")
    return "\n".join(lines)


def _is_default(ruleset: Ruleset, root: Path) -> bool:
    """Rulesets in ``examples`` folders below a root are used only when named, as in
    ``Engine.from_path``."""
    try:
        parts = Path(ruleset.path).resolve().relative_to(root.resolve()).parts[:-1]
    except ValueError:
        return True
    return not set(parts) & set(DEFAULT_SKIP_DIRS)


def collect(paths: Sequence[str | Path]) -> tuple[Engine, list[LoadedCase]]:
    """Load the rulesets and cases under ``paths``; raise RulesetError on any problem.

    A case file without ``rulesets:`` is judged by the rulesets found under the same path
    argument (examples excepted), so the law's own cases keep testing the law when a company
    policy folder is tested beside it. Template registries (``*.templates.yaml``) under the
    paths are loaded too, so cases can send approved templates by id.
    """
    rulesets, problems = lint_paths(paths)
    errors = [p for p in problems if p.severity == "error"]
    registry: Registry | None = None
    registry_files, _unusable = find_registry_files(
        paths, report_unusable_paths=False, only_named=True
    )
    if registry_files:
        try:
            registry = load_registry(registry_files)
        except RulesetError as exc:
            errors.extend(exc.diagnostics)
    cases: list[LoadedCase] = []
    for raw in paths:
        root = Path(raw)
        base = root if _is_folder(root) else root.parent
        under = tuple(rs.id for rs in rulesets if _within(rs, root) and _is_default(rs, base))
        files, unlisted = find_case_files([root])
        errors.extend(p for p in unlisted if p not in problems)  # lint_paths saw them too
        for file in files:
            try:
                loaded = load_cases(file)
            except RulesetError as exc:
                errors.extend(exc.diagnostics)
                continue
            cases.extend(
                c if c.rulesets is not None else replace(c, rulesets=under) for c in loaded
            )
    if errors:
        raise RulesetError(errors)
    if not cases:
        raise RulesetError(
            [
                Diagnostic(
                    Location(", ".join(map(str, paths))),
                    "cases.none-found",
                    "no *.cases.yaml files with cases were found",
                )
            ]
        )
    return Engine(rulesets, templates=registry), cases


def _is_folder(path: Path) -> bool:
    status = path_status(path)
    return not isinstance(status, Diagnostic) and stat.S_ISDIR(status.st_mode)


def _within(ruleset: Ruleset, root: Path) -> bool:
    path = Path(ruleset.path).resolve()
    target = root.resolve()
    return path == target or target in path.parents
