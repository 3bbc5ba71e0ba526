"""Shared fixtures and builders for the test suite (keep small: fixtures and builders only)."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from contactrules import Address, Consumer, ConsumerFlags, Debt, Engine, Phone, PhoneType
from contactrules.calendar_cache import ENV_VAR


def pytest_configure(config: pytest.Config) -> None:
    # Answers of the holidays package remembered between processes (calendar_cache) go to a
    # folder of this run, never the user's cache; child processes inherit it.
    os.environ[ENV_VAR] = tempfile.mkdtemp(prefix="contactrules-test-cache-")
    config.addinivalue_line(
        "markers",
        "assumes(package, version): the test reads data of that package (holiday names, phone "
        "prefixes, ZIP tables) as of that release or later",
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = os.environ.pop(ENV_VAR, "")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version ("2.9.0.post0" -> (2, 9, 0)), enough to order data."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split(".post")[0])[:4])


def check_assumed_version(package: str, minimum: str) -> None:
    """Fail, saying why, when the installed data package is older than the test assumes.

    Holiday names, phone prefixes and ZIP tables change between releases, so such a test
    failing on an old release is a statement about the data, not about contactrules.
    """
    installed = importlib.metadata.version(package)
    if _release(installed) < _release(minimum):
        pytest.fail(
            f"this test assumes {package} >= {minimum}; installed {installed}", pytrace=False
        )


@pytest.fixture(autouse=True)
def _assumed_data_versions(request: pytest.FixtureRequest) -> None:
    for mark in request.node.iter_markers("assumes"):
        check_assumed_version(*mark.args)


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The bundled rulesets (the law only), built once."""
    return Engine.default()


def build_consumer(
    *,
    debts: Iterable[str | Debt] = ("D1",),
    flags: ConsumerFlags | dict[str, Any] | None = None,
    **fields: Any,
) -> Consumer:
    """A consumer in Chicago, IL (America/Chicago) with one mobile; any field can be overridden.

    ``debts`` takes ids or :class:`Debt` objects; ``flags`` a :class:`ConsumerFlags` or its fields.
    """
    data: dict[str, Any] = {
        "id": "C-1",
        "language": "en",
        "addresses": [Address(country="US", subdivision="IL", city="Chicago")],
        "phones": [Phone(number="+13125550111", type=PhoneType.MOBILE)],
        "debts": [Debt(id=d) if isinstance(d, str) else d for d in debts],
    }
    if flags is not None:
        data["flags"] = flags if isinstance(flags, ConsumerFlags) else ConsumerFlags(**flags)
    data.update(fields)
    return Consumer(**data)


@pytest.fixture
def make_consumer() -> Callable[..., Consumer]:
    """The :func:`build_consumer` builder, for tests that want it as a fixture."""
    return build_consumer
