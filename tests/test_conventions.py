"""Every convention name cited in the project is defined in docs/conventions.md, completely.

Code, rulesets, cases, tests and documents cite the team's conventions by name ("K4", "convention
K2", "K1–K7"). A name that docs/conventions.md does not define is a reference a reader cannot
follow, so each mention is a test case that fails naming its file and line. Each definition must
carry the same parts (what the engine does, an example, the legal basis and its confidence, where
in the code it lives), and the modules and files it points at must exist.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "conventions.md"

# Where conventions are cited: the package (code, JSON schemas), documents, rulesets and their
# cases, tests, benchmarks and examples.
SCANNED = ("contactrules", "docs", "rulesets", "tests", "bench", "examples", "README.md")
SUFFIXES = frozenset({".py", ".md", ".yaml", ".yml", ".json", ".toml", ".txt"})

# "K4", "(K4)", "K2:", "K1–K7" (a range names every convention in it). Not "K-12", not "UK1", not
# a segment of an id such as "RULE-K1-X": the name must not follow a letter, digit or hyphen.
MENTION = re.compile(r"(?<![\w-])K(\d+)(?:\s?[-–]\s?K(\d+))?(?!\w)")
SECTION = re.compile(r'^<a id="k(\d+)"></a>\n## K(\d+) — (\S.*)$', re.M)
PARTS = ("What the engine does", "Example", "Legal basis", "Confidence", "In the code")
CONFIDENCES = ("primary", "secondary", "unconfirmed", "convention")
# A legal basis cites a source, or says plainly that there is none.
CITATION = re.compile(
    r"CFR|U\.S\.C\.|CMR|RCNY|RCW|C\.R\.S\.|Stat\.|Code|comment \d|guideline|CONC|Reg\. 74|^None",
    re.M,
)


@dataclass(frozen=True)
class Mention:
    path: str
    line: int
    number: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: K{self.number}"


def mentions_in(text: str, path: str) -> list[Mention]:
    """Every convention name in ``text``, a range standing for each name in it."""
    found: list[Mention] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in MENTION.finditer(line):
            first = int(match[1])
            last = int(match[2]) if match[2] else first
            found += [Mention(path, number, n) for n in range(first, max(first, last) + 1)]
    return found


def undefined(found: list[Mention], defined: set[int]) -> list[str]:
    """One message per mention of a name that the conventions page does not define."""
    return [
        f"{m}: convention K{m.number} is cited here but docs/conventions.md does not define it"
        for m in found
        if m.number not in defined
    ]


def scanned_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        top = ROOT / name
        candidates = [top] if top.is_file() else sorted(top.rglob("*"))
        files += [
            p
            for p in candidates
            if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts
        ]
    return files


def project_mentions() -> list[Mention]:
    found: list[Mention] = []
    for path in scanned_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found += mentions_in(text, path.relative_to(ROOT).as_posix())
    return found


def sections(text: str) -> dict[int, tuple[str, str]]:
    """Convention number -> (heading title, body) for each anchored section of the page."""
    starts = list(SECTION.finditer(text))
    found: dict[int, tuple[str, str]] = {}
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        assert match[1] == match[2], f"anchor k{match[1]} heads the section of K{match[2]}"
        number = int(match[1])
        assert number not in found, f"K{number} is defined twice"
        found[number] = (match[3], text[match.end() : end])
    return found


def part(body: str, label: str) -> str:
    """The paragraph that starts with the bold label ``**label.**`` (empty when missing)."""
    match = re.search(rf"^\*\*{re.escape(label)}\.\*\*(.*?)(?=\n\n|\Z)", body, re.S | re.M)
    return " ".join(match[1].split()) if match else ""


def missing_parts(body: str) -> list[str]:
    """What a convention's section lacks, in words a reader of the failure can act on."""
    problems = [f"no **{label}.** paragraph" for label in PARTS if len(part(body, label)) < 8]
    basis = part(body, "Legal basis")
    if basis and not CITATION.search(basis):
        problems.append("the legal basis cites no source and does not say there is none")
    confidence = part(body, "Confidence").lower()
    if confidence and not any(word in confidence for word in CONFIDENCES):
        problems.append(f"the confidence uses none of the words {', '.join(CONFIDENCES)}")
    return problems


