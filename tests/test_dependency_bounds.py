"""The lowest-versions CI run tests what pyproject.toml declares, no more and no less.

.ci/run installs .ci/constraints-lowest.txt in a second venv; if a bound moved in one file and
not the other, that run would test versions nobody declared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(
    r"^(?P<name>[A-Za-z0-9_.-]+)(?:\[(?P<extras>[^\]]*)\])?\s*>=\s*(?P<low>[^,;\s]+)"
)


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _release(version: str) -> tuple[int, ...]:
    """2.10 and 2.10.0 are one release; "post" parts are kept (2.9.0.post0 is not 2.9.0)."""
    parts = [int(p) for p in re.findall(r"\d+", version)]
    while len(parts) > 1 and parts[-1] == 0 and "post" not in version:
        parts.pop()
    return tuple(parts)


def _declared_lower_bounds() -> dict[str, str]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds: dict[str, str] = {}
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        match = REQUIREMENT.match(requirement)
        assert match, f"{requirement!r} needs a lower bound (>=) for the lowest-versions run"
        bounds[_name(match["name"])] = match["low"]
        if match["extras"] == "binary":  # psycopg[binary] pins psycopg-binary to its own version
            bounds[_name(match["name"]) + "-binary"] = match["low"]
    return bounds


def _pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / ".ci" / "constraints-lowest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{line!r}: pin an exact version (name==version)"
            pins[_name(name.strip())] = version.strip()
    return pins


def test_the_constraints_pin_every_lower_bound_of_pyproject() -> None:
    declared, pinned = _declared_lower_bounds(), _pinned()
    assert sorted(pinned) == sorted(declared)
    for name, low in declared.items():
        assert _release(pinned[name]) == _release(low), f"{name}: {pinned[name]} vs >={low}"
