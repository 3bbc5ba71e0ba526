"""Problems found in ruleset files and input documents, printed the way linters print them.

A compliance officer fixes a ruleset from its error message alone, so every problem is a value
with a location (``path:line:col``), a stable code and a plain message, never a traceback.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from . import codes
from .errors import InputError

__all__ = [
    "Diagnostic",
    "Location",
    "OutputFormat",
    "RulesetError",
    "Severity",
    "did_you_mean",
    "exit_status",
    "format_diagnostics",
]

Severity = Literal["error", "warning"]
OutputFormat = Literal["text", "json", "github"]


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a file; line 0 means "the file as a whole"."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where, how bad, a stable code for tooling and a message for people."""

    location: Location
    code: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity} {self.code} {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.col, self.code)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class RulesetError(InputError):
    """Raised when files cannot be turned into rulesets; carries every problem found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            sorted(diagnostics, key=Diagnostic.sort_key)
        )
        super().__init__("\n".join(str(d) for d in self.diagnostics) or "invalid ruleset")


# Problems that mean the command itself was misused (a path that does not exist), not that the
# files it names are wrong: they exit 2, like a usage error.
USAGE_CODES = frozenset({codes.FILE_NOT_FOUND.code})


def exit_status(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> int:
    """A command's exit status: 2 misused (a named path does not exist), 1 problems, 0 clean.

    Warnings count as problems only when ``strict``.
    """
    status = 0
    for d in diagnostics:
        if d.code in USAGE_CODES:
            return 2
        if d.severity == "error" or strict:
            status = 1
    return status


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """A ``; did you mean "x"?`` suffix when a close spelling exists, else the empty string."""
    if not isinstance(word, str):
        return ""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        close = [c for c in options if c.lower() == word.lower()]
    return f'; did you mean "{close[0]}"?' if close else ""


def _github_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: OutputFormat = "text") -> str:
    """Render problems sorted by location: linter lines, JSON, or GitHub annotations."""
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    if fmt == "json":
        return json.dumps([d.as_dict() for d in ordered], indent=2)
    if fmt == "github":
        lines = []
        for d in ordered:
            level = "error" if d.severity == "error" else "warning"
            loc = d.location
            lines.append(
                f"::{level} file={loc.path},line={max(loc.line, 1)},col={max(loc.col, 1)},"
                f"title={d.code}::{_github_escape(d.message)}"
            )
        return "\n".join(lines)
    return "\n".join(str(d) for d in ordered)
