"""Ruleset files → validated :class:`Ruleset` objects, or every problem with its location.

All problems of all files are collected in one pass (like a linter), each pointing at the line
and column of the offending key or value, with a "did you mean" where a close spelling exists:
each file's own problems through :mod:`.validation`, what spans files and each rule kind's
``lint()`` through :mod:`.lint`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from ..diagnostics import Diagnostic, Location, RulesetError
from ..disclosures.library import Library, library_for
from ..disclosures.requirement import LIBRARY_CONTEXT_KEY
from ..rules.ruleset import Ruleset, RulesetSpec
from .files import find_files
from .lint import calendar_problems, semantic_problems
from .validation import validation_diagnostics
from .yamlsource import load_yaml_file

__all__ = [
    "discover",
    "find_ruleset_files",
    "lint_paths",
    "load_ruleset",
    "load_rulesets",
]

CASES_SUFFIXES = (".cases.yaml", ".cases.yml")
# Message template registries (contactrules.templates) may live beside the rulesets.
TEMPLATES_SUFFIXES = (".templates.yaml", ".templates.yml")
# So may disclosure libraries (contactrules.disclosures), which rules name.
DISCLOSURES_SUFFIXES = (".disclosures.yaml", ".disclosures.yml")
_NOT_RULESETS = CASES_SUFFIXES + TEMPLATES_SUFFIXES + DISCLOSURES_SUFFIXES


def _is_ruleset_name(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and not name.endswith(_NOT_RULESETS)


def find_ruleset_files(
    paths: Iterable[Path | str], *, skip_dirs: tuple[str, ...] = ()
) -> tuple[list[Path], list[Diagnostic]]:
    """Ruleset files under the given files/folders, and why any named path or folder is unread.

    A path that does not exist is ``file.not-found``; a path or folder that cannot be searched
    or listed is ``file.unreadable`` (never skipped in silence, which would pass for "clean").
    A file named directly is returned whatever its type, for the reader to accept or refuse.
    """
    return find_files(
        paths,
        _is_ruleset_name,
        lambda name: not name.endswith(_NOT_RULESETS),
        skip_dirs=skip_dirs,
    )


def discover(paths: Iterable[Path | str], *, skip_dirs: tuple[str, ...] = ()) -> list[Path]:
    """Ruleset files under the given files/folders (``*.cases.yaml`` and ``*.templates.yaml``
    excluded).

    Paths that cannot be read are left out; :func:`find_ruleset_files` also says why.
    """
    return find_ruleset_files(paths, skip_dirs=skip_dirs)[0]


def _load_one(
    path: Path, shown: str | None = None, library: Library | None = None
) -> tuple[Ruleset | None, list[Diagnostic]]:
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
        spec = RulesetSpec.model_validate(
            doc.value, context={LIBRARY_CONTEXT_KEY: library} if library is not None else None
        )
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
    # The bundled disclosure library, and any library under the paths, for rules to name.
    library, library_problems = library_for(paths)
    problems.extend(library_problems)
    for file in files:
        shown = None
        if display is not None and file.is_relative_to(display[0]):  # other paths as given
            shown = str(Path(display[1]) / file.relative_to(display[0])).replace("\\", "/")
        ruleset, found = _load_one(file, shown, library)
        problems.extend(found)
        if ruleset is not None:
            rulesets.append(ruleset)
    problems.extend(semantic_problems(rulesets, thorough))
    if not rulesets and not any(p.severity == "error" for p in problems):
        # nothing to check is a mistake (a wrong folder), never a clean result
        problems.extend(
            Diagnostic(
                Location(str(path)),
                "ruleset.none-found",
                "no ruleset file (*.yaml or *.yml, other than *.cases.yaml, "
                "*.templates.yaml and *.disclosures.yaml) is here",
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
    problems.extend(p for rs in rulesets for p in calendar_problems(rs))
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
