"""The rule kinds: one module each, gathered in one explicit registry.

Adding a kind is one module (a pydantic model with ``check``, a declared ``NEXT_TIME`` and, when
a later time can help, ``next_ok``) plus one entry here. Everything else that lists kinds reads
this table: the ruleset's discriminated union on ``kind``, the JSON Schema, ``explain`` and
docs/rule-kinds.md. docs/adding-a-rule-kind.md is the checklist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field

from ..diagnostics import did_you_mean
from . import (
    automated_call,
    blackout,
    consent,
    consumer_flag,
    cooldown,
    frequency_cap,
    prohibited,
    template,
    time_window,
    validation_period,
)
from .base import Finding, RuleBase, When, render_message

__all__ = ["REGISTRY", "Finding", "RuleBase", "RuleSpec", "When", "get_kind", "render_message"]

REGISTRY: dict[str, type[RuleBase]] = {
    time_window.KIND: time_window.TimeWindow,
    blackout.KIND: blackout.Blackout,
    frequency_cap.KIND: frequency_cap.FrequencyCap,
    cooldown.KIND: cooldown.Cooldown,
    consumer_flag.KIND: consumer_flag.ConsumerFlag,
    consent.KIND: consent.ConsentRequired,
    template.KIND: template.TemplateRule,
    prohibited.KIND: prohibited.Prohibited,
    automated_call.KIND: automated_call.AutomatedCall,
    validation_period.KIND: validation_period.ValidationPeriodRule,
}

if TYPE_CHECKING:
    # What the type checker sees: a rule is some kind, and every kind is a RuleBase.
    RuleSpec = RuleBase
else:
    # The one list of kinds is REGISTRY: the YAML union (and so the JSON Schema, whose
    # ``oneOf`` follows this order) is built from it, so no kind can be registered yet fail to
    # load.
    RuleSpec = Annotated[
        Union[tuple(REGISTRY.values())],  # noqa: UP007 - built at run time, not written
        Field(discriminator="kind"),
    ]


def get_kind(name: str) -> type[RuleBase]:
    """The class for a kind name, or a ValueError that suggests the closest kind."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f'unknown rule kind "{name}"{did_you_mean(name, REGISTRY)}') from None
