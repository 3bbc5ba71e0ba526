"""One exception hierarchy: every exception class in the package derives from ContactrulesError.

A caller that embeds the library catches ``contactrules.ContactrulesError`` and knows it has
caught everything the library raises on purpose; that only holds while no module defines an
exception class outside the hierarchy, or one a caller cannot import from the public surface.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import contactrules
import contactrules.ledger
import contactrules.service
from contactrules import ContactrulesError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "contactrules"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def exception_classes() -> list[type[BaseException]]:
    """Every exception class written at the top level of a package module."""
    found: list[type[BaseException]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":  # running it is the command itself
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
        if not names:
            continue
        module = importlib.import_module(_module_name(path))
        for name in names:
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, BaseException):
                found.append(cls)
    return found


def outside_hierarchy(classes: list[type[BaseException]]) -> list[str]:
    return sorted(
        f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, ContactrulesError)
    )


def not_exported(classes: list[type[BaseException]]) -> list[str]:
    """Public classes a caller cannot import from the package (or its ledger or service)."""
    missing = []
    for cls in classes:
        if cls.__name__.startswith("_"):
            continue
        home = contactrules.ledger if cls.__module__.startswith("contactrules.ledger") else None
        if cls.__module__.startswith("contactrules.service."):  # the HTTP service's own
            home = contactrules.service
        surfaces = [contactrules] if home is None else [home]
        if not any(cls.__name__ in s.__all__ and getattr(s, cls.__name__) is cls for s in surfaces):
            missing.append(f"{cls.__module__}.{cls.__qualname__}")
    return sorted(missing)


def test_the_scan_finds_the_known_exception_classes() -> None:
    names = {c.__name__ for c in exception_classes()}
    assert {"RulesetError", "UnknownZoneError", "LedgerError", "AuditFileError"} <= names


def test_every_exception_class_derives_from_contactrules_error() -> None:
    assert outside_hierarchy(exception_classes()) == []


def test_every_public_exception_class_is_exported() -> None:
    assert not_exported(exception_classes()) == []
    assert "ContactrulesError" in contactrules.__all__


def test_builtin_bases_callers_may_catch_are_kept() -> None:
    from contactrules.ledger import AuditFileError, UnknownRecordError

    assert issubclass(contactrules.UnknownZoneError, ValueError)
    assert issubclass(contactrules.UnknownCalendarError, ValueError)
    assert issubclass(AuditFileError, ValueError)
    assert issubclass(UnknownRecordError, KeyError)


def test_a_library_error_is_caught_by_the_base_class() -> None:
    with pytest.raises(ContactrulesError):
        contactrules.load_ruleset(ROOT / "no-such-ruleset.yaml")


# --- self-tests: the checks fail on a class outside the hierarchy or not exported ----------
class _Stray(ValueError):
    pass


class Unexported(ContactrulesError):
    pass


def test_self_checks_fail_on_a_stray_or_unexported_class() -> None:
    assert outside_hierarchy([_Stray, Unexported]) == [f"{__name__}._Stray"]
    assert not_exported([_Stray, Unexported, contactrules.RulesetError]) == [
        f"{__name__}.Unexported"
    ]
