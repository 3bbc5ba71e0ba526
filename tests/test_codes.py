"""The code table (contactrules/codes.py), the code that emits codes, and docs/codes.md agree.

Three checks, each with a self-test on synthetic source so that it is known to be able to fail:
docs/codes.md is the generated text; every code the package source can emit is in the table
(including the codes built from pydantic error types and their ``input.``/``cases.`` copies); and
every table entry is emitted somewhere (no dead entries).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from contactrules import codes

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "contactrules"
TABLE_MODULE = PACKAGE / "codes.py"

PREFIXES = "yaml|file|ruleset|input|cases|template|disclosure|audit|ledger|config|service|screen"
_FILE_NAME = r"(?!(?:ya?ml|jsonl?|db|md|txt|py|svg|html)[\"'])"  # "audit.jsonl" is a file name
_QUOTED = re.compile(rf"[\"']((?:{PREFIXES})\.{_FILE_NAME}[a-z]+(?:-[a-z]+)*)[\"']")
_HYPHENATED = re.compile(rf"(?<![\w.*/-])((?:{PREFIXES})\.[a-z]+(?:-[a-z]+)+)\b")
_AFTER_SEVERITY = re.compile(rf"\b(?:error|warning) ((?:{PREFIXES})\.[a-z]+(?:-[a-z]+)*)\b")
_WHOLE = re.compile(rf"(?:{PREFIXES})\.[a-z]+(?:-[a-z]+)*")
_REASON_ID = re.compile(r"\bCONTACTRULES(?:-[A-Z]+)+\b")

# Scenario and case files hold no rules, so no ``kind:`` can be unknown in them.
_RULE_ONLY_SUFFIXES = frozenset({"unknown-kind"})


def package_sources() -> dict[str, str]:
    """Every module of the package but the table itself, by path relative to the checkout."""
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != TABLE_MODULE
    }


def mentioned_codes(sources: Iterable[str]) -> set[str]:
    """Every code written anywhere in the text: strings, f-strings, comments and docstrings."""
    found: set[str] = set()
    for text in sources:
        for pattern in (_QUOTED, _HYPHENATED, _AFTER_SEVERITY, _REASON_ID):
            found.update(m.group(1) if m.groups() else m.group(0) for m in pattern.finditer(text))
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _validation_suffixes(tree: ast.AST) -> set[str]:
    """The ``code`` values a translator assigns before writing ``f"ruleset.{code}"``."""
    suffixes: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            pairs = list(zip(target.elts, value.elts, strict=False))
        else:
            pairs = [(target, value)]
        for name, val in pairs:
            if isinstance(name, ast.Name) and name.id == "code" and isinstance(val, ast.Constant):
                suffixes.add(str(val.value))
    return suffixes


def emitted(sources: Mapping[str, str]) -> tuple[set[str], set[str], set[str]]:
    """What the code (not its docstrings) emits: literal codes, table names it uses, suffixes.

    Returns the codes written as strings or built from a prefix and the validation suffixes,
    the names the modules use (``codes.RULESET_ZERO_CAP``), and the suffixes assigned to
    ``code`` in a module that builds ``f"ruleset.{code}"``.
    """
    literal: set[str] = set()
    names: set[str] = set()
    suffixes: set[str] = set()
    builds_ruleset = False
    reprefixed: set[str] = set()
    for text in sources.values():
        tree = ast.parse(text)
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in skip:
                    continue
                literal.update(mentioned_codes([f'"{node.value}"', node.value]))
            elif isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add(node.name)
            if isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and first.value == "ruleset.":
                    builds_ruleset = True
                    suffixes |= _validation_suffixes(tree)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace"
                and len(node.args) == 2
                and all(isinstance(a, ast.Constant) for a in node.args)
            ):
                old, new = (str(a.value) for a in node.args)  # type: ignore[attr-defined]
                if old == "ruleset." and _WHOLE.fullmatch(new + "x"):
                    reprefixed.add(new)
    built: set[str] = set()
    if builds_ruleset:
        built |= {f"ruleset.{s}" for s in suffixes}
        for prefix in reprefixed:
            built |= {f"{prefix}{s}" for s in suffixes - _RULE_ONLY_SUFFIXES}
    return literal | built, names, suffixes


def _constant_names() -> dict[str, str]:
    """Each table entry's code → the name of its constant in contactrules.codes."""
    return {
        value.code: name
        for name, value in vars(codes).items()
        if isinstance(value, codes.Code) and name.isupper()
    }


