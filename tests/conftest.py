"""Shared fixtures and builders for the test suite (keep small: fixtures and builders only)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from contactrules import Address, Consumer, ConsumerFlags, Debt, Engine, Phone, PhoneType


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