PAGE = DOC.read_text(encoding="utf-8")
SECTIONS = sections(PAGE)
DEFINED = set(SECTIONS)
FOUND = project_mentions()


# --- the conventions page ------------------------------------------------------------------
def test_conventions_are_numbered_from_k1_without_gaps() -> None:
    assert sorted(DEFINED) == list(range(1, len(DEFINED) + 1)), sorted(DEFINED)
    assert len(DEFINED) >= 7


@pytest.mark.parametrize("number", sorted(SECTIONS), ids=lambda n: f"K{n}")
def test_each_convention_has_every_part(number: int) -> None:
    title, body = SECTIONS[number]
    problems = missing_parts(body)
    assert not problems, f"docs/conventions.md, K{number} — {title}: " + "; ".join(problems)


@pytest.mark.parametrize("number", sorted(SECTIONS), ids=lambda n: f"K{n}")
def test_each_convention_points_at_code_that_exists(number: int) -> None:
    _title, body = SECTIONS[number]
    where = part(body, "In the code") + " " + part(body, "Example")
    modules = set(re.findall(r"`(contactrules(?:\.\w+)*)`", where))
    for module in modules:
        assert importlib.util.find_spec(module) is not None, f"K{number}: no module {module}"
    for name in re.findall(r"`((?:contactrules|tests|rulesets|docs)/[^`*]+)`", body):
        assert (ROOT / name).exists(), f"K{number}: no file {name}"
    assert modules or number > 7, f"K{number} names no module of the package"


def test_links_to_conventions_reach_an_anchor() -> None:
    anchors = {f"k{n}" for n in DEFINED} | {_slug(t) for t in re.findall(r"^#+ (.+)$", PAGE, re.M)}
    pages = [
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "README.md",
        ROOT / "rulesets" / "README.md",
    ]
    broken = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        own = page == DOC
        pattern = r"\]\(#([\w-]+)\)" if own else r"conventions\.md#([\w-]+)"
        broken += [
            f"{page.relative_to(ROOT)}: #{a}" for a in re.findall(pattern, text) if a not in anchors
        ]
    assert not broken, broken


def _slug(heading: str) -> str:
    """The anchor a markdown renderer derives from a heading (GitHub's rule)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


# --- every mention in the project ---------------------------------------------------------
def test_the_scan_reaches_every_part_of_the_project() -> None:
    """Guards the scan itself: conventions are cited in each of these places today."""
    places = {m.path.split("/")[0] for m in FOUND}
    assert {"contactrules", "docs", "rulesets", "tests"} <= places, places


@pytest.mark.parametrize("mention", FOUND, ids=str)
def test_every_cited_convention_is_defined(mention: Mention) -> None:
    problems = undefined([mention], DEFINED)
    assert not problems, problems[0]


# --- the checks themselves can fail ---------------------------------------------------------
def test_an_undefined_name_is_reported_with_its_file_and_line() -> None:
    unknown = 99
    text = (
        "K-12 schools, UK1 and RULE-K1-X are not conventions.\n"
        f"Day counting follows K2; windows the new K{unknown}.\n"
        "The team conventions K1–K3.\n"
    )
    found = mentions_in(text, "docs/example.md")
    assert [(m.line, m.number) for m in found] == [(2, 2), (2, unknown), (3, 1), (3, 2), (3, 3)]
    assert undefined(found, DEFINED) == [
        f"docs/example.md:2: K{unknown}: convention K{unknown} is cited here but "
        "docs/conventions.md does not define it"
    ]


def test_a_section_without_a_legal_basis_or_example_is_reported() -> None:
    body = (
        "\n**What the engine does.** Something the engine does with a contact.\n\n"
        "**Confidence.** Fairly sure.\n\n"
        "**In the code.** `contactrules.engine`, which does it.\n"
    )
    assert missing_parts(body) == [
        "no **Example.** paragraph",
        "no **Legal basis.** paragraph",
        "the confidence uses none of the words primary, secondary, unconfirmed, convention",
    ]
