"""Idempotency keys: a retried ``reserve()`` returns the first call's answer, never a second record.

Why: behind a network the answer to a reserve can be lost after the ledger committed it. The
caller cannot tell "not recorded" from "recorded, answer lost", so it retries; without a key the
retry would record the letter twice, or be denied by the cooldown that its own first, orphaned
``pending`` record started. With a key, the ledger looks the key up first, under the same locks
as the reserve itself, and answers a retry from the decision it logged.

A key names one request: the same key with another contact (or for another consumer) is a
mistake of the caller's, refused with :class:`~.base.IdempotencyConflictError` rather than
answered with a reservation for something else. "The same contact" is the contact as submitted
(before the ledger moved it to a free microsecond), compared by :func:`request_hash`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from .. import decision as decision_module
from ..decision import Decision, Ground, Reason
from ..models import Contact
from .chain import digest

__all__ = ["MAX_KEY_LENGTH", "decision_from_json", "key_problem", "request_hash"]

MAX_KEY_LENGTH = 255


def key_problem(key: object) -> str | None:
    """Why ``key`` cannot be an idempotency key, or None when it can."""
    if not isinstance(key, str):
        return f"an idempotency key must be text, not {type(key).__name__}"
    if not key.strip():
        return "an idempotency key must not be empty"
    if len(key) > MAX_KEY_LENGTH:
        return f"an idempotency key must be at most {MAX_KEY_LENGTH} characters, not {len(key)}"
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        return "an idempotency key must not contain control characters"
    return None


def request_hash(contact: Contact) -> str:
    """The hash of the contact as submitted (with its consumer), which a retry must repeat."""
    return digest(contact.model_dump(mode="json"))


def _instant(value: object) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(str(value))


def _build(cls: type[Any], data: Any) -> Any:
    """A dataclass from its ``as_dict`` form, taking only the fields the class has."""
    if not isinstance(data, dict):
        return data
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def decision_from_json(data: dict[str, Any]) -> Decision:
    """A :class:`Decision` read back from its logged ``as_dict`` form.

    The verdict, reasons, times and ids come back as they were; a value that was not JSON when
    logged (a date among a rule's facts) comes back as its text.
    """
    nested: dict[str, type[Any]] = {"reasons": Reason, "warnings": Reason, "grounds": Ground}
    single: dict[str, type[Any]] = {}
    template_use = getattr(decision_module, "TemplateUse", None)
    if isinstance(template_use, type):
        single["template"] = template_use
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Decision):
        if field.name not in data:
            continue
        value = data[field.name]
        if field.name in nested:
            value = tuple(_build(nested[field.name], item) for item in value or ())
        elif field.name in single:
            value = None if value is None else _build(single[field.name], value)
        elif field.name in ("at", "next_allowed_at"):
            value = _instant(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[field.name] = value
    return Decision(**values)
