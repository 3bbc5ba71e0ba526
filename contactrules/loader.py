"""Ruleset files → validated :class:`Ruleset` objects, or every problem with its location.

All problems of all files are collected in one pass (like a linter), each pointing at the line
and column of the offending key or value, with a "did you mean" where a close spelling exists.
"""

from __future__ import annotations

import datetime as dt
import functools
import stat
import types
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostic, Location, RulesetError, did_you_mean
from .files import path_status, walk_folder
from .rules import REGISTRY
from .rules.holiday_spec import HolidayCalendar
from .rules.linting import NEVER_EFFECTIVE, LintScope, dead_dates
from .ruleset import Ruleset, RulesetSpec
from .yamlsource import PathKey, SourceDocument, load_yaml_file

__all__ = [
    "discover",
    "find_ruleset_files",
    "lint_paths",
    "load_ruleset",
    "load_rulesets",
    "validation_diagnostics",
]

CASES_SUFFIXES = (".cases.yaml", ".cases.yml")


def _is_ruleset_name(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and not name.endswith(CASES_SUFFIXES)


def find_ruleset_files(
    paths: Iterable[Path | str], *, skip_dirs: tuple[str, ...] = ()
) -> tuple[list[Path], list[Diagnostic]]:
    """Ruleset files under the given files/folders, and why any named path or folder is unread.

    A path that does not exist is ``file.not-found``; a path or folder that cannot be searched
    or listed is ``file.unreadable`` (never skipped in silence, which would pass for "clean").
    A file named directly is returned whatever its type, for the reader to accept or refuse.
    """
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        path = Path(raw)
        status = path_status(path)
        if isinstance(status, Diagnostic):
            problems.append(status)
            continue
        if stat.S_ISDIR(status.st_mode):
            files, unlisted = walk_folder(path, _is_ruleset_name, skip_dirs=skip_dirs)
            found.extend(files)
            problems.extend(unlisted)
        elif not path.name.endswith(CASES_SUFFIXES):
            found.append(path)
    return found, problems


def discover(paths: Iterable[Path | str], *, skip_dirs: tuple[str, ...] = ()) -> list[Path]:
    """Ruleset files under the given files/folders (``*.cases.yaml`` test files excluded).

    Paths that cannot be read are left out; :func:`find_ruleset_files` also says why.
    """
    return find_ruleset_files(paths, skip_dirs=skip_dirs)[0]


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
        source=doc,
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
    """Problems no file shows alone, and each rule's own lint (its kind's ``lint`` hook)."""
    by_id = {rs.id: rs for rs in rulesets}
    today = dt.date.today()
    for rs in rulesets:
        if thorough:
            yield from _jurisdiction_problems(rs)
            yield from _calendar_problems(rs)
        yield from _extends_problems(rs, by_id)
        yield from _rule_lints(rs, today)
    yield from _duplicates(rulesets)


def _extends_problems(rs: Ruleset, by_id: dict[str, Ruleset]) -> Iterator[Diagnostic]:
    if rs.spec.extends is None:
        return
    parent = by_id.get(rs.spec.extends)
    if parent is None:
        yield Diagnostic(
            Location(rs.path, 1, 1),
            "ruleset.unknown-extends",
            f'extends "{rs.spec.extends}", which is not among the loaded '
            f"rulesets{did_you_mean(rs.spec.extends, by_id)}",
        )
    else:
        yield from _looser(rs, parent)


def _duplicates(rulesets: list[Ruleset]) -> Iterator[Diagnostic]:
    """A ruleset id or a rule id used twice: reasons and layers would be ambiguous."""
    first_set: dict[str, str] = {}
    first_rule: dict[str, Location] = {}
    for rs in rulesets:
        if rs.id in first_set:
            yield Diagnostic(
                Location(rs.path, 1, 1),
                "ruleset.duplicate-ruleset",
                f'ruleset id "{rs.id}" is also used by {first_set[rs.id]}',
            )
        first_set.setdefault(rs.id, rs.path)
        for index, rule in enumerate(rs.spec.rules):
            where = _locate(rs, ("rules", index))
            if rule.id in first_rule and first_rule[rule.id] != where:
                yield Diagnostic(
                    where,
                    "ruleset.duplicate-rule-id",
                    f'rule id "{rule.id}" is already used at {first_rule[rule.id]}',
                )
            first_rule.setdefault(rule.id, where)


def _rule_lints(rs: Ruleset, today: dt.date) -> Iterator[Diagnostic]:
    """What each rule says about itself, located; dead ruleset dates are said once, here."""
    spec = rs.spec
    dead = dead_dates(spec.effective_from, spec.effective_until)
    if dead is not None:
        yield Diagnostic(
            _locate(rs, ("effective_from",)),
            NEVER_EFFECTIVE,
            f'ruleset "{rs.id}" {dead}: none of its rules is ever in force; write the dates '
            "the law sets",
            "warning",
        )
    scope = LintScope(today, spec.effective_from, spec.effective_until)
    for index, rule in enumerate(spec.rules):
        for found in rule.lint(scope):
            where = _locate(rs, ("rules", index, *found.path))
            yield Diagnostic(where, found.code, found.message, found.severity)


def _locate(rs: Ruleset, path: PathKey) -> Location:
    """Where ``path`` (or its nearest written ancestor) is in the ruleset's file."""
    if rs.source is not None:
        return rs.source.locate(path)
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        if path[1] < len(rs.rule_positions):
            return rs.rule_positions[path[1]]
        return rs.where("rules")
    return rs.where(str(path[0])) if path else Location(rs.path, 1, 1)


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
    package, whose first use costs about 100 ms: ``check`` and ``test`` do; loading for
    evaluation checks only the holiday calendars that rules name (:func:`load_rulesets`).
    """
    paths = list(paths)
    rulesets: list[Ruleset] = []
    files, problems = find_ruleset_files(paths, skip_dirs=skip_dirs)
    for file in files:
        shown = None
        if display is not None:
            shown = str(Path(display[1]) / file.relative_to(display[0])).replace("\\", "/")
        ruleset, found = _load_one(file, shown)
        problems.extend(found)
        if ruleset is not None:
            rulesets.append(ruleset)
    problems.extend(_semantic(rulesets, thorough))
    if not rulesets and not any(p.severity == "error" for p in problems):
        # nothing to check is a mistake (a wrong folder), never a clean result
        problems.extend(
            Diagnostic(
                Location(str(path)),
                "ruleset.none-found",
                "no ruleset file (*.yaml or *.yml, other than *.cases.yaml) is here",
            )
            for path in paths
        )
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
    # Holiday calendars are checked even here (see HolidayCalendar.problems): a holiday name the
    # installed ``holidays`` does not know would otherwise match no day, and allow.
    problems.extend(p for rs in rulesets for p in _calendar_problems(rs))
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
