"""Template registry files (``*.templates.yaml``) → a :class:`Registry`, or every problem located.

Registries live beside the rulesets that compliance officers edit, so they are read the way
rulesets are: bounded, through the YAML reader that keeps every line and column, with pydantic
errors turned into located plain-language problems (codes ``template.…``). The ruleset loader
skips these files by their name, so a folder may hold both.

A file that has problems in some entries still yields its good entries to :func:`lint_paths`
(``contactrules templates check`` prints their hashes), but :func:`load_registry` refuses the
whole set when any error is found: a registry is used all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .. import codes
from ..diagnostics import Diagnostic, Location, RulesetError, did_you_mean
from ..loading.files import find_files
from ..loading.loader import TEMPLATES_SUFFIXES
from ..loading.validation import validation_diagnostics
from ..loading.yamlsource import load_yaml_file
from .checks import Entry, entry_problems, registry_problems
from .content_hash import content_hash
from .model import MessageTemplate, RegistryFile

__all__ = [
    "LoadedTemplate",
    "Registry",
    "check_paths",
    "find_registry_files",
    "is_registry_name",
    "lint_paths",
    "load_registry",
]

MAX_REGISTRY_BYTES = 5 * 1024 * 1024


def is_registry_name(name: str) -> bool:
    """Whether a file name is a template registry's: ``*.templates.yaml`` or ``.yml``."""
    return name.endswith(TEMPLATES_SUFFIXES)


@dataclass(frozen=True)
class LoadedTemplate:
    """A valid template, its content hash, and where it is written."""

    spec: MessageTemplate
    content_hash: str
    location: Location

    def in_effect(self, day: dt.date) -> bool:
        """Whether it may be sent on ``day`` (both effective dates included)."""
        spec = self.spec
        return spec.effective_from <= day and (
            spec.effective_until is None or day <= spec.effective_until
        )


def _error(where: Location, code: codes.Code, message: str) -> RulesetError:
    return RulesetError([Diagnostic(where, code.code, message)])


@dataclass(frozen=True)
class Registry:
    """Every template of some registry files, found by id, version and language."""

    templates: tuple[LoadedTemplate, ...]
    shown: str = "the registry"

    def select(
        self, template_id: str, language: str, *, version: int | None, on: dt.date
    ) -> LoadedTemplate:
        """The template to send on day ``on``, or a located :class:`RulesetError` saying why none.

        Without a version, the highest version in force that day; with one, that version, which
        must be in force that day too: a text before its effective date or after its last day
        is not sent, whoever asks (``template.not-in-effect``).
        """
        where = Location(self.shown)
        same_id = [t for t in self.templates if t.spec.id == template_id]
        if not same_id:
            ids = {t.spec.id for t in self.templates}
            raise _error(
                where,
                codes.TEMPLATE_NOT_FOUND,
                f'no template "{template_id}" in {self.shown}{did_you_mean(template_id, ids)}',
            )
        if version is not None:
            versions = ", ".join(str(v) for v in sorted({t.spec.version for t in same_id}))
            same_id = [t for t in same_id if t.spec.version == version]
            if not same_id:
                raise _error(
                    where,
                    codes.TEMPLATE_NOT_FOUND,
                    f"no version {version} of {template_id}; its versions: {versions}",
                )
        in_language = [t for t in same_id if t.spec.language == language]
        if not in_language:
            languages = ", ".join(sorted({t.spec.language for t in same_id}))
            raise _error(
                where,
                codes.TEMPLATE_NOT_FOUND,
                f'{template_id} has no text in language "{language}"; it has: {languages}',
            )
        current = [t for t in in_language if t.in_effect(on)]
        if not current:
            spans = "; ".join(
                f"{t.spec.label} from {t.spec.effective_from}"
                + (f" to {t.spec.effective_until}" if t.spec.effective_until else "")
                for t in sorted(in_language, key=lambda t: t.spec.version)
            )
            raise _error(
                where,
                codes.TEMPLATE_NOT_IN_EFFECT,
                f'no version of {template_id} in "{language}" is in force on {on} ({spans})',
            )
        return max(current, key=lambda t: t.spec.version)


