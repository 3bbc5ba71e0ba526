"""The reference text of each rule kind, generated from its code: ``contactrules explain KIND``
prints one, and ``docs/rule-kinds.md`` is all of them (``contactrules explain --all``)."""

from __future__ import annotations

import inspect
import json
import sys

from pydantic.fields import FieldInfo

from . import REGISTRY
from .base import NEXT_TIMES, RuleBase

__all__ = ["kind_reference", "kinds_markdown"]

_COMMON = set(RuleBase.model_fields)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    return json.dumps(value, default=lambda v: getattr(v, "value", str(v)))


def kind_reference(kind: str) -> str:
    """The reference text of a rule kind: its module docstring, its own options and whether a
    later time can lift it (so a reader knows why a denial names no next time)."""
    cls = REGISTRY[kind]
    module = sys.modules[cls.__module__]
    doc = inspect.cleandoc(module.__doc__ or "")
    lines = [doc, "", "Fields of this kind (besides the common id, citation, channels, when, …):"]
    for name, info in cls.model_fields.items():
        if name in _COMMON or name == "kind":
            continue
        desc = f" — {info.description}" if info.description else ""
        lines.append(f"  {name}: {_default(info)}{desc}")
    lines += ["", f"Next allowed time: {NEXT_TIMES[cls.NEXT_TIME]}."]
    return "\n".join(lines)


def kinds_markdown() -> str:
    """The rule-kind reference for docs/rule-kinds.md, generated from the code."""
    parts = [
        "# Rule kinds",
        "",
        "Generated from the rule modules by `contactrules explain --all`; do not edit by hand",
        "(a test keeps this file and the code in sync).",
        "",
        "Every rule also has the common fields: `id`, `kind`, `title`, `citation` (required),",
        "`message`, `channels`, `when`, `unless_purposes`, `effective_from`, `effective_until`,",
        "`severity`, `confidence`, `note` (see [rulesets.md](rulesets.md)).",
        "",
        "Convention names (K1, K2, …) are defined in [conventions.md](conventions.md).",
        "",
        "To add a kind, follow [adding-a-rule-kind.md](adding-a-rule-kind.md).",
    ]
    for kind in sorted(REGISTRY):
        parts += ["", f"## `{kind}`", "", "```text", kind_reference(kind), "```"]
    return "\n".join(parts) + "\n"
