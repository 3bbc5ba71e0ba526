"""Ruleset files → validated :class:`Ruleset` objects, or every problem with its location.

All problems of all files are collected in one pass (like a linter), each pointing at the line
and column of the offending key or value, with a "did you mean" where a close spelling exists.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
import types
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostic, Location, RulesetError, did_you_mean
from .rules import REGISTRY
from .rules.frequency_cap import FrequencyCap
from .rules.holiday_spec import HolidayCalendar
from .ruleset import Ruleset, RulesetSpec
from .yamlsource import PathKey, SourceDocument, load_yaml_file

__all__ = [
    "discover",
    "lint_paths",
    "load_ruleset",
    "load_rulesets",
    "validation_diagnostics",
]

CASES_SUFFIXES = (".cases.yaml", ".cases.yml")


def discover(paths: Iterable[Path | str], *, skip_dirs: tuple[str, ...] = ()) -> list[Path]:
    """Ruleset files under the given files/folders (``*.cases.yaml`` test files excluded)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if any(part in skip_dirs for part in child.relative_to(path).parts[:-1]):
                    continue
                if child.suffix in (".yaml", ".yml") and not child.name.endswith(CASES_SUFFIXES):
                    found.append(child)
        elif not path.name.endswith(CASES_SUFFIXES):
            found.append(path)
    return found


# --- pydantic errors → located diagnostics -------------------------------------------------
def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_fields_at(root: type[BaseModel], data: Any, path: PathKey) -> list[str] | None:
    """The keys allowed at ``path`` in the data, found by walking the model's field types."""
    tp: Any = root
    node = data
    for seg in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = tp.model_fields.get(str(seg))
            if info is None:
                return None
            tp = info.annotation
        elif typing.get_origin(tp) in (list, tuple) and isinstance(seg, int):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
        node = _child(node, seg)
        tp = _unwrap(tp)
        if typing.get_origin(tp) in (typing.Union, types.UnionType) and isinstance(node, dict):
            kind = node.get("kind")
            if isinstance(kind, str) and kind in REGISTRY:
                tp = REGISTRY[kind]
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return None


def _data_path(data: Any, loc: tuple[str | int, ...]) -> PathKey:
    """Drop the parts of a pydantic location that are not in the data (union tags, validators)."""
    out: list[str | int] = []
    node = data
    for seg in loc:
        if (isinstance(node, dict) and seg in node) or (
            isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node)
        ):
            out.append(seg)
            node = _child(node, seg)
    return tuple(out)


