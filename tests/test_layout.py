"""The README's layout table names every package and module of the library, and nothing else.

A newcomer finds where a rule kind, a command, a convention or an error code lives from that
table alone; a module added, moved or removed without its line makes this test fail.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "contactrules"


def layout_rows(readme: str) -> list[str]:
    """The paths in the first column of the table under ``## Layout``."""
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, re.M)


def package_entries(package: Path) -> set[str]:
    """Every package (as ``dir/``) and module (as ``file.py``) under ``package``.

    Paths are relative to the package's parent; a package's ``__init__.py`` is its package row.
    """
    found: set[str] = set()
    for path in package.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(package.parent).as_posix()
        found.add(relative.removesuffix("__init__.py") if path.name == "__init__.py" else relative)
    return found


def test_layout_table_names_every_module() -> None:
    rows = layout_rows((ROOT / "README.md").read_text(encoding="utf-8"))
    named = {row for row in rows if row.startswith("contactrules/")}
    missing = sorted(package_entries(PACKAGE) - named)
    assert not missing, f"README.md's layout table does not name: {missing}"


def test_layout_table_names_nothing_that_does_not_exist() -> None:
    rows = layout_rows((ROOT / "README.md").read_text(encoding="utf-8"))
    absent = sorted(row for row in rows if not (ROOT / row).exists())
    assert not absent, f"README.md's layout table names paths that do not exist: {absent}"
    stale = sorted(
        row
        for row in rows
        if row.startswith("contactrules/") and row not in package_entries(PACKAGE)
    )
    assert not stale, f"README.md's layout table names what is not a module or package: {stale}"


def test_each_module_is_named_once() -> None:
    rows = layout_rows((ROOT / "README.md").read_text(encoding="utf-8"))
    repeated = sorted({row for row in rows if rows.count(row) > 1})
    assert not repeated, f"README.md's layout table names these more than once: {repeated}"


def test_the_check_sees_a_missing_and_an_invented_module(tmp_path: Path) -> None:
    """The comparison itself can fail: a module the table lacks, a row with no module."""
    package = tmp_path / "contactrules"
    (package / "sub").mkdir(parents=True)
    for name in ("__init__.py", "engine.py", "sub/__init__.py", "sub/kind.py"):
        (package / name).write_text("", encoding="utf-8")
    entries = package_entries(package)
    readme = (
        "# x\n\n## Layout\n\n| path | contents |\n|---|---|\n"
        "| `contactrules/` | the library |\n| `contactrules/engine.py` | the engine |\n"
        "| `contactrules/gone.py` | removed |\n\n## Next\n"
    )
    named = set(layout_rows(readme))
    assert entries - named == {"contactrules/sub/", "contactrules/sub/kind.py"}
    assert named - entries == {"contactrules/gone.py"}
