"""rulesets/README.md's table of jurisdictions stays true to the ruleset files.

The table must list exactly the ruleset files under rulesets/ (examples included), and for each
the ruleset id, jurisdiction, binds and the count of rules per confidence written in the YAML.
The files are loaded with :func:`contactrules.loading.loader.lint_paths`, as ``contactrules check``
does.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from contactrules.loading.loader import lint_paths
from contactrules.rules.ruleset import Ruleset

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"
README = RULESETS / "README.md"
HEADER = ["file", "ruleset id", "jurisdiction", "binds", "what it covers", "confidence"]
BINDS = {"TPC": "third_party_collector", "OC": "original_creditor"}
CONFIDENCES = ("primary", "secondary", "unconfirmed", "convention", "policy")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _code(cell: str) -> str:
    match = re.fullmatch(r"`([^`]+)`", cell)
    assert match, f"expected a single `code` value, got {cell!r}"
    return match.group(1)


def _table() -> dict[str, list[str]]:
    """The jurisdictions table: file path -> its row's cells."""
    lines = README.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("|") and _cells(line) == HEADER]
    assert len(starts) == 1, f"rulesets/README.md needs exactly one table headed {HEADER}"
    rows: dict[str, list[str]] = {}
    for line in lines[starts[0] + 2 :]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        assert len(cells) == len(HEADER), f"row has {len(cells)} cells: {line}"
        path = _code(cells[0])
        assert path not in rows, f"{path} is listed twice"
        rows[path] = cells
    return rows


def _loaded() -> dict[str, Ruleset]:
    rulesets, problems = lint_paths([RULESETS])
    errors = [str(p) for p in problems if p.severity == "error"]
    assert not errors, "\n".join(errors)
    return {Path(rs.path).resolve().relative_to(RULESETS).as_posix(): rs for rs in rulesets}


TABLE = _table()
LOADED = _loaded()


def test_the_table_lists_exactly_the_ruleset_files() -> None:
    listed, present = set(TABLE), set(LOADED)
    assert listed - present == set(), "listed in rulesets/README.md but not present"
    assert present - listed == set(), "ruleset files missing from rulesets/README.md"


@pytest.mark.parametrize("path", sorted(set(TABLE) & set(LOADED)))
def test_each_row_agrees_with_its_file(path: str) -> None:
    cells = dict(zip(HEADER, TABLE[path], strict=True))
    spec = LOADED[path].spec
    assert _code(cells["ruleset id"]) == spec.ruleset
    assert _code(cells["jurisdiction"]) == spec.jurisdiction.label()
    binds = {BINDS[b.strip()] for b in cells["binds"].split(",")}
    assert binds == {b.value for b in spec.binds}
    assert cells["what it covers"], "describe what the ruleset covers"
    written: Counter[str] = Counter()
    for part in cells["confidence"].split(","):
        match = re.fullmatch(r"\s*(\d+) (\w+)\s*", part)
        assert match and match.group(2) in CONFIDENCES, f"bad confidence entry {part!r}"
        written[match.group(2)] += int(match.group(1))
    actual = Counter(rule.confidence for rule in spec.rules)
    assert written == actual, f"confidence summary {dict(written)} != rules {dict(actual)}"


def test_every_ruleset_has_cases_beside_it() -> None:
    for path in LOADED:
        cases = (RULESETS / path).with_name(Path(path).stem + ".cases.yaml")
        assert cases.is_file(), f"{path} has no {cases.name} beside it"