def find_registry_files(
    paths: Iterable[Path | str], *, report_unusable_paths: bool = True, only_named: bool = False
) -> tuple[list[Path], list[Diagnostic]]:
    """Registry files under the given files and folders, and why any path could not be read.

    A file named directly is a registry whatever its name, so that a registry kept elsewhere
    can still be checked, unless ``only_named``: ``contactrules check`` reads a file named
    directly as a ruleset unless its name says it is a registry.
    """
    return find_files(
        paths,
        is_registry_name,
        is_registry_name if only_named else (lambda name: True),
        report_unusable_paths=report_unusable_paths,
    )


def _read_entries(path: Path) -> tuple[list[Entry], list[Diagnostic]]:
    """The valid entries of one file, and the problems of the others (shape and keys)."""
    try:
        doc = load_yaml_file(path, max_bytes=MAX_REGISTRY_BYTES)
    except RulesetError as exc:
        return [], list(exc.diagnostics)
    if not isinstance(doc.value, dict):
        return [], [
            Diagnostic(
                Location(str(path), 1, 1),
                codes.TEMPLATE_NOT_A_MAPPING.code,
                "a template registry must be a mapping with templates:, a list of templates",
            )
        ]
    try:
        registry = RegistryFile.model_validate(doc.value)
    except ValidationError as exc:
        problems = [
            Diagnostic(p.location, p.code.replace("ruleset.", "template."), p.message)
            for p in validation_diagnostics(exc, doc, RegistryFile)
        ]
        # Entries without errors of their own are still read, so one bad entry hides nothing.
        raw = doc.value.get("templates")
        entries: list[Entry] = []
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            try:
                entries.append(Entry(MessageTemplate.model_validate(item), doc, i))
            except ValidationError:
                continue
        return entries, problems
    return [Entry(spec, doc, i) for i, spec in enumerate(registry.templates)], []


def lint_paths(
    paths: Iterable[Path | str], *, report_unusable_paths: bool = True, only_named: bool = False
) -> tuple[list[LoadedTemplate], list[Diagnostic], int]:
    """Every valid template under ``paths``, every problem, and how many files were read.

    Templates with problems of their own are left out; problems across entries (a duplicate)
    leave both entries in, since each is valid alone. ``report_unusable_paths`` and
    ``only_named`` are as for :func:`find_registry_files`.
    """
    files, problems = find_registry_files(
        paths, report_unusable_paths=report_unusable_paths, only_named=only_named
    )
    entries: list[Entry] = []
    for file in files:
        found, file_problems = _read_entries(file)
        entries.extend(found)
        problems.extend(file_problems)
    loaded: list[LoadedTemplate] = []
    for entry in entries:
        own = entry_problems(entry)
        problems.extend(own)
        if not any(p.severity == "error" for p in own):
            loaded.append(LoadedTemplate(entry.spec, content_hash(entry.spec), entry.locate()))
    problems.extend(registry_problems(entries))
    return loaded, sorted(problems, key=Diagnostic.sort_key), len(files)


def _none_found(paths: Sequence[Path | str]) -> list[Diagnostic]:
    return [
        Diagnostic(
            Location(str(path)),
            codes.TEMPLATE_NONE_FOUND.code,
            "no template registry (*.templates.yaml or *.templates.yml) is here",
        )
        for path in paths
    ]


def check_paths(
    paths: Sequence[Path | str],
) -> tuple[list[LoadedTemplate], list[Diagnostic], int]:
    """:func:`lint_paths`, where finding no registry file at all is a problem too.

    An empty check would look clean, as a wrong folder name would make it.
    """
    loaded, problems, files = lint_paths(paths)
    if files == 0 and not any(p.severity == "error" for p in problems):
        problems = [*problems, *_none_found(paths)]
    return loaded, problems, files


def load_registry(paths: Sequence[Path | str]) -> Registry:
    """Every template under ``paths``; a :class:`RulesetError` with every problem if any."""
    loaded, problems, _files = check_paths(paths)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RulesetError(errors)
    return Registry(tuple(loaded), shown=", ".join(str(p) for p in paths))