def dead_entries(table: Iterable[str], sources: Mapping[str, str]) -> list[str]:
    """Table codes that no module emits, by string or by the table's constant."""
    emitted_codes, names, _ = emitted(sources)
    constant = _constant_names()
    return sorted(c for c in table if c not in emitted_codes and constant.get(c, "\0") not in names)


def missing_from_table(sources: Mapping[str, str]) -> list[str]:
    table = {c.code for c in codes.TABLE}
    everything = mentioned_codes(sources.values()) | emitted(sources)[0]
    return sorted(everything - table)


# --- the checks on the real package ---------------------------------------------------------
def test_docs_codes_md_is_generated_from_the_table() -> None:
    written = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert written == codes.markdown(), (
        "run: python3 -c 'from contactrules.codes import markdown; print(markdown(), end=\"\")'"
        " > docs/codes.md"
    )


def test_every_code_the_package_can_emit_is_in_the_table() -> None:
    assert missing_from_table(package_sources()) == []


def test_every_table_entry_is_emitted_somewhere() -> None:
    assert dead_entries((c.code for c in codes.TABLE), package_sources()) == []


def test_validation_suffixes_match_the_translator() -> None:
    _, _, suffixes = emitted(package_sources())
    assert suffixes == set(codes.VALIDATION_SUFFIXES)


def test_table_entries_are_unique_and_complete() -> None:
    seen = [c.code for c in codes.TABLE]
    assert len(seen) == len(set(seen))
    for c in codes.TABLE:
        assert c.meaning.endswith(".") and c.example, c.code
        is_reason = c.code.startswith("CONTACTRULES-")
        assert (c.severity == "deny") == is_reason, c.code
        assert (c.exit_status is None) == is_reason, c.code
        assert codes.lookup(c.code) is c


# --- self-tests: each check fails on synthetic source that breaks it ------------------------
_SYNTHETIC = {
    "a.py": '''
"""Docstring naming ruleset.only-in-a-docstring, never emitted."""
def f(code):
    yield Diagnostic(where, "yaml.syntax", "bad")
    print(f"{where}: error cases.unknown-ruleset {x}")
    print(f"contactrules: error input.invalid {x}")
    reason("CONTACTRULES-NO-ZONE")
    use(codes.FILE_NOT_FOUND.code)
''',
    "b.py": """
def translate(kind):
    if kind == "missing":
        code, message = "missing-key", "m"
    else:
        code = "unknown-kind"
    return f"ruleset.{code}"
def scenario(p):
    return p.code.replace("ruleset.", "input.")
""",
}


def test_self_scanner_finds_literal_fstring_built_and_reason_codes() -> None:
    found, names, suffixes = emitted(_SYNTHETIC)
    assert {
        "yaml.syntax",
        "cases.unknown-ruleset",
        "input.invalid",
        "CONTACTRULES-NO-ZONE",
        "ruleset.missing-key",
        "ruleset.unknown-kind",
        "input.missing-key",
    } <= found
    assert "input.unknown-kind" not in found  # scenario files hold no rules
    assert "ruleset.only-in-a-docstring" not in found  # a docstring emits nothing
    assert "FILE_NOT_FOUND" in names
    assert suffixes == {"missing-key", "unknown-kind"}


def test_self_missing_from_table_fails_on_an_unlisted_code() -> None:
    problems = missing_from_table(_SYNTHETIC)
    assert problems == ["ruleset.only-in-a-docstring"]
    assert missing_from_table({"c.py": 'x = "CONTACTRULES-NEW-REASON"'}) == [
        "CONTACTRULES-NEW-REASON"
    ]


def test_self_dead_entries_fails_on_an_entry_nothing_emits() -> None:
    table = ["yaml.syntax", "file.not-found", "yaml.tag", "input.missing-key", "input.unknown-kind"]
    assert dead_entries(table, _SYNTHETIC) == ["input.unknown-kind", "yaml.tag"]


def test_self_scanner_ignores_lookalikes() -> None:
    text = 'CASES = (".cases.yaml",)\nyaml.safe_load(x)\nruleset.id\nopen("audit.jsonl")\n'
    assert mentioned_codes([text]) == set()