def _clean(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def validation_diagnostics(
    exc: ValidationError, doc: SourceDocument, root: type[BaseModel]
) -> list[Diagnostic]:
    """Turn a pydantic ValidationError on ``doc.value`` into located, plain-language problems."""
    problems: list[Diagnostic] = []
    seen: set[tuple[PathKey, str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        path = _data_path(doc.value, loc)
        value = err.get("input")
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            key = path[-1] if path else loc[-1]
            allowed = _model_fields_at(root, doc.value, path[:-1]) or []
            where = _describe(doc.value, path[:-1])
            hint = did_you_mean(str(key), allowed)
            if key in ("pattern", "regex", "regexp"):
                hint = (
                    "; rulesets match phrases, not regular expressions (a regular "
                    "expression could make every evaluation hang): use phrases"
                )
            code, message = "unknown-key", f'unknown key "{key}"{where}{hint}'
            location = doc.locate(path, key=True)
        elif kind == "missing":
            name = loc[-1]
            code, message = (
                "missing-key",
                f'missing required key "{name}"{_describe(doc.value, path)}',
            )
            location = doc.locate(path, key=True)
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            tag = ctx.get("tag", value.get("kind") if isinstance(value, dict) else None)
            if tag is None:
                code, message = (
                    "missing-key",
                    'a rule needs a "kind"; one of ' + ", ".join(sorted(REGISTRY)),
                )
                location = doc.locate(path, key=True)
            else:
                code = "unknown-kind"
                message = f'unknown rule kind "{tag}"{did_you_mean(tag, REGISTRY)}'
                location = doc.locate((*path, "kind"))
        elif kind == "bool_type":
            code = "invalid-value"
            message = f"{value!r} is not true or false; write true or false"
            location = doc.locate(path)
        elif kind in ("enum", "literal_error"):
            expected = str(ctx.get("expected", ""))
            options = [o.strip().strip("'\"") for o in expected.replace(" or ", ", ").split(",")]
            code = "unknown-value"
            message = f"{value!r} is not one of {expected}{did_you_mean(value, options)}"
            location = doc.locate(path)
        else:
            code = "invalid-value"
            message = _clean(err["msg"])
            if value is not None and not isinstance(value, (dict, list)) and kind != "value_error":
                message = f"{message} (got {value!r})"
            location = doc.locate(path, key=not path or not _is_leaf(doc.value, path))
        if (path, message) in seen:
            continue
        seen.add((path, message))
        problems.append(Diagnostic(location, f"ruleset.{code}", message))
    return problems


def _is_leaf(data: Any, path: PathKey) -> bool:
    node = data
    for seg in path:
        node = _child(node, seg)
    return not isinstance(node, (dict, list))


def _child(node: Any, seg: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(seg)
    if isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
        return node[seg]
    return None


def _describe(data: Any, path: PathKey) -> str:
    node = data
    for seg in path:
        node = _child(node, seg)
    if isinstance(node, dict) and "kind" in node and "id" in node:
        return f' in rule "{node["id"]}" ({node["kind"]})'
    if path:
        return f' in "{path[-1]}"' if isinstance(path[-1], str) else ""
    return ""


# --- loading -------------------------------------------------------------------------------
def _load_one(path: Path, shown: str | None = None) -> tuple[Ruleset | None, list[Diagnostic]]:
    try:
        doc = load_yaml_file(path, shown=shown)
    except RulesetError as exc:
        return None, list(exc.diagnostics)
    if not isinstance(doc.value, dict):
        return None, [
            Diagnostic(
                Location(str(path), 1, 1),
                "ruleset.not-a-mapping",
                "a ruleset file must be a mapping with ruleset:, title:, jurisdiction: and rules:",
            )
        ]
    try:
        spec = RulesetSpec.model_validate(doc.value)
    except ValidationError as exc:
        return None, validation_diagnostics(exc, doc, RulesetSpec)
    spec = _inherit_dates(spec)
    positions = tuple(doc.locate(("rules", i)) for i in range(len(spec.rules)))
    locations: dict[str, Location] = {}
    for rule, where in zip(spec.rules, positions, strict=True):
        locations.setdefault(rule.id, where)
    keys = {str(k): doc.locate((k,)) for k in doc.value}
    return Ruleset(
        spec=spec,
        path=shown or str(path),
        rule_locations=locations,
        key_locations=keys,
        rule_positions=positions,
    ), []


def _inherit_dates(spec: RulesetSpec) -> RulesetSpec:
    """A ruleset's own effective dates bound every rule in it (law as of a date)."""
    start, end = spec.effective_from, spec.effective_until
    if start is None and end is None:
        return spec
    rules = []
    for rule in spec.rules:
        update: dict[str, object] = {}
        if start is not None and (rule.effective_from is None or rule.effective_from < start):
            update["effective_from"] = start
        if end is not None and (rule.effective_until is None or rule.effective_until > end):
            update["effective_until"] = end
        rules.append(rule.model_copy(update=update) if update else rule)
    return spec.model_copy(update={"rules": rules})


def load_ruleset(path: Path | str) -> Ruleset:
    """Load one ruleset file or raise :class:`RulesetError`."""
    ruleset, problems = _load_one(Path(path))
    if ruleset is None or any(p.severity == "error" for p in problems):
        raise RulesetError(problems)
    return ruleset


def _calendar_problems(rs: Ruleset) -> Iterator[Diagnostic]:
    for index, rule in enumerate(rs.spec.rules):
        calendar = getattr(rule, "holidays", None)
        if isinstance(calendar, HolidayCalendar):
            for problem in calendar.problems():
                yield Diagnostic(rs.rule_positions[index], "ruleset.unknown-calendar", problem)


def _semantic(rulesets: list[Ruleset], thorough: bool = True) -> Iterator[Diagnostic]:
    """Problems no single rule shows: clashes between rules and rulesets, unused placeholders."""
    first_rule: dict[str, Location] = {}
    first_set: dict[str, str] = {}
    today = dt.date.today()
    by_id = {rs.id: rs for rs in rulesets}
    for rs in rulesets:
        if thorough:
            yield from _jurisdiction_problems(rs)
            yield from _calendar_problems(rs)
        if rs.spec.extends is None:
            continue
        parent = by_id.get(rs.spec.extends)
        if parent is None:
            yield Diagnostic(
                Location(rs.path, 1, 1),
                "ruleset.unknown-extends",
                f'extends "{rs.spec.extends}", which is not among the loaded '
                f"rulesets{did_you_mean(rs.spec.extends, by_id)}",
            )
            continue
        yield from _looser(rs, parent)
    for rs in rulesets:
        if rs.id in first_set:
            yield Diagnostic(
                Location(rs.path, 1, 1),
                "ruleset.duplicate-ruleset",
                f'ruleset id "{rs.id}" is also used by {first_set[rs.id]}',
            )
        first_set.setdefault(rs.id, rs.path)
        for index, rule in enumerate(rs.spec.rules):
            where = (
                rs.rule_positions[index] if index < len(rs.rule_positions) else rs.where("rules")
            )
            if rule.id in first_rule and first_rule[rule.id] != where:
                yield Diagnostic(
                    where,
                    "ruleset.duplicate-rule-id",
                    f'rule id "{rule.id}" is already used at {first_rule[rule.id]}',
                )
            first_rule.setdefault(rule.id, where)
            if rule.message:
                for _lit, name, _spec, _conv in string.Formatter().parse(rule.message):
                    if name is not None and name not in rule.placeholders():
                        yield Diagnostic(
                            where,
                            "ruleset.unknown-placeholder",
                            f'message placeholder "{{{name}}}" is not a fact of {rule.kind} '
                            f"rules ({', '.join(rule.placeholders())})"
                            f"{did_you_mean(name, rule.placeholders())}",
                            "warning",
                        )
            if isinstance(rule, FrequencyCap) and rule.max == 0:
                yield Diagnostic(
                    where,
                    "ruleset.zero-cap",
                    f'rule "{rule.id}" has max: 0, so it denies every contact on '
                    "its channels; use kind: prohibited if that is meant",
                    "warning",
                )
            if rule.effective_until is not None and rule.effective_until < today:
                yield Diagnostic(
                    where,
                    "ruleset.expired",
                    f'rule "{rule.id}" stopped being in force on '
                    f"{rule.effective_until}; it only judges past contacts now",
                    "warning",
                )
            if rule.confidence == "unconfirmed":
                yield Diagnostic(
                    where,
                    "ruleset.unconfirmed",
                    f'rule "{rule.id}" rests on a source marked unconfirmed; verify it before '
                    "relying on it" + (f" ({' '.join(rule.note.split())})" if rule.note else ""),
                    "warning",
                )


def _looser(child: Ruleset, parent: Ruleset) -> Iterator[Diagnostic]:
    """A layer may only tighten what it extends (the stricter rule applies anyway)."""
    for rule in child.spec.rules:
        for base in parent.spec.rules:
            if not rule.comparable_with(base):
                continue
            why = rule.looser_than(base)
            if why is not None:
                yield Diagnostic(
                    child.rule_locations.get(rule.id, Location(child.path, 1, 1)),
                    "ruleset.looser-than-parent",
                    f'rule "{rule.id}" {why} in {parent.id}, which this ruleset extends; a '
                    "layer may only tighten (the stricter rule still applies)",
                )


def _jurisdiction_problems(rs: Ruleset) -> Iterator[Diagnostic]:
    known = _supported_jurisdictions()
    j = rs.spec.jurisdiction
    where = rs.where("jurisdiction")
    if j.country not in known:
        yield Diagnostic(
            where,
            "ruleset.unknown-jurisdiction",
            f'"{j.country}" is not a known country code{did_you_mean(j.country, known)}',
        )
    elif j.subdivision is not None and known[j.country] and j.subdivision not in known[j.country]:
        yield Diagnostic(
            where,
            "ruleset.unknown-jurisdiction",
            f'"{j.subdivision}" is not a subdivision of {j.country}'
            f"{did_you_mean(j.subdivision, known[j.country])}",
        )


@functools.lru_cache(maxsize=1)
def _supported_jurisdictions() -> dict[str, tuple[str, ...]]:
    import holidays
    import phonenumbers

    known: dict[str, tuple[str, ...]] = {r: () for r in phonenumbers.SUPPORTED_REGIONS}
    for country, subdivisions in holidays.list_supported_countries().items():
        known[country] = tuple(subdivisions)
    return known


def lint_paths(
    paths: Iterable[Path | str],
    *,
    skip_dirs: tuple[str, ...] = (),
    display: tuple[Path, str] | None = None,
    thorough: bool = True,
) -> tuple[list[Ruleset], list[Diagnostic]]:
    """Load what can be loaded and report every problem (errors and warnings).

    ``display`` = (root, label) shows files under ``root`` as ``label/…`` in messages and
    reasons, so that bundled rulesets never reveal where the library is installed.
    ``thorough`` also checks jurisdiction codes and holiday calendars against the ``holidays``
    package, whose first use costs about 100 ms: ``check`` and ``test`` do, loading for
    evaluation does not (a calendar that then fails denies, fail closed).
    """
    rulesets: list[Ruleset] = []
    problems: list[Diagnostic] = []
    files = discover(paths, skip_dirs=skip_dirs)
    for file in files:
        if not file.exists():
            problems.append(Diagnostic(Location(str(file)), "file.not-found", "no such file"))
            continue
        shown = None
        if display is not None:
            shown = str(Path(display[1]) / file.relative_to(display[0])).replace("\\", "/")
        ruleset, found = _load_one(file, shown)
        problems.extend(found)
        if ruleset is not None:
            rulesets.append(ruleset)
    problems.extend(_semantic(rulesets, thorough))
    return rulesets, sorted(problems, key=Diagnostic.sort_key)


def load_rulesets(
    paths: Iterable[Path | str],
    *,
    skip_dirs: tuple[str, ...] = (),
    display: tuple[Path, str] | None = None,
) -> list[Ruleset]:
    """Load every ruleset under ``paths``; raise :class:`RulesetError` if any has an error."""
    paths = list(paths)
    rulesets, problems = lint_paths(paths, skip_dirs=skip_dirs, display=display, thorough=False)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RulesetError(errors)
    if not rulesets:
        raise RulesetError(
            [
                Diagnostic(
                    Location(", ".join(str(p) for p in paths)),
                    "ruleset.none-found",
                    "no ruleset files found",
                )
            ]
        )
    return rulesets
