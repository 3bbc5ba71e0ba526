"""Disclosure library files (``*.disclosures.yaml``) → a :class:`Library`, or every problem
located.

The bundled library sits with the bundled rulesets (``rulesets/disclosures/``) and is always
loaded, so a ruleset that names ``US-FED-1006.18e1-ATTEMPT-TO-COLLECT`` resolves wherever it
is loaded from; libraries under the paths given to the loader are added to it (an id defined
twice is an error). The ruleset loader skips these files by their name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..diagnostics import Diagnostic, Location, RulesetError, did_you_mean
from .model import Disclosure, DisclosureFile
from .substance import Tokens, parse_form, tokenize

if TYPE_CHECKING:
    from ..loading.yamlsource import SourceDocument

__all__ = [
    "DISCLOSURES_SUFFIXES",
    "Library",
    "bundled_library",
    "bundled_library_dir",
    "find_library_files",
    "library_for",
    "lint_library",
]

DISCLOSURES_SUFFIXES = (".disclosures.yaml", ".disclosures.yml")
MAX_LIBRARY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Library:
    """Every disclosure of some library files, by id, with each language's negating words."""

    disclosures: dict[str, Disclosure] = field(default_factory=dict)
    negations: dict[str, frozenset[str]] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)

    def get(self, disclosure_id: str) -> Disclosure:
        """The disclosure, or a ``KeyError`` whose message suggests a close id."""
        found = self.disclosures.get(disclosure_id)
        if found is None:
            raise KeyError(
                f'no disclosure "{disclosure_id}" in the disclosure library'
                f"{did_you_mean(disclosure_id, self.disclosures)}"
            )
        return found

    def negating(self, language: str) -> frozenset[str]:
        return self.negations.get(language, frozenset())

    def satisfied(self, disclosure: Disclosure, language: str, tokens: Tokens) -> list[str]:
        """The names of the elements the text does not carry (empty: it carries them all)."""
        negations = self.negating(language)
        return [
            element.name
            for element in disclosure.elements
            if not any(
                tokens.find(parse_form(f), negations) is not None
                for f in element.forms.get(language, ())
            )
        ]


def find_library_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[Diagnostic]]:
    """Library files under the given files and folders (a file named directly counts only if
    its name says it is a library: a ruleset path given to the loader is not one)."""
    from ..loading.files import find_files  # the loader imports the rules, which import this

    return find_files(
        paths,
        lambda name: name.endswith(DISCLOSURES_SUFFIXES),
        lambda name: name.endswith(DISCLOSURES_SUFFIXES),
        report_unusable_paths=False,  # the ruleset pass over the same paths reports them
    )


def _wording_problems(parsed: DisclosureFile, doc: SourceDocument) -> list[Diagnostic]:
    """Each wording must carry every element by the forms of its language."""
    negations = {k: frozenset(w.casefold() for w in v) for k, v in parsed.negations.items()}
    probe = Library(negations=negations)
    problems: list[Diagnostic] = []
    for i, disclosure in enumerate(parsed.disclosures):
        for language, texts in disclosure.wordings.items():
            for j, text in enumerate(texts):
                missing = probe.satisfied(disclosure, language, tokenize(text))
                if missing:
                    problems.append(
                        Diagnostic(
                            doc.locate(("disclosures", i, "wordings", language, j)),
                            "disclosure.wording-unmatched",
                            f"the {language} wording of {disclosure.id} does not carry "
                            f'"{missing[0]}" by any of its forms; add a form that matches it, '
                            "or correct the wording",
                        )
                    )
    return problems


def _read(
    path: Path, shown: str
) -> tuple[DisclosureFile | None, SourceDocument | None, list[Diagnostic]]:
    from ..loading.validation import validation_diagnostics
    from ..loading.yamlsource import load_yaml_file

    try:
        doc = load_yaml_file(path, max_bytes=MAX_LIBRARY_BYTES, shown=shown)
    except RulesetError as exc:
        return None, None, list(exc.diagnostics)
    try:
        parsed = DisclosureFile.model_validate(doc.value)
    except ValidationError as exc:
        return (
            None,
            doc,
            [
                Diagnostic(p.location, p.code.replace("ruleset.", "disclosure."), p.message)
                for p in validation_diagnostics(exc, doc, DisclosureFile)
            ],
        )
    return parsed, doc, _wording_problems(parsed, doc)


def lint_library(
    files: Sequence[tuple[Path, str]],
) -> tuple[Library, list[Diagnostic]]:
    """Every disclosure of the files (path, name shown), and every problem found in them."""
    disclosures: dict[str, Disclosure] = {}
    negations: dict[str, set[str]] = {}
    locations: dict[str, Location] = {}
    problems: list[Diagnostic] = []
    for path, shown in files:
        parsed, doc, found = _read(path, shown)
        problems.extend(found)
        if parsed is None or doc is None:
            continue
        for language, words in parsed.negations.items():
            negations.setdefault(language, set()).update(w.casefold() for w in words)
        for i, disclosure in enumerate(parsed.disclosures):
            where = doc.locate(("disclosures", i, "id"))
            if disclosure.id in disclosures:
                problems.append(
                    Diagnostic(
                        where,
                        "disclosure.duplicate-id",
                        f"disclosure {disclosure.id} is already defined at "
                        f"{locations[disclosure.id]}; give each disclosure one id",
                    )
                )
                continue
            disclosures[disclosure.id] = disclosure
            locations[disclosure.id] = where
    library = Library(disclosures, {k: frozenset(v) for k, v in negations.items()}, locations)
    return library, sorted(problems, key=Diagnostic.sort_key)


def bundled_library_dir() -> Path:
    """``disclosures/`` among the bundled rulesets (in a wheel, or the checkout)."""
    from ..engine import bundled_rulesets_dir

    return bundled_rulesets_dir() / "disclosures"


@lru_cache(maxsize=1)
def _bundled() -> tuple[Library, tuple[Diagnostic, ...]]:
    root = bundled_library_dir()
    files, _ = find_library_files([root])
    shown = [(f, "rulesets/" + f.relative_to(root.parent).as_posix()) for f in files]
    library, problems = lint_library(shown)
    return library, tuple(problems)


def bundled_library() -> Library:
    """The bundled disclosure library, read once per process (a broken one raises)."""
    library, problems = _bundled()
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RulesetError(errors)
    return library


def library_for(paths: Iterable[Path | str]) -> tuple[Library, list[Diagnostic]]:
    """The libraries found under ``paths``, with the bundled library's disclosures that they do
    not define.

    A library given with the rulesets wins over the bundled one: a copy of the rulesets folder
    whose disclosures an officer corrected must be judged by the corrected forms. Two given
    files defining one id is an error.
    """
    root = bundled_library_dir().resolve()
    files, problems = find_library_files(paths)
    extra = [(f, str(f)) for f in files if root not in f.resolve().parents]
    bundled, bundled_problems = _bundled()
    if not extra:
        return bundled, [*bundled_problems, *problems]
    own, own_problems = lint_library(extra)
    merged = {**bundled.disclosures, **own.disclosures}
    locations = {**bundled.locations, **own.locations}
    negations = {k: set(v) for k, v in bundled.negations.items()}
    for language, words in own.negations.items():
        negations[language] = set(words)  # a given library's negations replace the bundled ones
    library = Library(merged, {k: frozenset(v) for k, v in negations.items()}, locations)
    return library, [*problems, *own_problems]
